/**
 * Frames and HTTP bodies a connector may send that the reference gateway's code takes: every
 * frame type it handles, including values it defaults, coerces or skips entry by entry.
 */
import type { CorpusEntry } from "./reference.js";

const T = "gateway/relay/ws_transport.py" as const;
const D = "gateway/relay/descriptor.py" as const;
const RID = "5d41402abc4b2a76b9719d911017c592";
const SOURCE = { platform: "discord", chat_id: "chan-1", chat_type: "group", chat_name: "general", user_id: "user-1", user_name: "Ada", thread_id: null, chat_topic: null, scope_id: "guild-1" };
const DESCRIPTOR = {
  contract_version: 1,
  platform: "discord",
  label: "Discord",
  max_message_length: 2000,
  supports_draft_streaming: false,
  supports_edit: true,
  supports_threads: true,
  markdown_dialect: "discord",
  len_unit: "chars",
};

export const GATEWAY_ACCEPTED: CorpusEntry[] = [
  // ── descriptor: CapabilityDescriptor.from_json (unknown keys ignored, missing optionals defaulted) ──
  { id: "descriptor-minimal", kind: "accepted", cite: { file: D, function: "CapabilityDescriptor.from_json" }, frame: { type: "descriptor", descriptor: DESCRIPTOR } },
  { id: "descriptor-unknown-keys", kind: "accepted", cite: { file: D, function: "CapabilityDescriptor.from_json (unknown keys ignored)" }, frame: { type: "descriptor", descriptor: { ...DESCRIPTOR, voice_channels: true, supported_ops: ["send", "edit", "typing", "follow_up", "thread_rename"] }, session: "x" } },
  { id: "descriptor-zero-length", kind: "accepted", cite: { file: D, function: "CapabilityDescriptor.from_json (≤ 0 → 4096)" }, frame: { type: "descriptor", descriptor: { ...DESCRIPTOR, max_message_length: 0 } } },
  { id: "descriptor-garbage-length", kind: "accepted", cite: { file: D, function: "CapabilityDescriptor.from_json (not an int → 4096)" }, frame: { type: "descriptor", descriptor: { ...DESCRIPTOR, max_message_length: "lots", len_unit: "bytes" } } },
  { id: "descriptor-ops-not-a-list", kind: "accepted", cite: { file: D, function: "CapabilityDescriptor.from_json (supported_ops not a list → ())" }, frame: { type: "descriptor", descriptor: { ...DESCRIPTOR, supported_ops: "send,edit" } }, dropped: ["/descriptor/supported_ops"] },
  { id: "descriptor-ops-bad-entries", kind: "accepted", cite: { file: D, function: "CapabilityDescriptor.from_json (non-string and empty ops dropped)" }, frame: { type: "descriptor", descriptor: { ...DESCRIPTOR, supported_ops: ["send", "", 7, "draft"] } }, dropped: ["/descriptor/supported_ops/1", "/descriptor/supported_ops/2"] },
  // ── inbound: _event_from_wire, _media_types_from_wire, _render_relay_context, _on_inbound ──
  { id: "inbound-full", kind: "accepted", cite: { file: T, function: "_event_from_wire" }, frame: { type: "inbound", event: { text: "hi", message_type: "text", message_id: "m-1", reply_to_message_id: null, reply_to: { text: "earlier", author: "Bob", is_own: false }, source: { ...SOURCE, profile: "work", auto_thread_created: true, auto_thread_initial_name: "handoff", prospective_thread_id: "th-2", user_display_name: "Ada L." } } } },
  { id: "inbound-minimal-event", kind: "accepted", cite: { file: T, function: "_event_from_wire (every field .get() with a default)" }, frame: { type: "inbound", event: {} } },
  { id: "inbound-image-type", kind: "accepted", cite: { file: "website/docs/developer-guide/relay-connector-contract.md", function: "§4 Inbound media: message_type reflects the first attachment's kind" }, frame: { type: "inbound", event: { text: "", message_type: "image", media_urls: ["https://cdn.example/a.png"], media: [{ url: "https://cdn.example/a.png", kind: "image", mime: "image/png", size: 2048 }], source: SOURCE } } },
  { id: "inbound-unknown-types", kind: "accepted", cite: { file: T, function: "_event_from_wire (unknown platform → relay, message type → text)" }, frame: { type: "inbound", event: { text: "hi", message_type: "reaction", source: { ...SOURCE, platform: "irc", chat_type: "room" } } } },
  { id: "inbound-media-without-url", kind: "accepted", cite: { file: T, function: "_media_types_from_wire (items without a usable url skipped)" }, frame: { type: "inbound", event: { text: "", media_urls: ["https://cdn.example/a.png"], media: [{ url: "https://cdn.example/a.png", mime: "image/png" }, { kind: "image" }, { url: "" }], source: SOURCE } }, dropped: ["/event/media/1", "/event/media/2"] },
  { id: "inbound-bad-media-urls", kind: "accepted", cite: { file: "gateway/relay/adapter.py", function: "RelayAdapter._localize_inbound_media (non-string or empty urls skipped)" }, frame: { type: "inbound", event: { text: "", media_urls: ["https://cdn.example/a.png", 3, ""], source: SOURCE } }, dropped: ["/event/media_urls/1", "/event/media_urls/2"] },
  { id: "inbound-context-without-text", kind: "accepted", cite: { file: T, function: "_render_relay_context (items without text skipped)" }, frame: { type: "inbound", event: { text: "what do you think?", context: [{ text: "earlier", source: { user_name: "Grace" } }, { source: { user_id: "U3" } }, { text: "" }, "stray"], context_error: false, source: SOURCE } }, dropped: ["/event/context/1", "/event/context/2", "/event/context/3"] },
  { id: "inbound-prompt-response", kind: "accepted", cite: { file: "gateway/relay/prompt_surface.py", function: "RelayPromptMixin._consume_prompt_response" }, frame: { type: "inbound", bufferId: "1732700000000-0", event: { text: "/c0", message_type: "command", prompt_response: { prompt_id: "a1b2c3.0f1e2d3c", option_id: "c0", label: "", prompt_message_id: "m-9" }, source: SOURCE } } },
  { id: "inbound-integer-buffer-id", kind: "accepted", cite: { file: T, function: "WebSocketRelayTransport._on_inbound (acks str(bufferId))" }, frame: { type: "inbound", bufferId: 42, event: { text: "hi", source: SOURCE } } },
  { id: "inbound-guild-id-only", kind: "accepted", cite: { file: T, function: "_event_from_wire (scope_id read, guild_id ignored)" }, frame: { type: "inbound", event: { text: "hi", source: { platform: "discord", chat_id: "chan-1", chat_type: "group", chat_name: "general", user_id: "user-1", user_name: "Ada", thread_id: null, chat_topic: null, guild_id: "guild-1" } } } },
  // ── outbound_result: _on_outbound_result, _send_result, get_chat_info, is_egress_decline ──
  { id: "result-success", kind: "accepted", cite: { file: T, function: "WebSocketRelayTransport._on_outbound_result" }, frame: { type: "outbound_result", requestId: RID, result: { success: true, message_id: "m-2", thread_id: "th-2", auto_thread_name: "handoff" } } },
  { id: "result-failure-without-error", kind: "accepted", cite: { file: "gateway/relay/adapter.py", function: "_send_result (error read with .get())" }, frame: { type: "outbound_result", requestId: RID, result: { success: false } } },
  { id: "result-missing", kind: "accepted", cite: { file: T, function: "WebSocketRelayTransport._on_outbound_result (frame.get('result', {}))" }, frame: { type: "outbound_result", requestId: RID } },
  { id: "result-other-code", kind: "accepted", cite: { file: "gateway/relay/egress.py", function: "is_egress_decline (code compared with egress_declined)" }, frame: { type: "outbound_result", requestId: RID, result: { success: false, error: "slow down", code: "rate_limited", retryable: true, retry_after: 1.5 } } },
  { id: "result-decline", kind: "accepted", cite: { file: "gateway/relay/egress.py", function: "is_egress_decline" }, frame: { type: "outbound_result", requestId: RID, result: { success: false, error: "discord egress declined: target is not an approved destination for this connection", code: "egress_declined" } } },
  { id: "result-chat-info-defaults", kind: "accepted", cite: { file: T, function: "WebSocketRelayTransport.get_chat_info (name → chat id, type → dm)" }, frame: { type: "outbound_result", requestId: RID, result: { success: true, chat_info: {} } } },
  { id: "result-chat-info-top-level", kind: "accepted", cite: { file: T, function: "WebSocketRelayTransport.get_chat_info (result used when chat_info absent)" }, frame: { type: "outbound_result", requestId: RID, result: { success: true, name: "general" } } },
  { id: "result-unknown-request", kind: "accepted", cite: { file: T, function: "WebSocketRelayTransport._on_outbound_result (unknown ids ignored)" }, frame: { type: "outbound_result", requestId: "req-from-elsewhere", result: { success: true } } },
  // ── the other connector frames ──
  { id: "interrupt-inbound", kind: "accepted", cite: { file: T, function: "WebSocketRelayTransport._on_interrupt_inbound" }, frame: { type: "interrupt_inbound", session_key: "agent:main:discord:group:chan-1:user-1", chat_id: "chan-1" } },
  { id: "interrupt-inbound-defaults", kind: "accepted", cite: { file: T, function: "WebSocketRelayTransport._on_interrupt_inbound (.get(…, ''))" }, frame: { type: "interrupt_inbound" } },
  { id: "passthrough", kind: "accepted", cite: { file: T, function: "_passthrough_from_wire" }, frame: { type: "passthrough_forward", bufferId: "pt-1", forward: { platform: "discord", botId: "1122334455667788990", method: "POST", path: "/interactions/discord/appShared", headers: [["content-type", "application/json"]], bodyB64: "e30=", profile: "work" } } },
  { id: "passthrough-loose", kind: "accepted", cite: { file: T, function: "_passthrough_from_wire (non-pairs dropped, undecodable body → b'')" }, frame: { type: "passthrough_forward", forward: { platform: "twilio", botId: "", method: "post", path: "sms", headers: [["a", "1"], ["b"], ["c", "2", "3"]], bodyB64: "%%%" } }, dropped: ["/forward/headers/1", "/forward/headers/2"] },
  { id: "passthrough-no-forward", kind: "accepted", cite: { file: T, function: "WebSocketRelayTransport._on_passthrough_forward (frame.get('forward', {}))" }, frame: { type: "passthrough_forward" } },
  { id: "going-idle-ack", kind: "accepted", cite: { file: T, function: "WebSocketRelayTransport._on_going_idle_ack" }, frame: { type: "going_idle_ack" } },
  { id: "unknown-type", kind: "accepted", cite: { file: T, function: "WebSocketRelayTransport._handle_frame (no handler: ignored)" }, frame: { type: "heartbeat", at: 1 } },
  { id: "echoed-hello", kind: "accepted", cite: { file: T, function: "WebSocketRelayTransport._handle_frame (gateway types echoed back are ignored)" }, frame: { type: "hello", platform: "discord", botId: "1" } },
  // ── HTTP answers the gateway reads ──
  { id: "enroll-only-secret", kind: "accepted", cite: { file: "hermes_cli/gateway_enroll.py", function: "_post_enroll / cmd_gateway_enroll (only secret required)" }, http: { definition: "EnrollResponse", body: { secret: "s3cr3t" } } },
  { id: "provision-only-secret", kind: "accepted", cite: { file: "gateway/relay/__init__.py", function: "_post_provision / self_provision_relay (only secret required)" }, http: { definition: "ProvisionResponse", body: { secret: "s3cr3t" } } },
  { id: "provision-full", kind: "accepted", cite: { file: "gateway/relay/__init__.py", function: "_post_provision" }, http: { definition: "ProvisionResponse", body: { secret: "s3cr3t", deliveryKey: "dk", tenant: "t-1", gatewayId: "gw-build-01", routeKeys: [] } } },
  { id: "media-upload-reference", kind: "accepted", cite: { file: "gateway/relay/media.py", function: "RelayMediaClient.upload (reads id)" }, http: { definition: "MediaUploadResponse", body: { id: "9b2f0c1d", size: 48213 } } },
  { id: "http-error-empty", kind: "accepted", cite: { file: "hermes_cli/gateway_enroll.py", function: "_post_enroll (error detail read with .get())" }, http: { definition: "HttpErrorBody", body: {} } },
];
