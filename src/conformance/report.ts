/**
 * Turns scenario results into a report: per-requirement status, the summary and the verdict.
 *
 * Verdict: a scenario error always fails. With an expected-failures list the run passes exactly
 * when the failed requirements (MUST and SHOULD alike) are the listed ones. Without one it
 * passes when no MUST requirement failed — and, with `strict`, no SHOULD either.
 */
import { compareExpectedFailures } from "./expected-failures.js";
import { requirementsFor, type PeerRole } from "./requirements.js";
import type { ConformanceReport, RequirementResult, ScenarioResult } from "./types.js";

export interface BuildReportOptions {
  role: PeerRole;
  /** Default `full`. */
  profile?: "full" | "transport";
  /** Why a requirement stays untested when no check reached it (e.g. outside the profile). */
  untestedReasons?: Readonly<Record<string, string>>;
  target: string;
  startedAt: Date;
  durationMs: number;
  scenarios: ScenarioResult[];
  expectedFailures?: { ids: readonly string[]; file?: string };
  strict?: boolean;
}

export function buildReport(opts: BuildReportOptions): ConformanceReport {
  const tally = new Map<string, { checks: number; failed: number }>();
  const skipReasons = new Map<string, string>();
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const scenario of opts.scenarios) {
    for (const check of scenario.checks) {
      const t = tally.get(check.requirement) ?? { checks: 0, failed: 0 };
      if (check.status === "pass") {
        passed++;
        t.checks++;
      } else if (check.status === "fail") {
        failed++;
        t.checks++;
        t.failed++;
      } else {
        skipped++;
        if (check.message !== undefined && !skipReasons.has(check.requirement)) skipReasons.set(check.requirement, check.message);
      }
      tally.set(check.requirement, t);
    }
  }

  const requirements: RequirementResult[] = requirementsFor(opts.role).map((req) => {
    const t = tally.get(req.id) ?? { checks: 0, failed: 0 };
    const result: RequirementResult = {
      id: req.id,
      level: req.level,
      title: req.title,
      ref: req.ref,
      status: t.failed > 0 ? "fail" : t.checks > 0 ? "pass" : "untested",
      checks: t.checks,
      failed: t.failed,
    };
    const reason = skipReasons.get(req.id) ?? opts.untestedReasons?.[req.id];
    if (result.status === "untested" && reason !== undefined) result.reason = reason;
    return result;
  });

  const failedReqs = requirements.filter((req) => req.status === "fail");
  const scenarioErrors = opts.scenarios.filter((s) => s.error !== undefined).map((s) => s.id);
  const strict = opts.strict ?? false;
  const report: ConformanceReport = {
    kind: "relay-contract-conformance",
    version: 1,
    role: opts.role,
    profile: opts.profile ?? "full",
    target: opts.target,
    startedAt: opts.startedAt.toISOString(),
    durationMs: opts.durationMs,
    scenarios: opts.scenarios,
    requirements,
    summary: {
      checks: passed + failed + skipped,
      passed,
      failed,
      skipped,
      mustFailed: failedReqs.filter((req) => req.level === "MUST").map((req) => req.id),
      shouldFailed: failedReqs.filter((req) => req.level === "SHOULD").map((req) => req.id),
      untested: requirements.filter((req) => req.status === "untested").map((req) => req.id),
      scenarioErrors,
    },
    strict,
    ok: false,
  };

  if (opts.expectedFailures !== undefined) {
    const outcome = compareExpectedFailures(
      failedReqs.map((req) => req.id),
      opts.expectedFailures.ids,
      opts.expectedFailures.file,
    );
    report.expectedFailures = outcome;
    for (const req of requirements) if (outcome.matched.includes(req.id)) req.expected = true;
    report.ok = scenarioErrors.length === 0 && outcome.unexpected.length === 0 && outcome.stale.length === 0;
  } else {
    report.ok =
      scenarioErrors.length === 0 && report.summary.mustFailed.length === 0 && (!strict || report.summary.shouldFailed.length === 0);
  }
  return report;
}

/** Whether a failed requirement makes the run fail (for renderers). */
export function isBlockingFailure(report: ConformanceReport, requirementId: string): boolean {
  const req = report.requirements.find((r) => r.id === requirementId);
  if (req === undefined || req.status !== "fail") return false;
  if (report.expectedFailures !== undefined) return !report.expectedFailures.matched.includes(requirementId);
  return req.level === "MUST" || report.strict;
}
