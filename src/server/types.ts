import type { ResultByOp } from "../../generated/registry.js";
/**
 * Public types of the connector-role server helper.
 */
import type { IncomingMessage, Server as HttpServer } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type {
  CapabilityDescriptor,
  ConnectorFrame,
  GatewayFrame,
  HelloFrame,
  InterruptFrame,
  MessageEvent,
  OutboundAction,
  OutboundFrame,
  PassthroughForward,
} from "../../generated/types.js";
import type { OpName } from "../../generated/registry.js";
import type { SecretLookup } from "../auth/index.js";
import type { DecodeError } from "../codec/index.js";
import type { CloseEventBase, HandlerErrorEventBase, ProtocolErrorEventBase } from "../kernel/events.js";
import type { OutgoingValidation } from "../kernel/outgoing.js";
import type { DeliveryBuffer } from "./delivery-buffer.js";
import type { RelayBus } from "./relay-bus.js";

export type { OpName } from "../../generated/registry.js";

/** One fronted identity announced by a `hello` (`platform:botId`). */
export interface Identity {
  platform: string;
  botId: string;
}

/** The action type of an op. */
export type ActionOf<K extends OpName> = Extract<OutboundAction, { op: K }>;

/** The result type a handler returns for each op (generated from the schema). */
export type OpResultMap = ResultByOp;

/** Everything a handler knows about the request besides the action. */
export interface OutboundContext {
  connection: RelayConnection;
  gatewayId: string;
  requestId: string;
  /**
   * The identity to act as: the hello'd `platform:botId` the frame named, the first hello'd
   * identity of the frame's `platform` when it named only a platform, or the session default
   * (the first hello) when it named no platform. A platform no hello named never reaches a handler.
   */
  identity: Identity;
  /** `platform`/`botId` exactly as the frame carried them. */
  requested: { platform?: string; botId?: string };
  /** Aborted when the deadline passes or the connection closes. */
  signal: AbortSignal;
  frame: OutboundFrame;
}

export type OutboundHandler<K extends OpName> = (
  action: ActionOf<K>,
  ctx: OutboundContext,
) => OpResultMap[K] | Promise<OpResultMap[K]>;

/** Per-op handlers. An op without a handler is answered with a structured failure. */
export type OutboundHandlers = { [K in OpName]?: OutboundHandler<K> };

export interface HelloContext {
  connection: RelayConnection;
  gatewayId: string;
  /** 0 for the first hello of the connection (the session default identity). */
  index: number;
}

/**
 * Returns the descriptor for one hello. Throw `CloseConnectionError` to refuse the identity with a
 * specific close code; any other throw closes the connection with 1011.
 */
export type HelloHandler = (hello: HelloFrame, ctx: HelloContext) => CapabilityDescriptor | Promise<CapabilityDescriptor>;

/** A gateway egressed `interrupt`; the connector forwards it to the instance running the session. */
export type InterruptHandler = (frame: InterruptFrame, ctx: { connection: RelayConnection; gatewayId: string }) => void | Promise<void>;

export type RelayAuthOptions =
  | {
      /** Verify list (primary first, rotation secondaries after) or async lookup by gateway id. */
      secrets: readonly string[] | SecretLookup;
      /** Grace after a token's `exp`, seconds. Default 0 (the reference has none). */
      leewaySeconds?: number;
    }
  | {
      /** Accept upgrades without a bearer. Development only; must be chosen explicitly. */
      unauthenticated: true;
      /** The gateway id of an unauthenticated connection. Default: `"anonymous"`. */
      gatewayId?: (req: IncomingMessage) => string;
    };

export interface ReplayOptions {
  /** Buffered frames sent but not yet acked, at most. Default 64. */
  window?: number;
  /**
   * Replayed frames per WebSocket message (each still "\n"-terminated; a message stays under the
   * codec's 1 MiB bound). Default 1, the one-frame-per-message form the reference recommends.
   */
  framesPerMessage?: number;
  /** A replayed frame not acked within this long stops holding the drain; it stays buffered. Default 30 000. */
  ackTimeoutMs?: number;
}

export interface BackpressureOptions {
  /**
   * Above this many bytes queued on a socket (`ws.bufferedAmount`), new inbound and passthrough
   * for the gateway go to the delivery buffer instead of the socket, and are replayed once the
   * socket drains. Default 1 MiB.
   */
  highWaterBytes?: number;
  /** Above this many queued bytes the socket is closed with 1011 `"overloaded"`. Default 16 MiB. */
  closeAtBytes?: number;
  /** How often a congested socket is checked for recovery. Default 25 ms. */
  pollIntervalMs?: number;
}

export interface InvalidFramePolicy {
  /** More than this many undecodable lines within `windowMs` close the socket with 4400. Default 20. */
  maxInvalidFrames?: number;
  /** Default 10 000. */
  windowMs?: number;
}

export type UnknownPathPolicy =
  /** Answer the upgrade with HTTP 400 and do not upgrade (the Node reference connector). Default. */
  | "http-400"
  | "http-404"
  /** Upgrade, then close with 4404 `"relay endpoint not found"` (the V-sidecar server). */
  | "close-4404"
  /** Leave the request to other `upgrade` listeners of a shared `http.Server`. */
  | "ignore";

export interface RelayServerOptions {
  /** Attach to this server's `upgrade` event. Without it, call `listen()`. */
  server?: HttpServer | HttpsServer;
  /** Relay path (query string ignored). Default `/relay`. */
  path?: string;
  unknownPath?: UnknownPathPolicy;
  /** Required: bearer verification, or an explicit unauthenticated mode. */
  auth: RelayAuthOptions;
  onHello: HelloHandler;
  handlers?: OutboundHandlers;
  onInterrupt?: InterruptHandler;
  /**
   * Gateway ids for which this endpoint fronts the conformance kit's loopback platform
   * (docs/conformance.md): their `send` to chat `"loopback"` comes back to them as `inbound`, to
   * `"loopback-passthrough"` as `passthrough_forward`, and their `interrupt` as
   * `interrupt_inbound`; their other requests go to `handlers`. Lets `relay-contract conformance
   * connector --gateway-id ID` test this endpoint. Default: none.
   */
  conformanceLoopback?: readonly string[];
  /** Default: a new `InMemoryDeliveryBuffer`. */
  buffer?: DeliveryBuffer;
  /**
   * Default: a private `InMemoryRelayBus` (this node alone). Supplying a bus makes the server a
   * cluster node: pushes for gateways held elsewhere go over the bus.
   */
  bus?: RelayBus;
  /** This node's id on the bus. Default: random. */
  nodeId?: string;
  /** Largest accepted WebSocket message (ws `maxPayload`); larger ones close with 1009. Default 1 MiB. */
  maxPayload?: number;
  /** WebSocket ping interval, as the client's option of the same name. Default 30 000; 0 disables keepalive. */
  keepaliveIntervalMs?: number;
  /**
   * A ping unanswered this long closes the socket with 1011 "keepalive ping timeout" (contract
   * §10), dropped if the peer does not answer within 2 s (`close` event with cause
   * `keepalive-timeout`). Not judged while the socket is paused. Default 60 000, as on the client.
   */
  keepaliveTimeoutMs?: number;
  /** Deadline of one outbound handler. Default 30 000 (the gateway's own wait). */
  outboundTimeoutMs?: number;
  /** Outbound requests handled at once per connection; beyond, answered with a failure. Default 256. */
  maxConcurrentOutbound?: number;
  /**
   * An authenticated socket that sends no `hello` this long after the upgrade is closed with
   * 4408 `"no hello"`. Default 10 000; 0 disables.
   */
  helloTimeoutMs?: number;
  /** Distinct `platform:botId` identities one connection may hello; one more closes it with 4413 `"too many identities"`. Default 1 000. */
  maxIdentities?: number;
  /**
   * Open sockets one gateway may hold on this node; a further one closes the gateway's oldest
   * socket with 4409 `"too many connections"` (a re-dial after a half-open connection must get
   * through). Default: no cap.
   */
  maxConnectionsPerGateway?: number;
  /**
   * Send a throwing handler's `err.message` to the gateway in the failure result. Default false:
   * the gateway gets `outbound handler for "<op>" failed (error id <id>)` and the same id goes
   * with the error to the `handlerError` event.
   */
  exposeHandlerErrors?: boolean;
  replay?: ReplayOptions;
  backpressure?: BackpressureOptions;
  invalidFrames?: InvalidFramePolicy;
  /**
   * A socket still open this long after its `going_idle_ack` is closed with 1000. A dormant
   * gateway closes right after the ack; one that stays means its wait for the ack expired
   * (`go_dormant` then keeps serving), while this side has it flipped to buffered-only — the
   * close makes it re-dial, handshake and get its backlog. Default 15 000; 0 disables.
   */
  idleCloseAfterMs?: number;
  /**
   * How pushes (`inbound`, `passthrough_forward`) reach a connected gateway.
   *
   * - `live` (default): written to the socket without a `bufferId`; `sendInbound` resolves once
   *   the frame is handed to the operating system. The protocol has no ack for live frames, so
   *   what still sits in socket buffers when a connection drops (a gateway that stopped reading,
   *   a network cut) is lost without either side knowing.
   * - `acked`: every push is appended to the delivery buffer and sent with a `bufferId`, stays
   *   there until the gateway's `inbound_ack`, and `sendInbound` resolves on that ack (receipt
   *   mode `buffered`). Gateways ack every `inbound` that carries a `bufferId` once its handler
   *   returned, so nothing acked is ever lost; a push is redelivered after a reconnect if its
   *   ack did not arrive (at least once; gateways deduplicate by message id). Costs a buffer
   *   round trip per push and at most `replay.window` pushes unacknowledged at a time.
   */
  delivery?: "live" | "acked";
  /** Cluster only: how long to wait for another node to take a push before buffering it. Default 2 000. */
  remoteDeliveryTimeoutMs?: number;
  /** Validation of frames built from caller data before they are sent. Default `strict`. */
  validateOutgoing?: OutgoingValidation;
}

/** How a push reached (or will reach) the gateway. */
export interface DeliveryReceipt {
  /**
   * `live`: written to this node's socket without a `bufferId`; `remote`: written live by another
   * node; `buffered`: appended to the delivery buffer and acknowledged by the gateway.
   */
  mode: "live" | "remote" | "buffered";
  bufferId?: string;
}

export interface SendOptions {
  /** Stops waiting (rejects with an `AbortError`); a buffered entry stays buffered. */
  signal?: AbortSignal;
}

export interface ConnectionSendOptions extends SendOptions {
  /**
   * Send with this `bufferId` (your own buffer) and resolve when its `inbound_ack` arrives on this
   * connection; bypasses the server's delivery buffer and ordering.
   */
  bufferId?: string;
}

export interface InterruptInbound {
  session_key: string;
  chat_id: string;
}

/** Where deliveries for a connection's gateway currently go. */
export type DeliveryPhase = "awaiting-hello" | "draining" | "live" | "idle" | "backlogged";

/** One authenticated gateway socket. */
export interface RelayConnection {
  /** Unique per server process. */
  readonly id: string;
  readonly gatewayId: string;
  readonly remoteAddress: string | undefined;
  /** Hello'd identities in order; the first is the session default. */
  readonly identities: readonly Identity[];
  readonly handshaked: boolean;
  readonly open: boolean;
  readonly phase: DeliveryPhase;
  /** Bytes queued on the socket. */
  readonly bufferedAmount: number;
  sendInbound(event: MessageEvent, opts?: ConnectionSendOptions): Promise<DeliveryReceipt>;
  sendPassthrough(forward: PassthroughForward, opts?: ConnectionSendOptions): Promise<DeliveryReceipt>;
  /** Live only (an interrupt is never buffered); resolves whether it was written. */
  sendInterruptInbound(interrupt: InterruptInbound): Promise<boolean>;
  close(code?: number, reason?: string): void;
}

export type RejectReason = "unauthorized" | "expired" | "not-found" | "shutting-down" | "auth-error";

/** Payload of `connection`: a WebSocket upgrade request for the relay path arrived (before auth). */
export interface UpgradeEvent {
  request: IncomingMessage;
}

/** Payload of `authenticated`: the socket is open and its bearer verified (or unauthenticated mode). */
export interface AuthenticatedEvent {
  connection: RelayConnection;
  request: IncomingMessage;
}

/** Payload of `rejected`: an upgrade was refused (auth failure, wrong path, shutting down). */
export interface RejectedEvent {
  reason: RejectReason;
  /** The close code sent after upgrading, or the HTTP status when not upgraded. */
  code?: number;
  status?: number;
  path: string;
  remoteAddress: string | undefined;
  /** The auth verdict, when the bearer was checked. */
  verdict?: string;
  error?: unknown;
}

/** Payload of the events that concern one connection and nothing else (`adopted`, `goingIdle`, `drainStart`). */
export interface ConnectionEvent {
  connection: RelayConnection;
}

/** Payload of `handshake`: a descriptor answered one `hello`. */
export interface ServerHandshakeEvent {
  connection: RelayConnection;
  hello: HelloFrame;
  descriptor: CapabilityDescriptor;
}

/** Why a gateway's connection ended. */
export type ServerCloseCause =
  /** The gateway closed it, or it dropped (code 1006). */
  | "socket"
  /** A ping went unanswered for `keepaliveTimeoutMs`. */
  | "keepalive-timeout"
  /** This side closed it: a policy close, `revoke()`, `close()` or `connection.close()` (`code` says which). */
  | "server-close";

/** Payload of `close`. */
export interface ServerCloseEvent extends CloseEventBase<ServerCloseCause> {
  connection: RelayConnection;
}

/** Payload of `frameIn`: a decoded, schema-checked (tolerant) frame from the gateway. */
export interface FrameInEvent {
  connection: RelayConnection;
  frame: GatewayFrame;
}

/** Payload of `frameOut`: a frame written to the gateway (once per frame, also when several share a message). */
export interface FrameOutEvent {
  connection: RelayConnection;
  frame: ConnectorFrame;
}

/** Payload of `protocolError`: a received line was not a usable frame; it was skipped. */
export interface ServerProtocolErrorEvent extends ProtocolErrorEventBase {
  connection: RelayConnection;
  error: DecodeError;
}

/**
 * Payload of `handlerError`: a connector callback threw, returned something invalid, or timed
 * out; or a store, bus or socket failed. `where` names it: `hello`, `outbound:<op>`, `interrupt`,
 * `going_idle`, `buffer.ack`, `drain`, `socket`, `upgrade`, `bus.subscribe`, … `errorId` is set
 * when the gateway was sent a generic failure naming that id instead of the error's message.
 */
export interface ServerHandlerErrorEvent extends HandlerErrorEventBase {
  /** The connection concerned; absent for server-wide failures (upgrade, bus, store). */
  connection?: RelayConnection;
}

/** Payload of `drainEnd`: a backlog replay on `connection` ended. */
export interface DrainEndEvent {
  connection: RelayConnection;
  replayed: number;
  acked: number;
  aborted: boolean;
}

/** Payload of `backpressure`: a socket crossed a backpressure bound. */
export interface BackpressureEvent {
  connection: RelayConnection;
  bufferedAmount: number;
  action: "buffer" | "resume" | "close";
}

/** The server's events, each with one payload object (`relay.on(event, (payload) => …)`). */
export interface RelayServerEvents {
  connection: UpgradeEvent;
  authenticated: AuthenticatedEvent;
  /** A caller-authenticated transport was attached with `adopt()`. */
  adopted: ConnectionEvent;
  rejected: RejectedEvent;
  handshake: ServerHandshakeEvent;
  close: ServerCloseEvent;
  frameIn: FrameInEvent;
  frameOut: FrameOutEvent;
  protocolError: ServerProtocolErrorEvent;
  handlerError: ServerHandlerErrorEvent;
  /** A gateway's `going_idle` was acted on and acked. */
  goingIdle: ConnectionEvent;
  drainStart: ConnectionEvent;
  drainEnd: DrainEndEvent;
  backpressure: BackpressureEvent;
}
