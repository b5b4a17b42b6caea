/**
 * A connector instance for the cross-instance section: `createRelayServer` on the
 * Redis bus and buffer (`createRedisScaleOut`), bearer auth, pushes through the public
 * `sendInbound`. Two of these share one redis-server; the gateway is connected to one of them.
 */
import { Redis } from "ioredis";
import type { MessageEvent } from "../../generated/types.js";
import { createRedisScaleOut, createRelayServer } from "../../src/server/index.js";
import * as fx from "../lib/fixtures.js";
import { config, now, serve } from "./rpc.js";
import { pushEvent, type ProcConfig } from "./common.js";
import { makeRawOffers, serveRawAnswers } from "./raw-redis-exchange.js";

const cfg = config<ProcConfig & { redisUrl: string; keyPrefix: string; nodeId: string; secret: string; timeline?: boolean }>();
const descriptor = fx.descriptorFrame(cfg.root).descriptor as never;
const eventOf = pushEvent(cfg.root) as unknown as (i: number) => MessageEvent;

const scale = createRedisScaleOut({ redis: cfg.redisUrl, keyPrefix: cfg.keyPrefix, connectionName: cfg.nodeId });
const server = createRelayServer({
  nodeId: cfg.nodeId,
  auth: { secrets: [cfg.secret] },
  onHello: () => descriptor,
  bus: scale.bus,
  buffer: scale.buffer,
  keepaliveIntervalMs: 0,
});
await scale.attach(server); // subscribe before serve
// Diagnosis (`bench/profile.ts redis --timeline`): when each pushed frame was written to the
// gateway's socket here, by message number. Off in the benchmark (a listener costs per frame).
const writtenAt: number[] = [];
if (cfg.timeline === true) {
  server.on("frameOut", ({ frame }) => {
    if (frame.type === "inbound") writtenAt[Number(String(frame.event.message_id).slice(2))] = now();
  });
}
// The bus's own client library, from this process: the Redis round trip the cross-instance
// latency is judged against.
const pinger = new Redis(cfg.redisUrl);
// The same exchange on bare ioredis (raw-redis-exchange.ts): its own two connections.
const raw = { pub: new Redis(cfg.redisUrl), sub: new Redis(cfg.redisUrl) };
let rawSubscribed = false;
const { port } = await server.listen({ host: "127.0.0.1", port: 0 });

serve(
  {
    /** `count` pushes, at most `inflight` unresolved at a time; answers how each was delivered. */
    async push(args) {
      const gatewayId = String(args.gatewayId);
      const count = Number(args.count);
      const inflight = Number(args.inflight ?? 256);
      const modes: Record<string, number> = {};
      let failed = 0;
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < count) {
          const i = next++;
          try {
            const { mode } = await server.sendInbound(gatewayId, eventOf(i));
            modes[mode] = (modes[mode] ?? 0) + 1;
          } catch {
            failed++;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(inflight, count) }, lane));
      return { modes, failed };
    },
    /**
     * One push at a time, each awaited and followed by a pause of `gapMs`, so no push queues
     * behind the previous one anywhere (a live push resolves when written, long before the
     * gateway handled it); answers when each was handed to `sendInbound` (ms, shared monotonic clock).
     */
    async paced(args) {
      const gatewayId = String(args.gatewayId);
      const gapMs = Number(args.gapMs ?? 1);
      const sent: number[] = [];
      const modes: Record<string, number> = {};
      for (let i = 0; i < Number(args.count); i++) {
        sent.push(now());
        const { mode } = await server.sendInbound(gatewayId, eventOf(i));
        modes[mode] = (modes[mode] ?? 0) + 1;
        await new Promise((resolve) => setTimeout(resolve, gapMs));
      }
      return { sent, modes };
    },
    /** `count` PINGs one at a time, `gapMs` apart (as `paced`): µs per round trip. */
    async ping(args) {
      const gapMs = Number(args.gapMs ?? 1);
      const rtt: number[] = [];
      for (let i = 0; i < Number(args.count); i++) {
        const t0 = now();
        await pinger.ping();
        rtt.push((now() - t0) * 1000);
        await new Promise((resolve) => setTimeout(resolve, gapMs));
      }
      return { rtt };
    },
    /** Answer raw offers (the instance holding the gateway). */
    async rawServe() {
      await serveRawAnswers(raw, cfg.keyPrefix, cfg.nodeId);
      return {};
    },
    /** `count` raw offers, `inflight` unanswered at most; answers when all were answered. */
    async rawPush(args) {
      if (!rawSubscribed) {
        await raw.sub.subscribe(`${cfg.keyPrefix}raw-answers`);
        rawSubscribed = true;
      }
      const frameOf = (i: number) => ({ type: "inbound", event: eventOf(i) });
      await makeRawOffers(raw, cfg.keyPrefix, cfg.nodeId, frameOf, Number(args.count), Number(args.inflight ?? 256));
      return {};
    },
    written: () => ({ writtenAt }),
    phase: (args) => ({ phase: server.connection(String(args.gatewayId))?.phase ?? null }),
  },
  { port },
  async () => {
    await server.close({ drainMs: 500 });
    await scale.close();
    pinger.disconnect();
    raw.pub.disconnect();
    raw.sub.disconnect();
  },
);
