/**
 * §2 — client ↔ server on 127.0.0.1, each in its own process: round trip `send` →
 * `outbound_result` with one request in flight, 64 in flight, and connector → gateway push of
 * inbound frames; each against the baseline pair (bench/procs/raw-*.ts) doing the same exchange
 * on `ws` with JSON.parse and a generated validator and nothing else.
 */
import { median, pairedRatio, quantile, round, spread } from "../lib/stats.js";
import type { BenchContext, Row, Section, SectionResult } from "../lib/types.js";
import { spawnWorker, withWorkers, type Worker } from "../lib/worker.js";
import { INBOUND_BYTES } from "../lib/fixtures.js";
import { now } from "../procs/rpc.js";

export const GATEWAY_ID = "gw-bench";
export const SECRET = "bench-secret-0123456789abcdef";

export interface Pair {
  server: Worker;
  client: Worker;
}

/** A connected baseline pair and a connected subject pair. */
export async function connectPairs(workers: Worker[]): Promise<{ raw: Pair; relay: Pair }> {
  const [rawServer, rawClient, relayServer, relayClient] = workers as [Worker, Worker, Worker, Worker];
  await rawClient.call("connect", { port: rawServer.info.port });
  await relayClient.call("connect", { port: relayServer.info.port, gatewayId: GATEWAY_ID, secret: SECRET });
  return { raw: { server: rawServer, client: rawClient }, relay: { server: relayServer, client: relayClient } };
}

export function spawnPairs(ctx: BenchContext, extra: Record<string, unknown> = {}): Array<Promise<Worker>> {
  const config = { root: ctx.root, ...extra };
  return [
    spawnWorker(ctx, "raw-server", { config }),
    spawnWorker(ctx, "raw-client", { config }),
    spawnWorker(ctx, "relay-server", { config }),
    spawnWorker(ctx, "relay-client", { config }),
  ];
}

/** Frames/s of one push of `count` frames, timed from the command to the last frame's arrival. */
export async function pushRate(pair: Pair, count: number, gatewayId = GATEWAY_ID): Promise<number> {
  await pair.client.call("expect", { count });
  const t0 = now();
  const arrived = pair.client.call("received");
  await pair.server.call("push", { count, gatewayId });
  await arrived;
  return count / ((now() - t0) / 1000);
}

async function roundTrip(pair: Pair, count: number): Promise<number[]> {
  return (await pair.client.call<{ latencies: number[] }>("roundtrip", { count })).latencies;
}

async function pipelinedRate(pair: Pair, count: number, inflight: number): Promise<number> {
  const { ms } = await pair.client.call<{ ms: number }>("pipelined", { count, inflight });
  return count / (ms / 1000);
}

/** Runs baseline and subject alternately (who goes first alternates too); per-round samples. */
export async function interleave<T>(rounds: number, baseline: () => Promise<T>, subject: () => Promise<T>): Promise<{ baseline: T[]; subject: T[] }> {
  const out = { baseline: [] as T[], subject: [] as T[] };
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      out.baseline.push(await baseline());
      out.subject.push(await subject());
    } else {
      out.subject.push(await subject());
      out.baseline.push(await baseline());
    }
  }
  return out;
}

export const loopbackSection: Section = {
  id: "loopback",
  title: "Client ↔ server on 127.0.0.1 (separate processes)",
  item: "issue 7 §2",
  async run(ctx: BenchContext): Promise<SectionResult> {
    const q = ctx.quick;
    const rounds = q ? 5 : 11;
    const rtCount = q ? 400 : 1500;
    const pipeCount = q ? 4000 : 15000;
    const pushCount = q ? 5000 : 20000;
    return withWorkers(spawnPairs(ctx), async (workers) => {
      const { raw, relay } = await connectPairs(workers);
      const rows: Row[] = [];

      ctx.log("loopback: warm-up");
      for (const pair of [raw, relay]) {
        await roundTrip(pair, 300);
        await pipelinedRate(pair, 2000, 64);
        await pushRate(pair, 3000);
      }

      ctx.log("loopback: round trip, one in flight");
      const rt = await interleave(rounds, () => roundTrip(raw, rtCount), () => roundTrip(relay, rtCount));
      const p50 = { baseline: rt.baseline.map((l) => quantile(l, 0.5)), subject: rt.subject.map((l) => quantile(l, 0.5)) };
      const p99 = { baseline: rt.baseline.map((l) => quantile(l, 0.99)), subject: rt.subject.map((l) => quantile(l, 0.99)) };
      rows.push({
        name: "round trip send → outbound_result, 1 in flight, p50",
        unit: "µs",
        baselineLabel: "ws + JSON.parse + validator",
        baseline: median(p50.baseline),
        subject: median(p50.subject),
        ratio: pairedRatio(p50.baseline, p50.subject),
        target: { kind: "max", limit: 1.15 },
        headline: true,
        details: { requestsPerRound: rtCount, rounds, spreadBaseline: round(spread(p50.baseline)), spreadSubject: round(spread(p50.subject)) },
      });
      rows.push({
        name: "round trip send → outbound_result, 1 in flight, p99",
        unit: "µs",
        baseline: median(p99.baseline),
        subject: median(p99.subject),
        ratio: pairedRatio(p99.baseline, p99.subject),
      });

      ctx.log("loopback: 64 in flight");
      const pipe = await interleave(rounds, () => pipelinedRate(raw, pipeCount, 64), () => pipelinedRate(relay, pipeCount, 64));
      rows.push({
        name: "pipelined send → outbound_result, 64 in flight",
        unit: "req/s",
        baseline: median(pipe.baseline),
        subject: median(pipe.subject),
        ratio: pairedRatio(pipe.baseline, pipe.subject),
        target: { kind: "min", limit: 0.9 },
        headline: true,
        details: { requestsPerRound: pipeCount, rounds, spreadBaseline: round(spread(pipe.baseline)), spreadSubject: round(spread(pipe.subject)) },
      });

      ctx.log("loopback: push");
      const push = await interleave(rounds, () => pushRate(raw, pushCount), () => pushRate(relay, pushCount));
      rows.push({
        name: `push inbound (~${INBOUND_BYTES} B) connector → gateway, one frame per message`,
        unit: "frames/s",
        baseline: median(push.baseline),
        subject: median(push.subject),
        ratio: pairedRatio(push.baseline, push.subject),
        target: { kind: "min", limit: 0.9 },
        headline: true,
        details: { framesPerRound: pushCount, rounds, spreadBaseline: round(spread(push.baseline)), spreadSubject: round(spread(push.subject)) },
      });

      const rawStats = await raw.client.call<{ invalid: number }>("stats");
      if (rawStats.invalid > 0) throw new Error(`baseline client saw ${rawStats.invalid} invalid frames`);
      return {
        rows,
        notes: [
          "Four processes: baseline connector and gateway (bench/procs/raw-server.ts, raw-client.ts: `ws`, JSON.parse, one generated tolerant validator per received frame, nothing else) and subject connector and gateway (`createRelayServer` with bearer auth, `createRelayClient`, both with their defaults — which include strict validation of every frame they send). Rounds alternate baseline and subject; the ratio is the median of per-round ratios.",
          "Push: the connector sends as fast as the socket takes it (waits while more than 512 KiB are queued), through the public `sendInbound`; timed from the command to the gateway handler's last call.",
        ],
      };
    });
  },
};
