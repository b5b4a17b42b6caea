/**
 * Vectors for what the reference gateway legitimately sends or accepts, each read from its code
 * (named in the description). Gateway-produced values are valid (strict accepts them); values a
 * connector produces that the gateway tolerates are invalid for producers and accepted by
 * receivers (`tolerant: true`), some with invalid list entries a receiver drops.
 */
import { mutate, VectorSet, type Vector } from "./define.js";
import { CAPABILITIES, HELLO_DISCORD, INBOUND, OUTBOUND_RESULT } from "./frames.js";

const REQ = "0f9e8d7c6b5a49382716a5b4c3d2e1f0";
const outbound = (action: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ type: "outbound", requestId: REQ, action, ...extra });

export function fidelityFrameVectors(): Vector[] {
  const sets: VectorSet[] = [];
  const add = (prefix: string, definition: string, op?: string) => {
    const set = new VectorSet(`fidelity.${prefix}`, definition, op);
    sets.push(set);
    return set;
  };

  add("hello", "HelloFrame")
    .invalid(
      "plugin-command-name",
      "A plugin command appended by build_relay_command_manifest with an upper-case name: the connector drops that entry and answers the hello.",
      HELLO_DISCORD,
      { set: { "/command_manifest/1/name": "MyPlugin" } },
      { path: "/command_manifest/1/name", keyword: "pattern" },
      true,
    )
    .invalid(
      "plugin-command-description",
      "A plugin command with a 130-character description: the connector drops that entry and answers the hello.",
      HELLO_DISCORD,
      { set: { "/command_manifest/1/description": "d".repeat(130) } },
      { path: "/command_manifest/1/description", keyword: "maxLength" },
      true,
    );

  add("thread_rename", "OutboundFrame", "thread_rename").valid(
    "unguarded",
    "rename_thread defaults both guards off: an unguarded rename (the connector proceeds).",
    outbound({ op: "thread_rename", chat_id: "chan-1", message_id: "thread-9", thread_name: "Deploy review", metadata: { scope_id: "guild-1" } }, { platform: "discord" }),
  );
  add("edit", "OutboundFrame", "edit").valid(
    "stream-marker",
    "edit_message forwards the caller's metadata as given, `_stream_reply_to_message_id` included.",
    outbound({ op: "edit", chat_id: "chan-1", message_id: "m-1", content: "edited", metadata: { _stream_reply_to_message_id: "m-0", scope_id: "guild-1" } }),
  );
  const choices = Array.from({ length: 30 }, (_, i) => ({ id: `c${i}`, label: i === 3 ? "" : `choice ${i}` }));
  add("prompt", "OutboundFrame", "prompt").valid(
    "clarify-many-choices",
    "send_clarify: one option per choice (c0…c29, labels cut to 75 characters, one empty) plus `other`: 31 options.",
    outbound({ op: "prompt", chat_id: "chan-1", content: "❓ Which one?", prompt_kind: "clarify", prompt_id: "a1b2c3.0f1e2d3c", options: [...choices, { id: "other", label: "✏️ Other (type your answer)" }], reply_to: null, metadata: { _interim_send: true } }),
  );
  add("follow_up", "OutboundFrame", "follow_up").valid(
    "kind-without-dot",
    "send_follow_up passes its caller's kind as given; only a dotted kind tags the frame's platform.",
    outbound({ op: "follow_up", session_key: "agent:main:discord:group:chan-1", kind: "interaction_token", content: "done", metadata: {} }),
  );
  add("send_media", "OutboundFrame", "send_media").valid(
    "upper-case-scheme",
    "send_image passes its caller's URL as given (source_is_path false): the scheme's case varies.",
    outbound({ op: "send_media", chat_id: "chan-1", media_kind: "image", source_url: "HTTPS://cdn.example/cat.png", content: "", reply_to: null, metadata: {} }),
  );

  add("inbound", "InboundFrame")
    .valid("image-message-type", "message_type `image`: the reference contract says message_type reflects the first attachment's kind.", mutate(INBOUND, { set: { "/event/message_type": "image" } }))
    .invalid(
      "context-without-text",
      "_render_relay_context skips a context item without text; the message is delivered.",
      mutate(INBOUND, { set: { "/event/context": [{ text: "earlier", source: { user_name: "Ada" } }, { source: { user_name: "Bob" } }] } }),
      {},
      { path: "/event/context/1", keyword: "required" },
      true,
    )
    .invalid(
      "media-without-url",
      "_media_types_from_wire skips a media item without a usable url; the message is delivered.",
      mutate(INBOUND, { set: { "/event/media_urls": ["https://cdn.example/a.png"], "/event/media": [{ url: "https://cdn.example/a.png", mime: "image/png" }, { kind: "image", mime: "image/png" }] } }),
      {},
      { path: "/event/media/1", keyword: "required" },
      true,
    )
    .invalid("integer-buffer-id", "_on_inbound acks str(bufferId): an integer id is acked as its decimal string.", mutate(INBOUND, { set: { "/bufferId": 42 } }), {}, { path: "/bufferId", keyword: "type" }, true)
    .invalid("no-source", "_event_from_wire reads a missing source as {} (every field defaulted).", INBOUND, { remove: ["/event/source"] }, { path: "/event", keyword: "required" }, true);

  add("descriptor", "DescriptorFrame")
    .invalid("supported-ops-not-a-list", "CapabilityDescriptor.from_json turns supported_ops that is not a list into () (the legacy set).", { type: "descriptor", descriptor: CAPABILITIES }, { set: { "/descriptor/supported_ops": "send,edit" } }, { path: "/descriptor/supported_ops", keyword: "type" }, true)
    .invalid("max-length-garbage", "CapabilityDescriptor.from_json maps a max_message_length that is not an integer to 4096.", { type: "descriptor", descriptor: CAPABILITIES }, { set: { "/descriptor/max_message_length": "lots" } }, { path: "/descriptor/max_message_length", keyword: "type" }, true)
    .invalid("missing-label", "CapabilityDescriptor(**fields) needs every positional field: a descriptor without label breaks the handshake.", { type: "descriptor", descriptor: CAPABILITIES }, { remove: ["/descriptor/label"] }, { path: "/descriptor", keyword: "required" }, false);

  add("outbound_result", "OutboundResultFrame")
    .valid("other-code", "is_egress_decline compares code with egress_declined: any other code is an ordinary failure.", { type: "outbound_result", requestId: REQ, result: { success: false, error: "rate limited", code: "rate_limited" } })
    .invalid("failure-without-error", "_send_result reads error with .get(): a failure without error is accepted.", OUTBOUND_RESULT, { set: { "/result": { success: false } } }, { path: "/result", keyword: "required" }, true)
    .invalid("chat-info-defaults", "get_chat_info defaults a missing name to the chat id and a missing type to dm.", { type: "outbound_result", requestId: REQ, result: { success: true, chat_info: {} } }, {}, { path: "/result/chat_info", keyword: "required" }, true);

  add("frame", "RelayFrame").invalid(
    "unknown-type",
    "_handle_frame dispatches on a handler table: a type with no handler is ignored.",
    { type: "heartbeat", at: 1 },
    {},
    { path: "/type", keyword: "enum" },
    true,
  );
  return sets.flatMap((s) => s.vectors);
}

export function fidelityHttpVectors(): Vector[] {
  const sets: VectorSet[] = [];
  const add = (definition: string) => {
    const set = new VectorSet(`fidelity.http.${definition}`, definition);
    sets.push(set);
    return set;
  };
  add("EnrollResponse").invalid("only-secret", "_post_enroll reads only secret (and tenant, gatewayId, deliveryKey when present).", { secret: "s3cr3t" }, {}, { path: "", keyword: "required" }, true);
  add("ProvisionResponse").invalid("only-secret", "_post_provision reads only secret (and gatewayId, deliveryKey, tenant when present).", { secret: "s3cr3t" }, {}, { path: "", keyword: "required" }, true);
  add("MediaUploadResponse").valid("reference-shape", "RelayMediaClient.upload reads only id from the reference answer {id, size}.", { id: "9b2f0c1d", size: 48213 });
  add("HttpErrorBody").invalid("empty", "_post_enroll reads error with .get(): an empty error body is accepted.", {}, {}, { path: "", keyword: "required" }, true);
  return sets.flatMap((s) => s.vectors);
}
