/**
 * The client's observable lifecycle: the payload of each event (the emitter, shared with the
 * server helper, is `kernel/emitter.ts`; the shared parts of `close`, `protocolError` and
 * `handlerError` are `kernel/events.ts`).
 */
import type { CapabilityDescriptor } from "../../generated/types.js";
import type { CloseEventBase, HandlerErrorEventBase, ProtocolErrorEventBase, ProtocolErrorInfo } from "../kernel/events.js";

export type RelayClientState =
  /** Created; `connect()` not called yet. */
  | "idle"
  /** Minting the token and opening the socket. */
  | "connecting"
  /** Socket open, hellos sent, waiting for the first descriptor. */
  | "handshaking"
  /** Handshaked: requests are accepted. */
  | "ready"
  /** Waiting to re-dial. */
  | "backoff"
  /** Connection ended and reconnecting is disabled; `connect()` dials again. */
  | "disconnected"
  /** Terminal 4401: no more dials. */
  | "revoked"
  /** `close()` was called: final. */
  | "closed";

/** Why a connection ended. */
export type CloseCause =
  /** The socket closed (either side sent a close frame, or it dropped: code 1006). */
  | "socket"
  /** The upgrade was answered with a non-101 HTTP status (401 is reported as code 4401). */
  | "upgrade-refused"
  /** No socket at all (DNS, refused, TLS, …). */
  | "dial-error"
  /** The token function threw. */
  | "token-error"
  /** No descriptor within the handshake timeout. */
  | "handshake-timeout"
  /** A ping went unanswered for the keepalive timeout. */
  | "keepalive-timeout"
  /** `goDormant()` closed it after `going_idle_ack`. */
  | "dormant"
  /** `close()`. */
  | "client-close";

export interface ConnectingEvent {
  generation: number;
  url: string;
  /** Failed attempts counted on the ladder so far. */
  attempt: number;
  /** This dial is the one immediate fresh-token re-dial after a post-handshake 4401. */
  authRetry: boolean;
}

export interface OpenEvent {
  generation: number;
}

export interface HandshakeEvent {
  generation: number;
  /** The first descriptor of the connection: the session default. */
  descriptor: CapabilityDescriptor;
}

export interface DescriptorEvent {
  generation: number;
  descriptor: CapabilityDescriptor;
}

/** `code` is 4401 for an HTTP 401 upgrade refusal, as for a 4401 close. */
export interface CloseEvent extends CloseEventBase<CloseCause> {
  generation: number;
  /** HTTP status of a refused upgrade. */
  httpStatus?: number;
  /** Another dial is scheduled. */
  willRetry: boolean;
  /** Delay before that dial, in ms. */
  retryInMs?: number;
  /** When that dial happens (epoch ms, from the client's clock). */
  retryAt?: number;
  /** Failed attempts on the ladder after this close (0 after a reset or for an immediate re-dial). */
  attempt: number;
  /** The next dial is the fresh-token re-dial after a post-handshake 4401. */
  authRetry: boolean;
}

export interface RevokedEvent {
  generation: number;
  code: number;
  reason: string;
}

/**
 * `error.code` is a codec decode error code, or one of the client's own: `invalid_base64`,
 * `unmatched_result`, `unexpected_descriptor` (a descriptor for a platform this client did not
 * say hello for), `entry_dropped` (invalid entries of a list a receiver filters were removed; the
 * frame was delivered without them; `error.issues` names each), `poison_delivery` (a buffered
 * delivery no handler can take: reported and acked, so the connector's backlog moves on),
 * `internal` (a bug of this client, contained).
 */
export interface ProtocolErrorEvent extends ProtocolErrorEventBase {
  generation: number;
  error: ProtocolErrorInfo;
}

/** A delivery handler failed (or was missing); `where` says which. */
export interface HandlerErrorEvent extends HandlerErrorEventBase<"inbound" | "interrupt_inbound" | "passthrough_forward"> {
  /** The unacked delivery, when it was buffered: the connector redelivers it. */
  bufferId?: string;
}

export interface StateEvent {
  state: RelayClientState;
  previous: RelayClientState;
}

export interface RelayClientEvents {
  connecting: ConnectingEvent;
  open: OpenEvent;
  handshake: HandshakeEvent;
  descriptor: DescriptorEvent;
  close: CloseEvent;
  revoked: RevokedEvent;
  protocolError: ProtocolErrorEvent;
  handlerError: HandlerErrorEvent;
  state: StateEvent;
}

export type RelayClientEventName = keyof RelayClientEvents;
