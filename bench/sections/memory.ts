/**
 * Memory per idle authenticated connection on the server: RSS and V8 heap, marginal between
 * 1,000 and 3,000 connections (so fixed costs cancel), against a raw `ws` server holding the same
 * connections (bench/procs/raw-server.ts; it also answers the hello with a descriptor).
 */
import { repeatCount, repeated } from "../lib/repeat.js";
import { round } from "../lib/stats.js";
import type { BenchContext, Row, Section, SectionResult } from "../lib/types.js";
import { spawnWorker, withWorkers } from "../lib/worker.js";
import { SECRET } from "./loopback.js";

interface Memory {
  rss: number;
  heapUsed: number;
}

/** Connections at the two readings (quick runs: half, which halves the section's time). */
const counts = (quick: boolean): { LOW: number; HIGH: number } => (quick ? { LOW: 500, HIGH: 1500 } : { LOW: 1000, HIGH: 3000 });

/**
 * The young generation is pinned (same size in both servers): V8 otherwise grows it with the
 * allocation rate, by megabytes, at a moment that has nothing to do with how many connections are
 * held — and the marginal RSS then measures that instead.
 */
const NODE_FLAGS = ["--expose-gc", "--min-semi-space-size=16", "--max-semi-space-size=16"];

async function marginal(ctx: BenchContext, proc: "raw-server" | "relay-server"): Promise<{ rss: number; heap: number }> {
  const { LOW, HIGH } = counts(ctx.quick);
  return withWorkers(
    [
      spawnWorker(ctx, proc, { config: { root: ctx.root }, execArgv: NODE_FLAGS }),
      spawnWorker(ctx, "conn-client", { config: { secret: SECRET } }),
    ],
    async ([server, conns]) => {
      const port = server!.info.port;
      await conns!.call("openUntil", { port, total: LOW }, 120_000);
      const low = await server!.call<Memory>("memory");
      await conns!.call("openUntil", { port, total: HIGH }, 120_000);
      const high = await server!.call<Memory>("memory");
      await conns!.call("closeAll");
      return { rss: (high.rss - low.rss) / (HIGH - LOW), heap: (high.heapUsed - low.heapUsed) / (HIGH - LOW) };
    },
  );
}

export const memorySection: Section = {
  id: "memory",
  short: "memory",
  title: "Memory per idle authenticated connection",
  async run(ctx: BenchContext): Promise<SectionResult> {
    const repeats = repeatCount(ctx, 5);
    const { LOW, HIGH } = counts(ctx.quick);
    const rows = await repeated(ctx, "memory", repeats, async () => {
      ctx.log(`memory: ${LOW} → ${HIGH} connections, baseline and subject`);
      const raw = await marginal(ctx, "raw-server");
      const relay = await marginal(ctx, "relay-server");
      const row = (what: "rss" | "heap", label: string): Row => ({
        name: `${label} per idle authenticated connection (marginal ${LOW.toLocaleString("en-US")} → ${HIGH.toLocaleString("en-US")})`,
        unit: "KiB",
        baselineLabel: "raw ws server",
        baseline: raw[what] / 1024,
        subject: relay[what] / 1024,
        ratio: relay[what] / raw[what],
        target: { kind: "max", limit: 1.5 },
        headline: true,
        details: { baselineBytes: round(raw[what], 0), subjectBytes: round(relay[what], 0) },
      });
      return [row("rss", "RSS"), row("heap", "V8 heap")];
    });
    return {
      rows,
      notes: [
        `A separate process dials ${HIGH.toLocaleString("en-US")} connections, each with its own gateway id and a bearer token, says hello and waits for the descriptor (the subject verifies the token; the baseline ignores it). The server's memory is read after full GCs (--expose-gc) at ${LOW.toLocaleString("en-US")} and at ${HIGH.toLocaleString("en-US")} connections; the marginal cost is the difference divided by ${(HIGH - LOW).toLocaleString("en-US")}. ${repeats} independent repeats, each a fresh baseline server and a fresh subject server; the ratio is the median of the per-repeat ratios.`,
        `Both servers run with the young generation pinned to 16 MiB semi-spaces (\`${NODE_FLAGS.slice(1).join(" ")}\`): left to itself V8 grows it from 16 to 32 MiB during the 2,000 added handshakes (allocation rate, not connections held), which adds ~8 KiB of committed heap per connection to either side at random. Where the heap goes per connection: \`npx tsx bench/tools/heap-diff.ts relay-server\` (heap snapshots diffed by object kind).`,
      ],
    };
  },
};
