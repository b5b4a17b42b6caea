/**
 * Start-up: time from `import` to validators ready, in a fresh `node` process each time
 * (no schema is compiled at run time: the validators are precompiled, generated/validators.js).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { repeatCount, repeated } from "../lib/repeat.js";
import { median, pairedFigures } from "../lib/stats.js";
import type { BenchContext, Row, Section, SectionResult } from "../lib/types.js";
import { interleave } from "../lib/interleave.js";

const run = promisify(execFile);

interface Probe {
  importMs: number;
  cpuMs: number;
}

async function probe(ctx: BenchContext, what: string): Promise<Probe> {
  const { stdout } = await run(process.execPath, [ctx.build.path("bench/procs/startup.ts"), what], { cwd: ctx.root });
  const out = JSON.parse(stdout) as { ok: boolean } & Probe;
  if (!out.ok) throw new Error(`start-up probe ${what}: validation failed`);
  return out;
}

export const startupSection: Section = {
  id: "startup",
  short: "start-up",
  title: "Start-up: import to validators ready (fresh process)",
  async run(ctx: BenchContext): Promise<SectionResult> {
    const repeats = repeatCount(ctx, 3);
    const samples = ctx.quick ? 2 : 5;
    await probe(ctx, "root"); // the first run warms the OS file cache
    const rows = await repeated(ctx, "startup", repeats, () => startupOnce(ctx, samples));
    return {
      rows,
      notes: [
        `Each sample is a new \`node\` process running the transpiled sources (the same files \`tsc\` puts in dist/); the time (wall, median of ${samples} per repeat, ${repeats} repeats) runs from just before the dynamic import to the end of the first validation. The baseline, importing \`ws\` alone the same way, is for scale only: this target is absolute. The JSON has the CPU time of the same span too (steadier on a shared machine).`,
        "The target is read as the validators' readiness (\"no schema compilation at run time\"): the validation module and the codec. The root entry re-exports both roles since they landed, so importing it also loads `ws`, the server and the client — most of its time, reported without a target.",
      ],
    };
  },
};

async function startupOnce(ctx: BenchContext, samples: number): Promise<Row[]> {
  const rows: Row[] = [];
  const probes = [
    ["validation", "import the validators (`validateFrame`) → first frame validated", true, true],
    ["codec", "import `relay-contract/codec` → first frame decoded and validated", true, false],
    ["root", "import the root entry (both roles, so `ws` too) → first frame validated", false, false],
  ] as const;
  for (const [what, label, targeted, headline] of probes) {
    ctx.log(`startup: ${what}`);
    const s = await interleave(samples, () => probe(ctx, "ws"), () => probe(ctx, what));
    const wall = { baseline: s.baseline.map((p) => p.importMs), subject: s.subject.map((p) => p.importMs) };
    rows.push({
      name: label,
      unit: "ms",
      baselineLabel: "import ws",
      ...pairedFigures(wall.baseline, wall.subject),
      ...(targeted && { target: { kind: "abs-max" as const, limit: 50, unit: "ms" } }),
      headline,
      details: { samples, cpuMsBaseline: median(s.baseline.map((p) => p.cpuMs)), cpuMsSubject: median(s.subject.map((p) => p.cpuMs)) },
    });
  }
  return rows;
}
