/**
 * `relay-contract validate [file|-]`: one JSON value (a frame, or an array of frames) or
 * newline-delimited frames, each checked against the contract. Every problem is reported with
 * its line, JSON path and reason.
 */
import { readFileSync } from "node:fs";
import type { FrameDirection, ValidationMode } from "../validation-types.js";
import { validateFrame } from "../validation.js";
import { lineIndex, lineOf } from "./json-lines.js";

export interface ValidateInput {
  text: string;
  /** For messages (`-` for stdin). */
  name: string;
  mode: ValidationMode;
  direction?: FrameDirection;
}

export interface ValidateProblem {
  line: number;
  /** JSON Pointer inside the frame (`""` = the frame itself). */
  path: string;
  keyword: string;
  message: string;
  /** The frame's type, when it had one. */
  frameType?: string;
  /** Position in an array input. */
  item?: number;
}

export interface ValidateOutcome {
  format: "json" | "ndjson";
  frames: number;
  invalidFrames: number;
  problems: ValidateProblem[];
}

function typeOf(value: unknown): string | undefined {
  const t = value !== null && typeof value === "object" && !Array.isArray(value) ? (value as { type?: unknown }).type : undefined;
  return typeof t === "string" ? t : undefined;
}

export function validateText(input: ValidateInput): ValidateOutcome {
  const { text } = input;
  const options = input.direction === undefined ? { mode: input.mode } : { mode: input.mode, direction: input.direction };
  const problems: ValidateProblem[] = [];
  let frames = 0;
  let invalidFrames = 0;

  const check = (value: unknown, locate: (pointer: string) => number, item?: number): void => {
    frames++;
    const result = validateFrame(value, options);
    if (result.ok) return;
    invalidFrames++;
    const frameType = typeOf(value);
    for (const issue of result.issues) {
      const problem: ValidateProblem = { line: locate(issue.path), path: issue.path, keyword: issue.keyword, message: issue.message };
      if (frameType !== undefined) problem.frameType = frameType;
      if (item !== undefined) problem.item = item;
      problems.push(problem);
    }
  };

  // One JSON value (possibly pretty-printed over many lines)…
  let whole: unknown;
  let isWhole = false;
  if (text.trim() !== "") {
    try {
      whole = JSON.parse(text);
      isWhole = true;
    } catch {
      isWhole = false;
    }
  }
  // …unless it is a single line of NDJSON: same result, reported as NDJSON.
  if (isWhole) {
    const index = lineIndex(text);
    if (Array.isArray(whole)) {
      whole.forEach((value, n) => check(value, (p) => lineOf(index, `/${n}${p}`) ?? 1, n));
    } else {
      check(whole, (p) => lineOf(index, p) ?? 1);
    }
    return { format: "json", frames, invalidFrames, problems };
  }

  const lines = text.split("\n");
  lines.forEach((raw, n) => {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      frames++;
      invalidFrames++;
      problems.push({ line: n + 1, path: "", keyword: "json", message: `not valid JSON: ${(err as Error).message}` });
      return;
    }
    const index = lineIndex(line);
    check(value, (p) => (lineOf(index, p) ?? 1) + n);
  });
  return { format: "ndjson", frames, invalidFrames, problems };
}

export function readInput(file: string | undefined): { text: string; name: string } {
  if (file === undefined || file === "-") return { text: readFileSync(0, "utf8"), name: "<stdin>" };
  return { text: readFileSync(file, "utf8"), name: file };
}

export function formatProblem(name: string, p: ValidateProblem): string {
  const what = [p.frameType !== undefined ? `"${p.frameType}"` : undefined, p.item !== undefined ? `item ${p.item}` : undefined].filter(Boolean).join(" ");
  return `${name}:${p.line}: ${what === "" ? "" : `${what} `}at ${p.path === "" ? "/" : p.path}: ${p.message} [${p.keyword}]`;
}
