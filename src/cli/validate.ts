/**
 * `relay-contract validate [file|-]`: one JSON value (a frame, or an array of frames) or
 * newline-delimited frames, each checked against the contract. Every problem of every frame is
 * reported (the reporting validators, not the receive path's first-error ones) with its line,
 * JSON path and reason. In tolerant mode (what a receiver accepts) the producer rules a frame
 * breaks are warnings (advisories), entries a receiver drops are warnings, and a frame type a
 * receiver ignores is a note; `--fail-on-advisory` makes warnings fail the run.
 */
import { readFileSync } from "node:fs";
import { DEFAULT_MAX_LINE_BYTES } from "../codec/decoder.js";
import type { FrameDirection, ValidationMode } from "../validation-types.js";
import { validateFrame } from "../validation.js";
import { lineIndex, lineOf } from "./json-lines.js";

export interface ValidateInput {
  text: string;
  /** For messages (`-` for stdin). */
  name: string;
  mode: ValidationMode;
  direction?: FrameDirection;
  /** Largest frame (UTF-8 bytes, terminator excluded) a receiver takes; default the codec's 1 MiB. */
  maxFrameBytes?: number;
}

/** `error`: the frame is refused. `warning`: accepted, but a producer rule is broken or an entry is dropped. `note`: accepted and ignored. */
export type ProblemSeverity = "error" | "warning" | "note";

export interface ValidateProblem {
  line: number;
  /** JSON Pointer inside the frame (`""` = the frame itself). */
  path: string;
  keyword: string;
  message: string;
  severity: ProblemSeverity;
  /** The frame's type, when it had one. */
  frameType?: string;
  /** Position in an array input. */
  item?: number;
}

export interface ValidateOutcome {
  format: "json" | "ndjson";
  frames: number;
  invalidFrames: number;
  /** Frames accepted with at least one warning (advisory or dropped entry). */
  framesWithWarnings: number;
  problems: ValidateProblem[];
}

const BOM = "\uFEFF";

function typeOf(value: unknown): string | undefined {
  const t = value !== null && typeof value === "object" && !Array.isArray(value) ? (value as { type?: unknown }).type : undefined;
  return typeof t === "string" ? t : undefined;
}

export function validateText(input: ValidateInput): ValidateOutcome {
  const options = { mode: input.mode, report: true, ...(input.direction !== undefined && { direction: input.direction }) };
  const maxBytes = input.maxFrameBytes ?? DEFAULT_MAX_LINE_BYTES;
  const problems: ValidateProblem[] = [];
  let frames = 0;
  let invalidFrames = 0;
  let framesWithWarnings = 0;

  const add = (problem: Omit<ValidateProblem, "frameType" | "item">, frameType?: string, item?: number): void => {
    const p: ValidateProblem = { ...problem };
    if (frameType !== undefined) p.frameType = frameType;
    if (item !== undefined) p.item = item;
    problems.push(p);
  };

  /** `refused` carries problems found before schema validation (size, BOM): the frame is invalid either way. */
  const check = (value: unknown, locate: (pointer: string) => number, item?: number, refused = false): void => {
    frames++;
    const frameType = typeOf(value);
    const result = validateFrame(value, options);
    if (!result.ok) {
      invalidFrames++;
      for (const issue of result.issues) add({ line: locate(issue.path), path: issue.path, keyword: issue.keyword, message: issue.message, severity: "error" }, frameType, item);
      return;
    }
    if (refused) invalidFrames++;
    if (result.ignored !== undefined) add({ line: locate(""), path: "/type", keyword: "ignored", message: `${result.ignored}: a receiver skips this frame`, severity: "note" }, frameType, item);
    const warnings = [
      ...(result.dropped ?? []).map((i) => ({ ...i, message: `${i.message} (a receiver drops it and keeps the rest)` })),
      ...(result.advisories ?? []).map((i) => ({ ...i, message: `advisory: ${i.message} (a producer rule; a receiver accepts it)` })),
    ];
    if (warnings.length > 0 && !refused) framesWithWarnings++;
    for (const w of warnings) add({ line: locate(w.path), path: w.path, keyword: w.keyword, message: w.message, severity: "warning" }, frameType, item);
  };

  const bomProblem = (line: number): void =>
    add({ line, path: "", keyword: "bom", message: "starts with a UTF-8 byte order mark (U+FEFF): a frame starts with \"{\", and receivers refuse it as invalid JSON (checked here without it)", severity: "error" });
  /** A frame over the wire limit is refused by a receiver before it reads any field. */
  const tooBig = (bytes: number, line: number, frameType?: string, item?: number): boolean => {
    if (bytes <= maxBytes) return false;
    add({ line, path: "", keyword: "maxFrameBytes", message: `the frame is ${bytes} bytes of UTF-8; the wire limit is ${maxBytes} (receivers refuse a longer line: line_too_long, or close 1009)`, severity: "error" }, frameType, item);
    return true;
  };

  // One JSON value (possibly pretty-printed over many lines)…
  const bom = input.text.startsWith(BOM);
  const text = bom ? input.text.slice(BOM.length) : input.text;
  let parsed: unknown;
  let isWhole = false;
  if (text.trim() !== "") {
    try {
      parsed = JSON.parse(text);
      isWhole = true;
    } catch {
      isWhole = false;
    }
  }
  // …unless it is a single line of NDJSON: same result, reported as NDJSON.
  if (isWhole) {
    if (bom) bomProblem(1);
    const index = lineIndex(text);
    // Measured as each frame travels: compact JSON, one line.
    const wireBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value) ?? "", "utf8");
    if (Array.isArray(parsed)) {
      parsed.forEach((value, n) => {
        const big = tooBig(wireBytes(value), lineOf(index, `/${n}`) ?? 1, typeOf(value), n);
        check(value, (p) => lineOf(index, `/${n}${p}`) ?? 1, n, big || bom);
      });
    } else {
      const big = tooBig(wireBytes(parsed), 1, typeOf(parsed));
      check(parsed, (p) => lineOf(index, p) ?? 1, undefined, big || bom);
    }
    return { format: "json", frames, invalidFrames, framesWithWarnings, problems };
  }

  input.text.split("\n").forEach((raw, n) => {
    let line = raw.replace(/\r$/, "");
    const lineBom = line.startsWith(BOM);
    if (lineBom) line = line.slice(BOM.length);
    if (line.trim() === "") return;
    if (lineBom) bomProblem(n + 1);
    const big = tooBig(Buffer.byteLength(line, "utf8"), n + 1);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      frames++;
      invalidFrames++;
      add({ line: n + 1, path: "", keyword: "json", message: `not valid JSON: ${(err as Error).message}`, severity: "error" });
      return;
    }
    const index = lineIndex(line);
    check(value, (p) => (lineOf(index, p) ?? 1) + n, undefined, big || lineBom);
  });
  return { format: "ndjson", frames, invalidFrames, framesWithWarnings, problems };
}

export function readInput(file: string | undefined): { text: string; name: string } {
  if (file === undefined || file === "-") return { text: readFileSync(0, "utf8"), name: "<stdin>" };
  return { text: readFileSync(file, "utf8"), name: file };
}

export function formatProblem(name: string, p: ValidateProblem): string {
  const what = [p.frameType !== undefined ? `"${p.frameType}"` : undefined, p.item !== undefined ? `item ${p.item}` : undefined].filter(Boolean).join(" ");
  const level = p.severity === "error" ? "" : `${p.severity}: `;
  return `${name}:${p.line}: ${level}${what === "" ? "" : `${what} `}at ${p.path === "" ? "/" : p.path}: ${p.message} [${p.keyword}]`;
}
