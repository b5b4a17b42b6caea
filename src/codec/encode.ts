/**
 * Frame encoding for the newline-delimited-JSON transport (contract §2): compact JSON
 * plus the mandatory trailing "\n". Without that newline the gateway holds the frame back and
 * later glues it to the next one, losing both — so the newline is never optional here.
 */
import type { FrameDirection } from "../validation-types.js";
import { FrameValidationError } from "./errors.js";
import { defaultValidate, type FrameValidator } from "./validator.js";

/**
 * The gateway's websockets library refuses messages above 1 MiB (`max_size=2**20`, close 1009),
 * so no single WebSocket message to it may exceed this many bytes.
 */
export const MAX_MESSAGE_BYTES = 1_048_576;

/** Anything with a string `type`; the contract's generated frame types all qualify. */
export interface FrameLike {
  readonly type: string;
}

export interface EncodeOptions {
  /**
   * Validate (strict mode, the producer's contract) before encoding and throw
   * `FrameValidationError` rather than emit an invalid frame. `true` uses the contract's
   * validator; a function is used instead of it. Default: no validation.
   */
  validate?: boolean | FrameValidator;
  /** With `validate`: also require the frame to travel this way. */
  direction?: FrameDirection;
}

/** One frame → one newline-terminated line (send it as one text message). */
export function encodeFrame<F extends FrameLike>(frame: F, opts: EncodeOptions = {}): string {
  if (frame === null || typeof frame !== "object" || Array.isArray(frame)) {
    throw new TypeError("encodeFrame: a frame must be a JSON object");
  }
  if (opts.validate) {
    const validate = typeof opts.validate === "function" ? opts.validate : defaultValidate;
    const result = validate(frame, opts.direction === undefined ? { mode: "strict" } : { mode: "strict", direction: opts.direction });
    if (!result.ok) {
      throw new FrameValidationError(result.issues, typeof frame.type === "string" ? `"${frame.type}" frame` : "frame");
    }
  }
  // JSON.stringify escapes control characters inside strings and adds no whitespace, so the
  // terminator is the only "\n" in the output: the line cannot be split by a receiver.
  return JSON.stringify(frame) + "\n";
}

/** Several frames in one text message (allowed by §2; used for batched replay). */
export function encodeFrames<F extends FrameLike>(frames: readonly F[], opts: EncodeOptions = {}): string {
  let out = "";
  for (const frame of frames) out += encodeFrame(frame, opts);
  return out;
}

export interface BatchOptions extends EncodeOptions {
  /** Upper bound on the UTF-8 size of each message. Default `MAX_MESSAGE_BYTES`. */
  maxMessageBytes?: number;
}

/**
 * Packs frames, in order, into as few messages as fit under `maxMessageBytes`. A frame that is
 * larger than the bound on its own still gets its own message: callers that must not exceed the
 * peer's limit check `Buffer.byteLength(message)` themselves.
 */
export function encodeFrameBatches<F extends FrameLike>(frames: readonly F[], opts: BatchOptions = {}): string[] {
  const max = opts.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  if (!(max > 0)) throw new RangeError("encodeFrameBatches: maxMessageBytes must be positive");
  const messages: string[] = [];
  let current = "";
  let currentBytes = 0;
  for (const frame of frames) {
    const line = encodeFrame(frame, opts);
    const bytes = Buffer.byteLength(line, "utf8");
    if (currentBytes > 0 && currentBytes + bytes > max) {
      messages.push(current);
      current = "";
      currentBytes = 0;
    }
    current += line;
    currentBytes += bytes;
  }
  if (currentBytes > 0) messages.push(current);
  return messages;
}
