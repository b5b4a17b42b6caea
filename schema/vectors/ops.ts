/** Test vectors for every `outbound` op: full frames, so the envelope is exercised too. */
import { mutate, VectorSet, type Vector } from "./define.js";

const REQ = "4f3c2a1b0e9d8c7b6a5f4e3d2c1b0a99";
const outbound = (action: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ type: "outbound", requestId: REQ, action, ...extra });
const META = { scope_id: "guild-42", user_id: "userX" };

export const SEND = outbound({ op: "send", chat_id: "chanA", content: "Here is the summary.", reply_to: null, metadata: META }, { platform: "discord", botId: "1122334455667788990" });

export function opVectors(): Vector[] {
  const sets: VectorSet[] = [];
  const op = (name: string) => {
    const set = new VectorSet(`op.${name}`, "OutboundFrame", name);
    sets.push(set);
    return set;
  };

  op("send")
    .valid("discord", "A send addressed to a fronted identity (platform + botId).", SEND)
    .valid("p3-minimal", "P3 send: no platform, reply_to null, no metadata.", outbound({ op: "send", chat_id: "42", content: "hi", reply_to: null }))
    .valid("reply-format-hints", "A reply with Slack metadata and format hints.", outbound({ op: "send", chat_id: "C1", content: "*done*", reply_to: "170.01", metadata: { thread_ts: "170.01", format_hints: { rich_blocks: true }, unfurl_links: false, scope_id: "T0001" } }, { platform: "slack" }))
    .invalid("missing-reply-to", "reply_to is always present (null for none).", SEND, { remove: ["/action/reply_to"] }, { path: "/action", keyword: "required" }, true)
    .valid("internal-marker", "A gateway-internal `_` metadata marker on the wire: edit, typing, prompt and send_media forward the caller's metadata as given; receivers ignore it.", mutate(SEND, { set: { "/action/metadata/_interim_send": true } }))
    .invalid("botid-without-platform", "botId is sent only with platform.", SEND, { remove: ["/platform"] }, { path: "", keyword: "required" }, true)
    .invalid("bad-request-id", "requestId is 32 lowercase hex characters.", SEND, { set: { "/requestId": "req-1" } }, { path: "/requestId", keyword: "pattern" }, true)
    .invalid("empty-chat-id", "chat_id is non-empty.", SEND, { set: { "/action/chat_id": "" } }, { path: "/action/chat_id", keyword: "minLength" }, true)
    .invalid("request-id-trailing-newline", "A trailing newline is not part of a requestId (Python's `$` would allow it; the patterns end with `(?!\\n)$`).", SEND, { set: { "/requestId": "4f3c2a1b0e9d8c7b6a5f4e3d2c1b0a99\n" } }, { path: "/requestId", keyword: "pattern" }, true);

  const edit = outbound({ op: "edit", chat_id: "chanA", message_id: "m-2002", content: "Here is the (edited) summary.", metadata: META });
  op("edit")
    .valid("basic", "Edit a sent message.", edit)
    .valid("no-metadata", "Metadata is optional.", outbound({ op: "edit", chat_id: "42", message_id: "17", content: "x" }))
    .invalid("missing-message-id", "message_id is required.", edit, { remove: ["/action/message_id"] }, { path: "/action", keyword: "required" })
    .invalid("content-null", "content is a string.", edit, { set: { "/action/content": null } }, { path: "/action/content", keyword: "type" })
    .invalid("unknown-field", "Strict: no unknown action fields.", edit, { set: { "/action/parse_mode": "html" } }, { path: "/action", keyword: "additionalProperties" }, true);

  const typing = outbound({ op: "typing", chat_id: "chanA", metadata: META });
  op("typing")
    .valid("indicator", "Default typing indicator (no content).", typing)
    .valid("slack-clear", "Explicit clear of a Slack assistant status.", outbound({ op: "typing", chat_id: "C1", content: "", metadata: { thread_ts: "170.01" } }, { platform: "slack" }))
    .invalid("missing-chat-id", "chat_id is required.", typing, { remove: ["/action/chat_id"] }, { path: "/action", keyword: "required" })
    .invalid("content-bool", "content is a string.", typing, { set: { "/action/content": true } }, { path: "/action/content", keyword: "type" })
    .invalid("unknown-op", "Not an op of contract_version 1 (receivers answer a structured failure).", typing, { set: { "/action/op": "typing_start" } }, { path: "/action/op", keyword: "enum" }, true);

  const followUp = outbound({ op: "follow_up", session_key: "agent:main:discord:group:chanA:userX", kind: "discord.interaction_token", content: "Done!", metadata: { profile: "work" } }, { platform: "discord" });
  op("follow_up")
    .valid("discord", "Reply through a Discord interaction token.", followUp)
    .valid("minimal", "No metadata.", outbound({ op: "follow_up", session_key: "agent:main:discord:dm:1", kind: "discord.interaction_token", content: "ok" }))
    .valid("kind-without-prefix", "A kind without a platform prefix: the gateway passes its caller's kind as given.", mutate(followUp, { set: { "/action/kind": "interaction_token" } }))
    .invalid("empty-kind", "kind is non-empty.", followUp, { set: { "/action/kind": "" } }, { path: "/action/kind", keyword: "minLength" }, true)
    .invalid("missing-session-key", "session_key is required.", followUp, { remove: ["/action/session_key"] }, { path: "/action", keyword: "required" })
    .invalid("chat-id-instead", "follow_up is addressed by session, not chat.", followUp, { set: { "/action/chat_id": "chanA" } }, { path: "/action", keyword: "additionalProperties" }, true);

  const chatInfo = outbound({ op: "get_chat_info", chat_id: "chanA" });
  op("get_chat_info")
    .valid("basic", "Look up a chat.", chatInfo)
    .valid("with-metadata", "With tenant metadata.", outbound({ op: "get_chat_info", chat_id: "chanA", metadata: META }, { platform: "discord" }))
    .invalid("missing-chat-id", "chat_id is required.", chatInfo, { remove: ["/action/chat_id"] }, { path: "/action", keyword: "required" })
    .invalid("chat-id-number", "chat_id is a string.", chatInfo, { set: { "/action/chat_id": 42 } }, { path: "/action/chat_id", keyword: "type" })
    .invalid("empty-platform", "platform is non-empty when present.", chatInfo, { set: { "/platform": "" } }, { path: "/platform", keyword: "minLength" }, true);

  const sendMedia = outbound({ op: "send_media", chat_id: "chanA", media_kind: "image", source_url: "https://connector.example/relay/media/abc123", content: "the chart", reply_to: null, filename: "chart.png", metadata: META });
  op("send_media")
    .valid("image", "An uploaded image re-host with a caption.", sendMedia)
    .valid("voice-public-url", "A public URL, no caption, no filename.", outbound({ op: "send_media", chat_id: "42", media_kind: "voice", source_url: "http://media.example/v.ogg", content: "" }))
    .invalid("local-path", "source_url is never a local path.", sendMedia, { set: { "/action/source_url": "/tmp/chart.png" } }, { path: "/action/source_url", keyword: "pattern" }, true)
    .invalid("bad-kind", "media_kind is image, voice, audio, video or document.", sendMedia, { set: { "/action/media_kind": "gif" } }, { path: "/action/media_kind", keyword: "enum" }, true)
    .invalid("missing-content", "content (caption) is sent, \"\" by default.", sendMedia, { remove: ["/action/content"] }, { path: "/action", keyword: "required" }, true);

  const prompt = outbound({
    op: "prompt",
    chat_id: "chanA",
    content: "Allow running `rm -rf build`?",
    prompt_kind: "approval",
    prompt_id: "a1b2c3.0f1e2d3c",
    options: [
      { id: "once", label: "Allow once", style: "primary" },
      { id: "session", label: "Allow for session" },
      { id: "always", label: "Always allow" },
      { id: "deny", label: "Deny", style: "danger" },
    ],
    reply_to: "m-1001",
    metadata: META,
  });
  op("prompt")
    .valid("approval", "Exec approval prompt.", prompt)
    .valid("clarify", "Clarify prompt with a timeout hint.", outbound({ op: "prompt", chat_id: "42", content: "Which one?", prompt_kind: "clarify", prompt_id: "0f1e2d3c", options: [{ id: "c0", label: "First" }, { id: "other", label: "Other…" }], timeout_s: 3600 }))
    .invalid("bad-prompt-id", "prompt_id matches [A-Za-z0-9_.-]{1,32} (it travels in the hp1 token).", prompt, { set: { "/action/prompt_id": "a1b2:c3" } }, { path: "/action/prompt_id", keyword: "pattern" }, true)
    .invalid("no-options", "A prompt has at least one option.", prompt, { set: { "/action/options": [] } }, { path: "/action/options", keyword: "minItems" }, true)
    .invalid("bad-style", "style is primary, success, danger or secondary.", prompt, { set: { "/action/options/0/style": "blue" } }, { path: "/action/options/0/style", keyword: "enum" }, true);

  const react = outbound({ op: "react", chat_id: "chanA", message_id: "m-1001", emoji: "👀", remove: false, metadata: META });
  op("react")
    .valid("add", "Add a reaction.", react)
    .valid("remove-whatsapp", "Remove (WhatsApp uses an empty emoji).", outbound({ op: "react", chat_id: "4912345", message_id: "wamid.1", emoji: "", remove: true }, { platform: "whatsapp" }))
    .invalid("missing-remove", "remove is always sent.", react, { remove: ["/action/remove"] }, { path: "/action", keyword: "required" }, true)
    .invalid("remove-string", "remove is a boolean.", react, { set: { "/action/remove": "false" } }, { path: "/action/remove", keyword: "type" })
    .invalid("empty-message-id", "message_id is non-empty.", react, { set: { "/action/message_id": "" } }, { path: "/action/message_id", keyword: "minLength" }, true);

  const threadCreate = outbound({ op: "thread_create", chat_id: "chanA", thread_name: "handoff", metadata: META });
  op("thread_create")
    .valid("handoff", "Create a handoff thread.", threadCreate)
    .valid("anchored", "With an anchor message (allowed by the docs).", outbound({ op: "thread_create", chat_id: "chanA", thread_name: "Build failure triage", message_id: "m-1001" }))
    .invalid("long-name", "thread_name is at most 100 characters.", threadCreate, { set: { "/action/thread_name": "n".repeat(101) } }, { path: "/action/thread_name", keyword: "maxLength" }, true)
    .invalid("empty-name", "thread_name is non-empty (gateways send `handoff` when empty).", threadCreate, { set: { "/action/thread_name": "" } }, { path: "/action/thread_name", keyword: "minLength" }, true)
    .invalid("missing-chat-id", "chat_id (the parent) is required.", threadCreate, { remove: ["/action/chat_id"] }, { path: "/action", keyword: "required" });

  const rename = outbound({ op: "thread_rename", chat_id: "chanA", message_id: "thr-9", thread_name: "Build failure triage", only_if_connector_created: true, metadata: META });
  op("thread_rename")
    .valid("connector-guard", "Rename guarded by connector ownership (preferred).", rename)
    .valid("legacy-guard", "Rename guarded by the current name (legacy).", outbound({ op: "thread_rename", chat_id: "chanA", message_id: "thr-9", thread_name: "Triage", only_if_current_name: "handoff" }))
    .valid("no-guard", "An unguarded rename: both guards default off in the gateway, and unguarded renames proceed.", mutate(rename, { remove: ["/action/only_if_connector_created"] }))
    .invalid("both-guards", "At most one guard: not both.", rename, { set: { "/action/only_if_current_name": "handoff" } }, { path: "/action", keyword: "not" }, true)
    .invalid("guard-number", "only_if_current_name is a string.", rename, { remove: ["/action/only_if_connector_created"], set: { "/action/only_if_current_name": 7 } }, { path: "/action/only_if_current_name", keyword: "type" })
    .invalid("guard-false", "only_if_connector_created is `true` when sent.", rename, { set: { "/action/only_if_connector_created": false } }, { path: "/action/only_if_connector_created", keyword: "const" });

  const del = outbound({ op: "delete", chat_id: "chanA", message_id: "m-2002", metadata: META });
  op("delete")
    .valid("basic", "Delete a message.", del)
    .valid("no-metadata", "Metadata is optional.", outbound({ op: "delete", chat_id: "42", message_id: "17" }))
    .invalid("missing-message-id", "message_id is required.", del, { remove: ["/action/message_id"] }, { path: "/action", keyword: "required" })
    .invalid("message-id-number", "message_id is a string.", del, { set: { "/action/message_id": 17 } }, { path: "/action/message_id", keyword: "type" })
    .invalid("metadata-array", "metadata is an object.", del, { set: { "/action/metadata": [] } }, { path: "/action/metadata", keyword: "type" });

  const draft = outbound({ op: "draft", chat_id: "C1", draft_id: 7, content: "Working on it…", final: false, metadata: { thread_ts: "170.01", format_hints: { markdown_blocks: true } } }, { platform: "slack" });
  op("draft")
    .valid("streaming", "A draft update.", draft)
    .valid("seal", "The final update seals the stream.", outbound({ op: "draft", chat_id: "C1", draft_id: 7, content: "Done.", final: true }, { platform: "slack" }))
    .invalid("draft-id-string", "draft_id is an integer.", draft, { set: { "/action/draft_id": "7" } }, { path: "/action/draft_id", keyword: "type" })
    .invalid("draft-id-fraction", "draft_id is an integer.", draft, { set: { "/action/draft_id": 7.5 } }, { path: "/action/draft_id", keyword: "type" })
    .invalid("missing-final", "final is required.", draft, { remove: ["/action/final"] }, { path: "/action", keyword: "required" });

  const card = outbound({ op: "task_card", chat_id: "C1", card_id: "turn:170.01", chunks: [{ title: "Read files", status: "done" }, { title: "Run tests", status: "running" }], metadata: { thread_ts: "170.01" } }, { platform: "slack" });
  op("task_card")
    .valid("running", "A task card with two tasks.", card)
    .valid("root-anchor", "A card with no anchor (`turn:root`) and no tasks yet.", outbound({ op: "task_card", chat_id: "C1", card_id: "turn:root", chunks: [] }))
    .invalid("bad-card-id", "card_id is `turn:<anchor>`.", card, { set: { "/action/card_id": "card-1" } }, { path: "/action/card_id", keyword: "pattern" }, true)
    .invalid("card-id-trailing-newline", "The anchor ends the string: no trailing newline.", card, { set: { "/action/card_id": "turn:170.01\n" } }, { path: "/action/card_id", keyword: "pattern" }, true)
    .invalid("chunks-object", "chunks is an array.", card, { set: { "/action/chunks": { title: "x" } } }, { path: "/action/chunks", keyword: "type" })
    .invalid("chunk-string", "Each chunk is an object.", card, { set: { "/action/chunks/0": "Read files" } }, { path: "/action/chunks/0", keyword: "type" });

  const stop = outbound({ op: "task_card_stop", chat_id: "C1", card_id: "turn:170.01" }, { platform: "slack" });
  op("task_card_stop")
    .valid("basic", "Stop a card.", stop)
    .valid("with-metadata", "With metadata.", outbound({ op: "task_card_stop", chat_id: "C1", card_id: "turn:root", metadata: { thread_ts: "170.01" } }))
    .invalid("missing-card-id", "card_id is required.", stop, { remove: ["/action/card_id"] }, { path: "/action", keyword: "required" })
    .invalid("bad-card-id", "card_id is `turn:<anchor>`.", stop, { set: { "/action/card_id": "turn:" } }, { path: "/action/card_id", keyword: "pattern" }, true)
    .invalid("chunks-on-stop", "Strict: stop carries no chunks.", stop, { set: { "/action/chunks": [] } }, { path: "/action", keyword: "additionalProperties" }, true);

  return sets.flatMap((s) => s.vectors);
}
