/** Errors of the server helper. */

/** Throw from `onHello` to close the connection with this code and reason (e.g. 4503). */
export class CloseConnectionError extends Error {
  override readonly name = "CloseConnectionError";
  constructor(readonly code: number, readonly reason: string) {
    super(`close ${code} ${reason}`);
  }
}

/** A wait tied to a connection ended because the connection closed. */
export class ConnectionClosedError extends Error {
  override readonly name = "ConnectionClosedError";
  constructor(message = "relay connection closed") {
    super(message);
  }
}

/** A wait ended because the server closed. Buffered entries stay in the delivery buffer. */
export class ServerClosedError extends Error {
  override readonly name = "ServerClosedError";
  constructor() {
    super("relay server closed");
  }
}

export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const err = new Error("the operation was aborted");
  err.name = "AbortError";
  return err;
}
