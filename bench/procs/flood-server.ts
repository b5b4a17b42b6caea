/**
 * The connector of the push-flood section: `createRelayServer` with its defaults, pushing through
 * the public `sendInbound` without waiting for any push to resolve (a live push resolves once
 * written to the socket; one the server buffered, once acked; one past the buffer's bound
 * rejects). It records its own peak RSS and how each push ended.
 */
import type { MessageEvent } from "../../generated/types.js";
import { createRelayServer } from "../../src/server/index.js";
import * as fx from "../lib/fixtures.js";
import { config, serve } from "./rpc.js";
import { pushEvent, type ProcConfig } from "./common.js";

const cfg = config<ProcConfig & { secret: string }>();
const descriptor = fx.descriptorFrame(cfg.root).descriptor as never;
const eventOf = pushEvent(cfg.root) as unknown as (i: number) => MessageEvent;

const server = createRelayServer({ auth: { secrets: [cfg.secret] }, onHello: () => descriptor, keepaliveIntervalMs: 0 });
const { port } = await server.listen({ host: "127.0.0.1", port: 0 });

let stopped = false;
let stats = { started: 0, live: 0, buffered: 0, rejected: 0, startRss: 0, peakRss: 0, peakBufferedAmount: 0, peakBufferSize: 0 };
let sampler: NodeJS.Timeout | undefined;

serve(
  {
    /** A few pushes, each awaited (warm-up). */
    async warm(args) {
      for (let i = 0; i < Number(args.count); i++) await server.sendInbound(String(args.gatewayId), eventOf(i));
      return {};
    },
    /** Starts `count` pushes, `perTurn` per turn of the event loop; answers at once (see `stop`). */
    flood(args) {
      const gatewayId = String(args.gatewayId);
      const count = Number(args.count);
      stopped = false;
      const startRss = process.memoryUsage.rss();
      stats = { started: 0, live: 0, buffered: 0, rejected: 0, startRss, peakRss: startRss, peakBufferedAmount: 0, peakBufferSize: 0 };
      sampler = setInterval(() => {
        stats.peakRss = Math.max(stats.peakRss, process.memoryUsage.rss());
        stats.peakBufferedAmount = Math.max(stats.peakBufferedAmount, server.connection(gatewayId)?.bufferedAmount ?? 0);
        void server.buffer.size(gatewayId).then((n) => (stats.peakBufferSize = Math.max(stats.peakBufferSize, n)));
      }, 10);
      // `perTurn` pushes per turn of the event loop, none awaited: events arriving faster than
      // any gateway takes them. Each push's promise is only counted when it settles.
      const perTurn = Number(args.perTurn);
      const settle = {
        ok: ({ mode }: { mode: string }) => void (mode === "live" ? stats.live++ : stats.buffered++),
        failed: () => void stats.rejected++,
      };
      void (async () => {
        while (!stopped && stats.started < count) {
          for (let k = 0; k < perTurn && stats.started < count; k++) server.sendInbound(gatewayId, eventOf(stats.started++)).then(settle.ok, settle.failed);
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      return {};
    },
    stop() {
      stopped = true;
      clearInterval(sampler);
      return { ...stats };
    },
  },
  { port },
  () => server.close({ drainMs: 200 }),
);
