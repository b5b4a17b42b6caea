/**
 * What to do after a connection ended (contract §12, §10, §9, V-late/V-latest).
 * A pure function so every branch of the 4401 rules can be tested without sockets.
 */
import { CloseCode, CloseReason } from "../close-codes.js";

export interface ConnectionEnd {
  /** WebSocket close code (4401 also stands for an HTTP 401 upgrade refusal). */
  code: number;
  reason: string;
  /** This connection was the one immediate fresh-token re-dial after a post-handshake 4401. */
  authRetry: boolean;
  /** A descriptor was received on this client at least once, this connection included. */
  everHandshaked: boolean;
  /** Closed by `goDormant()` after `going_idle_ack`. */
  dormant: boolean;
  /** Time from this connection's first descriptor to its end; `undefined` if it never handshaked. */
  upMs: number | undefined;
  stableMs: number;
}

export type NextStep =
  /** 4401 (not "expired") on the fresh-token connection: the credentials are revoked. */
  | { kind: "terminal"; resetLadder: boolean }
  /** Post-handshake 4401: one immediate re-dial with a fresh token, outside the ladder. */
  | { kind: "auth-retry"; resetLadder: boolean }
  /** The dormant cadence, without consuming an attempt. */
  | { kind: "dormant"; resetLadder: boolean }
  /** The ordinary ladder: one more failed attempt. */
  | { kind: "backoff"; resetLadder: boolean };

export function nextStepAfter(end: ConnectionEnd): NextStep {
  // Only a connection that lived for the stable time (from its first descriptor) resets the ladder.
  const resetLadder = end.upMs !== undefined && end.upMs >= end.stableMs;
  if (end.code === CloseCode.Unauthorized) {
    // "expired" is never a revocation: the token merely aged, a fresh one will do.
    const expired = end.reason === CloseReason.Expired;
    if (!expired && end.authRetry) return { kind: "terminal", resetLadder };
    // Before any handshake the credentials were never proven, so 4401 is an ordinary failure.
    if (!expired && end.everHandshaked) return { kind: "auth-retry", resetLadder };
    return { kind: "backoff", resetLadder };
  }
  if (end.dormant) return { kind: "dormant", resetLadder };
  return { kind: "backoff", resetLadder };
}
