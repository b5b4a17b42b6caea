/** Going idle and buffered replay: `going_idle`, `going_idle_ack`, `inbound_ack`. */
import { definition, tag } from "./annotations.js";
import { BUFFER_ID } from "./passthrough.js";

export const GoingIdleFrame = definition(
  "GoingIdleFrame",
  "V-mid",
  "Asks the connector to flip this gateway instance to buffered-only. Keyed on the connection's authenticated instance, never on a frame field. The gateway keeps serving until `going_idle_ack`.",
  { type: tag("going_idle", "V-mid", "Frame type.") },
);

export const GoingIdleAckFrame = definition(
  "GoingIdleAckFrame",
  "V-mid",
  "Confirms the flip. The connector flips first, then acks; inbound sent before the ack is still delivered live.",
  { type: tag("going_idle_ack", "V-mid", "Frame type.") },
);

export const InboundAckFrame = definition(
  "InboundAckFrame",
  "V-mid",
  "Durable receipt of a buffered delivery, sent after the handler returned. Only an ack advances the connector's replay cursor. Never sent for live deliveries or when the handler failed.",
  {
    type: tag("inbound_ack", "V-mid", "Frame type."),
    bufferId: BUFFER_ID("The `bufferId` of the delivery being acknowledged.", { "x-receiver": "required" }),
  },
);
