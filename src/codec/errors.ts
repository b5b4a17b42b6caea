import type { ValidationIssue } from "../validation-types.js";

/**
 * Why one received line did not become a frame event. None of these ends the stream: the
 * decoder reports and moves on, and the caller decides what (if anything) to do about it.
 */
export type DecodeErrorCode =
  | "invalid_json"
  | "not_object"
  | "missing_type"
  | "unknown_type"
  | "wrong_direction"
  | "schema"
  | "line_too_long"
  | "incomplete_frame"
  /** Not a rejection: the frame was delivered without the listed invalid entries (`issues`). */
  | "entry_dropped";

export const DECODE_ERROR_CODES: readonly DecodeErrorCode[] = Object.freeze([
  "invalid_json",
  "not_object",
  "missing_type",
  "unknown_type",
  "wrong_direction",
  "schema",
  "line_too_long",
  "incomplete_frame",
  "entry_dropped",
]);

/** A plain record, not an `Error`: hostile peers can produce many, and stack capture is costly. */
export interface DecodeError {
  code: DecodeErrorCode;
  message: string;
  /** Schema issues, for `schema`. */
  issues?: ValidationIssue[];
  /** The frame's `type`, when it had a string one. */
  frameType?: string;
  /** The first 200 UTF-16 code units of the offending line. */
  excerpt?: string;
}

/**
 * Thrown by `encodeFrame({ validate })` instead of putting an invalid frame on the wire. The
 * contract's one class (from `validation.ts`), so `instanceof` holds whichever module threw.
 */
export { FrameValidationError } from "../validation.js";
