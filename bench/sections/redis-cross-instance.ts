/**
 * Cross-instance delivery over Redis: two connector instances (bench/procs/redis-node)
 * on one redis-server (test/helpers/redis-server: a real `redis-server` on a free loopback port,
 * AOF on), the gateway (bench/procs/redis-gateway) connected to instance A. Subject: pushes made
 * on instance B, which reach the gateway over the relay bus (B offers them on the gateway's offers
 * channel, which only A subscribes to; A writes live and answers). Baseline: the same pushes made on A, the instance
 * holding the socket — single-instance delivery, which never touches Redis.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startRedisServer } from "../../test/helpers/redis-server.js";
import { formatSummary, summarize } from "../lib/profile-summary.js";
import { median, pairedFigures, pairedRatio, quantile, round, spread } from "../lib/stats.js";
import type { BenchContext, Row, Section, SectionResult } from "../lib/types.js";
import { repeatCount, repeated } from "../lib/repeat.js";
import { spawnWorker, withWorkers, type Worker } from "../lib/worker.js";
import { interleave, interleaveArms } from "../lib/interleave.js";

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

/** Exchanges/s of `count` offers on bare ioredis from `on` (bench/procs/raw-redis-exchange.ts), 256 unanswered at most. */
async function rawRate(on: Worker, count: number): Promise<number> {
  const t0 = performance.now();
  await on.call("rawPush", { count, inflight: INFLIGHT });
  return count / ((performance.now() - t0) / 1000);
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
    const rounds = q ? 3 : 5;
    const pushCount = q ? 3000 : 10000;
    const latencyCount = q ? 200 : 500;
    const repeats = repeatCount(ctx, 3);
    try {
      let repeatNo = 0;
      const rows = await repeated(ctx, "redis", repeats, () =>
        redisOnce(ctx, { root: ctx.root, redisUrl: redis.url, keyPrefix: `bench${++repeatNo}:`, secret: SECRET }, rounds, pushCount, latencyCount),
      );
      const row = (prefix: string): Row | undefined => rows.find((r) => r.name.startsWith(prefix));
      const addedRow = row("cross-instance added latency");
      return {
        rows,
        notes: [
          `Each repeat: fresh processes (two instances, the gateway) on one redis-server, ${rounds} interleaved rounds of ${pushCount} pushes (throughput) and of ${latencyCount} paced pushes and PINGs (latency); ${repeats} repeats.`,
          `Added latency of a cross-instance push, p50: +${round(addedRow?.subject ?? Number.NaN, 1)} µs against a Redis PING round trip of ${round(addedRow?.baseline ?? Number.NaN, 1)} µs (medians over the repeats).`,
          "Latency pushes are one at a time with a 1 ms pause after each resolves, so neither path queues (a live push resolves when written, before the gateway handled it). The PINGs are paced the same way, from instance B, with ioredis (the bus's client library).",
          "Subject path: B offers the pushes of a turn in one `PUBLISH` on the gateway's offers channel, which only the instance holding the gateway (A) subscribes to, A writes each frame live and answers with one batched `PUBLISH` of `delivered`s, B resolves. Latency is from B's `sendInbound` call to the gateway's handler, on the machine-wide monotonic clock both processes read.",
          "A cross-instance push needs at least B → Redis → A on top of the single-instance path: a round trip's worth of process hops (what the PING measures) plus both instances' work on the bus message.",
          "Baseline: the same `sendInbound` on A, the instance holding the gateway's socket: a live write that never touches Redis — what a single instance does.",
          "redis-server: the Debian package on a loopback port, AOF with `appendfsync always` (test/helpers/redis-server.ts); the live path writes nothing to it.",
        ],
      };
    } finally {
      await redis.stop();
    }
  },
};

type RedisProcConfig = { root: string; redisUrl: string; keyPrefix: string; secret: string };

/**
 * Two instances A and B on one Redis and a gateway connected to A, live; `body` runs with them and
 * they are stopped after it.
 */
function withCluster<T>(ctx: BenchContext, common: RedisProcConfig & { timeline?: boolean }, body: (A: Worker, B: Worker, G: Worker) => Promise<T>): Promise<T> {
  return withWorkers(
    [
      spawnWorker(ctx, "redis-node", { config: { ...common, nodeId: "node-a" } }),
      spawnWorker(ctx, "redis-node", { config: { ...common, nodeId: "node-b" } }),
      spawnWorker(ctx, "redis-gateway", { config: common }),
    ],
    async ([a, b, gateway]) => {
      const [A, B, G] = [a as Worker, b as Worker, gateway as Worker];
      await G.call("connect", { port: A.info.port, gatewayId: GATEWAY_ID, secret: SECRET });
      await until(async () => (await A.call<{ phase: string | null }>("phase", { gatewayId: GATEWAY_ID })).phase === "live", 10_000, "gateway live on A");
      return body(A, B, G);
    },
  );
}

/** One repeat: fresh processes, warm-up, interleaved rounds; the rows of this repeat. */
async function redisOnce(ctx: BenchContext, common: RedisProcConfig, rounds: number, pushCount: number, latencyCount: number): Promise<Row[]> {
  return withCluster(ctx, common, async (A, B, G) => {

      ctx.log("redis: warm-up");
      await rate(A, G, 2000, "live");
      await rate(B, G, 2000, "remote");
      await latencies(A, G, 100, "live");
      await latencies(B, G, 100, "remote");
      await B.call("ping", { count: 100, gapMs: 1 });

      await A.call("rawServe");
      await rawRate(B, 2000);

      ctx.log("redis: throughput, pushed on the holding instance vs on another, and the bare Redis exchange");
      const [single, cross, bare] = (await interleaveArms(rounds, [() => rate(A, G, pushCount, "live"), () => rate(B, G, pushCount, "remote"), () => rawRate(B, pushCount)])) as [number[], number[], number[]];
      const thr = { baseline: single, subject: cross };
      ctx.log("redis: latency, one push at a time, and PINGs");
      // Each round also times Redis PINGs from B (the bus's client library, same pacing).
      const pings: number[] = [];
      const lat = await interleave(
        rounds,
        () => latencies(A, G, latencyCount, "live"),
        async () => {
          const l = await latencies(B, G, latencyCount, "remote");
          pings.push(quantile((await B.call<{ rtt: number[] }>("ping", { count: latencyCount, gapMs: 1 })).rtt, 0.5));
          return l;
        },
      );
      const p = (q: number) => ({ baseline: lat.baseline.map((l) => quantile(l, q)), subject: lat.subject.map((l) => quantile(l, q)) });
      const p50 = p(0.5);
      const p99 = p(0.99);
      const addedPerRound = (s: { baseline: number[]; subject: number[] }): number[] => s.subject.map((v, i) => v - (s.baseline[i] as number));
      const addedP50 = addedPerRound(p50);
      return [
        {
          name: `cross-instance push (gateway on A, pushed on B over the Redis bus), ${INFLIGHT} in flight`,
          unit: "frames/s",
          baselineLabel: "the same pushes on A, the instance holding the socket (single-instance)",
          ...pairedFigures(thr.baseline, thr.subject),
          target: { kind: "min", limit: 0.5 },
          headline: true,
          details: { framesPerRound: pushCount, inflight: INFLIGHT, rounds, spreadBaseline: round(spread(thr.baseline)), spreadSubject: round(spread(thr.subject)) },
        },
        {
          name: `the Redis exchange alone on bare ioredis (offers of the same frames B → A, answers A → B, batched per turn, separate channels), ${INFLIGHT} in flight`,
          unit: "exchanges/s",
          baselineLabel: "single-instance push (as above)",
          ...pairedFigures(single, bare),
          details: { crossOverBare: round(pairedRatio(bare, cross)) },
        },
        {
          name: "cross-instance push latency, sendInbound → gateway handler, one at a time, p50",
          unit: "µs",
          baselineLabel: "single-instance (pushed on A)",
          ...pairedFigures(p50.baseline, p50.subject),
          details: { pushesPerRound: latencyCount, rounds },
        },
        {
          name: "cross-instance added latency p50 (cross-instance − single-instance), against a Redis PING round trip",
          unit: "µs",
          baselineLabel: "Redis PING round trip p50, from instance B with ioredis (the bus's client), paced like the pushes",
          ...pairedFigures(pings, addedP50),
          target: { kind: "max", limit: 3, label: "≤ 3× PING" },
          headline: true,
          details: { rounds, pingsPerRound: latencyCount, pings: pings.map((v) => round(v, 1)), added: addedP50.map((v) => round(v, 1)) },
        },
        {
          name: "cross-instance push latency, p99",
          unit: "µs",
          ...pairedFigures(p99.baseline, p99.subject),
          details: { addedMicros: round(median(addedPerRound(p99)), 1) },
        },
      ];
    },
  );
}

/** redis-server's per-command counters (`INFO commandstats`), through redis-cli. */
export function commandStats(port: number): Record<string, { calls: number; usecPerCall: number }> {
  const text = execFileSync("redis-cli", ["-p", String(port), "INFO", "commandstats"], { encoding: "utf8" });
  const out: Record<string, { calls: number; usecPerCall: number }> = {};
  for (const m of text.matchAll(/^cmdstat_(\w+):calls=(\d+),usec=\d+,usec_per_call=([\d.]+)/gm)) {
    out[m[1] as string] = { calls: Number(m[2]), usecPerCall: Number(m[3]) };
  }
  return out;
}

/**
 * `bench/profile.ts redis --timeline`: paced pushes (as the latency rows) made on B and on A,
 * and PINGs from B, with A noting when it wrote each frame: prints the p50 of each leg —
 * B's `sendInbound` → A's write (the bus hop) and A's write → the gateway's handler — beside the
 * single-instance legs and the PING. No profiler.
 */
export async function redisTimeline(ctx: BenchContext, rounds: number): Promise<void> {
  const redis = await startRedisServer();
  const common = { root: ctx.root, redisUrl: redis.url, keyPrefix: "bench:", secret: SECRET, timeline: true };
  try {
    await withCluster(ctx, common, async (A, B, G) => {
        const legs = async (on: Worker): Promise<{ toWrite: number; toHandler: number }> => {
          await G.call("expect", { count: 300 });
          const arrived = G.call("received");
          const { sent } = await on.call<{ sent: number[] }>("paced", { gatewayId: GATEWAY_ID, count: 300, gapMs: 1 });
          await arrived;
          const { arrivals } = await G.call<{ arrivals: number[] }>("arrivals");
          const { writtenAt } = await A.call<{ writtenAt: number[] }>("written");
          return {
            toWrite: quantile(sent.map((t, i) => ((writtenAt[i] as number) - t) * 1000), 0.5),
            toHandler: quantile(sent.map((_t, i) => ((arrivals[i] as number) - (writtenAt[i] as number)) * 1000), 0.5),
          };
        };
        await legs(A);
        await legs(B);
        for (let r = 0; r < rounds; r++) {
          const single = await legs(A);
          const cross = await legs(B);
          const ping = quantile((await B.call<{ rtt: number[] }>("ping", { count: 300, gapMs: 1 })).rtt, 0.5);
          console.log(
            `round ${r + 1}: single-instance sendInbound → write ${single.toWrite.toFixed(0)} µs, write → handler ${single.toHandler.toFixed(0)} µs | cross-instance B sendInbound → A write ${cross.toWrite.toFixed(0)} µs, write → handler ${cross.toHandler.toFixed(0)} µs | PING ${ping.toFixed(0)} µs`,
          );
        }
      },
    );
  } finally {
    await redis.stop();
  }
}

/** CPU ms (user + system) redis-server used so far, from /proc (Linux); `undefined` elsewhere. */
function redisCpuMs(port: number): number | undefined {
  try {
    const pid = /process_id:(\d+)/.exec(execFileSync("redis-cli", ["-p", String(port), "INFO", "server"], { encoding: "utf8" }))?.[1];
    // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised name): utime, stime in clock ticks (100 Hz).
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "").split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/**
 * `bench/profile.ts redis <rounds> --cpu`: CPU µs per push of each process (A, B, the gateway,
 * redis-server) for the three arms of the throughput row — single-instance (pushed on A),
 * cross-instance (pushed on B) and the bare ioredis exchange — medians over the rounds. On two
 * cores a push rate is bounded by the CPU all four processes spend on it; no profiler.
 */
export async function redisCpu(ctx: BenchContext, rounds: number): Promise<void> {
  const redis = await startRedisServer();
  const common = { root: ctx.root, redisUrl: redis.url, keyPrefix: "bench:", secret: SECRET };
  const count = 20_000;
  try {
    await withCluster(ctx, common, async (A, B, G) => {
      const procs: Array<[string, Worker]> = [["A", A], ["B", B], ["gateway", G]];
      const cpuOf = async (): Promise<number[]> => [
        ...(await Promise.all(procs.map(async ([, w]) => {
          const c = await w.call<{ user: number; system: number }>("cpu");
          return (c.user + c.system) / 1000;
        }))),
        redisCpuMs(redis.port) ?? Number.NaN,
      ];
      await A.call("rawServe");
      const arms: Array<[string, () => Promise<number>]> = [
        ["single-instance (on A)", () => rate(A, G, count, "live")],
        ["cross-instance (on B)", () => rate(B, G, count, "remote")],
        ["bare ioredis exchange", () => rawRate(B, count)],
      ];
      for (const [, run] of arms) await run();
      const perPush = new Map<string, number[][]>(arms.map(([name]) => [name, []]));
      const rates = new Map<string, number[]>(arms.map(([name]) => [name, []]));
      for (let r = 0; r < rounds; r++) {
        for (const [name, run] of arms) {
          const c0 = await cpuOf();
          rates.get(name)?.push(await run());
          const c1 = await cpuOf();
          perPush.get(name)?.push(c1.map((v, i) => ((v - (c0[i] as number)) * 1000) / count));
        }
      }
      const names = [...procs.map(([n]) => n), "redis-server"];
      for (const [name] of arms) {
        const rows = perPush.get(name) as number[][];
        const per = names.map((_n, i) => median(rows.map((row) => row[i] as number)));
        const total = per.reduce((a, b) => a + (Number.isNaN(b) ? 0 : b), 0);
        console.log(`${name}: ${Math.round(median(rates.get(name) as number[]))}/s; CPU µs per push: ${names.map((n, i) => `${n} ${(per[i] as number).toFixed(1)}`).join(", ")}; total ${total.toFixed(1)}`);
      }
    });
  } finally {
    await redis.stop();
  }
}

/**
 * `bench/profile.ts redis`: cross-instance pushes (256 in flight, made on B) with V8's profiler
 * on in A, B and the gateway around the measured part only; prints self time per process and the
 * Redis commands the profiled pushes cost. `--raw`: the bare ioredis exchange instead.
 */
export async function profileRedis(ctx: BenchContext, dir: string, seconds: number, bare = false): Promise<void> {
  const redis = await startRedisServer();
  const common = { root: ctx.root, redisUrl: redis.url, keyPrefix: "bench:", secret: SECRET };
  try {
    await withWorkers(
      [
        spawnWorker(ctx, "redis-node", { config: { ...common, nodeId: "node-a" } }),
        spawnWorker(ctx, "redis-node", { config: { ...common, nodeId: "node-b" } }),
        spawnWorker(ctx, "redis-gateway", { config: common }),
      ],
      async ([a, b, gateway]) => {
        const [A, B, G] = [a as Worker, b as Worker, gateway as Worker];
        const procs: Array<[string, Worker]> = [["node-a", A], ["node-b", B], ["gateway", G]];
        await G.call("connect", { port: A.info.port, gatewayId: GATEWAY_ID, secret: SECRET });
        await until(async () => (await A.call<{ phase: string | null }>("phase", { gatewayId: GATEWAY_ID })).phase === "live", 10_000, "gateway live on A");
        if (bare) await A.call("rawServe");
        const run = (count: number): Promise<number> => (bare ? rawRate(B, count) : rate(B, G, count, "remote"));
        await run(2000);
        execFileSync("redis-cli", ["-p", String(redis.port), "CONFIG", "RESETSTAT"]);
        let pushes = 0;
        let busy = 0;
        let part = 0;
        const until_ = performance.now() + seconds * 1000;
        while (performance.now() < until_) {
          part++;
          await Promise.all(procs.map(([, w]) => w.call("profileStart")));
          const t0 = performance.now();
          await run(10_000);
          busy += performance.now() - t0;
          pushes += 10_000;
          await Promise.all(procs.map(([name, w]) => w.call("profileStop", { file: join(dir, `${name}.${part}.cpuprofile`) })));
        }
        const stats = commandStats(redis.port);
        process.stderr.write(`profiles in ${dir}\nredis: ${pushes} ${bare ? "bare ioredis exchanges" : "cross-instance pushes"} in ${Math.round(busy)} ms profiled (${Math.round((pushes / busy) * 1000)}/s under the profiler)\n`);
        console.log("redis-server commands per push:");
        for (const [cmd, s] of Object.entries(stats)) console.log(`  ${cmd}: ${(s.calls / pushes).toFixed(3)} calls/push, ${s.usecPerCall} µs/call`);
        console.log("");
        for (const [name] of procs) {
          const files = readdirSync(dir).filter((f) => f.startsWith(`${name}.`) && f.endsWith(".cpuprofile")).map((f) => join(dir, f));
          console.log(formatSummary(name, summarize(files)));
          console.log("");
        }
      },
    );
  } finally {
    await redis.stop();
  }
}
