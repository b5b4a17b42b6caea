/**
 * Expected failures: a peer that knowingly does not meet some requirements (for example a V-mid
 * gateway that treats every post-handshake 4401 as terminal) lists their ids, and the run passes
 * only when the failures are exactly those. A listed requirement that passes (or was not tested)
 * is stale and fails the run, so the list cannot silently outlive the bug it excuses.
 *
 * File formats: a JSON array of ids, a JSON object `{ "expectedFailures": [ids] }` (entries may
 * also be `{ "id": "...", "reason": "..." }`), or plain text with one id per line where `#`
 * starts a comment.
 */
import { readFileSync } from "node:fs";
import { requirementById } from "./requirements.js";
import type { ExpectedFailuresOutcome } from "./types.js";

export class ExpectedFailuresError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExpectedFailuresError";
  }
}

/** Parses the text of an expected-failures file; throws `ExpectedFailuresError` on unknown ids or bad shapes. */
export function parseExpectedFailures(text: string, source = "expected-failures"): string[] {
  const trimmed = text.trim();
  let ids: string[];
  if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (err) {
      throw new ExpectedFailuresError(`${source}: invalid JSON: ${(err as Error).message}`);
    }
    const list = Array.isArray(value) ? value : (value as { expectedFailures?: unknown }).expectedFailures;
    if (!Array.isArray(list)) throw new ExpectedFailuresError(`${source}: expected an array of requirement ids or { "expectedFailures": [...] }`);
    ids = list.map((entry, i) => {
      const id = typeof entry === "string" ? entry : (entry as { id?: unknown } | null)?.id;
      if (typeof id !== "string") throw new ExpectedFailuresError(`${source}: entry ${i} is not a requirement id`);
      return id.trim();
    });
  } else {
    ids = trimmed
      .split(/\r?\n/)
      .map((line) => line.replace(/#.*$/, "").trim())
      .filter((line) => line !== "")
      .map((line) => line.split(/\s+/)[0] as string);
  }
  const unknown = ids.filter((id) => requirementById(id) === undefined);
  if (unknown.length > 0) throw new ExpectedFailuresError(`${source}: unknown requirement id(s): ${unknown.join(", ")}`);
  return [...new Set(ids)];
}

export function loadExpectedFailures(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ExpectedFailuresError(`cannot read ${file}: ${(err as Error).message}`);
  }
  return parseExpectedFailures(text, file);
}

/** Compares the failed requirement ids of a run with the listed ones. */
export function compareExpectedFailures(failed: readonly string[], listed: readonly string[], file?: string): ExpectedFailuresOutcome {
  const failedSet = new Set(failed);
  const listedSet = new Set(listed);
  const outcome: ExpectedFailuresOutcome = {
    listed: [...listedSet].sort(),
    matched: [...listedSet].filter((id) => failedSet.has(id)).sort(),
    unexpected: [...failedSet].filter((id) => !listedSet.has(id)).sort(),
    stale: [...listedSet].filter((id) => !failedSet.has(id)).sort(),
  };
  if (file !== undefined) outcome.file = file;
  return outcome;
}
