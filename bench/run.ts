/**
 * `npm run bench [-- --quick] [-- --only=decode,loopback] [-- --at=HEAD] [-- --no-write] [-- --readme]`
 *
 * Runs every section (bench/sections/index.ts), prints the table, and writes
 * bench/results/latest.md and latest.json plus the headline table into README.md's
 * "## Benchmarks" section (between its bench markers; nothing else in the README is touched).
 * Not part of `npm test`. `--quick` finishes in one to two minutes. `--readme` only rewrites the
 * README's headline from bench/results/latest.json.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildForBench } from "./lib/build.js";
import { environment } from "./lib/env.js";
import { environmentLine, headlineLines, renderJson, renderMarkdown, sectionReport, type RunReport, type SectionReport } from "./lib/report.js";
import type { BenchContext, SectionResult } from "./lib/types.js";
import { SECTIONS } from "./sections/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const write = !args.includes("--no-write");
const only = args.find((a) => a.startsWith("--only="))?.slice("--only=".length).split(",").filter(Boolean);
/** `--at=<rev>` (e.g. `--at=HEAD`): measure that commit's sources, not the working tree. */
const at = args.find((a) => a.startsWith("--at="))?.slice("--at=".length);

export const README_START = "<!-- bench:headline:start -->";
export const README_END = "<!-- bench:headline:end -->";

function updateReadme(report: RunReport): boolean {
  const file = join(root, "README.md");
  const text = readFileSync(file, "utf8");
  const start = text.indexOf(README_START);
  const end = text.indexOf(README_END);
  if (start === -1 || end < start) return false;
  const body = [
    README_START,
    "",
    ...headlineLines(report),
    "",
    `${report.quick ? "Quick run" : "Run"} of \`${report.command}\` on ${environmentLine(report.environment)}.`,
    "",
  ].join("\n");
  writeFileSync(file, text.slice(0, start) + body + text.slice(end));
  return true;
}

async function main(): Promise<void> {
  if (args.includes("--readme")) {
    const report = JSON.parse(readFileSync(join(root, "bench/results/latest.json"), "utf8")) as RunReport;
    if (!updateReadme(report)) throw new Error(`README.md has no ${README_START} … ${README_END} markers`);
    return;
  }
  const started = performance.now();
  const log = (message: string): void => {
    process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1)}s] ${message}\n`);
  };
  const env = environment(root, at);
  log(`node ${env.node}, ${env.cpu} × ${env.cores}${quick ? ", quick" : ""}`);
  const build = await buildForBench(root, at);
  log(`runtime built in ${build.dir}`);
  const ctx: BenchContext = { quick, root, build, log };

  const sections: SectionReport[] = [];
  for (const section of SECTIONS) {
    if (only !== undefined && !only.includes(section.id)) continue;
    const t0 = performance.now();
    let result: SectionResult | undefined;
    let error: unknown;
    try {
      result = await section.run(ctx);
    } catch (err) {
      error = err;
      log(`${section.id} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    sections.push(sectionReport(section, result, error, (performance.now() - t0) / 1000));
  }

  const command = `npm run bench${args.length > 0 ? ` -- ${args.join(" ")}` : ""}`;
  const report: RunReport = { command, quick, environment: env, sections, seconds: (performance.now() - started) / 1000 };
  const markdown = renderMarkdown(report);
  process.stdout.write(markdown);

  // A partial run (--only) must not overwrite the full results.
  if (write && only === undefined) {
    const dir = join(root, "bench/results");
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "latest.md"), markdown);
    writeFileSync(join(dir, "latest.json"), renderJson(report));
    const readme = updateReadme(report);
    log(`wrote bench/results/latest.md, latest.json${readme ? " and the README headline" : " (README has no bench markers: headline not written)"}`);
  }
  if (sections.some((s) => s.error !== undefined)) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
