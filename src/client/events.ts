/**
 * The client's observable lifecycle. Each event carries one payload object; listener exceptions
 * are contained (reported as a process warning) so application code can never break the socket
 * reader or the reconnect loop.
 */
import type { CapabilityDescriptor } from "../../generated/types.js";
import type { ValidationIssue } from "../validation-types.js";

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

export interface CloseEvent {
  generation: number;
  /** WebSocket close code; 1006 when none was received; 4401 for an HTTP 401 upgrade refusal. */
  code: number;
  reason: string;
  cause: CloseCause;
  /** HTTP status of a refused upgrade. */
  httpStatus?: number;
  /** A descriptor had been received on this connection. */
  handshaked: boolean;
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

export interface ProtocolErrorEvent {
  generation: number;
  /**
   * A codec decode error code, or one of the client's own: `invalid_base64`, `unmatched_result`,
   * `unexpected_descriptor` (a descriptor for a platform this client did not say hello for),
   * `entry_dropped` (invalid entries of a list a receiver filters were removed; the frame was
   * delivered without them; `issues` names each), `poison_delivery` (a buffered delivery no
   * handler can take: reported and acked, so the connector's backlog moves on).
   */
  code: string;
  message: string;
  frameType?: string;
  excerpt?: string;
  issues?: ValidationIssue[];
}

export interface HandlerErrorEvent {
  /** Which handler failed (or was missing). */
  kind: "inbound" | "interrupt_inbound" | "passthrough_forward";
  error: unknown;
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
export type Listener<T> = (payload: T) => void;

export class TypedEmitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<Listener<never>>>();

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.#listeners.get(event);
    if (set === undefined) this.#listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => this.off(event, listener);
  }

  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    const off = this.on(event, (payload) => {
      off();
      listener(payload);
    });
    return off;
  }

  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    this.#listeners.get(event)?.delete(listener as Listener<never>);
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.#listeners.get(event);
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<Events[K]>)(payload);
      } catch (err) {
        process.emitWarning(err instanceof Error ? err : String(err), { code: "RELAY_CLIENT_LISTENER" });
      }
    }
  }
}
