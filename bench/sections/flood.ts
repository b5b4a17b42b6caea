/**
 * A gateway flooded by pushes while its handler is slow: the connector (bench/procs/flood-server,
 * `createRelayServer` defaults) pushes realistic ~660-byte inbound frames, 1,000 `sendInbound`
 * calls per turn of its event loop and none awaited, to a `createRelayClient` (bench/procs/flood-gateway, defaults)
 * whose inbound handler awaits a timer per delivery. The client's inbound backpressure (a bounded
 * delivery queue; the socket is not read while it is full) should hold its memory while the
 * connector's side absorbs the rest (socket send queue up to its high-water mark, then the
 * delivery buffer, bounded per gateway). Measured: the gateway's peak RSS and V8 heap over the
 * flood minus its settled idle figures, sampled every 10 ms in the gateway process; the
 * connector's own peak RSS is reported alongside.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { repeatCount, repeated } from "../lib/repeat.js";
import { round } from "../lib/stats.js";
import type { BenchContext, Row, Section, SectionResult } from "../lib/types.js";
import { spawnWorker, withWorkers, type Worker } from "../lib/worker.js";

const GATEWAY_ID = "gw-bench-flood";
const SECRET = "bench-secret-0123456789abcdef";
const FRAMES = 200_000;
const PER_TURN = 1000;
const HANDLER_MS = 20;
const MiB = 1024 * 1024;

interface GatewayPeak {
  rss: number;
  heapUsed: number;
  deliveries: number;
  bytes: number;
  pausedSamples: number;
  samples: number;
  handled: number;
}
interface ServerStats {
  started: number;
  live: number;
  buffered: number;
  rejected: number;
  startRss: number;
  peakRss: number;
  peakBufferedAmount: number;
  peakBufferSize: number;
}

async function floodOnce(ctx: BenchContext, seconds: number): Promise<Row[]> {
  return withWorkers(
    [
      spawnWorker(ctx, "flood-server", { config: { root: ctx.root, secret: SECRET } }),
      spawnWorker(ctx, "flood-gateway", { config: { root: ctx.root }, execArgv: ["--expose-gc"] }),
    ],
    async ([server, gateway]) => {
      const [S, G] = [server as Worker, gateway as Worker];
      await G.call("connect", { port: S.info.port, gatewayId: GATEWAY_ID, secret: SECRET, delayMs: HANDLER_MS });
      // Warm-up: the delivery path has run before idle is measured.
      await S.call("warm", { gatewayId: GATEWAY_ID, count: 20 });
      await G.call("handled", { count: 20 });
      const idle = await G.call<{ rss: number; heapUsed: number }>("idle");
      await G.call("sampleStart");
      await S.call("flood", { gatewayId: GATEWAY_ID, count: FRAMES, perTurn: PER_TURN });
      await sleep(seconds * 1000);
      const peak = await G.call<GatewayPeak>("sampleStop");
      const srv = await S.call<ServerStats>("stop");
      ctx.log(`flood: ${srv.started} pushes started, ${srv.live} live, ${srv.buffered} buffered and acked, ${srv.rejected} rejected; ${peak.handled} handled; connector socket queue peak ${srv.peakBufferedAmount} B, buffer peak ${srv.peakBufferSize} entries`);
      const flood = {
        seconds,
        handlerMs: HANDLER_MS,
        framesOffered: FRAMES,
        perTurn: PER_TURN,
        pushesStarted: srv.started,
        pushesLive: srv.live,
        pushesBuffered: srv.buffered,
        pushesRejected: srv.rejected,
        handled: peak.handled,
        gatewayIdleRssMiB: round(idle.rss / MiB, 1),
        gatewayPeakRssMiB: round(peak.rss / MiB, 1),
        gatewayMaxQueuedDeliveries: peak.deliveries,
        gatewayMaxQueuedBytes: peak.bytes,
        gatewayReadingPausedShare: round(peak.pausedSamples / Math.max(1, peak.samples), 2),
        connectorPeakSocketQueueBytes: srv.peakBufferedAmount,
        connectorPeakBufferedEntries: srv.peakBufferSize,
      };
      return [
        {
          name: `gateway RSS under a push flood, slow handler (${HANDLER_MS} ms), peak − idle`,
          unit: "MiB",
          subject: round((peak.rss - idle.rss) / MiB, 1),
          target: { kind: "abs-max", limit: 64, unit: "MiB", label: "≤ 64 MiB above idle" },
          headline: true,
          details: flood,
        },
        {
          name: "gateway V8 heap under the flood, peak − idle",
          unit: "MiB",
          subject: round((peak.heapUsed - idle.heapUsed) / MiB, 1),
        },
        {
          name: "gateway inbound backlog under the flood, peak deliveries queued",
          unit: "deliveries",
          subject: peak.deliveries,
        },
        {
          name: "connector RSS under the flood, peak − before it",
          unit: "MiB",
          subject: round((srv.peakRss - srv.startRss) / MiB, 1),
          details: { peakSocketQueueBytes: srv.peakBufferedAmount, peakBufferedEntries: srv.peakBufferSize, rejected: srv.rejected },
        },
      ];
    },
  );
}

export const floodSection: Section = {
  id: "flood",
  short: "flood",
  title: "A gateway flooded by pushes while its handler is slow (separate processes)",
  async run(ctx: BenchContext): Promise<SectionResult> {
    const seconds = ctx.quick ? 3 : 6;
    const repeats = repeatCount(ctx, 3);
    const rows = await repeated(ctx, "flood", repeats, () => floodOnce(ctx, seconds));
    return {
      rows,
      notes: [
        `Each repeat: fresh processes; the connector makes ${FRAMES.toLocaleString("en")} pushes of the ~660-byte inbound frame, ${PER_TURN.toLocaleString("en")} per turn of its event loop and none awaited, for ${seconds} s, while the gateway's handler awaits ${HANDLER_MS} ms per delivery (it handles ~${Math.round(1000 / HANDLER_MS)} a second). Idle: the gateway's settled RSS and heap (full GCs) after connecting and handling 20 pushes.`,
        "The gateway samples its own RSS, heap and inbound backlog every 10 ms. The client's defaults bound the backlog (`maxQueuedDeliveries` 256, `maxQueuedBytes` 8 MiB): above them the socket is not read, so TCP's window stops the connector's writes; the connector queues up to its 1 MiB high-water mark on the socket, then buffers (10,000 entries per gateway by default; a buffered push resolves on its ack), and past that bound `sendInbound` rejects with \`DeliveryBufferFullError\`: the connector's own backpressure, to its caller.",
      ],
    };
  },
};
