/**
 * The data a conformance run produces. Reports are plain JSON-serialisable values so the JSON
 * renderer is just `JSON.stringify`, and tools in other languages can read them.
 */
import type { PeerRole, RequirementLevel } from "./requirements.js";

export type CheckStatus = "pass" | "fail" | "skip";

/** One observation tied to one requirement. */
export interface Check {
  requirement: string;
  /** What was observed, e.g. `wire G→C: a receiver accepts every frame the gateway sent`. */
  name: string;
  status: CheckStatus;
  /** Why it failed or was skipped. */
  message?: string;
  /** Wire validity checks: which way, how many frames were validated, and how many of each type. */
  wire?: { direction: "G→C" | "C→G"; frames: number; frameTypes: Record<string, number> };
}

export interface ScenarioResult {
  id: string;
  title: string;
  durationMs: number;
  checks: Check[];
  /** The scenario itself broke (kit bug or an unexpected exception): the run fails. */
  error?: string;
  /** Output of the peer under test, when captured (last lines). */
  peerOutput?: string;
  /** Set when the peer under test ended on its own during the scenario: how (e.g. its exit status). */
  peerExit?: string;
}

export type RequirementStatus = "pass" | "fail" | "untested";

export interface RequirementResult {
  id: string;
  level: RequirementLevel;
  title: string;
  ref: string;
  status: RequirementStatus;
  checks: number;
  failed: number;
  /** Set when the failure was listed in the expected-failures file. */
  expected?: boolean;
  /** Why an untested requirement was not tested (e.g. not in the run's profile). */
  reason?: string;
}

export interface ExpectedFailuresOutcome {
  file?: string;
  listed: string[];
  /** Failed as listed. */
  matched: string[];
  /** Failed but not listed. */
  unexpected: string[];
  /** Listed but did not fail: the list is out of date, which fails the run. */
  stale: string[];
}

export interface ConformanceReport {
  kind: "relay-contract-conformance";
  version: 1;
  /** The side under test. */
  role: PeerRole;
  /** The scenario set: `full`, or `transport` (gateway runs that need no agent cooperation). */
  profile: "full" | "transport";
  /** URL or command under test. */
  target: string;
  startedAt: string;
  durationMs: number;
  scenarios: ScenarioResult[];
  requirements: RequirementResult[];
  summary: {
    checks: number;
    passed: number;
    failed: number;
    skipped: number;
    mustFailed: string[];
    shouldFailed: string[];
    untested: string[];
    scenarioErrors: string[];
  };
  expectedFailures?: ExpectedFailuresOutcome;
  /** Whether SHOULD failures fail the run (without an expected-failures list). */
  strict: boolean;
  /** The verdict: see `verdictOf`. */
  ok: boolean;
}
