/**
 * Subject connector: `createRelayServer` with defaults (tolerant decoding, strict validation of
 * what it sends, delivery routing and buffer, keepalive), bearer auth, a `send` handler that
 * answers at once, and pushes through the public `sendInbound`.
 */
import type { MessageEvent } from "../../generated/types.js";
import { createRelayServer, type RelayServer, type RelayServerOptions, type ReplayOptions } from "../../src/server/index.js";
import { parseBearer, parseToken } from "../../src/auth/index.js";
import * as fx from "../lib/fixtures.js";
import { config, now, serve } from "./rpc.js";
import { heapSnapshot, pump, pushEvent, settledMemory, type ProcConfig } from "./common.js";

export const BENCH_SECRET = "bench-secret-0123456789abcdef";

/** `unauthenticated`: diagnosis only (memory: what token verification costs per connection). */
const cfg = config<ProcConfig & { replay?: ReplayOptions; unauthenticated?: boolean }>();
const descriptor = fx.descriptorFrame(cfg.root).descriptor as never;
const eventOf = pushEvent(cfg.root) as unknown as (i: number) => MessageEvent;

let server: RelayServer;
let port = 0;
let nextMessageId = 0;
/** The last drain: when it started (`drainStart`, before its first frame is written) and ended (`drainEnd`, after its last ack). */
let lastDrain: { startedAt: number; at: number; stats: unknown } | undefined;
let drainStartedAt = 0;
let drainWaiter: (() => void) | undefined;
let handshakes = 0;

async function start(replay: ReplayOptions | undefined): Promise<void> {
  const options: RelayServerOptions = {
    auth: cfg.unauthenticated
      ? { unauthenticated: true, gatewayId: (req) => parseToken(parseBearer(req.headers.authorization) ?? "")?.payload ?? "anonymous" }
      : { secrets: [BENCH_SECRET] },
    onHello: () => descriptor,
    handlers: { send: () => ({ success: true, message_id: `m-${nextMessageId++}` }) },
  };
  if (replay !== undefined) options.replay = replay;
  server = createRelayServer(options);
  server.on("drainStart", () => (drainStartedAt = now()));
  server.on("drainEnd", ({ replayed, acked, aborted }) => {
    lastDrain = { startedAt: drainStartedAt, at: now(), stats: { replayed, acked, aborted } };
    drainWaiter?.();
  });
  server.on("handshake", () => handshakes++);
  port = (await server.listen({ host: "127.0.0.1", port: 0 })).port;
}

await start(cfg.replay);

serve(
  {
    /** A new server with other replay options (the replay grid); answers its port. */
    async restart(args) {
      await server.close({ drainMs: 1000 });
      await start(args.replay as ReplayOptions | undefined);
      return { port };
    },
    /** Live pushes through the public API, paced on the socket's queued bytes. */
    async push(args) {
      const gatewayId = String(args.gatewayId);
      const conn = server.connection(gatewayId);
      if (conn === undefined) throw new Error(`gateway ${gatewayId} is not connected`);
      let failed = 0;
      await pump(
        Number(args.count),
        (i) => {
          server.sendInbound(gatewayId, eventOf(i)).catch(() => failed++);
        },
        () => conn.bufferedAmount,
      );
      return { failed };
    },
    /** A backlog of `count` entries, flipped idle as after `going_idle` (replay). */
    async fillBacklog(args) {
      const gatewayId = String(args.gatewayId);
      for (let i = 0; i < Number(args.count); i++) await server.buffer.append(gatewayId, { type: "inbound", event: eventOf(i) });
      await server.buffer.setIdle(gatewayId, true);
      return { size: await server.buffer.size(gatewayId) };
    },
    /** Resolves at the next drain end (or the one that already happened after `since`). */
    drained(args) {
      const since = Number(args.since ?? 0);
      if (lastDrain !== undefined && lastDrain.at >= since) return lastDrain;
      return new Promise((resolve) => {
        drainWaiter = () => {
          drainWaiter = undefined;
          resolve(lastDrain);
        };
      });
    },
    now: () => now(),
    bufferSize: async (args) => ({ size: await server.buffer.size(String(args.gatewayId)) }),
    stats: () => ({ connections: server.connections().length, handshakes }),
    memory: () => settledMemory(),
    heapSnapshot: (args) => heapSnapshot(String(args.file)),
  },
  { port },
  () => server.close({ drainMs: 500 }),
);
