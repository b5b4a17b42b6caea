/** HTTP bodies of the same contract: enroll, provision, relevance policy, media upload. */
import { Type } from "@sinclair/typebox";
import { definition, NULL_AS_ABSENT, sentBy, since } from "./annotations.js";
import { HTTP_URL_PATTERN } from "./outbound.js";

const gatewayId = (description: string, needed = false) =>
  Type.String(since("P3", description, { minLength: 1, ...(needed && { "x-receiver": "required" as const }) }));

export const EnrollRequest = definition(
  "EnrollRequest",
  "P3",
  "Body of `POST {base}/relay/enroll` (self-hosted enrolment). Bearer: the caller identity token. 401: identity rejected; 403: enrollment token invalid, expired, used, or tenant mismatch.",
  {
    enrollmentToken: Type.String(since("P3", "Single-use token minted by the connector.", { minLength: 1, "x-receiver": "required" })),
    gatewayId: gatewayId("Gateway id to enrol; default `gw-<hostname>`.", true),
  },
  sentBy("gateway-to-connector"),
);

export const EnrollResponse = definition(
  "EnrollResponse",
  "P3",
  "2xx body of enroll. A body without a non-empty `secret` is an error. The gateway reads only `secret`, and `tenant`, `gatewayId` and `deliveryKey` when present.",
  {
    secret: Type.String(since("P3", "Upgrade secret (HMAC key of the bearer token).", { minLength: 1, "x-receiver": "exact" })),
    deliveryKey: Type.String(since("P3", "Per-tenant delivery key (pre-P3 signed inbound; kept for forward compatibility, unused).")),
    tenant: Type.String(since("P3", "Tenant id.")),
    gatewayId: gatewayId("The enrolled gateway id."),
  },
  // gateway_enroll.py `cmd_gateway_enroll` reads the optional keys as `str(result.get(k) or "")`.
  { ...sentBy("connector-to-gateway"), ...NULL_AS_ABSENT },
);

export const ProvisionRequest = definition(
  "ProvisionRequest",
  "P3",
  "Body of `POST {base}/relay/provision` (self-provision at boot), one per fronted platform with the same `gatewayId`. Bearer: the caller identity token.",
  {
    gatewayId: gatewayId("Gateway id (`GATEWAY_RELAY_ID` or `gw-<hostname>`).", true),
    platform: Type.String(since("P3", "Fronted platform.", { minLength: 1, "x-receiver": "required" })),
    botId: Type.String(since("P3", "Bot id for that platform.")),
    gatewayEndpoint: Type.String(since("P3", "Retired delivery target; `\"\"` when unset.")),
    routeKeys: Type.Array(Type.String({ minLength: 1 }), since("P3", "Route keys (`GATEWAY_RELAY_ROUTE_KEYS`).")),
    instanceId: Type.Optional(Type.String(since("V-mid", "Instance id; present only when set (never `\"\"`).", { minLength: 1 }))),
    wakeUrl: Type.Optional(Type.String(since("V-mid", "Wake URL the connector GETs (unsigned, payload-free) when a buffered-only instance gets its first buffered event; present only when set.", { minLength: 1, pattern: HTTP_URL_PATTERN }))),
  },
  sentBy("gateway-to-connector"),
);

export const ProvisionResponse = definition(
  "ProvisionResponse",
  "P3",
  "Body of a provision answer. A replay may answer `secretIssued: false` without `secret`/`deliveryKey`: not an error, the gateway keeps its credentials. A body with neither `secret` nor `secretIssued: false` is malformed. The gateway reads only `secret`, and `gatewayId`, `deliveryKey` and `tenant` when present.",
  {
    secret: Type.Optional(Type.String(since("P3", "Upgrade secret.", { minLength: 1, "x-receiver": "exact" }))),
    deliveryKey: Type.Optional(Type.String(since("P3", "Delivery key (unused since P3)."))),
    secretIssued: Type.Optional(Type.Boolean(since("V-late", "`false` on a replay that issues no secret: the gateway keeps the credentials it has."))),
    tenant: Type.String(since("P3", "Tenant id.")),
    gatewayId: gatewayId("The provisioned gateway id."),
    routeKeys: Type.Array(Type.String(), since("P3", "Route keys registered.")),
  },
  {
    ...sentBy("connector-to-gateway"),
    ...NULL_AS_ABSENT,
    anyOf: [
      { description: "Credentials issued.", "x-receiver": "required", required: ["secret"] },
      { description: "A replay that issues none.", "x-receiver": "required", properties: { secretIssued: { const: false } }, required: ["secretIssued"] },
    ],
  },
);

export const RelayPolicyRequest = definition(
  "RelayPolicyRequest",
  "V-late",
  "Body of `POST {base}/relay/policy` (relevance policy, Phase 6), one per fronted platform. Bearer: the upgrade token. HTTP 200 means accepted.",
  {
    platform: Type.String(since("V-late", "Platform the policy applies to.", { minLength: 1, "x-receiver": "required" })),
    requireAddress: Type.Boolean(since("V-late", "Only messages addressing the bot are relevant.")),
    freeResponseScopes: Type.Array(Type.String(), since("V-late", "Scopes where the bot answers without being addressed.")),
    allowOtherBots: Type.Boolean(since("V-late", "Accept messages from other bots (Discord always sends false).")),
  },
  sentBy("gateway-to-connector"),
);

export const MediaUploadResponse = definition(
  "MediaUploadResponse",
  "V-late",
  "Answer of a media upload to `POST {base}/relay/media` (bearer: the upgrade token): `{id, size}` per the reference contract. The gateway reads only `id` and builds the reference `{base}/relay/media/{id}` itself.",
  {
    id: Type.String(since("V-late", "Media id.", { minLength: 1, "x-receiver": "exact" })),
    url: Type.Optional(Type.String(since("V-late", "Re-host URL `{base}/relay/media/{id}`; optional (the reference answer has no `url`, and the gateway builds it from `id`).", { pattern: HTTP_URL_PATTERN }))),
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
