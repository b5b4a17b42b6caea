/**
 * §5 — start-up: time from `import` to validators ready, in a fresh `node` process each time
 * (no schema is compiled at run time: the validators are precompiled, generated/validators.js).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { median, pairedRatio } from "../lib/stats.js";
import type { BenchContext, Row, Section, SectionResult } from "../lib/types.js";
import { interleave } from "./loopback.js";

const run = promisify(execFile);

async function probe(ctx: BenchContext, what: string): Promise<number> {
  const { stdout } = await run(process.execPath, [ctx.build.path("bench/procs/startup.ts"), what], { cwd: ctx.root });
  const out = JSON.parse(stdout) as { ok: boolean; importMs: number };
  if (!out.ok) throw new Error(`start-up probe ${what}: validation failed`);
  return out.importMs;
}

export const startupSection: Section = {
  id: "startup",
  title: "Start-up: import to validators ready (fresh process)",
  item: "issue 7 §5",
  async run(ctx: BenchContext): Promise<SectionResult> {
    const samples = ctx.quick ? 7 : 21;
    await probe(ctx, "root"); // the first run warms the OS file cache
    const rows: Row[] = [];
    for (const [what, label, headline] of [
      ["root", "import the root entry (`relay-contract`) → first validateFrame", true],
      ["validation", "import the validation module alone → first validateFrame", false],
    ] as const) {
      ctx.log(`startup: ${what}`);
      const s = await interleave(samples, () => probe(ctx, "ws"), () => probe(ctx, what));
      rows.push({
        name: label,
        unit: "ms",
        baselineLabel: "import ws",
        baseline: median(s.baseline),
        subject: median(s.subject),
        ratio: pairedRatio(s.baseline, s.subject),
        target: { kind: "abs-max", limit: 50, unit: "ms" },
        headline,
        details: { samples },
      });
    }
    return {
      rows,
      notes: [
        "Each sample is a new `node` process running the transpiled sources (the same files `tsc` puts in dist/); the time runs from just before the dynamic import to the end of the first validateFrame call. The baseline, importing `ws` alone the same way, is for scale only: this target is absolute.",
      ],
    };
  },
};
