/**
 * Cross-instance delivery over Redis: two connector instances (bench/procs/redis-node)
 * on one redis-server (test/helpers/redis-server: a real `redis-server` on a free loopback port,
 * AOF on), the gateway (bench/procs/redis-gateway) connected to instance A. Subject: pushes made
 * on instance B, which reach the gateway over the relay bus (B checks the shared idle flag, offers
 * on pub/sub, A writes live and answers). Baseline: the same pushes made on A, the instance
 * holding the socket — single-instance delivery, which never touches Redis.
 */
import { startRedisServer } from "../../test/helpers/redis-server.js";
import { median, pairedRatio, quantile, round, spread } from "../lib/stats.js";
import type { BenchContext, Row, Section, SectionResult } from "../lib/types.js";
import { spawnWorker, withWorkers, type Worker } from "../lib/worker.js";
import { interleave } from "./loopback.js";

const GATEWAY_ID = "gw-bench-redis";
const SECRET = "bench-secret-0123456789abcdef";
const INFLIGHT = 256;

async function until(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`${what} not reached in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Frames/s of `count` pushes made on `on` (at most 256 unresolved), timed until the gateway handled the last. */
async function rate(on: Worker, gateway: Worker, count: number, expectMode: string): Promise<number> {
  await gateway.call("expect", { count });
  const t0 = performance.now();
  const arrived = gateway.call("received");
  const { modes, failed } = await on.call<{ modes: Record<string, number>; failed: number }>("push", { gatewayId: GATEWAY_ID, count, inflight: INFLIGHT });
  await arrived;
  const ms = performance.now() - t0;
  if (failed > 0 || modes[expectMode] !== count) throw new Error(`${on.name}: expected ${count} ${expectMode}, got ${JSON.stringify(modes)}, ${failed} failed`);
  return count / (ms / 1000);
}

/** One push at a time on `on`, ~1 ms apart (nothing queues): µs from `sendInbound` to the gateway's handler, per push. */
async function latencies(on: Worker, gateway: Worker, count: number, expectMode: string): Promise<number[]> {
  await gateway.call("expect", { count });
  const arrived = gateway.call("received");
  const { sent, modes } = await on.call<{ sent: number[]; modes: Record<string, number> }>("paced", { gatewayId: GATEWAY_ID, count, gapMs: 1 });
  await arrived;
  if (modes[expectMode] !== count) throw new Error(`${on.name}: expected ${count} ${expectMode}, got ${JSON.stringify(modes)}`);
  const { arrivals } = await gateway.call<{ arrivals: number[] }>("arrivals");
  return sent.map((t, i) => ((arrivals[i] as number) - t) * 1000);
}

export const redisCrossInstanceSection: Section = {
  id: "redis",
  short: "redis",
  title: "Cross-instance delivery over Redis (separate processes)",
  async run(ctx: BenchContext): Promise<SectionResult> {
    let redis;
    try {
      redis = await startRedisServer();
    } catch (err) {
      // A machine without redis-server (CI installs it): say so instead of failing the whole run.
      return { rows: [], notes: [`Skipped: ${err instanceof Error ? err.message : String(err)}`] };
    }
    const q = ctx.quick;
    const rounds = q ? 5 : 11;
    const pushCount = q ? 3000 : 10000;
    const latencyCount = q ? 200 : 500;
    const common = { root: ctx.root, redisUrl: redis.url, keyPrefix: "bench:", secret: SECRET };
    try {
      return await withWorkers(
        [
          spawnWorker(ctx, "redis-node", { config: { ...common, nodeId: "node-a" } }),
          spawnWorker(ctx, "redis-node", { config: { ...common, nodeId: "node-b" } }),
          spawnWorker(ctx, "redis-gateway", { config: common }),
        ],
        async ([a, b, gateway]) => {
          const [A, B, G] = [a as Worker, b as Worker, gateway as Worker];
          await G.call("connect", { port: A.info.port, gatewayId: GATEWAY_ID, secret: SECRET });
          await until(async () => (await A.call<{ phase: string | null }>("phase", { gatewayId: GATEWAY_ID })).phase === "live", 10_000, "gateway live on A");

          ctx.log("redis: warm-up");
          await rate(A, G, 2000, "live");
          await rate(B, G, 2000, "remote");
          await latencies(A, G, 100, "live");
          await latencies(B, G, 100, "remote");

          ctx.log("redis: throughput, pushed on the holding instance vs on another");
          const thr = await interleave(rounds, () => rate(A, G, pushCount, "live"), () => rate(B, G, pushCount, "remote"));
          ctx.log("redis: latency, one push at a time");
          const lat = await interleave(rounds, () => latencies(A, G, latencyCount, "live"), () => latencies(B, G, latencyCount, "remote"));
          const p = (q: number) => ({ baseline: lat.baseline.map((l) => quantile(l, q)), subject: lat.subject.map((l) => quantile(l, q)) });
          const p50 = p(0.5);
          const p99 = p(0.99);
          const added = (s: { baseline: number[]; subject: number[] }): number => round(median(s.subject.map((v, i) => v - (s.baseline[i] as number))), 1);

          const rows: Row[] = [
            {
              name: `cross-instance push (gateway on A, pushed on B over the Redis bus), ${INFLIGHT} in flight`,
              unit: "frames/s",
              baselineLabel: "the same pushes on A, the instance holding the socket (single-instance)",
              baseline: median(thr.baseline),
              subject: median(thr.subject),
              ratio: pairedRatio(thr.baseline, thr.subject),
              headline: true,
              details: { framesPerRound: pushCount, inflight: INFLIGHT, rounds, spreadBaseline: round(spread(thr.baseline)), spreadSubject: round(spread(thr.subject)) },
            },
            {
              name: "cross-instance push latency, sendInbound → gateway handler, one at a time, p50",
              unit: "µs",
              baselineLabel: "single-instance (pushed on A)",
              baseline: median(p50.baseline),
              subject: median(p50.subject),
              ratio: pairedRatio(p50.baseline, p50.subject),
              headline: true,
              details: { addedMicros: added(p50), pushesPerRound: latencyCount, rounds, spreadBaseline: round(spread(p50.baseline)), spreadSubject: round(spread(p50.subject)) },
            },
            {
              name: "cross-instance push latency, p99",
              unit: "µs",
              baseline: median(p99.baseline),
              subject: median(p99.subject),
              ratio: pairedRatio(p99.baseline, p99.subject),
              details: { addedMicros: added(p99) },
            },
          ];
          return {
            rows,
            notes: [
              `Added latency of a cross-instance push: p50 +${added(p50)} µs, p99 +${added(p99)} µs (median over ${rounds} paired rounds of ${latencyCount} pushes).`,
              "Latency pushes are one at a time with a 1 ms pause after each resolves, so neither path queues (a live push resolves when written, before the gateway handled it).",
              "Subject path per push: B `EXISTS idle:{gw}` (is the gateway flipped?), B `PUBLISH` deliver, A writes the frame live and `PUBLISH`es delivered, B resolves. Latency is from B's `sendInbound` call to the gateway's handler, on the machine-wide monotonic clock both processes read.",
              "Baseline: the same `sendInbound` on A, the instance holding the gateway's socket: a live write that never touches Redis — what a single instance does.",
              "redis-server: the Debian package on a loopback port, AOF with `appendfsync always` (test/helpers/redis-server.ts); the live path writes nothing to it.",
            ],
          };
        },
      );
    } finally {
      await redis.stop();
    }
  },
};
