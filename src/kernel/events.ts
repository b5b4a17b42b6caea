/**
 * The parts of the `close`, `protocolError` and `handlerError` events that both roles report, so
 * one listener reads them the same way on the client and on the server helper. Each role adds
 * where the event happened: the client its dial's `generation`, the server the `connection`.
 */
import type { ValidationIssue } from "../validation-types.js";

/** A connection ended. */
export interface CloseEventBase<Cause extends string = string> {
  /** WebSocket close code; 1006 when none was received. */
  code: number;
  reason: string;
  /** Why it ended (each role's own list; `"socket"` on both: the socket closed or dropped). */
  cause: Cause;
  /** The handshake had completed on this connection (a descriptor was sent / received). */
  handshaked: boolean;
}

/**
 * One received line or frame this side could not use as it stood. Never fatal by itself: it
 * was skipped (or used without its invalid parts, as `code` says).
 */
export interface ProtocolErrorInfo {
  /**
   * A codec decode error code (`invalid_json`, `schema`, `line_too_long`, …; see `DecodeErrorCode`)
   * or one of the role's own (see its `protocolError` event).
   */
  code: string;
  message: string;
  /** The frame's `type`, when it had a string one. */
  frameType?: string;
  /** The first 200 UTF-16 code units of the offending line. */
  excerpt?: string;
  /** Schema issues, each with the JSON path it concerns. */
  issues?: ValidationIssue[];
}

export interface ProtocolErrorEventBase {
  error: ProtocolErrorInfo;
}

/** Application code this side called (a handler, a callback, a store) failed. */
export interface HandlerErrorEventBase<Where extends string = string> {
  /** What was thrown (or the `Error` this side made for a missing or invalid answer). */
  error: unknown;
  /** Which callback failed. */
  where: Where;
  /** Set when the peer was sent a generic failure naming this id instead of the error's message. */
  errorId?: string;
}
