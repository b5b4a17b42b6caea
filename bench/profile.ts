/**
 * `npx tsx bench/profile.ts <scenario> [seconds] [--raw]` — runs one scenario of the benchmark
 * for a while with V8's CPU profiler on in both child processes (only around the measured work:
 * not start-up, not filling a backlog), then prints where the time went in each: self time by
 * function and by file. The profiles stay in <tmpdir>/relay-contract-profiles/ for Chrome
 * DevTools. `BENCH_BUILD_DIR=<dir>` profiles an already built (e.g. locally patched) copy.
 *
 * Scenarios: rt (1 in flight), pipelined (64 in flight), push, replay (the chosen configuration),
 * redis (cross-instance pushes over the Redis bus, 256 in flight: both connector instances and
 * the gateway are profiled, and redis-server's INFO commandstats of the profiled part printed;
 * `redis <rounds> --timeline`: no profiler, the p50 of each leg of a paced push instead;
 * `redis <rounds> --cpu`: no profiler, CPU µs per push of each process and redis-server).
 * `--raw` profiles the baseline pair instead (replay: the ceiling, raw ws batched). `--at=<rev>`
 * runs a commit's sources (built like `npm run bench -- --at`), to compare before and after.
 */
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildForBench } from "./lib/build.js";
import { formatSummary, summarize } from "./lib/profile-summary.js";
import type { BenchContext } from "./lib/types.js";
import { spawnWorker, withWorkers, type Worker } from "./lib/worker.js";
import { now } from "./procs/rpc.js";
import { GATEWAY_ID, SECRET, pushRate } from "./sections/loopback.js";
import { BACKLOG, CHOSEN } from "./sections/replay.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const positional = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const raw = process.argv.includes("--raw");
const scenario = positional[0] ?? "pipelined";
const seconds = Number(positional[1] ?? 5);
const dir = join(tmpdir(), "relay-contract-profiles", `${scenario}${raw ? "-raw" : ""}`);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

const prebuilt = process.env.BENCH_BUILD_DIR;
const at = process.argv.find((a) => a.startsWith("--at="))?.slice("--at=".length);
const build = prebuilt ? { dir: prebuilt, path: (p: string) => join(prebuilt, p.replace(/\.ts$/, ".js")) } : await buildForBench(root, at);
const ctx: BenchContext = { quick: true, root, build, log: (m) => process.stderr.write(`${m}\n`) };
const config = { root, ...(scenario === "replay" && { replay: CHOSEN }) };

async function step(server: Worker, client: Worker, connect: () => Promise<unknown>, profiled: (on: boolean) => Promise<void>): Promise<number> {
  switch (scenario) {
    case "rt":
      await profiled(true);
      await client.call("roundtrip", { count: 1000 });
      await profiled(false);
      return 1000;
    case "pipelined":
      await profiled(true);
      await client.call("pipelined", { count: 10000, inflight: 64 });
      await profiled(false);
      return 10000;
    case "push":
      await profiled(true);
      await pushRate({ server, client }, 20000);
      await profiled(false);
      return 20000;
    case "replay":
      if (raw) {
        await client.call("expect", { count: BACKLOG });
        await profiled(true);
        await server.call("replay", { count: BACKLOG, perMessage: CHOSEN.framesPerMessage, window: CHOSEN.window });
        await profiled(false);
        return BACKLOG;
      } else {
        await server.call("fillBacklog", { gatewayId: GATEWAY_ID, count: BACKLOG });
        await client.call("expect", { count: BACKLOG });
        const since = await server.call<number>("now");
        await profiled(true);
        const arrived = client.call("received");
        await connect();
        await arrived;
        await server.call("drained", { since });
        await profiled(false);
        await client.call("close");
        return BACKLOG;
      }
    default:
      throw new Error(`unknown scenario ${scenario}`);
  }
}

if (scenario === "redis") {
  const { profileRedis, redisCpu, redisTimeline } = await import("./sections/redis-cross-instance.js");
  if (process.argv.includes("--timeline")) await redisTimeline(ctx, seconds);
  else if (process.argv.includes("--cpu")) await redisCpu(ctx, seconds);
  else await profileRedis(ctx, dir, seconds, raw);
  process.exit(0);
}

await withWorkers([spawnWorker(ctx, raw ? "raw-server" : "relay-server", { config }), spawnWorker(ctx, raw ? "raw-client" : "relay-client", { config })], async ([server, client]) => {
  const port = server!.info.port;
  const connect = () => (raw ? client!.call("connect", { port }) : client!.call("connect", { port, gatewayId: GATEWAY_ID, secret: SECRET }));
  if (scenario !== "replay" || raw) await connect();
  // Warm-up, unprofiled.
  await step(server!, client!, connect, async () => undefined);
  // Profiled: each step's measured part only, appended as numbered files.
  let part = 0;
  let ops = 0;
  let busy = 0;
  const until = now() + seconds * 1000;
  while (now() < until) {
    let t0 = 0;
    ops += await step(server!, client!, connect, async (on) => {
      if (on) {
        await Promise.all([server!.call("profileStart"), client!.call("profileStart")]);
        t0 = now();
      } else {
        busy += now() - t0;
        part++;
        await Promise.all([
          server!.call("profileStop", { file: join(dir, `server.${part}.cpuprofile`) }),
          client!.call("profileStop", { file: join(dir, `client.${part}.cpuprofile`) }),
        ]);
      }
    });
  }
  process.stderr.write(`profiles in ${dir}\n`);
  process.stderr.write(`${scenario}${raw ? " (raw)" : ""}: ${ops} operations in ${Math.round(busy)} ms profiled (${Math.round((ops / busy) * 1000)}/s under the profiler)\n`);
});

for (const side of ["server", "client"]) {
  const files = readdirSync(dir).filter((f) => f.startsWith(`${side}.`) && f.endsWith(".cpuprofile")).map((f) => join(dir, f));
  console.log(formatSummary(side, summarize(files)));
  console.log("");
}
