/** Test vectors for the HTTP bodies of the contract. */
import { VectorSet, type Vector } from "./define.js";

export function httpVectors(): Vector[] {
  const sets: VectorSet[] = [];
  const body = (name: string) => {
    const set = new VectorSet(`http.${name}`, name);
    sets.push(set);
    return set;
  };
  const enroll = { enrollmentToken: "enr_9f8e7d6c", gatewayId: "gw-hermes" };
  body("EnrollRequest")
    .valid("basic", "Enrol with a single-use token.", enroll)
    .valid("host-id", "Default id gw-<hostname>.", { enrollmentToken: "x", gatewayId: "gw-build-01" })
    .invalid("missing-token", "enrollmentToken is required.", enroll, { remove: ["/enrollmentToken"] }, { path: "", keyword: "required" })
    .invalid("empty-gateway-id", "gatewayId is non-empty.", enroll, { set: { "/gatewayId": "" } }, { path: "/gatewayId", keyword: "minLength" }, true)
    .invalid("unknown-field", "Strict body.", enroll, { set: { "/tenant": "t" } }, { path: "", keyword: "additionalProperties" }, true);

  const enrolled = { secret: "s3cr3t", deliveryKey: "dk", tenant: "tenant-1", gatewayId: "gw-hermes" };
  body("EnrollResponse")
    .valid("basic", "Credentials issued.", enrolled)
    .valid("empty-delivery-key", "deliveryKey may be empty (unused since P3).", { ...enrolled, deliveryKey: "" })
    .invalid("no-secret", "A body without secret is an error.", enrolled, { remove: ["/secret"] }, { path: "", keyword: "required" })
    .invalid("empty-secret", "secret is non-empty.", enrolled, { set: { "/secret": "" } }, { path: "/secret", keyword: "minLength" })
    .invalid("tenant-number", "tenant is a string.", enrolled, { set: { "/tenant": 1 } }, { path: "/tenant", keyword: "type" })
    .invalid("tenant-null", "tenant is a string; a receiver reads null as absent (gateway_enroll.py: str(result.get(\"tenant\") or \"\")).", enrolled, { set: { "/tenant": null } }, { path: "/tenant", keyword: "type" }, true)
    .invalid("gateway-id-null", "gatewayId is a string; a receiver reads null as absent.", enrolled, { set: { "/gatewayId": null } }, { path: "/gatewayId", keyword: "type" }, true)
    .invalid("secret-null", "secret is what the receiver needs: null is refused.", enrolled, { set: { "/secret": null } }, { path: "/secret", keyword: "type" });

  const provision = { gatewayId: "gw-hermes", platform: "discord", botId: "1122334455667788990", gatewayEndpoint: "", routeKeys: ["discord:1122334455667788990"] };
  body("ProvisionRequest")
    .valid("basic", "Self-provision one platform.", provision)
    .valid("with-instance-and-wake", "instanceId and wakeUrl only when set.", { ...provision, instanceId: "inst-7", wakeUrl: "https://gw.example/wake" })
    .invalid("empty-instance-id", "instanceId is absent rather than \"\".", provision, { set: { "/instanceId": "" } }, { path: "/instanceId", keyword: "minLength" }, true)
    .invalid("missing-route-keys", "routeKeys is required.", provision, { remove: ["/routeKeys"] }, { path: "", keyword: "required" }, true)
    .invalid("route-keys-string", "routeKeys is an array.", provision, { set: { "/routeKeys": "discord" } }, { path: "/routeKeys", keyword: "type" });

  const provisioned = { secret: "s3cr3t", deliveryKey: "dk", tenant: "tenant-1", gatewayId: "gw-hermes", routeKeys: ["discord:1"] };
  body("ProvisionResponse")
    .valid("issued", "Credentials issued.", provisioned)
    .valid("replay-not-issued", "A replay issues no secret: not an error.", { secretIssued: false, tenant: "tenant-1", gatewayId: "gw-hermes", routeKeys: ["discord:1"] })
    .invalid("neither", "Neither secret nor secretIssued: malformed (\"no secret\").", provisioned, { remove: ["/secret", "/deliveryKey"] }, { path: "", keyword: "anyOf" })
    .invalid("missing-tenant", "tenant is required.", provisioned, { remove: ["/tenant"] }, { path: "", keyword: "required" }, true)
    .invalid("secret-null", "secret is what the receiver needs: null is no secret, refused.", provisioned, { set: { "/secret": null } }, { path: "/secret", keyword: "type" })
    .invalid("tenant-null", "tenant is a string; a receiver reads null as absent.", provisioned, { set: { "/tenant": null } }, { path: "/tenant", keyword: "type" }, true)
    .invalid("issued-string", "secretIssued is a boolean.", provisioned, { set: { "/secretIssued": "false" } }, { path: "/secretIssued", keyword: "type" });

  const policy = { platform: "discord", requireAddress: true, freeResponseScopes: ["chanA"], allowOtherBots: false };
  body("RelayPolicyRequest")
    .valid("discord", "Discord policy.", policy)
    .valid("slack-defaults", "All-default projection.", { platform: "slack", requireAddress: false, freeResponseScopes: [], allowOtherBots: false })
    .invalid("missing-allow-other-bots", "allowOtherBots is required.", policy, { remove: ["/allowOtherBots"] }, { path: "", keyword: "required" }, true)
    .invalid("scopes-string", "freeResponseScopes is an array.", policy, { set: { "/freeResponseScopes": "chanA" } }, { path: "/freeResponseScopes", keyword: "type" })
    .invalid("require-address-string", "requireAddress is a boolean.", policy, { set: { "/requireAddress": "yes" } }, { path: "/requireAddress", keyword: "type" });

  const media = { id: "abc123", url: "https://connector.example/relay/media/abc123", mime: "image/png", size: 2048 };
  body("MediaUploadResponse")
    .valid("basic", "An uploaded image.", media)
    .valid("minimal", "Only id and url.", { id: "m1", url: "http://127.0.0.1:8080/relay/media/m1" })
    .invalid("relative-url", "url is absolute http(s).", media, { set: { "/url": "/relay/media/abc123" } }, { path: "/url", keyword: "pattern" }, true)
    .invalid("negative-size", "size is ≥ 0.", media, { set: { "/size": -1 } }, { path: "/size", keyword: "minimum" }, true)
    .invalid("missing-id", "id is required.", media, { remove: ["/id"] }, { path: "", keyword: "required" });

  body("HttpErrorBody")
    .valid("forbidden", "403 body.", { error: "enrollment token already used" })
    .valid("empty", "An empty message is still a body.", { error: "" })
    .invalid("missing-error", "error is required.", { error: "x" }, { remove: ["/error"] }, { path: "", keyword: "required" }, true)
    .invalid("error-object", "error is a string.", { error: "x" }, { set: { "/error": { message: "x" } } }, { path: "/error", keyword: "type" })
    .invalid("extra", "Strict body.", { error: "x" }, { set: { "/code": 403 } }, { path: "", keyword: "additionalProperties" }, true);

  return sets.flatMap((s) => s.vectors);
}
