/**
 * Loopback: client ↔ server on 127.0.0.1, each in its own process: round trip `send` →
 * `outbound_result` with one request in flight, 64 in flight, and connector → gateway push of
 * inbound frames; each against the baseline pair (bench/procs/raw-*.ts) doing the same exchange
 * on `ws` with JSON.parse and a generated validator and nothing else.
 */
import { interleave } from "../lib/interleave.js";
import { repeatCount, repeated } from "../lib/repeat.js";
import { pairedFigures, quantile, round, spread } from "../lib/stats.js";
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


/** One repeat: a fresh set of four processes, warmed, then every measurement in interleaved rounds. */
async function loopbackOnce(ctx: BenchContext, rounds: number, counts: { rt: number; pipe: number; push: number }): Promise<Row[]> {
  return withWorkers(spawnPairs(ctx), async (workers) => {
    const { raw, relay } = await connectPairs(workers);
    const rows: Row[] = [];

    // A fresh process runs its first few thousand pipelined requests at a fraction of the rate
    // (the JIT is still tiering up): warm every path before any round counts.
    for (const pair of [raw, relay]) {
      await roundTrip(pair, 500);
      await pipelinedRate(pair, 8000, 64);
      await pushRate(pair, 5000);
    }

    const rt = await interleave(rounds, () => roundTrip(raw, counts.rt), () => roundTrip(relay, counts.rt));
    const p50 = { baseline: rt.baseline.map((l) => quantile(l, 0.5)), subject: rt.subject.map((l) => quantile(l, 0.5)) };
    const p99 = { baseline: rt.baseline.map((l) => quantile(l, 0.99)), subject: rt.subject.map((l) => quantile(l, 0.99)) };
    rows.push({
      name: "round trip send → outbound_result, 1 in flight, p50",
      unit: "µs",
      baselineLabel: "ws + JSON.parse + validator",
      ...pairedFigures(p50.baseline, p50.subject),
      target: { kind: "max", limit: 1.15 },
      headline: true,
      details: { requestsPerRound: counts.rt, rounds, spreadBaseline: round(spread(p50.baseline)), spreadSubject: round(spread(p50.subject)) },
    });
    rows.push({
      name: "round trip send → outbound_result, 1 in flight, p99",
      unit: "µs",
      ...pairedFigures(p99.baseline, p99.subject),
    });

    const pipe = await interleave(rounds, () => pipelinedRate(raw, counts.pipe, 64), () => pipelinedRate(relay, counts.pipe, 64));
    rows.push({
      name: "pipelined send → outbound_result, 64 in flight",
      unit: "req/s",
      ...pairedFigures(pipe.baseline, pipe.subject),
      target: { kind: "min", limit: 0.9 },
      headline: true,
      details: { requestsPerRound: counts.pipe, rounds, spreadBaseline: round(spread(pipe.baseline)), spreadSubject: round(spread(pipe.subject)) },
    });

    const push = await interleave(rounds, () => pushRate(raw, counts.push), () => pushRate(relay, counts.push));
    rows.push({
      name: `push inbound (~${INBOUND_BYTES} B) connector → gateway, one frame per message`,
      unit: "frames/s",
      ...pairedFigures(push.baseline, push.subject),
      target: { kind: "min", limit: 0.9 },
      headline: true,
      details: { framesPerRound: counts.push, rounds, spreadBaseline: round(spread(push.baseline)), spreadSubject: round(spread(push.subject)) },
    });

    const rawStats = await raw.client.call<{ invalid: number }>("stats");
    if (rawStats.invalid > 0) throw new Error(`baseline client saw ${rawStats.invalid} invalid frames`);
    return rows;
  });
}

export const loopbackSection: Section = {
  id: "loopback",
  short: "loopback",
  title: "Client ↔ server on 127.0.0.1 (separate processes)",
  async run(ctx: BenchContext): Promise<SectionResult> {
    const q = ctx.quick;
    const repeats = repeatCount(ctx, 5);
    const rounds = q ? 5 : 7;
    const counts = { rt: q ? 400 : 1500, pipe: q ? 4000 : 15000, push: q ? 5000 : 20000 };
    const rows = await repeated(ctx, "loopback", repeats, () => loopbackOnce(ctx, rounds, counts));
    return {
      rows,
      notes: [
        "Four processes: baseline connector and gateway (bench/procs/raw-server.ts, raw-client.ts: `ws`, JSON.parse, one generated tolerant validator per received frame, nothing else) and subject connector and gateway (`createRelayServer` with bearer auth, `createRelayClient`, both with their defaults — which include strict validation of every frame they send). Rounds alternate baseline and subject; a repeat's ratio is the median of its per-round ratios.",
        `${repeats} independent repeats, each a fresh set of the four processes, warmed, then ${rounds} interleaved rounds of every measurement; figures are medians over the repeats.`,
        "Push: the connector sends as fast as the socket takes it (waits while more than 512 KiB are queued), through the public `sendInbound`; timed from the command to the gateway handler's last call.",
      ],
    };
  },
};
