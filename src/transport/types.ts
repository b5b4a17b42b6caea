/**
 * The seam between the relay's two roles and whatever carries their messages. Both roles write
 * through `RelayTransport`; the gateway role also dials one (`Dialer`) and hears back through
 * `TransportEvents`. `ws` adapters (`server/ws-adapter.ts`, `transport/ws-dialer.ts`) and the
 * in-memory pair (`transport/memory.ts`) implement it, so the protocol cores never see a socket.
 */

/** What a relay endpoint needs from the connection underneath. */
export interface RelayTransport {
  /** Queues one text message; `done` runs once it is written out (or failed). */
  send(message: string, done: (error?: Error) => void): void;
  /** Bytes queued and not yet handed to the OS. */
  readonly bufferedAmount: number;
  readonly open: boolean;
  close(code: number, reason: string): void;
  /** Drops the connection without a closing handshake. */
  terminate(): void;
  /**
   * Stop / restart reading from the peer, so the peer's further input waits in its own buffers
   * (TCP backpressure) meanwhile. Optional for the server's transports (used while a large
   * received message is processed in slices); every dialled transport has them.
   */
  pause?(): void;
  resume?(): void;
}

/** A transport the gateway dialled: it can also stop and restart reading (inbound backpressure). */
export interface DialedTransport extends RelayTransport {
  /** Stops reading: the peer's writes back up (TCP backpressure). Idempotent. */
  pause(): void;
  /** Reads again. Idempotent. */
  resume(): void;
}

/** How a dialled transport ended. */
export interface TransportEnd {
  /** Close code received (or sent, when this side refused a frame); 1006 when there was none. */
  code: number;
  reason: string;
  /** The connection had opened (the upgrade succeeded). */
  opened: boolean;
  /** HTTP status of a refused upgrade. */
  httpStatus?: number;
  /** The last transport error, if any. */
  error?: Error;
}

/** What a dialled transport reports, each at most in this order: open, messages, close once. */
export interface TransportEvents {
  open(): void;
  /** One received message and its size in bytes. */
  message(data: string | Uint8Array | readonly Uint8Array[], bytes: number): void;
  /** A keepalive ping went unanswered; the transport is about to be terminated. */
  unresponsive(): void;
  close(end: TransportEnd): void;
}

export interface DialRequest {
  url: string;
  /** The `Authorization` header value of the upgrade, if any. */
  authorization?: string;
  /** Largest accepted message; above it the transport closes with 1009. */
  maxPayload: number;
  perMessageDeflate: boolean;
  /** Ping cadence; `undefined` disables keepalive. Pings are not judged while reading is paused. */
  keepalive?: { intervalMs: number; timeoutMs: number };
}

/** Opens one transport; failures are reported through `events.close`, never thrown. */
export type Dialer = (request: DialRequest, events: TransportEvents) => DialedTransport;
