/** Reading a conformance report the same way in the connector and the gateway kit tests. */
import type { ConformanceReport } from "../../src/conformance/index.js";

/** Every check that did not pass, as one line each; with `allowShould`, a SHOULD the report tolerated is not listed. */
export function failedChecks(report: ConformanceReport, allowShould: boolean): string[] {
  return report.scenarios.flatMap((s) =>
    s.checks
      .filter((c) => c.status !== "pass" && !(allowShould && report.summary.shouldFailed.includes(c.requirement)))
      .map((c) => `${s.id}: ${c.requirement} ${c.name} — ${c.message}`),
  );
}

/** The wire checks of a report, and the frame types they saw, sorted. */
export function wireChecks(report: ConformanceReport): { checks: ConformanceReport["scenarios"][number]["checks"]; frameTypes: string[] } {
  const checks = report.scenarios.flatMap((s) => s.checks.filter((c) => c.wire !== undefined));
  return { checks, frameTypes: [...new Set(checks.flatMap((c) => Object.keys(c.wire?.frameTypes ?? {})))].sort() };
}
