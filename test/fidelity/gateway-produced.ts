/**
 * Frames and HTTP bodies the reference gateway's code builds, one per code path: every frame type
 * it emits and every outbound op, with the variations its code allows.
 */
import type { CorpusEntry } from "./reference.js";

const RID = "5d41402abc4b2a76b9719d911017c592"; // uuid4().hex shape (_request_response)
const out = (action: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ type: "outbound", requestId: RID, action, ...extra });
const A = "gateway/relay/adapter.py" as const;
const T = "gateway/relay/ws_transport.py" as const;
const P = "gateway/relay/prompt_surface.py" as const;
// _with_scope: tenant discriminators learned from inbound, re-attached to every chat-addressed frame.
const SCOPE = { scope_id: "guild-1", user_id: "user-1" };

export const GATEWAY_PRODUCED: CorpusEntry[] = [
  // ── hello (one per identity; command_manifest only on the discord hello) ──
  { id: "hello-relay-default", kind: "produced", cite: { file: "gateway/relay/__init__.py", function: "relay_platform_identities" }, frame: { type: "hello", platform: "relay", botId: "" } },
  { id: "hello-telegram", kind: "produced", cite: { file: T, function: "WebSocketRelayTransport._dial_and_start" }, frame: { type: "hello", platform: "telegram", botId: "7012345678" } },
  {
    id: "hello-discord-manifest",
    kind: "produced",
    cite: { file: "gateway/relay/command_manifest.py", function: "build_relay_command_manifest" },
    frame: {
      type: "hello",
      platform: "discord",
      botId: "1122334455667788990",
      command_manifest: [
        { name: "new", description: "Start a new conversation" },
        { name: "reasoning", description: "Show/change reasoning effort, or toggle showing it", options: [{ type: 3, name: "effort", description: "Level, reset, or show/hide. Leave empty to see current.", required: false, choices: [{ name: "low", value: "low" }, { name: "high", value: "high" }] }] },
        { name: "disk-cleanup", description: "Track and clean up ephemeral Hermes session files", options: [{ type: 1, name: "track", description: "Manually add a path to tracking", options: [{ type: 3, name: "path", description: "File or directory path to track", required: false }] }] },
        { name: "reload-mcp", description: "Reload MCP servers from config" },
      ],
    },
  },
  // ── outbound, every op ──
  { id: "send", kind: "produced", cite: { file: A, function: "RelayAdapter.send" }, frame: out({ op: "send", chat_id: "chan-1", content: "Here you go.", reply_to: "m-1", metadata: { ...SCOPE, thread_id: "th-1" } }, { platform: "discord", botId: "1122334455667788990" }) },
  { id: "send-for-platform", kind: "produced", cite: { file: A, function: "RelayAdapter.send_for_platform" }, frame: out({ op: "send", chat_id: "C1", content: "Daily brief", reply_to: null, metadata: { format_hints: { rich_blocks: true, markdown_blocks: true }, unfurl_links: false } }, { platform: "slack" }) },
  { id: "edit-with-stream-marker", kind: "produced", cite: { file: A, function: "RelayAdapter.edit_message" }, frame: out({ op: "edit", chat_id: "chan-1", message_id: "m-2", content: "final text", metadata: { ...SCOPE, _stream_reply_to_message_id: "m-1" } }) },
  { id: "typing-default", kind: "produced", cite: { file: A, function: "RelayAdapter._typing_frame (send_typing, no phrase)" }, frame: out({ op: "typing", chat_id: "chan-1", metadata: SCOPE }) },
  { id: "typing-phrase", kind: "produced", cite: { file: A, function: "RelayAdapter.send_typing" }, frame: out({ op: "typing", chat_id: "D1", metadata: { user_id: "U1", thread_id: "171.0" }, content: "Reading files…" }, { platform: "slack" }) },
  { id: "typing-clear", kind: "produced", cite: { file: A, function: "RelayAdapter.stop_typing" }, frame: out({ op: "typing", chat_id: "D1", metadata: { user_id: "U1" }, content: "" }, { platform: "slack" }) },
  { id: "follow-up", kind: "produced", cite: { file: A, function: "RelayAdapter.send_follow_up" }, frame: out({ op: "follow_up", session_key: "agent:main:discord:group:chan-1:user-1", kind: "discord.interaction_token", content: "Done.", metadata: {} }, { platform: "discord", botId: "1122334455667788990" }) },
  { id: "follow-up-undotted-kind", kind: "produced", cite: { file: A, function: "RelayAdapter.send_follow_up (prefix only when the kind has a dot)" }, frame: out({ op: "follow_up", session_key: "agent:work:telegram:dm:42", kind: "interaction_token", content: "Done.", metadata: { profile: "work" } }) },
  { id: "get-chat-info", kind: "produced", cite: { file: T, function: "WebSocketRelayTransport.get_chat_info" }, frame: out({ op: "get_chat_info", chat_id: "chan-1" }) },
  { id: "send-media-rehost", kind: "produced", cite: { file: A, function: "RelayAdapter._send_media (uploaded path)" }, frame: out({ op: "send_media", chat_id: "chan-1", media_kind: "document", source_url: "https://connector.example/relay/media/9b2f0c1d", content: "", reply_to: null, metadata: SCOPE, filename: "report.pdf" }) },
  { id: "send-media-upper-scheme", kind: "produced", cite: { file: A, function: "RelayAdapter.send_image (URL passed as given)" }, frame: out({ op: "send_media", chat_id: "chan-1", media_kind: "image", source_url: "HTTPS://fal.media/files/cat.png", content: "a cat", reply_to: null, metadata: SCOPE }) },
  { id: "send-media-voice", kind: "produced", cite: { file: A, function: "RelayAdapter.send_voice" }, frame: out({ op: "send_media", chat_id: "42", media_kind: "voice", source_url: "https://connector.example/relay/media/a1", content: "", reply_to: "17", metadata: {} }, { platform: "telegram", botId: "7012345678" }) },
  { id: "prompt-slash-confirm", kind: "produced", cite: { file: P, function: "RelayPromptMixin.send_slash_confirm" }, frame: out({ op: "prompt", chat_id: "chan-1", content: "**Reset?**\n\nThis clears the session.", prompt_kind: "approval", prompt_id: "a1b2c3.0f1e2d3c", options: [{ id: "once", label: "Approve Once", style: "primary" }, { id: "always", label: "Always Approve" }, { id: "cancel", label: "Cancel", style: "danger" }], reply_to: null, metadata: SCOPE }) },
  {
    id: "prompt-clarify-31-options-empty-label",
    kind: "produced",
    cite: { file: P, function: "RelayPromptMixin.send_clarify (c0…cN from choices, label str(choice)[:75], plus other)" },
    frame: out({
      op: "prompt",
      chat_id: "chan-1",
      content: "❓ Which region?",
      prompt_kind: "clarify",
      prompt_id: "d4e5f6.89abcdef",
      options: [...Array.from({ length: 30 }, (_, i) => ({ id: `c${i}`, label: i === 0 ? "" : `Region ${i} ${"x".repeat(60)}`.slice(0, 75) })), { id: "other", label: "✏️ Other (type your answer)" }],
      reply_to: null,
      metadata: { ...SCOPE, _interim_send: true },
    }),
  },
  { id: "prompt-exec-approval", kind: "produced", cite: { file: P, function: "RelayPromptMixin._send_exec_approval_prompt" }, frame: out({ op: "prompt", chat_id: "chan-1", content: "⚠️ **Dangerous command**\n\n`rm -rf build`", prompt_kind: "approval", prompt_id: "d4e5f6.01234567", options: [{ id: "once", label: "Allow once", style: "success" }, { id: "session", label: "Allow for session" }, { id: "deny", label: "Deny", style: "danger" }], reply_to: null, metadata: SCOPE }) },
  { id: "react-add", kind: "produced", cite: { file: A, function: "RelayAdapter._react (on_processing_start)" }, frame: out({ op: "react", chat_id: "42", message_id: "17", emoji: "👀", remove: false, metadata: { user_id: "42" } }) },
  { id: "react-remove", kind: "produced", cite: { file: A, function: "RelayAdapter.on_processing_complete" }, frame: out({ op: "react", chat_id: "42", message_id: "17", emoji: "👀", remove: true, metadata: { user_id: "42" } }) },
  { id: "thread-create", kind: "produced", cite: { file: A, function: "RelayAdapter.create_handoff_thread" }, frame: out({ op: "thread_create", chat_id: "chan-1", thread_name: "handoff", metadata: SCOPE }) },
  { id: "thread-rename-unguarded", kind: "produced", cite: { file: A, function: "RelayAdapter.rename_thread (both guards off)" }, frame: out({ op: "thread_rename", chat_id: "th-9", message_id: "th-9", thread_name: "Deploy review", metadata: {} }) },
  { id: "thread-rename-connector-created", kind: "produced", cite: { file: A, function: "RelayAdapter.rename_thread (prefer_connector_created)" }, frame: out({ op: "thread_rename", chat_id: "chan-1", message_id: "th-9", thread_name: "Deploy review", metadata: SCOPE, only_if_connector_created: true }, { platform: "discord", botId: "1122334455667788990" }) },
  { id: "thread-rename-current-name", kind: "produced", cite: { file: A, function: "RelayAdapter.rename_thread (only_if_current_name)" }, frame: out({ op: "thread_rename", chat_id: "chan-1", message_id: "th-9", thread_name: "Deploy review", metadata: SCOPE, only_if_current_name: "handoff" }) },
  { id: "delete", kind: "produced", cite: { file: A, function: "RelayAdapter.delete_message" }, frame: out({ op: "delete", chat_id: "chan-1", message_id: "m-3", metadata: SCOPE }) },
  { id: "draft", kind: "produced", cite: { file: A, function: "RelayAdapter._draft_frame (send_draft)" }, frame: out({ op: "draft", chat_id: "C1", draft_id: 3, content: "Working on it", final: false, metadata: { scope_id: "T1" } }, { platform: "slack" }) },
  { id: "draft-seal", kind: "produced", cite: { file: A, function: "RelayAdapter._seal_open_draft" }, frame: out({ op: "draft", chat_id: "C1", draft_id: 3, content: "Done.", final: true, metadata: { scope_id: "T1" } }, { platform: "slack" }) },
  { id: "task-card", kind: "produced", cite: { file: A, function: "RelayAdapter.send_native_task_card_progress" }, frame: out({ op: "task_card", chat_id: "C1", card_id: "turn:171.0", chunks: [{ id: "t1", title: "Read files", status: "in_progress" }], metadata: { thread_ts: "171.0", scope_id: "T1" } }, { platform: "slack" }) },
  { id: "task-card-stop", kind: "produced", cite: { file: A, function: "RelayAdapter.stop_native_task_card_progress" }, frame: out({ op: "task_card_stop", chat_id: "C1", card_id: "turn:root", metadata: { scope_id: "T1" } }, { platform: "slack" }) },
  // ── the other gateway frames ──
  { id: "interrupt-null-reason", kind: "produced", cite: { file: T, function: "WebSocketRelayTransport.send_interrupt" }, frame: { type: "interrupt", session_key: "agent:main:discord:group:chan-1:user-1", reason: null } },
  { id: "interrupt-reason", kind: "produced", cite: { file: T, function: "WebSocketRelayTransport.send_interrupt" }, frame: { type: "interrupt", session_key: "agent:main:telegram:dm:42", reason: "user pressed stop" } },
  { id: "going-idle", kind: "produced", cite: { file: T, function: "WebSocketRelayTransport.go_idle" }, frame: { type: "going_idle" } },
  { id: "inbound-ack", kind: "produced", cite: { file: T, function: "WebSocketRelayTransport._send_inbound_ack" }, frame: { type: "inbound_ack", bufferId: "1732700000000-0" } },
  { id: "inbound-ack-integer-echo", kind: "produced", cite: { file: T, function: "WebSocketRelayTransport._on_inbound (str(buffer_id))" }, frame: { type: "inbound_ack", bufferId: "42" } },
  // ── HTTP bodies the gateway sends ──
  { id: "enroll-request", kind: "produced", cite: { file: "hermes_cli/gateway_enroll.py", function: "_post_enroll" }, http: { definition: "EnrollRequest", body: { enrollmentToken: "enr_9f8e", gatewayId: "gw-build-01" } } },
  { id: "provision-request", kind: "produced", cite: { file: "gateway/relay/__init__.py", function: "_post_provision" }, http: { definition: "ProvisionRequest", body: { gatewayId: "gw-build-01", platform: "discord", botId: "1122334455667788990", gatewayEndpoint: "", routeKeys: [] } } },
  { id: "provision-request-wake", kind: "produced", cite: { file: "gateway/relay/__init__.py", function: "_post_provision (instanceId, wakeUrl when set)" }, http: { definition: "ProvisionRequest", body: { gatewayId: "gw-build-01", platform: "relay", botId: "", gatewayEndpoint: "", routeKeys: ["k1"], instanceId: "inst-7", wakeUrl: "HTTPS://gw.example/wake" } } },
  { id: "policy-request", kind: "produced", cite: { file: "gateway/relay/__init__.py", function: "relay_relevance_policy" }, http: { definition: "RelayPolicyRequest", body: { platform: "discord", requireAddress: true, freeResponseScopes: ["chan-9"], allowOtherBots: false } } },
];
