/**
 * The AsyncAPI 3.0.0 description of the relay, from the connector's side: the connector is the
 * application (the WebSocket server the gateway dials), so it *receives* gateway→connector
 * frames and *sends* connector→gateway frames. One message per frame type; payloads are the
 * strict schemas, every definition lives under `components.schemas`.
 *
 * Pure and deterministic: the same definitions and vectors always give the same bytes.
 */
import type { TSchema } from "@sinclair/typebox";
import { CONNECTOR_FRAMES, GATEWAY_FRAMES } from "../../schema/index.js";
import { nameOf, variantOf, type Json, type JsonObject } from "./json-schemas.js";
import type { VectorFiles } from "./vectors.js";

const SCHEMAS = "#/components/schemas/";
const CHANNEL = "relay";

/** Frames whose `requestId` pairs a request with its answer. */
const CORRELATED = new Set(["outbound", "outbound_result"]);

interface FrameEntry {
  type: string;
  definition: string;
  direction: "gateway-to-connector" | "connector-to-gateway";
}

function frameEntries(): FrameEntry[] {
  const entries = (frames: Record<string, { $id?: string }>, direction: FrameEntry["direction"]) =>
    Object.entries(frames).map(([type, schema]) => ({ type, definition: schema.$id ?? type, direction }));
  return [...entries(GATEWAY_FRAMES, "gateway-to-connector"), ...entries(CONNECTOR_FRAMES, "connector-to-gateway")];
}

/** `hello` → `Hello`, `outbound_result` → `OutboundResult` (operation ids). */
function pascal(type: string): string {
  return type.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}

function firstSentence(text: string): string {
  const match = /^(.+?[.!?])(\s|$)/s.exec(text);
  return (match?.[1] ?? text).trim();
}

function describe(definition: TSchema | undefined): string {
  const description = (definition as { description?: unknown } | undefined)?.description;
  return typeof description === "string" ? description : "";
}

const BEARER_DESCRIPTION = [
  "The gateway's upgrade token (contract §3), sent as `Authorization: Bearer <token>` on the `/relay` upgrade request when the gateway has an id and an upgrade secret configured (otherwise the upgrade is unauthenticated: development only).",
  "token = base64url without padding of the UTF-8 bytes of `<gatewayId>:<exp>:<sig>`, where `exp` is Unix seconds (`floor(now) + 300`, or `0` for never) and `sig` is the lowercase hex HMAC-SHA256 of `<gatewayId>:<exp>` keyed with the upgrade secret.",
  "The connector verifies it against every secret of the gateway's verify list (rotation), rejects it when `now > exp`, and closes with 4401 (`\"expired\"` for an authentic but aged token, `\"unauthorized\"` otherwise). The tenant and instance come from this token, never from `hello`. A fresh token is minted for every dial.",
].join("\n\n");

export function buildAsyncApi(definitions: TSchema[], vectors?: VectorFiles): string {
  const byName = new Map(definitions.map((d) => [nameOf(d), d]));
  const frames = frameEntries().filter((f) => byName.has(f.definition));
  const valid = (vectors?.frames ?? []).filter((v) => v.valid);

  const messages: JsonObject = {};
  for (const frame of frames) {
    const description = describe(byName.get(frame.definition));
    const direction = frame.direction === "gateway-to-connector" ? "Gateway → connector." : "Connector → gateway.";
    const examples = valid
      .filter((v) => v.definition === frame.definition)
      .map((v) => ({ name: v.id, summary: v.description, payload: v.value as Json }));
    const message: JsonObject = {
      name: frame.type,
      title: frame.definition,
      summary: firstSentence(description),
      description: `${direction} ${description}\n\nOn the wire: one JSON object per WebSocket text message, terminated by \`\\n\`.`,
      contentType: "application/json",
      tags: [{ name: frame.direction }],
      payload: { $ref: `${SCHEMAS}${frame.definition}` },
    };
    if (CORRELATED.has(frame.type)) message.correlationId = { $ref: "#/components/correlationIds/requestId" };
    if (examples.length > 0) message.examples = examples;
    messages[frame.type] = message;
  }

  const operations: JsonObject = {};
  for (const frame of frames) {
    const receive = frame.direction === "gateway-to-connector";
    const operation: JsonObject = {
      action: receive ? "receive" : "send",
      channel: { $ref: `#/channels/${CHANNEL}` },
      title: `${receive ? "Receive" : "Send"} \`${frame.type}\``,
      summary: firstSentence(describe(byName.get(frame.definition))),
      messages: [{ $ref: `#/channels/${CHANNEL}/messages/${frame.type}` }],
    };
    if (frame.type === "outbound" && messages.outbound_result) {
      operation.description =
        "Every `outbound` is answered by exactly one `outbound_result` carrying the same `requestId`. Many requests may be in flight; results may be sent in any order. A gateway times a request out after 30 s and ignores late results.";
      operation.reply = {
        channel: { $ref: `#/channels/${CHANNEL}` },
        messages: [{ $ref: `#/channels/${CHANNEL}/messages/outbound_result` }],
      };
    }
    operations[`${receive ? "receive" : "send"}${pascal(frame.type)}`] = operation;
  }

  const schemas: JsonObject = {};
  for (const definition of definitions) schemas[nameOf(definition)] = variantOf(definition, "strict", SCHEMAS);

  const document: JsonObject = {
    asyncapi: "3.0.0",
    info: {
      title: "Hermes relay connector",
      version: "1",
      description: [
        "The WebSocket relay between a Hermes **gateway** (the WebSocket client, which dials out) and a **connector** (the WebSocket server that fronts chat platforms), `contract_version` 1.",
        "This document describes the connector: it receives the gateway→connector frames (`hello`, `outbound`, `interrupt`, `going_idle`, `inbound_ack`) and sends the connector→gateway frames (`descriptor`, `inbound`, `interrupt_inbound`, `outbound_result`, `passthrough_forward`, `going_idle_ack`).",
        "Framing: every frame is one JSON object sent as one text message and terminated by `\\n`; receivers split each message on `\\n` and accept several frames per message. Receivers ignore unknown properties and unknown frame types. Payload schemas here are the strict (producer) variants.",
        "Generated from schema/ by `npm run generate`; do not edit.",
      ].join("\n\n"),
    },
    defaultContentType: "application/json",
    servers: {
      connector: {
        host: "localhost:8080",
        protocol: "ws",
        title: "A connector (placeholder address)",
        description:
          "Placeholder for a connector's base URL. The gateway derives the dial URL from its configured relay URL: trim, `https://` → `wss://`, `http://` → `ws://`, strip trailing `/`, append `/relay` unless already present. Production connectors use `wss`.",
        security: [{ $ref: "#/components/securitySchemes/upgradeToken" }],
      },
    },
    channels: {
      [CHANNEL]: {
        address: "/relay",
        title: "The relay socket",
        description:
          "One WebSocket connection per gateway dial. The gateway sends one `hello` per fronted identity; the connector answers one `descriptor` per `hello`, then streams inbound (buffered backlog first) and serves `outbound` requests. Connectors refuse any other upgrade path.",
        servers: [{ $ref: "#/servers/connector" }],
        messages,
        bindings: {
          ws: {
            method: "GET",
            headers: {
              type: "object",
              properties: {
                Authorization: {
                  type: "string",
                  description: `\`Bearer <token>\`: the HMAC upgrade token. Absent only when the gateway has no id/secret configured.\n\n${BEARER_DESCRIPTION}`,
                  pattern: "^Bearer [A-Za-z0-9_-]+$",
                },
              },
            },
            bindingVersion: "0.1.0",
          },
        },
      },
    },
    operations,
    components: {
      schemas,
      securitySchemes: {
        upgradeToken: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "hermes-relay-hmac (base64url of `<gatewayId>:<exp>:<hex HMAC-SHA256>`)",
          description: BEARER_DESCRIPTION,
        },
      },
      correlationIds: {
        requestId: {
          description: "`requestId` of an `outbound` (32 lowercase hex characters, unique per request), echoed by its `outbound_result`.",
          location: "$message.payload#/requestId",
        },
      },
    },
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
