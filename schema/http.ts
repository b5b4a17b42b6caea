/** HTTP bodies of the same contract: enroll, provision, relevance policy, media upload. */
import { Type } from "@sinclair/typebox";
import { definition, sentBy, since } from "./annotations.js";

const gatewayId = (description: string) => Type.String(since("P3", description, { minLength: 1 }));

export const EnrollRequest = definition(
  "EnrollRequest",
  "P3",
  "Body of `POST {base}/relay/enroll` (self-hosted enrolment). Bearer: the caller identity token. 401: identity rejected; 403: enrollment token invalid, expired, used, or tenant mismatch.",
  {
    enrollmentToken: Type.String(since("P3", "Single-use token minted by the connector.", { minLength: 1 })),
    gatewayId: gatewayId("Gateway id to enrol; default `gw-<hostname>`."),
  },
  sentBy("gateway-to-connector"),
);

export const EnrollResponse = definition(
  "EnrollResponse",
  "P3",
  "2xx body of enroll. A body without `secret` is an error.",
  {
    secret: Type.String(since("P3", "Upgrade secret (HMAC key of the bearer token).", { minLength: 1 })),
    deliveryKey: Type.String(since("P3", "Per-tenant delivery key (pre-P3 signed inbound; kept for forward compatibility, unused).")),
    tenant: Type.String(since("P3", "Tenant id.")),
    gatewayId: gatewayId("The enrolled gateway id."),
  },
  sentBy("connector-to-gateway"),
);

export const ProvisionRequest = definition(
  "ProvisionRequest",
  "P3",
  "Body of `POST {base}/relay/provision` (self-provision at boot), one per fronted platform with the same `gatewayId`. Bearer: the caller identity token.",
  {
    gatewayId: gatewayId("Gateway id (`GATEWAY_RELAY_ID` or `gw-<hostname>`)."),
    platform: Type.String(since("P3", "Fronted platform.", { minLength: 1 })),
    botId: Type.String(since("P3", "Bot id for that platform.")),
    gatewayEndpoint: Type.String(since("P3", "Retired delivery target; `\"\"` when unset.")),
    routeKeys: Type.Array(Type.String({ minLength: 1 }), since("P3", "Route keys (`GATEWAY_RELAY_ROUTE_KEYS`).")),
    instanceId: Type.Optional(Type.String(since("V-mid", "Instance id; present only when set (never `\"\"`).", { minLength: 1 }))),
    wakeUrl: Type.Optional(Type.String(since("V-mid", "Wake URL the connector GETs (unsigned, payload-free) when a buffered-only instance gets its first buffered event; present only when set.", { minLength: 1, pattern: "^https?://" }))),
  },
  sentBy("gateway-to-connector"),
);

export const ProvisionResponse = definition(
  "ProvisionResponse",
  "P3",
  "Body of a provision answer. A replay may answer `secretIssued: false` without `secret`/`deliveryKey`: not an error, the gateway keeps its credentials. A body with neither `secret` nor `secretIssued: false` is malformed.",
  {
    secret: Type.Optional(Type.String(since("P3", "Upgrade secret.", { minLength: 1 }))),
    deliveryKey: Type.Optional(Type.String(since("P3", "Delivery key (unused since P3)."))),
    secretIssued: Type.Optional(Type.Boolean(since("V-late", "`false` on replays that issue no secret (connector F-004)."))),
    tenant: Type.String(since("P3", "Tenant id.")),
    gatewayId: gatewayId("The provisioned gateway id."),
    routeKeys: Type.Array(Type.String(), since("P3", "Route keys registered.")),
  },
  {
    ...sentBy("connector-to-gateway"),
    anyOf: [
      { description: "Credentials issued.", required: ["secret"] },
      { description: "A replay that issues none.", properties: { secretIssued: { const: false } }, required: ["secretIssued"] },
    ],
  },
);

export const RelayPolicyRequest = definition(
  "RelayPolicyRequest",
  "V-late",
  "Body of `POST {base}/relay/policy` (relevance policy, Phase 6), one per fronted platform. Bearer: the upgrade token. HTTP 200 means accepted.",
  {
    platform: Type.String(since("V-late", "Platform the policy applies to.", { minLength: 1 })),
    requireAddress: Type.Boolean(since("V-late", "Only messages addressing the bot are relevant.")),
    freeResponseScopes: Type.Array(Type.String(), since("V-late", "Scopes where the bot answers without being addressed.")),
    allowOtherBots: Type.Boolean(since("V-late", "Accept messages from other bots (Discord always sends false).")),
  },
  sentBy("gateway-to-connector"),
);

export const MediaUploadResponse = definition(
  "MediaUploadResponse",
  "V-late",
  "Answer of a media upload to `POST {base}/relay/media` (bearer: the upgrade token). (uncertain) The public sources only show that the gateway then sends `{base}/relay/media/{id}` as `source_url`; the contract fixes this body: `url` is that re-host URL.",
  {
    id: Type.String(since("V-late", "Media id.", { minLength: 1 })),
    url: Type.String(since("V-late", "Re-host URL `{base}/relay/media/{id}`.", { pattern: "^https?://" })),
    mime: Type.Optional(Type.String(since("V-late", "Stored MIME type."))),
    size: Type.Optional(Type.Integer(since("V-late", "Stored size in bytes.", { minimum: 0 }))),
  },
  sentBy("connector-to-gateway"),
);

export const HttpErrorBody = definition(
  "HttpErrorBody",
  "P3",
  "Error body of the relay HTTP endpoints.",
  { error: Type.String(since("P3", "What went wrong.")) },
  sentBy("connector-to-gateway"),
);
