/**
 * Report renderers: a human summary for terminals, JSON for tools, JUnit XML for CI.
 * In JUnit, only failures that fail the run are `<failure>`; tolerated ones (a SHOULD without
 * `--strict`, an expected failure) are `<skipped>` with the reason, so CI dashboards agree with
 * the exit status.
 */
import { isBlockingFailure } from "./report.js";
import type { Check, ConformanceReport, ScenarioResult } from "./types.js";

export interface HumanRenderOptions {
  /** List every check, not only failures. */
  verbose?: boolean;
  /** ANSI colours. Default false. */
  color?: boolean;
}

const MARK = { pass: "✓", fail: "✗", skip: "-" } as const;

/** Lines of a peer's output shown when it ended on its own. */
const PEER_EXIT_TAIL_LINES = 15;

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function paint(color: boolean, code: number, text: string): string {
  return color ? `\x1b[${code}m${text}\x1b[0m` : text;
}

function levelOf(report: ConformanceReport, requirement: string): string {
  return report.requirements.find((r) => r.id === requirement)?.level ?? "";
}

export function renderHuman(report: ConformanceReport, opts: HumanRenderOptions = {}): string {
  const color = opts.color ?? false;
  const red = (t: string): string => paint(color, 31, t);
  const green = (t: string): string => paint(color, 32, t);
  const yellow = (t: string): string => paint(color, 33, t);
  const out: string[] = [];
  out.push(`relay-contract conformance — ${report.role} under test: ${report.target}${report.profile === "full" ? "" : ` (${report.profile} profile)`}`);
  out.push("");
  out.push("Scenarios:");
  for (const scenario of report.scenarios) {
    const failed = scenario.checks.filter((c) => c.status === "fail");
    const skipped = scenario.checks.filter((c) => c.status === "skip");
    const wireFrames = scenario.checks.reduce((n, c) => n + (c.wire?.frames ?? 0), 0);
    const bad = failed.length > 0 || scenario.error !== undefined;
    const parts = [`${scenario.checks.length} checks`, `${wireFrames} wire frames`];
    if (failed.length > 0) parts.push(`${failed.length} failed`);
    if (skipped.length > 0) parts.push(`${skipped.length} skipped`);
    parts.push(seconds(scenario.durationMs));
    out.push(`  ${bad ? red(MARK.fail) : green(MARK.pass)} ${scenario.id} — ${scenario.title} (${parts.join(", ")})`);
    const shown = opts.verbose ? scenario.checks : scenario.checks.filter((c) => c.status !== "pass");
    for (const check of shown) out.push(`      ${renderCheckLine(report, check, { red, green, yellow })}`);
    if (scenario.error !== undefined) out.push(`      ${red("error:")} ${scenario.error.split("\n")[0]}`);
    if (scenario.peerExit !== undefined && bad) {
      // Why every later step saw nothing: shown without --verbose.
      out.push(`      ${red("peer ended:")} ${scenario.peerExit}${scenario.peerOutput === undefined ? " (no output)" : "; the last lines of its output:"}`);
      for (const line of (scenario.peerOutput ?? "").split("\n").filter((l) => l !== "").slice(-PEER_EXIT_TAIL_LINES)) out.push(`        | ${line}`);
    } else if (bad && scenario.peerOutput !== undefined && opts.verbose) {
      out.push("      peer output:");
      for (const line of scenario.peerOutput.split("\n").slice(-20)) out.push(`        | ${line}`);
    }
  }
  out.push("");
  out.push("Requirements:");
  for (const req of report.requirements) {
    let mark: string;
    let note = "";
    if (req.status === "pass") mark = green(MARK.pass);
    else if (req.status === "untested") {
      mark = yellow("?");
      note = req.reason === undefined ? " (untested)" : ` (untested: ${req.reason})`;
    } else if (isBlockingFailure(report, req.id)) {
      mark = red(MARK.fail);
      note = ` (${req.failed}/${req.checks} checks failed)`;
    } else {
      mark = yellow("!");
      note = req.expected ? " (failed, expected)" : ` (failed, ${req.level} — tolerated)`;
    }
    out.push(`  ${mark} ${req.id.padEnd(11)} ${req.level.padEnd(6)} ${req.title}${note}`);
  }
  const ef = report.expectedFailures;
  if (ef !== undefined) {
    out.push("");
    out.push(`Expected failures${ef.file === undefined ? "" : ` (${ef.file})`}:`);
    out.push(`  matched:    ${ef.matched.join(", ") || "none"}`);
    out.push(`  unexpected: ${ef.unexpected.length > 0 ? red(ef.unexpected.join(", ")) : "none"}`);
    out.push(`  stale:      ${ef.stale.length > 0 ? red(ef.stale.join(", ")) : "none"}${ef.stale.length > 0 ? " (listed but not failing: update the file)" : ""}`);
  }
  out.push("");
  out.push(summaryLine(report, { red, green }));
  return out.join("\n") + "\n";
}

function renderCheckLine(
  report: ConformanceReport,
  check: Check,
  c: { red: (t: string) => string; green: (t: string) => string; yellow: (t: string) => string },
): string {
  const level = levelOf(report, check.requirement);
  let mark: string;
  if (check.status === "pass") mark = c.green(MARK.pass);
  else if (check.status === "skip") mark = c.yellow(MARK.skip);
  else mark = isBlockingFailure(report, check.requirement) ? c.red(MARK.fail) : c.yellow("!");
  const message = check.message === undefined ? "" : ` — ${check.message}`;
  return `${mark} ${check.requirement} ${level} ${check.name}${message}`;
}

/** The last line of the human report; also what the CLI prints with `--json`/`--junit` to stderr. */
export function summaryLine(report: ConformanceReport, c: { red?: (t: string) => string; green?: (t: string) => string } = {}): string {
  const red = c.red ?? ((t: string) => t);
  const green = c.green ?? ((t: string) => t);
  const met = report.requirements.filter((r) => r.status === "pass").length;
  const tested = report.requirements.filter((r) => r.status !== "untested").length;
  const s = report.summary;
  const parts = [`${met}/${tested} requirements met`];
  if (s.mustFailed.length > 0) parts.push(`MUST failed: ${s.mustFailed.join(", ")}`);
  if (s.shouldFailed.length > 0) parts.push(`SHOULD failed: ${s.shouldFailed.join(", ")}`);
  if (s.scenarioErrors.length > 0) parts.push(`scenario errors: ${s.scenarioErrors.join(", ")}`);
  if (report.expectedFailures !== undefined) {
    const ef = report.expectedFailures;
    parts.push(`expected failures: ${ef.matched.length} matched, ${ef.unexpected.length} unexpected, ${ef.stale.length} stale`);
  }
  parts.push(`${s.checks} checks (${s.failed} failed, ${s.skipped} skipped), ${report.scenarios.length} scenarios in ${seconds(report.durationMs)}`);
  const profile = report.profile === "full" ? "" : ` (${report.profile} profile)`;
  return `conformance ${report.role}${profile}: ${report.ok ? green("PASS") : red("FAIL")} — ${parts.join("; ")}`;
}

export function renderJson(report: ConformanceReport): string {
  return JSON.stringify(report, null, 2) + "\n";
}

function xml(text: string): string {
  // XML 1.0 cannot carry most control characters at all, even escaped.
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "\ufffd")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

function testcase(report: ConformanceReport, scenario: ScenarioResult, check: Check): string {
  const open = `    <testcase classname="${xml(check.requirement)}" name="${xml(check.name)}" time="0">`;
  if (check.status === "pass") return `${open}</testcase>`;
  const message = check.message ?? "";
  if (check.status === "skip") return `${open}<skipped message="${xml(message)}"/></testcase>`;
  const level = levelOf(report, check.requirement);
  if (!isBlockingFailure(report, check.requirement)) {
    const why = report.expectedFailures?.matched.includes(check.requirement) ? "expected failure" : `${level} not met (tolerated)`;
    return `${open}<skipped message="${xml(`${why}: ${message}`)}"/></testcase>`;
  }
  return `${open}<failure type="${xml(level)}" message="${xml(message)}">${xml(`${check.requirement} (${level}) in ${scenario.id}: ${check.name}\n${message}`)}</failure></testcase>`;
}

export function renderJunit(report: ConformanceReport): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  for (const scenario of report.scenarios) {
    const cases = scenario.checks.map((check) => testcase(report, scenario, check));
    const suiteFailures = cases.filter((c) => c.includes("<failure")).length;
    const suiteSkipped = cases.filter((c) => c.includes("<skipped")).length;
    let suiteErrors = 0;
    if (scenario.error !== undefined) {
      suiteErrors = 1;
      cases.push(`    <testcase classname="scenario" name="${xml(scenario.id)} completed" time="${(scenario.durationMs / 1000).toFixed(3)}"><error message="${xml(scenario.error.split("\n")[0] ?? "")}">${xml(scenario.error)}</error></testcase>`);
    }
    const out = scenario.peerOutput === undefined ? "" : `\n    <system-out>${xml(scenario.peerOutput)}</system-out>`;
    suites.push(
      `  <testsuite name="${xml(`${report.role}.${scenario.id}`)}" tests="${cases.length}" failures="${suiteFailures}" errors="${suiteErrors}" skipped="${suiteSkipped}" time="${(scenario.durationMs / 1000).toFixed(3)}">\n${cases.join("\n")}${out}\n  </testsuite>`,
    );
    tests += cases.length;
    failures += suiteFailures;
    errors += suiteErrors;
    skipped += suiteSkipped;
  }
  const ef = report.expectedFailures;
  if (ef !== undefined) {
    const cases = ef.listed.map((id) =>
      ef.stale.includes(id)
        ? `    <testcase classname="${xml(id)}" name="listed as an expected failure"><failure type="stale" message="${xml(`${id} is listed in the expected failures but did not fail`)}"/></testcase>`
        : `    <testcase classname="${xml(id)}" name="listed as an expected failure"></testcase>`,
    );
    const staleCount = ef.stale.length;
    suites.push(
      `  <testsuite name="${xml(`${report.role}.expected-failures`)}" tests="${cases.length}" failures="${staleCount}" errors="0" skipped="0" time="0">\n${cases.join("\n")}\n  </testsuite>`,
    );
    tests += cases.length;
    failures += staleCount;
  }
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="${xml(`relay-contract conformance (${report.role}: ${report.target})`)}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${(report.durationMs / 1000).toFixed(3)}">\n` +
    suites.join("\n") +
    `\n</testsuites>\n`
  );
}
