/**
 * The gateway-role client of the relay protocol.
 *
 * Inbound concurrency: deliveries (`inbound`, `interrupt_inbound`, `passthrough_forward`) run
 * their handler one at a time, in arrival order, on a queue separate from the socket reader, so a
 * slow handler never holds back `outbound_result`, descriptors or `going_idle_ack`. Buffered
 * deliveries (with `bufferId`, inbound and passthrough alike) are acked after the handler's promise
 * resolves, never when it rejects.
 */
export { createRelayClient, RelayClient } from "./client.js";
export type {
  RelayClientOptions,
  RelayIdentity,
  RelayClientHandlers,
  InboundHandler,
  InterruptInboundHandler,
  PassthroughHandler,
  DeliveryContext,
  RequestOptions,
  CloseOptions,
  SendFields,
  ActionFields,
} from "./options.js";
export type {
  RelayClientEvents,
  RelayClientEventName,
  RelayClientState,
  CloseCause,
  ConnectingEvent,
  OpenEvent,
  HandshakeEvent,
  DescriptorEvent,
  CloseEvent,
  RevokedEvent,
  ProtocolErrorEvent,
  HandlerErrorEvent,
  StateEvent,
} from "./events.js";
export type { Listener, RelayEventSource } from "../kernel/emitter.js";
export type { CloseEventBase, HandlerErrorEventBase, ProtocolErrorEventBase, ProtocolErrorInfo } from "../kernel/events.js";
export type { OutgoingValidation } from "../kernel/outgoing.js";
export { RelayConnectError, RelayClientClosedError } from "./errors.js";
/** The class `request()` rejects with for an invalid action (the codec's, which the client uses). */
export { FrameValidationError } from "../codec/errors.js";
export { LocalError } from "./results.js";
export type { RelayResult, ResultByOp, ActionByOp, LocalFailure } from "./results.js";
export type { PassthroughRequest } from "./normalize.js";
export type { TokenProvider } from "./token.js";
export { normalizeRelayUrl } from "./url.js";
export { createMemoryLink, MemoryEnd } from "../transport/memory.js";
export type { MemoryDial, MemoryEndEvents } from "../transport/memory.js";
export type { Dialer, DialedTransport, DialRequest, RelayTransport, TransportEnd, TransportEvents } from "../transport/types.js";
export { backoffCeilingMs, backoffDelayMs } from "./backoff.js";
export { supportedOpsOf, isOpSupported } from "./ops.js";
export { nextStepAfter } from "./reconnect-policy.js";
export type { ConnectionEnd, NextStep } from "./reconnect-policy.js";
