/**
 * Server helper for the connector role: `createRelayServer` and the pluggable delivery buffer
 * and relay bus. See docs/snippets/server.md.
 */
export { createRelayServer } from "./relay-server.js";
export type { RelayServer, ListenOptions, CloseOptions, TransportBinding } from "./relay-server.js";
export { InMemoryDeliveryBuffer, DeliveryBufferFullError, DEFAULT_MAX_ENTRIES_PER_GATEWAY } from "./delivery-buffer.js";
export type { DeliveryBuffer, BufferedEntry, BufferableFrame, InMemoryDeliveryBufferOptions } from "./delivery-buffer.js";
export { InMemoryRelayBus } from "./relay-bus.js";
export type { RelayBus, BusMessage, BusHandler, SubscribeOptions } from "./relay-bus.js";
export type { RelayTransport } from "./connection.js";
export { CloseConnectionError, ConnectionClosedError, ServerClosedError } from "./errors.js";
export { resolveIdentity } from "./outbound.js";
export type { IdentityLookup } from "./identities.js";
export type {
  ActionOf,
  BackpressureOptions,
  ConnectionSendOptions,
  DeliveryPhase,
  DeliveryReceipt,
  HelloContext,
  HelloHandler,
  Identity,
  InterruptHandler,
  InterruptInbound,
  InvalidFramePolicy,
  OpName,
  OpResultMap,
  OutboundContext,
  OutboundHandler,
  OutboundHandlers,
  RejectReason,
  RelayAuthOptions,
  RelayConnection,
  RelayServerEvents,
  UpgradeEvent,
  AuthenticatedEvent,
  RejectedEvent,
  ConnectionEvent,
  ServerHandshakeEvent,
  ServerCloseCause,
  ServerCloseEvent,
  FrameInEvent,
  FrameOutEvent,
  ServerProtocolErrorEvent,
  ServerHandlerErrorEvent,
  DrainEndEvent,
  BackpressureEvent,
  RelayServerOptions,
  ReplayOptions,
  SendOptions,
  UnknownPathPolicy,
} from "./types.js";
export type { Listener, RelayEventSource } from "../kernel/emitter.js";
export type { CloseEventBase, HandlerErrorEventBase, ProtocolErrorEventBase, ProtocolErrorInfo } from "../kernel/events.js";
export type { OutgoingValidation } from "../kernel/outgoing.js";
export * from "./redis/index.js";
