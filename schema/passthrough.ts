/** `passthrough_forward` (C→G): an edge-ACKed webhook forwarded over the socket. */
import { Type } from "@sinclair/typebox";
import { definition, END, since, tag, type FieldExtras } from "./annotations.js";

export const BUFFER_ID = (description: string, extras: FieldExtras = {}) =>
  Type.String(since("V-mid", description, { minLength: 1, maxLength: 256, ...extras }));

export const PassthroughForward = definition(
  "PassthroughForward",
  "V-mid",
  "An HTTP request the connector acknowledged at the edge (a Discord interaction, Twilio, …) and forwards verbatim. Gateways handle Discord and drop other platforms after logging.",
  {
    platform: Type.String(since("V-mid", "Origin platform (`discord`, `twilio`, …).", { minLength: 1 })),
    botId: Type.String(since("V-mid", "Bot the request was addressed to.")),
    method: Type.String(since("V-mid", "Original HTTP method.", { pattern: `^[A-Z]+${END}` })),
    path: Type.String(since("V-mid", "Original request path (e.g. `/interactions/discord/appShared`).", { pattern: "^/" })),
    headers: Type.Array(
      Type.Array(Type.String(), {
        minItems: 2,
        maxItems: 2,
        description: "`[name, value]`.",
        // The reference keeps any two-element pair and reads both members as strings (a number
        // or boolean becomes its text), so a receiver accepts scalar members and coerces them.
        "x-tolerant": { type: "array", minItems: 2, maxItems: 2, items: { type: ["string", "number", "boolean"] } },
      }),
      since("V-mid", "Headers in arrival order as `[name, value]` pairs. Receivers read number and boolean members as their text and drop entries that are not pairs of such scalars.", {
        "x-drop-invalid-entries": true,
      }),
    ),
    bodyB64: Type.String(
      since("V-mid", "Standard base64 (with padding) of the exact sanitized body bytes. Receivers ignore ASCII whitespace in it (line-wrapped base64 decodes) and treat an otherwise undecodable value, wrong padding included, as an empty body.", {
        pattern: `^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?${END}`,
      }),
    ),
    profile: Type.Optional(Type.String(since("V-late", "Multiplex profile; mirrors inbound `source.profile`."))),
  },
);

export const PassthroughForwardFrame = definition(
  "PassthroughForwardFrame",
  "V-mid",
  "Forwards an edge-ACKed webhook. A buffered forward carries `bufferId` and is acked with `inbound_ack` after handling, like a buffered inbound. Decision: the transport acks after the handler returns, so a forward whose handler never finished is delivered again; versions that never ack passthrough get it redelivered, which dedupe by `passthrough_buffer:<bufferId>` absorbs.",
  {
    type: tag("passthrough_forward", "V-mid", "Frame type."),
    forward: Type.Ref(PassthroughForward, since("V-mid", "The forwarded request.")),
    bufferId: Type.Optional(
      BUFFER_ID("Buffer entry id of a replayed delivery; echoed in `inbound_ack` (an integer id as its decimal string).", { "x-tolerant": { type: ["string", "integer"] } }),
    ),
  },
);
