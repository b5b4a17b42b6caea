/**
 * The registry of every definition, grouped into the families the contract document renders.
 * Generation walks this list; a definition missing here is missing everywhere (and the
 * completeness test says so).
 */
import type { TSchema } from "@sinclair/typebox";
import * as handshake from "./handshake.js";
import * as inbound from "./inbound.js";
import * as interrupts from "./interrupts.js";
import * as outbound from "./outbound.js";
import * as results from "./results.js";
import * as passthrough from "./passthrough.js";
import * as idle from "./idle.js";
import * as http from "./http.js";
import * as frames from "./frames.js";

export interface Family {
  id: string;
  title: string;
  definitions: TSchema[];
}

export const FAMILIES: Family[] = [
  { id: "handshake", title: "Handshake", definitions: [handshake.HelloFrame, handshake.CommandManifestEntry, handshake.DiscordCommandOption, handshake.DescriptorFrame, handshake.CapabilityDescriptor] },
  { id: "inbound", title: "Inbound messages", definitions: [inbound.InboundFrame, inbound.MessageEvent, inbound.SessionSource, inbound.MediaItem, inbound.ReplyTo, inbound.PromptResponse, inbound.ContextItem, inbound.ContextItemSource] },
  { id: "interrupts", title: "Interrupts", definitions: [interrupts.InterruptFrame, interrupts.InterruptInboundFrame] },
  {
    id: "outbound",
    title: "Outbound requests",
    definitions: [outbound.OutboundFrame, outbound.OutboundAction, ...Object.values(outbound.ACTIONS), outbound.PromptOption, outbound.TaskCardChunk, outbound.OutboundMetadata, outbound.FormatHints],
  },
  { id: "results", title: "Outbound results", definitions: [results.OutboundResultFrame, results.OutboundResult, results.ChatInfo, ...Object.values(results.OP_RESULTS)] },
  { id: "passthrough", title: "Passthrough", definitions: [passthrough.PassthroughForwardFrame, passthrough.PassthroughForward] },
  { id: "idle", title: "Going idle and buffered replay", definitions: [idle.GoingIdleFrame, idle.GoingIdleAckFrame, idle.InboundAckFrame] },
  { id: "unions", title: "Frame unions", definitions: [frames.GatewayFrame, frames.ConnectorFrame, frames.RelayFrame] },
  { id: "http", title: "HTTP bodies", definitions: [http.EnrollRequest, http.EnrollResponse, http.ProvisionRequest, http.ProvisionResponse, http.RelayPolicyRequest, http.MediaUploadResponse, http.HttpErrorBody] },
];

export const DEFINITIONS: TSchema[] = FAMILIES.flatMap((f) => f.definitions);

export { GATEWAY_FRAMES, CONNECTOR_FRAMES } from "./frames.js";
export { ACTIONS, LEGACY_OPS, REQUEST_ID_PATTERN } from "./outbound.js";
export { OP_RESULTS, EGRESS_DECLINED_CODE } from "./results.js";
export { STEPS, type Step } from "./annotations.js";
export { PROMPT_ID_PATTERN } from "./inbound.js";
