/** Test vectors for every frame type (the ops are in ops.ts). */
import { mutate, VectorSet, type Vector } from "./define.js";

export const HELLO = { type: "hello", platform: "telegram", botId: "7012345678" };
export const HELLO_DISCORD = {
  type: "hello",
  platform: "discord",
  botId: "1122334455667788990",
  command_manifest: [
    {
      name: "model",
      description: "Switch the model",
      options: [{ type: 3, name: "name", description: "Model name", required: false, choices: [{ name: "fast", value: "fast" }] }],
    },
    { name: "stop", description: "Stop the running turn" },
  ],
};

export const CAPABILITIES = {
  contract_version: 1,
  platform: "discord",
  label: "Discord",
  max_message_length: 2000,
  supports_draft_streaming: false,
  supports_edit: true,
  supports_threads: true,
  markdown_dialect: "discord",
  len_unit: "chars",
  emoji: "🎮",
  platform_hint: "You are chatting on Discord.",
  pii_safe: false,
  supports_context: true,
  supports_block_formatting: false,
  supported_ops: ["send", "edit", "typing", "follow_up", "get_chat_info", "send_media", "prompt", "react", "thread_create", "thread_rename", "delete"],
};
export const DESCRIPTOR = { type: "descriptor", descriptor: CAPABILITIES };
const DESCRIPTOR_P3 = {
  type: "descriptor",
  descriptor: {
    contract_version: 1,
    platform: "telegram",
    label: "Telegram",
    max_message_length: 4096,
    supports_draft_streaming: false,
    supports_edit: true,
    supports_threads: false,
    markdown_dialect: "markdown_v2",
    len_unit: "utf16",
    media_capabilities: ["voice", "image_file"],
  },
};

export const SOURCE = {
  platform: "discord",
  chat_id: "chanA",
  chat_type: "group",
  chat_name: "general",
  user_id: "userX",
  user_name: "Ada",
  thread_id: null,
  chat_topic: null,
  scope_id: "guild-42",
  guild_id: "guild-42",
  message_id: "m-1001",
};
export const INBOUND = {
  type: "inbound",
  event: {
    text: "hello there, can you summarise the channel for me?",
    message_type: "text",
    message_id: "m-1001",
    reply_to_message_id: null,
    source: SOURCE,
  },
};
const INBOUND_RICH = {
  type: "inbound",
  bufferId: "1732700000000-0",
  event: {
    text: "/once",
    message_type: "command",
    message_id: "171.22",
    reply_to_message_id: "170.01",
    reply_to: { text: "Approve running `ls`?", author: "hermes", is_own: true },
    media_urls: ["https://connector.example/relay/media/abc123"],
    media: [{ url: "https://connector.example/relay/media/abc123", kind: "image", mime: "image/png", size: 2048, filename: "x.png" }],
    context: [{ text: "earlier message", source: { user_name: "Grace", user_id: "U2" } }],
    prompt_response: { prompt_id: "a1b2c3.0f1e2d3c", option_id: "once", label: "Allow once", prompt_message_id: "170.01" },
    source: {
      platform: "slack",
      chat_id: "C024BE91L",
      chat_type: "thread",
      chat_name: "ops",
      user_id: "U1",
      user_name: "ada",
      thread_id: "170.01",
      chat_topic: "Operations",
      scope_id: "T0001",
      parent_chat_id: "C024BE91L",
      profile: "work",
      user_display_name: "Ada L.",
    },
  },
};

export const PASSTHROUGH = {
  type: "passthrough_forward",
  forward: {
    platform: "discord",
    botId: "1122334455667788990",
    method: "POST",
    path: "/interactions/discord/appShared",
    headers: [
      ["content-type", "application/json"],
      ["x-signature-ed25519", "ab12"],
    ],
    bodyB64: "eyJ0eXBlIjozLCJkYXRhIjp7ImN1c3RvbV9pZCI6ImhwMTphMWIyYzMuMGYxZTJkM2M6b25jZSJ9fQ==",
  },
};

export const OUTBOUND_RESULT = { type: "outbound_result", requestId: "9f1c2d3e4b5a69788796a5b4c3d2e1f0", result: { success: true, message_id: "m-2002" } };

export function frameVectors(): Vector[] {
  const sets: VectorSet[] = [];
  const add = (set: VectorSet) => (sets.push(set), set);

  add(new VectorSet("hello", "HelloFrame"))
    .valid("minimal", "P3 hello: one identity.", HELLO)
    .valid("generic-relay", "No platform configured: the generic (`relay`, \"\") identity.", { type: "hello", platform: "relay", botId: "" })
    .valid("discord-manifest", "Discord hello with a command manifest (V-late).", HELLO_DISCORD)
    .invalid("missing-botId", "botId is required (it may be empty, not absent).", HELLO, { remove: ["/botId"] }, { path: "", keyword: "required" })
    .invalid("bad-command-name", "Command names follow Discord CHAT_INPUT naming.", HELLO_DISCORD, { set: { "/command_manifest/1/name": "Stop!" } }, { path: "/command_manifest/1/name", keyword: "pattern" }, true)
    .invalid("name-trailing-newline", "A command name ends the string: no trailing newline.", HELLO_DISCORD, { set: { "/command_manifest/1/name": "stop\n" } }, { path: "/command_manifest/1/name", keyword: "pattern" }, true)
    .invalid("long-description", "Command descriptions are at most 100 characters.", HELLO_DISCORD, { set: { "/command_manifest/0/description": "x".repeat(101) } }, { path: "/command_manifest/0/description", keyword: "maxLength" }, true)
    .invalid("unknown-field", "Strict: unknown properties are rejected; receivers ignore them.", HELLO, { set: { "/tenant": "t1" } }, { path: "", keyword: "additionalProperties" }, true);

  add(new VectorSet("descriptor", "DescriptorFrame"))
    .valid("discord", "A V-late descriptor with supported_ops.", DESCRIPTOR)
    .valid("p3-telegram", "A P3-era descriptor with media_capabilities (removed in V-late, still valid).", DESCRIPTOR_P3)
    .invalid("missing-len-unit", "len_unit is required.", DESCRIPTOR, { remove: ["/descriptor/len_unit"] }, { path: "/descriptor", keyword: "required" })
    .invalid("contract-version-string", "contract_version is an integer.", DESCRIPTOR, { set: { "/descriptor/contract_version": "1" } }, { path: "/descriptor/contract_version", keyword: "type" })
    .invalid("unknown-len-unit", "len_unit is chars or utf16; receivers treat other values as code points.", DESCRIPTOR, { set: { "/descriptor/len_unit": "bytes" } }, { path: "/descriptor/len_unit", keyword: "enum" }, true)
    .invalid("label-null", "label is a string; a receiver needs only its presence (descriptor.py from_json keeps any value).", DESCRIPTOR, { set: { "/descriptor/label": null } }, { path: "/descriptor/label", keyword: "type" }, true)
    .invalid("emoji-null", "emoji is a string; a receiver reads null as absent (the default).", DESCRIPTOR, { set: { "/descriptor/emoji": null } }, { path: "/descriptor/emoji", keyword: "type" }, true)
    .invalid("supports-context-null", "supports_context is a boolean; a receiver reads null as absent (false).", DESCRIPTOR, { set: { "/descriptor/supports_context": null } }, { path: "/descriptor/supports_context", keyword: "type" }, true)
    .invalid("supports-edit-null", "supports_edit is a boolean a receiver acts on: null is refused.", DESCRIPTOR, { set: { "/descriptor/supports_edit": null } }, { path: "/descriptor/supports_edit", keyword: "type" })
    .invalid("missing-label", "label must be present, whatever its value.", DESCRIPTOR, { remove: ["/descriptor/label"] }, { path: "/descriptor", keyword: "required" })
    .invalid("missing-descriptor", "The descriptor object is required.", DESCRIPTOR, { remove: ["/descriptor"] }, { path: "", keyword: "required" });

  add(new VectorSet("inbound", "InboundFrame"))
    .valid("live-discord", "A live Discord group message: no bufferId, scope_id present.", INBOUND)
    .valid("buffered-slack-rich", "A buffered replay (bufferId) with reply_to, media, context and a prompt_response.", INBOUND_RICH)
    .valid("dm-minimal", "A Telegram DM with only the always-sent source fields.", {
      type: "inbound",
      event: { text: "hi", message_type: "text", source: { platform: "telegram", chat_id: "42", chat_type: "dm", chat_name: null, user_id: "42", user_name: "ada", thread_id: null, chat_topic: null } },
    })
    .invalid("guild-id-only", "A Discord group source with only the legacy guild_id: scope_id is required for isolation.", INBOUND, { remove: ["/event/source/scope_id"] }, { path: "/event/source", keyword: "required" }, true)
    .invalid("bad-chat-type", "chat_type is one of dm, group, channel, thread, forum.", INBOUND, { set: { "/event/source/chat_type": "supergroup" } }, { path: "/event/source/chat_type", keyword: "enum" }, true)
    .valid("image-message-type", "`message_type: image`: the reference contract says message_type reflects the first attachment's kind (image/audio/document).", mutate(INBOUND, { set: { "/event/message_type": "image" } }))
    .invalid("empty-buffer-id", "bufferId is non-empty when present.", INBOUND, { set: { "/bufferId": "" } }, { path: "/bufferId", keyword: "minLength" }, true)
    .invalid("text-number", "text is a string.", INBOUND, { set: { "/event/text": 42 } }, { path: "/event/text", keyword: "type" })
    .invalid("bad-prompt-option-id", "prompt_response ids match [A-Za-z0-9_.-]{1,32}.", INBOUND_RICH, { set: { "/event/prompt_response/option_id": "once:now" } }, { path: "/event/prompt_response/option_id", keyword: "pattern" }, true);

  add(new VectorSet("interrupt", "InterruptFrame"))
    .valid("with-reason", "Stop with a reason.", { type: "interrupt", session_key: "agent:main:discord:group:chanA:userX", reason: "user pressed stop" })
    .valid("null-reason", "The reason key is always present; null when not given.", { type: "interrupt", session_key: "agent:main:telegram:dm:42", reason: null })
    .invalid("missing-reason", "reason must be present (null when not given).", { type: "interrupt", session_key: "agent:main:telegram:dm:42", reason: null }, { remove: ["/reason"] }, { path: "", keyword: "required" }, true)
    .invalid("empty-session-key", "session_key is non-empty.", { type: "interrupt", session_key: "agent:main:telegram:dm:42", reason: null }, { set: { "/session_key": "" } }, { path: "/session_key", keyword: "minLength" }, true)
    .invalid("reason-number", "reason is a string or null.", { type: "interrupt", session_key: "agent:main:telegram:dm:42", reason: null }, { set: { "/reason": 5 } }, { path: "/reason", keyword: "type" });

  const interruptInbound = { type: "interrupt_inbound", session_key: "agent:main:discord:group:chanA:userX", chat_id: "chanA" };
  add(new VectorSet("interrupt_inbound", "InterruptInboundFrame"))
    .valid("basic", "Interrupt routed to the gateway running the session.", interruptInbound)
    .valid("empty-chat", "chat_id may be empty.", { ...interruptInbound, chat_id: "" })
    .invalid("missing-chat-id", "Producers send chat_id; receivers default it to \"\".", interruptInbound, { remove: ["/chat_id"] }, { path: "", keyword: "required" }, true)
    .invalid("chat-id-number", "chat_id is a string.", interruptInbound, { set: { "/chat_id": 7 } }, { path: "/chat_id", keyword: "type" })
    .invalid("unknown-field", "Strict: no reason field on interrupt_inbound.", interruptInbound, { set: { "/reason": "x" } }, { path: "", keyword: "additionalProperties" }, true);

  add(new VectorSet("outbound_result", "OutboundResultFrame"))
    .valid("send-ok", "A successful send.", OUTBOUND_RESULT)
    .valid("egress-declined", "A structured egress decline.", {
      type: "outbound_result",
      requestId: "0123456789abcdef0123456789abcdef",
      result: { success: false, code: "egress_declined", error: "discord egress declined: target is not an approved destination for this connection" },
    })
    .valid("chat-info", "get_chat_info answer.", { type: "outbound_result", requestId: "00000000000000000000000000000001", result: { success: true, chat_info: { name: "general", type: "group" } } })
    .invalid("failure-without-error", "A failure names its error.", OUTBOUND_RESULT, { set: { "/result/success": false }, remove: ["/result/message_id"] }, { path: "/result", keyword: "required" }, true)
    .invalid("declined-but-success", "egress_declined is a failure.", OUTBOUND_RESULT, { set: { "/result/code": "egress_declined" } }, { path: "/result/success", keyword: "const" }, true)
    .invalid("uppercase-request-id", "requestId is uuid4().hex: lowercase.", OUTBOUND_RESULT, { set: { "/requestId": "9F1C2D3E4B5A69788796A5B4C3D2E1F0" } }, { path: "/requestId", keyword: "pattern" }, true)
    .invalid("ambiguous-on-wire", "`ambiguous` is synthesised locally by gateways, never sent.", OUTBOUND_RESULT, { set: { "/result/ambiguous": true } }, { path: "/result", keyword: "additionalProperties" }, true)
    .invalid("missing-result", "result is required of producers; receivers treat it as {}.", OUTBOUND_RESULT, { remove: ["/result"] }, { path: "", keyword: "required" }, true);

  add(new VectorSet("passthrough_forward", "PassthroughForwardFrame"))
    .valid("discord-component", "A Discord component press (hp1 token) forwarded live.", PASSTHROUGH)
    .valid("buffered-with-profile", "A buffered forward with a multiplex profile.", { ...PASSTHROUGH, bufferId: "1732700000001-0", forward: { ...PASSTHROUGH.forward, profile: "work", headers: [], bodyB64: "" } })
    .invalid("header-triple", "Headers are [name, value] pairs.", PASSTHROUGH, { set: { "/forward/headers/1": ["a", "b", "c"] } }, { path: "/forward/headers/1", keyword: "maxItems" }, true)
    .invalid("body-not-base64", "bodyB64 is standard base64.", PASSTHROUGH, { set: { "/forward/bodyB64": "not base64!" } }, { path: "/forward/bodyB64", keyword: "pattern" }, true)
    .invalid("lowercase-method", "method is the uppercase HTTP method.", PASSTHROUGH, { set: { "/forward/method": "post" } }, { path: "/forward/method", keyword: "pattern" }, true)
    .invalid("missing-path", "path is required.", PASSTHROUGH, { remove: ["/forward/path"] }, { path: "/forward", keyword: "required" }, true);

  add(new VectorSet("going_idle", "GoingIdleFrame"))
    .valid("basic", "Flip to buffered-only.", { type: "going_idle" })
    .valid("basic-again", "The frame has no other fields; the same frame again (idempotent request).", { type: "going_idle" })
    .invalid("with-instance", "Keyed on the authenticated connection, never on a frame field.", { type: "going_idle" }, { set: { "/instanceId": "i-1" } }, { path: "", keyword: "additionalProperties" }, true)
    .invalid("wrong-type", "type must be going_idle.", { type: "going_idle" }, { set: { "/type": "going-idle" } }, { path: "/type", keyword: "const" })
    .invalid("type-number", "type is a string.", { type: "going_idle" }, { set: { "/type": 1 } }, { path: "/type", keyword: "type" });

  add(new VectorSet("going_idle_ack", "GoingIdleAckFrame"))
    .valid("basic", "Flip confirmed.", { type: "going_idle_ack" })
    .valid("basic-again", "The same frame: acks carry no correlation.", { type: "going_idle_ack" })
    .invalid("with-field", "No other fields.", { type: "going_idle_ack" }, { set: { "/ok": true } }, { path: "", keyword: "additionalProperties" }, true)
    .invalid("wrong-type", "type must be going_idle_ack.", { type: "going_idle_ack" }, { set: { "/type": "going_idle" } }, { path: "/type", keyword: "const" })
    .invalid("not-object", "A frame is an object.", { type: "going_idle_ack" }, { set: {} }, { path: "", keyword: "type" });

  add(new VectorSet("inbound_ack", "InboundAckFrame"))
    .valid("stream-id", "Ack of a Redis-stream entry id.", { type: "inbound_ack", bufferId: "1732700000000-0" })
    .valid("opaque", "bufferId is opaque.", { type: "inbound_ack", bufferId: "delivery:gw-1:000042" })
    .invalid("missing-buffer-id", "bufferId is required.", { type: "inbound_ack", bufferId: "x" }, { remove: ["/bufferId"] }, { path: "", keyword: "required" })
    .invalid("number-buffer-id", "bufferId is a string (gateways stringify it).", { type: "inbound_ack", bufferId: "x" }, { set: { "/bufferId": 42 } }, { path: "/bufferId", keyword: "type" })
    .invalid("too-long", "bufferId is at most 256 characters.", { type: "inbound_ack", bufferId: "x" }, { set: { "/bufferId": "b".repeat(257) } }, { path: "/bufferId", keyword: "maxLength" }, true);

  const vectors = sets.flatMap((s) => s.vectors);
  // `not-object` replaces the whole value: a frame that is an array.
  const notObject = vectors.find((v) => v.id === "going_idle_ack.invalid.not-object");
  if (notObject) notObject.value = ["going_idle_ack"];
  return vectors;
}
