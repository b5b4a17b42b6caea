/** The frame unions: one per direction, discriminated on `type`. */
import { sentBy } from "./annotations.js";
import { dispatchUnion } from "./dispatch.js";
import { DescriptorFrame, HelloFrame } from "./handshake.js";
import { InboundFrame } from "./inbound.js";
import { InterruptFrame, InterruptInboundFrame } from "./interrupts.js";
import { OutboundFrame } from "./outbound.js";
import { OutboundResultFrame } from "./results.js";
import { PassthroughForwardFrame } from "./passthrough.js";
import { GoingIdleAckFrame, GoingIdleFrame, InboundAckFrame } from "./idle.js";

export const GATEWAY_FRAMES = {
  hello: HelloFrame,
  outbound: OutboundFrame,
  interrupt: InterruptFrame,
  going_idle: GoingIdleFrame,
  inbound_ack: InboundAckFrame,
} as const;

export const CONNECTOR_FRAMES = {
  descriptor: DescriptorFrame,
  inbound: InboundFrame,
  interrupt_inbound: InterruptInboundFrame,
  outbound_result: OutboundResultFrame,
  passthrough_forward: PassthroughForwardFrame,
  going_idle_ack: GoingIdleAckFrame,
} as const;

const branches = (frames: Record<string, { $id?: string }>) =>
  Object.entries(frames).map(([tag, schema]) => ({ tag, schema }));

export const GatewayFrame = dispatchUnion(
  "GatewayFrame",
  "P3",
  "Any frame the gateway sends to the connector.",
  "type",
  branches(GATEWAY_FRAMES),
  "Frame type.",
  sentBy("gateway-to-connector"),
);

export const ConnectorFrame = dispatchUnion(
  "ConnectorFrame",
  "P3",
  "Any frame the connector sends to the gateway.",
  "type",
  branches(CONNECTOR_FRAMES),
  "Frame type.",
  sentBy("connector-to-gateway"),
);

export const RelayFrame = dispatchUnion(
  "RelayFrame",
  "P3",
  "Any relay frame, either direction.",
  "type",
  [...branches(GATEWAY_FRAMES), ...branches(CONNECTOR_FRAMES)],
  "Frame type.",
);
