/**
 * Runs scenarios one after another, each under its own deadline, and collects their checks.
 * A scenario that throws or overruns is reported as a scenario error (never swallowed), and the
 * runner still moves on to the next one.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { requirementById } from "./requirements.js";
import type { Check, CheckStatus, ScenarioResult } from "./types.js";

export interface ScenarioContext {
  readonly scenarioId: string;
  /** Aborted when the scenario's deadline passes: stop waiting and clean up. */
  readonly signal: AbortSignal;
  /** Records one check; returns `ok` so callers can branch on it. */
  check(requirement: string, name: string, ok: boolean, message?: string): boolean;
  /** Records a check that could not be evaluated (a precondition failed). */
  skip(requirement: string, name: string, message: string): void;
  /** Records a prepared check (wire checks). */
  record(check: Check): void;
  /** Progress and diagnostics (shown with `--verbose`). */
  log(line: string): void;
  /** Output of the peer under test, attached to the scenario result. */
  setPeerOutput(text: string): void;
  /** The peer under test ended on its own during the scenario (why, e.g. its exit status). */
  setPeerExit(why: string): void;
}

export interface Scenario<Env> {
  id: string;
  title: string;
  /** Requirements this scenario checks (documentation; checks may name others, e.g. wire ones). */
  requirements: readonly string[];
  run(ctx: ScenarioContext, env: Env): Promise<void>;
}

export interface RunOptions {
  /** Whole-scenario deadline. Default 30 000 ms. */
  scenarioTimeoutMs?: number;
  /** Only these scenario ids (all when empty or absent). */
  only?: readonly string[];
  log?: (line: string) => void;
  onScenarioEnd?: (result: ScenarioResult) => void;
}

/** How long a scenario gets to clean up after its deadline before the runner moves on. */
const CLEANUP_GRACE_MS = 3000;

export async function runScenarios<Env>(scenarios: readonly Scenario<Env>[], env: Env, opts: RunOptions = {}): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  const selected = opts.only !== undefined && opts.only.length > 0 ? scenarios.filter((s) => opts.only?.includes(s.id)) : scenarios;
  for (const scenario of selected) {
    const result = await runOne(scenario, env, opts);
    results.push(result);
    opts.onScenarioEnd?.(result);
  }
  return results;
}

async function runOne<Env>(scenario: Scenario<Env>, env: Env, opts: RunOptions): Promise<ScenarioResult> {
  const started = Date.now();
  const checks: Check[] = [];
  const controller = new AbortController();
  let peerOutput: string | undefined;
  let peerExit: string | undefined;
  const add = (requirement: string, name: string, status: CheckStatus, message?: string): void => {
    if (requirementById(requirement) === undefined) throw new Error(`conformance kit bug: unknown requirement ${requirement}`);
    checks.push(message === undefined ? { requirement, name, status } : { requirement, name, status, message });
  };
  const ctx: ScenarioContext = {
    scenarioId: scenario.id,
    signal: controller.signal,
    check(requirement, name, ok, message) {
      add(requirement, name, ok ? "pass" : "fail", ok ? undefined : (message ?? "not observed"));
      return ok;
    },
    skip(requirement, name, message) {
      add(requirement, name, "skip", message);
    },
    record(check) {
      if (requirementById(check.requirement) === undefined) throw new Error(`conformance kit bug: unknown requirement ${check.requirement}`);
      checks.push(check);
    },
    log(line) {
      opts.log?.(`[${scenario.id}] ${line}`);
    },
    setPeerOutput(text) {
      peerOutput = text;
    },
    setPeerExit(why) {
      peerExit ??= why;
    },
  };

  let error: string | undefined;
  const timeoutMs = opts.scenarioTimeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const running = scenario.run(ctx, env);
  const deadline = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  try {
    const outcome = await Promise.race([running.then(() => "done" as const), deadline]);
    if (outcome === "timeout") {
      error = `scenario did not finish within ${timeoutMs} ms`;
      controller.abort(new Error(error));
      // Let it release sockets and processes; its late checks are still recorded.
      await Promise.race([running.catch(() => undefined), sleep(CLEANUP_GRACE_MS, undefined, { ref: false })]);
    }
  } catch (err) {
    error = err instanceof Error ? (err.stack ?? err.message) : String(err);
  } finally {
    clearTimeout(timer);
    if (!controller.signal.aborted) controller.abort(new Error("scenario ended"));
  }
  const result: ScenarioResult = { id: scenario.id, title: scenario.title, durationMs: Date.now() - started, checks };
  if (error !== undefined) result.error = error;
  if (peerOutput !== undefined && peerOutput !== "") result.peerOutput = peerOutput;
  if (peerExit !== undefined) result.peerExit = peerExit;
  return result;
}
