/**
 * Streaming decoder for the newline-delimited-JSON transport (contract §2).
 *
 * The socket is a byte/text stream cut into lines by "\n": one WebSocket message may hold
 * several frames, one frame may span messages, blank lines are skipped. Every line becomes
 * exactly one event (a frame or a typed error); the decoder itself never throws on peer input
 * and never stops, because the gateway also just skips what it cannot use.
 */
import type { RelayFrame } from "../../generated/types.js";
import type { FrameDirection, ValidationMode } from "../validation-types.js";
import type { DecodeError, DecodeErrorCode } from "./errors.js";
import { parseAckLine } from "./ack-line.js";
import { PendingLine } from "./pending-line.js";
import { DEFAULT_MAX_LINE_BYTES } from "./limits.js";
import { defaultFrameDirectionOf, defaultValidate, type FrameDirectionLookup, type FrameValidator } from "./validator.js";

/** `none` skips schema validation (type and direction are still checked). */
export type DecodeMode = ValidationMode | "none";

/** What a frame event carries by default: any contract frame. */
export type DecodedFrame = RelayFrame;

/**
 * One frame. `frame` was schema-checked in the decoder's mode (tolerant by default: unknown
 * properties and open enum values may be present); with mode `none` only its `type` is known.
 */
export interface FrameEvent<F extends { type: string } = DecodedFrame> {
  kind: "frame";
  type: F["type"];
  frame: F;
}

export interface DecodeErrorEvent {
  kind: "error";
  error: DecodeError;
}

export type DecodeEvent<F extends { type: string } = DecodedFrame> = FrameEvent<F> | DecodeErrorEvent;

/** What `ws` hands a message listener, plus plain strings and other byte views. */
export type DecoderInput = string | Uint8Array | ArrayBuffer | ArrayBufferView | readonly Uint8Array[];

export interface FrameDecoderOptions {
  /** Longest accepted line in UTF-8 bytes (terminator excluded); also bounds buffered input. Default 1 MiB. */
  maxLineBytes?: number;
  /** The direction of the frames this side receives; `undefined` accepts both. */
  direction?: FrameDirection;
  /** Schema mode. Default `tolerant` (what a receiver must accept). */
  mode?: DecodeMode;
  /** Schema validator; defaults to the contract's `validateFrame`. */
  validate?: FrameValidator;
  /** Frame type → direction; defaults to the contract's `frameDirectionOf`. */
  frameDirectionOf?: FrameDirectionLookup;
}

export { DEFAULT_MAX_LINE_BYTES };

const NEWLINE = 0x0a;
const OPEN_BRACE = 0x7b;
const EXCERPT_CHARS = 200;

/**
 * `F` narrows the frame type for callers that fix `direction` (e.g. `FrameDecoder<GatewayFrame>`
 * with `direction: "gateway-to-connector"`); it is a static promise, checked only by the schema.
 */
export class FrameDecoder<F extends { type: string } = DecodedFrame> {
  readonly maxLineBytes: number;
  readonly direction: FrameDirection | undefined;
  readonly mode: DecodeMode;
  readonly #validate: FrameValidator;
  readonly #directionOf: FrameDirectionLookup;

  /** The current unterminated line; none: undefined (an idle connection holds no buffer). */
  #pending: PendingLine | undefined;
  /** UTF-8 bytes accounted to the pending line: received bytes as they came, text as it encodes. */
  #pendingBytes = 0;
  /** A high surrogate that ended the last text piece: counted with its low half when that arrives. */
  #heldSurrogate: string | undefined;
  /** After an over-long partial line: drop input up to and including the next "\n". */
  #discarding = false;

  constructor(opts: FrameDecoderOptions = {}) {
    const max = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    if (!Number.isSafeInteger(max) || max <= 0) {
      throw new RangeError("FrameDecoder: maxLineBytes must be a positive safe integer");
    }
    const mode = opts.mode ?? "tolerant";
    if (mode !== "strict" && mode !== "tolerant" && mode !== "none") {
      throw new RangeError(`FrameDecoder: unknown mode ${JSON.stringify(mode)}`);
    }
    if (opts.direction !== undefined && opts.direction !== "gateway-to-connector" && opts.direction !== "connector-to-gateway") {
      throw new RangeError(`FrameDecoder: unknown direction ${JSON.stringify(opts.direction)}`);
    }
    this.maxLineBytes = max;
    this.direction = opts.direction;
    this.mode = mode;
    this.#validate = opts.validate ?? defaultValidate;
    this.#directionOf = opts.frameDirectionOf ?? defaultFrameDirectionOf;
  }

  /** UTF-8 bytes currently held for an unterminated line. */
  get bufferedBytes(): number {
    return this.#pendingBytes;
  }

  /**
   * Bytes of storage the decoder holds for that line: at most twice what the line occupies (its
   * UTF-8 bytes, or two bytes per UTF-16 unit for a line that arrived only as text).
   */
  get retainedBytes(): number {
    return this.#pending?.capacity ?? 0;
  }

  /**
   * Feeds one received message (or any piece of the stream). Returns one event per complete
   * non-blank line, in order. Throws only a `TypeError` for a chunk of an unsupported JS type
   * (a caller bug, never peer data).
   *
   * Line length is counted in UTF-8 bytes the same way however the input is cut: bytes as
   * received (invalid sequences included), text as it encodes (a surrogate pair split across two
   * pieces counts 4, a lone surrogate 3).
   */
  push(chunk: DecoderInput): DecodeEvent<F>[] {
    const events: DecodeEvent<F>[] = [];
    const idle = this.#pending === undefined && !this.#discarding && this.#heldSurrogate === undefined;

    if (typeof chunk === "string") {
      // Fast path: one whole line, nothing buffered — the normal shape of a frame message.
      if (idle) {
        const nl = chunk.indexOf("\n");
        if (nl !== -1 && nl === chunk.length - 1) {
          this.#line(chunk.slice(0, nl), -1, events);
          return events;
        }
      }
      this.#text(chunk, events);
      return events;
    }

    const bytes = toBuffer(chunk);
    const len = bytes.length;
    if (idle && len > 0 && bytes[len - 1] === NEWLINE && bytes.indexOf(NEWLINE) === len - 1) {
      this.#line(bytes.toString("utf8", 0, len - 1), len - 1, events);
      return events;
    }
    this.#bytes(bytes, events);
    return events;
  }

  /**
   * Ends the stream: a non-blank unterminated tail is reported as `incomplete_frame` (the
   * protocol requires the newline, so it is never parsed). The decoder is reset and reusable.
   */
  end(): DecodeEvent<F>[] {
    const events: DecodeEvent<F>[] = [];
    this.#flushHeldSurrogate(events);
    if (!this.#discarding && this.#pending !== undefined) {
      const line = this.#pending.text();
      if (!isBlank(line)) {
        events.push(errorEvent("incomplete_frame", "stream ended inside a frame: the line has no terminating \"\\n\"", line));
      }
    }
    this.#release();
    this.#discarding = false;
    return events;
  }

  #release(): void {
    this.#pending = undefined;
    this.#pendingBytes = 0;
  }

  /** A held high surrogate whose low half never came: it stands alone (3 bytes). */
  #flushHeldSurrogate(events: DecodeEvent<F>[]): void {
    const held = this.#heldSurrogate;
    if (held === undefined) return;
    this.#heldSurrogate = undefined;
    if (!this.#discarding) this.#appendTail(3, (p) => p.appendText(held), held, "utf16le", events);
  }

  #text(input: string, events: DecodeEvent<F>[]): void {
    let text = input;
    if (this.#heldSurrogate !== undefined) {
      text = this.#heldSurrogate + text;
      this.#heldSurrogate = undefined;
    }
    let start = 0;
    let nl = text.indexOf("\n");

    if (this.#discarding) {
      if (nl === -1) return;
      this.#discarding = false;
      start = nl + 1;
      nl = text.indexOf("\n", start);
    }

    if (nl !== -1 && this.#pending !== undefined) {
      const head = text.slice(start, nl);
      this.#finishPending(utf8Length(head), (p) => p.appendText(head), events);
      start = nl + 1;
      nl = text.indexOf("\n", start);
    }

    while (nl !== -1) {
      this.#line(text.slice(start, nl), -1, events);
      start = nl + 1;
      nl = text.indexOf("\n", start);
    }

    if (start < text.length) {
      let tail = start === 0 ? text : text.slice(start);
      const last = tail.charCodeAt(tail.length - 1);
      if (last >= 0xd800 && last <= 0xdbff) {
        // Its low half may start the next piece: count the pair once, as 4 bytes.
        this.#heldSurrogate = tail.slice(-1);
        tail = tail.slice(0, -1);
        if (tail.length === 0) return;
      }
      const piece = tail;
      this.#appendTail(utf8Length(piece), (p) => p.appendText(piece), piece, "utf16le", events);
    }
  }

  #bytes(bytes: Buffer, events: DecodeEvent<F>[]): void {
    this.#flushHeldSurrogate(events);
    let start = 0;
    let nl = bytes.indexOf(NEWLINE);

    if (this.#discarding) {
      if (nl === -1) return;
      this.#discarding = false;
      start = nl + 1;
      nl = bytes.indexOf(NEWLINE, start);
    }

    // 0x0a never occurs inside a multi-byte UTF-8 sequence: splitting bytes on it is exact.
    if (nl !== -1 && this.#pending !== undefined) {
      const head = bytes.subarray(start, nl);
      this.#finishPending(head.length, (p) => p.appendBytes(head), events);
      start = nl + 1;
      nl = bytes.indexOf(NEWLINE, start);
    }

    if (nl !== -1) {
      const last = bytes.lastIndexOf(NEWLINE);
      if (last - start <= this.maxLineBytes) {
        // No line of this stretch can be over the limit: it is decoded in one call and split as
        // text (a call per line costs more than the decoding of a short line). The same text
        // either way: "\n" ends any UTF-8 sequence it interrupts, valid or not.
        this.#lines(bytes.toString("utf8", start, last), last - start, events);
        start = last + 1;
        nl = -1;
      }
    }
    while (nl !== -1) {
      this.#line(bytes.toString("utf8", start, nl), nl - start, events);
      start = nl + 1;
      nl = bytes.indexOf(NEWLINE, start);
    }

    if (start < bytes.length) {
      const tail = bytes.subarray(start);
      this.#appendTail(tail.length, (p) => p.appendBytes(tail), tail, "utf8", events);
    }
  }

  /** The pending line ends with `bytes` more (appended by `append`). */
  #finishPending(bytes: number, append: (p: PendingLine) => void, events: DecodeEvent<F>[]): void {
    const pending = this.#pending as PendingLine;
    const total = this.#pendingBytes + bytes;
    if (total > this.maxLineBytes) {
      const excerpt = pending.head(EXCERPT_CHARS);
      this.#release();
      events.push(errorEvent("line_too_long", `line exceeds ${this.maxLineBytes} bytes`, excerpt));
      return;
    }
    append(pending);
    const line = pending.text();
    this.#release();
    this.#line(line, total, events);
  }

  /** More of the unterminated line; past the bound the line is reported and dropped, never stored. */
  #appendTail(bytes: number, append: (p: PendingLine) => void, piece: string | Buffer, encoding: "utf8" | "utf16le", events: DecodeEvent<F>[]): void {
    if (this.#pendingBytes + bytes > this.maxLineBytes) {
      const head = this.#pending?.head(EXCERPT_CHARS) ?? "";
      const more = typeof piece === "string" ? piece.slice(0, EXCERPT_CHARS) : piece.toString("utf8", 0, Math.min(piece.length, 4 * EXCERPT_CHARS));
      this.#release();
      this.#discarding = true;
      events.push({
        kind: "error",
        error: {
          code: "line_too_long",
          message: `unterminated line exceeds ${this.maxLineBytes} bytes; discarding input up to the next "\\n"`,
          excerpt: (head + more).slice(0, EXCERPT_CHARS),
        },
      });
      return;
    }
    const pending = (this.#pending ??= new PendingLine(encoding, bytes));
    append(pending);
    this.#pendingBytes += bytes;
  }

  /** Each "\n"-separated line of `text`, none of which is longer than `bytes` (within the limit). */
  #lines(text: string, bytes: number, events: DecodeEvent<F>[]): void {
    let start = 0;
    for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", start)) {
      this.#line(text.slice(start, nl), bytes, events);
      start = nl + 1;
    }
    this.#line(start === 0 ? text : text.slice(start), bytes, events);
  }

  /**
   * One complete line (terminator removed). `bytes`: its UTF-8 size as received, or a bound of
   * it within the limit; < 0 means "not measured yet".
   */
  #line(line: string, bytes: number, events: DecodeEvent<F>[]): void {
    if (this.#tooLong(line, bytes)) {
      events.push(errorEvent("line_too_long", `line exceeds ${this.maxLineBytes} bytes`, line));
      return;
    }
    if (line.charCodeAt(0) !== OPEN_BRACE && isBlank(line)) return;

    let value: unknown = parseAckLine(line);
    try {
      value ??= JSON.parse(line);
    } catch (err) {
      // Includes RangeError from pathological nesting.
      events.push(errorEvent("invalid_json", `line is not valid JSON: ${messageOf(err)}`, line));
      return;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      events.push(errorEvent("not_object", `frame is ${describeJson(value)}, not a JSON object`, line));
      return;
    }

    const record = value as Record<string, unknown>;
    const type = Object.hasOwn(record, "type") ? record.type : undefined;
    if (typeof type !== "string") {
      const message = type === undefined ? 'frame has no "type"' : `frame "type" is ${describeJson(type)}, not a string`;
      events.push(errorEvent("missing_type", message, line));
      return;
    }

    const direction = this.#lookupDirection(type);
    if (direction === undefined) {
      events.push(errorEvent("unknown_type", `unknown frame type ${quote(type)}`, line, clip(type)));
      return;
    }
    if (this.direction !== undefined && direction !== this.direction) {
      events.push(errorEvent("wrong_direction", `"${type}" is a ${direction} frame; this side receives ${this.direction}`, line, type));
      return;
    }

    if (this.mode !== "none") {
      let result: ReturnType<FrameValidator>;
      try {
        result = this.#validate(record, { mode: this.mode, direction });
      } catch (err) {
        events.push(errorEvent("schema", `validator failed on "${type}" frame: ${messageOf(err)}`, line, type));
        return;
      }
      if (!result.ok) {
        const first = result.issues[0];
        const where = first === undefined ? "" : ` at ${first.path === "" ? "/ (root)" : first.path}: ${first.message}`;
        const error = errorEvent("schema", `"${type}" frame is invalid${where}`, line, type);
        error.error.issues = result.issues;
        events.push(error);
        return;
      }
      if (result.dropped !== undefined) {
        // Reported before the frame it belongs to, which is delivered without those entries.
        const report = errorEvent("entry_dropped", `"${type}" frame: ${result.dropped.length} invalid ${result.dropped.length === 1 ? "entry" : "entries"} dropped (${result.dropped[0]?.message ?? ""})`, line, type);
        report.error.issues = result.dropped;
        events.push(report);
      }
      events.push({ kind: "frame", type, frame: result.value as F });
      return;
    }
    events.push({ kind: "frame", type, frame: record as unknown as F });
  }

  #tooLong(line: string, bytes: number): boolean {
    if (bytes >= 0) return bytes > this.maxLineBytes;
    // UTF-8 needs 1–3 bytes per UTF-16 unit: decide without encoding unless it is close.
    if (line.length * 3 <= this.maxLineBytes) return false;
    if (line.length > this.maxLineBytes) return true;
    return Buffer.byteLength(line, "utf8") > this.maxLineBytes;
  }

  #lookupDirection(type: string): FrameDirection | undefined {
    let direction: unknown;
    try {
      direction = this.#directionOf(type);
    } catch {
      return undefined;
    }
    // Guards against a lookup table answering for "__proto__", "constructor", … .
    return direction === "gateway-to-connector" || direction === "connector-to-gateway" ? direction : undefined;
  }
}

function toBuffer(chunk: Exclude<DecoderInput, string>): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof ArrayBuffer) return Buffer.from(chunk);
  if (ArrayBuffer.isView(chunk)) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (Array.isArray(chunk)) {
    return Buffer.concat((chunk as readonly unknown[]).map((part) => {
      if (part instanceof Uint8Array) return part;
      throw new TypeError("FrameDecoder.push: a chunk array must hold only Buffers/Uint8Arrays");
    }));
  }
  throw new TypeError("FrameDecoder.push: expected a string, Buffer, ArrayBuffer, typed array or Buffer[]");
}

/** Measured once per new piece of input, never over the whole pending buffer. */
function utf8Length(text: string): number {
  return text.length === 0 ? 0 : Buffer.byteLength(text, "utf8");
}

function isBlank(line: string): boolean {
  return line.trim().length === 0;
}

function clip(text: string): string {
  return text.length > EXCERPT_CHARS ? text.slice(0, EXCERPT_CHARS) : text;
}

function quote(text: string): string {
  return JSON.stringify(clip(text));
}

function errorEvent(code: DecodeErrorCode, message: string, line: string, frameType?: string): DecodeErrorEvent & { error: DecodeError } {
  const error: DecodeError = { code, message, excerpt: clip(line) };
  if (frameType !== undefined) error.frameType = frameType;
  return { kind: "error", error };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  // Only string, number and boolean remain for a parsed non-object JSON value.
  return `a ${typeof value}`;
}
