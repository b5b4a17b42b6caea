/**
 * Typed results per op, and the results the client synthesises locally (contract §20).
 * Local results never travel on the wire; `ambiguous: true` means the frame was written and the
 * outcome is unknown, so only idempotent ops should be retried.
 */
import type { ActionByOp, OpName, ResultByOp } from "../../generated/registry.js";

/** The action and result type of each op, generated from the schema. */
export type { ActionByOp, ResultByOp };

/** What a request resolves with: the op's result, plus the local `ambiguous` flag. */
export type RelayResult<Op extends OpName = OpName> = ResultByOp[Op] & {
  /** Set on local results only: the frame may have been acted upon. */
  ambiguous?: boolean;
};

/** The exact error texts of the locally synthesised results. */
export const LocalError = Object.freeze({
  NotConnected: "relay transport not connected",
  Closed: "relay transport closed",
  TimedOut: "relay outbound timed out",
  ConnectionLost: "relay transport connection lost",
  SendFailedPrefix: "relay send failed: ",
  NotSupportedPrefix: "relay op not supported: ",
} as const);

export interface LocalFailure {
  success: false;
  error: string;
  ambiguous?: boolean;
}

/** Not connected (or not handshaked yet): nothing was written. */
export const notConnected = (): LocalFailure => ({ success: false, error: LocalError.NotConnected });
/** The client is closing or closed. Ambiguous when the request had been written. */
export const transportClosed = (written: boolean): LocalFailure =>
  written ? { success: false, error: LocalError.Closed, ambiguous: true } : { success: false, error: LocalError.Closed };
/** The frame was written but no result came in time. */
export const timedOut = (): LocalFailure => ({ success: false, error: LocalError.TimedOut, ambiguous: true });
/** The socket ended while waiting for the result. */
export const connectionLost = (): LocalFailure => ({ success: false, error: LocalError.ConnectionLost, ambiguous: true });
/** The write itself failed; the bytes may or may not have left. */
export const sendFailed = (err: unknown): LocalFailure => ({
  success: false,
  error: LocalError.SendFailedPrefix + (err instanceof Error ? err.message : String(err)),
  ambiguous: true,
});
/** The connector did not advertise the op for this platform: nothing was written. */
export const notSupported = (op: string, platform: string | undefined): LocalFailure => ({
  success: false,
  error: `${LocalError.NotSupportedPrefix}"${op}" is not in supported_ops of the ${platform === undefined ? "session default" : JSON.stringify(platform)} descriptor`,
});

/**
 * A received `result` as callers see it: `{}` when missing or not an object, and `success`
 * true only when the connector said exactly `true` (a missing value is a failure).
 */
export function resultFromWire(value: unknown): RelayResult {
  const body = value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  // A decoded result is this call's own object: one that already says `success: true` is the answer as is.
  if (body.success === true) return body as unknown as RelayResult;
  return { ...body, success: false } as RelayResult;
}
