import type { CloseCause } from "./events.js";

export interface ConnectFailure {
  code: number;
  reason: string;
  cause: CloseCause;
  httpStatus?: number;
  revoked: boolean;
  willRetry: boolean;
  retryInMs?: number;
}

/**
 * `connect()` failed: the dial it was waiting for ended before a descriptor arrived. When
 * `willRetry` is true the client keeps reconnecting in the background (see the `handshake` event).
 */
export class RelayConnectError extends Error {
  override readonly name = "RelayConnectError";
  readonly code: number;
  readonly reason: string;
  readonly kind: CloseCause;
  readonly httpStatus: number | undefined;
  readonly revoked: boolean;
  readonly willRetry: boolean;
  readonly retryInMs: number | undefined;

  constructor(f: ConnectFailure) {
    const what = f.revoked ? "relay credentials revoked" : "relay connect failed";
    const http = f.httpStatus === undefined ? "" : ` (HTTP ${f.httpStatus})`;
    const retry = f.willRetry ? `; retrying in ${Math.round(f.retryInMs ?? 0)} ms` : "";
    super(`${what}: close ${f.code}${f.reason === "" ? "" : ` ${JSON.stringify(f.reason)}`}${http}, ${f.cause}${retry}`);
    this.code = f.code;
    this.reason = f.reason;
    this.kind = f.cause;
    this.httpStatus = f.httpStatus;
    this.revoked = f.revoked;
    this.willRetry = f.willRetry;
    this.retryInMs = f.retryInMs;
  }
}

/** The client was closed while the call was waiting (or before it). */
export class RelayClientClosedError extends Error {
  override readonly name = "RelayClientClosedError";
  constructor() {
    super("relay client closed");
  }
}
