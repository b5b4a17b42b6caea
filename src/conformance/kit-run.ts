/**
 * What both kits do around their scenarios: refuse unknown scenario ids, run the selection,
 * and turn the results into a report.
 */
import { buildReport } from "./report.js";
import { runScenarios, type Scenario } from "./runner.js";
import type { PeerRole } from "./requirements.js";
import type { ConformanceReport, ScenarioResult } from "./types.js";

export interface KitRunOptions {
  /** Run only these scenario ids. */
  scenarios?: readonly string[];
  /** Default 60 000 ms. */
  scenarioTimeoutMs?: number;
  expectedFailures?: { ids: readonly string[]; file?: string };
  strict?: boolean;
  log?: (line: string) => void;
  onScenarioEnd?: (result: ScenarioResult) => void;
}

export interface KitProfile {
  name: "full" | "transport";
  /** Why requirements that no scenario of the profile reaches are untested. */
  untestedReasons?: Readonly<Record<string, string>>;
}

export async function runKit<Env>(
  role: PeerRole,
  target: string,
  all: readonly Scenario<Env>[],
  env: Env,
  opts: KitRunOptions,
  profile: KitProfile = { name: "full" },
): Promise<ConformanceReport> {
  const unknown = (opts.scenarios ?? []).filter((id) => !all.some((s) => s.id === id));
  if (unknown.length > 0) throw new RangeError(`unknown ${role} scenario(s)${profile.name === "full" ? "" : ` in the ${profile.name} profile`}: ${unknown.join(", ")}`);
  const started = new Date();
  const results = await runScenarios(all, env, {
    scenarioTimeoutMs: opts.scenarioTimeoutMs ?? 60_000,
    ...(opts.scenarios !== undefined && { only: opts.scenarios }),
    ...(opts.log !== undefined && { log: opts.log }),
    ...(opts.onScenarioEnd !== undefined && { onScenarioEnd: opts.onScenarioEnd }),
  });
  return buildReport({
    role,
    profile: profile.name,
    ...(profile.untestedReasons !== undefined && { untestedReasons: profile.untestedReasons }),
    target,
    startedAt: started,
    durationMs: Date.now() - started.getTime(),
    scenarios: results,
    ...(opts.expectedFailures !== undefined && { expectedFailures: opts.expectedFailures }),
    ...(opts.strict !== undefined && { strict: opts.strict }),
  });
}
