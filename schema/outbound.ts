/** Outbound family (G→C): the `outbound` envelope and every `action.op`. */
import { Type, type TProperties } from "@sinclair/typebox";
import { definition, END, NULL_AS_ABSENT, nullableString, since, tag, type Step } from "./annotations.js";
import { dispatchUnion } from "./dispatch.js";
import { PROMPT_ID_PATTERN } from "./inbound.js";

/** `uuid4().hex`: what the reference gateway mints for every request. */
export const REQUEST_ID_PATTERN = `^[0-9a-f]{32}${END}`;

/** An http(s) URL; schemes are case-insensitive (RFC 3986 §3.1), and the gateway forwards URLs as given. */
export const HTTP_URL_PATTERN = "^[Hh][Tt][Tt][Pp][Ss]?://";
/** A receiver needs a non-empty string to correlate (the gateway looks the id up as given). */
const TOLERANT_REQUEST_ID = { type: "string", minLength: 1 };

export const FormatHints = definition(
  "FormatHints",
  "V-late",
  "Formatting hints; stamped only when the destination descriptor has `supports_block_formatting` and the operator enabled it.",
  {
    rich_blocks: Type.Optional(Type.Boolean(since("V-late", "Render rich blocks."))),
    markdown_blocks: Type.Optional(Type.Boolean(since("V-late", "Render markdown blocks."))),
  },
);

export const OutboundMetadata = definition(
  "OutboundMetadata",
  "P3",
  "Routing and formatting metadata of a chat-addressed action. The gateway enriches it with the tenant discriminators it learned from inbound for that chat. The bag is open: the reference lists the keys seen, not a closed set. Keys starting with `_` are gateway-internal markers (`_interim_send`, `_stream_reply_to_message_id`, `_relay_logical_platform`, …): `send` strips them, but `edit`, `typing`, `prompt` and `send_media` forward the caller's metadata as given, so they do reach the wire and a connector ignores them.",
  {
    scope_id: Type.Optional(Type.String(since("V-late", "Tenant scope (guild / workspace) learned from inbound."))),
    user_id: Type.Optional(Type.String(since("V-late", "User id learned from inbound."))),
    profile: Type.Optional(Type.String(since("V-late", "Multiplex profile (follow_up derives it from the session key)."))),
    thread_id: Type.Optional(Type.String(since("P3", "Thread to post into."))),
    thread_ts: Type.Optional(Type.String(since("V-late", "Slack thread timestamp."))),
    message_id: Type.Optional(Type.String(since("V-late", "Anchor message id."))),
    reply_to_message_id: Type.Optional(Type.String(since("V-late", "Message being replied to."))),
    format_hints: Type.Optional(Type.Ref(FormatHints, since("V-late", "Formatting hints."))),
    unfurl_links: Type.Optional(Type.Boolean(since("V-late", "Slack only: unfurl links."))),
    unfurl_media: Type.Optional(Type.Boolean(since("V-late", "Slack only: unfurl media."))),
  },
  // The gateway builds the bag from the chat's source (`thread_id` is `None` outside a thread).
  { additionalProperties: true, ...NULL_AS_ABSENT },
);

const chatId = (step: Step = "P3") => Type.String(since(step, "Target chat id.", { minLength: 1, "x-receiver": "required" }));
const metadata = (step: Step = "P3") =>
  Type.Optional(Type.Ref(OutboundMetadata, since(step, "Routing metadata; see OutboundMetadata.")));
const content = (description: string, step: Step = "P3") =>
  Type.String(since(step, `${description} No schema length limit: bounded by the frame size.`, { "x-receiver": "required" }));
/** An id the receiving handler cannot act without. */
const neededId = (step: Step, description: string) => Type.String(since(step, description, { minLength: 1, "x-receiver": "required" }));

function action<P extends TProperties>(name: string, op: string, step: Step, description: string, properties: P, extras = {}) {
  return definition(name, step, description, { op: tag(op, step, "Operation name."), ...properties }, extras);
}

export const SendAction = action("SendAction", "send", "P3", "Send a message. Legacy op: always available.", {
  chat_id: chatId(),
  content: content("Message text in the platform's markdown dialect."),
  reply_to: nullableString(since("P3", "Message id to reply to; the key is always present, `null` for none.")),
  metadata: metadata(),
});

export const EditAction = action("EditAction", "edit", "P3", "Edit a message the bot sent. Legacy op.", {
  chat_id: chatId(),
  message_id: neededId("P3", "Message to edit."),
  content: content("New text."),
  metadata: metadata(),
});

export const TypingAction = action("TypingAction", "typing", "P3", "Typing indicator. Legacy op.", {
  chat_id: chatId(),
  content: Type.Optional(
    Type.String(
      since("V-late", "Absent: the default indicator. Non-empty: a status phrase (Slack assistant status). `\"\"`: explicit clear (sent for Slack chats only)."),
    ),
  ),
  metadata: metadata(),
});

export const FollowUpAction = action("FollowUpAction", "follow_up", "P3", "Reply through a platform capability bound to a session (e.g. a Discord interaction token). Legacy op. The outbound frame's `platform` is the `kind` prefix when fronted.", {
  session_key: neededId("P3", "Session the capability belongs to."),
  kind: Type.String(
    since("P3", "Capability kind, normally platform-prefixed (`discord.interaction_token`); the gateway passes its caller's kind as given and tags the frame's `platform` only when the prefix names a fronted platform, so a kind without a dot is valid.", {
      minLength: 1,
      "x-receiver": "required",
    }),
  ),
  content: content("Reply text."),
  metadata: metadata(),
});

export const GetChatInfoAction = action("GetChatInfoAction", "get_chat_info", "P3", "Look up a chat's name and type. Not in the legacy set: later gateways send it only when `supported_ops` lists it and answer legacy connectors locally with `{name: chat_id, type: \"dm\"}`.", {
  chat_id: chatId(),
  metadata: metadata("V-late"),
});

export const SendMediaAction = action("SendMediaAction", "send_media", "V-late", "Send a media file (Phase 2). Gated by `send_media` in `supported_ops`.", {
  chat_id: chatId("V-late"),
  media_kind: Type.String(
    since("V-late", "Kind of media; gateways emit image, voice, video and document.", { enum: ["image", "voice", "audio", "video", "document"], "x-receiver": "required" }),
  ),
  source_url: Type.String(
    since("V-late", "A `{base}/relay/media/{id}` re-host the gateway uploaded, or a public http(s) URL (`send_image` passes its caller's URL as given, so the scheme's case varies); never a local path.", {
      pattern: HTTP_URL_PATTERN,
      "x-receiver": "required",
    }),
  ),
  content: Type.String(since("V-late", "Caption.", { default: "" })),
  reply_to: Type.Optional(nullableString(since("V-late", "Message id to reply to."))),
  filename: Type.Optional(Type.String(since("V-late", "File name, only when known.", { minLength: 1 }))),
  metadata: metadata("V-late"),
});

export const PromptOption = definition("PromptOption", "V-late", "One button of a prompt. Its callback payload is `hp1:<prompt_id>:<id>`.", {
  id: Type.String(since("V-late", "Option id.", { pattern: PROMPT_ID_PATTERN, "x-receiver": "required" })),
  label: Type.String(since("V-late", "Button label. Clarify labels are the choice text cut to 75 characters, so a label may be empty.", { "x-receiver": "required" })),
  style: Type.Optional(Type.String(since("V-late", "Button style.", { enum: ["primary", "success", "danger", "secondary"] }))),
});

export const PromptAction = action("PromptAction", "prompt", "V-late", "Ask a question with buttons (Phase 3-interactive). Gated by `prompt`. Each option's callback token `hp1:<prompt_id>:<option_id>` must be at most 64 bytes (Telegram's callback_data cap binds all platforms); JSON Schema cannot state that cross-field rule, so `validateFrame` checks it in strict mode (`checkFrameRules`, keyword `hp1TokenLength`); with both ids at most 32 characters, keeping prompt_id + option_id within 59 bytes satisfies it. Answers come back as an inbound `prompt_response` or a Discord passthrough press.", {
  chat_id: chatId("V-late"),
  content: content("Question text.", "V-late"),
  prompt_kind: Type.String(since("V-late", "Styling hint.", { enum: ["approval", "clarify", "choice"] })),
  prompt_id: Type.String(since("V-late", "Prompt id; the gateway mints `<6 hex nonce>.<8 hex>` (ids without `.` predate the nonce).", { pattern: PROMPT_ID_PATTERN, "x-receiver": "required" })),
  options: Type.Array(
    Type.Ref(PromptOption),
    since("V-late", "The buttons, in display order. No upper bound: a clarify sends one option per choice plus `other`; a platform with fewer slots degrades to its numbered-text fallback.", {
      minItems: 1,
      "x-receiver": "required",
    }),
  ),
  reply_to: Type.Optional(nullableString(since("V-late", "Message id to reply to."))),
  timeout_s: Type.Optional(Type.Integer(since("V-late", "Advisory expiry; the gateway enforces expiry itself (3600 s).", { minimum: 1 }))),
  metadata: metadata("V-late"),
});

export const ReactAction = action("ReactAction", "react", "V-late", "Add or remove a reaction (Phase 3-interactive). Gated by `react`. Best-effort: a failure never fails a turn.", {
  chat_id: chatId("V-late"),
  message_id: neededId("V-late", "Message to react to."),
  emoji: Type.String(since("V-late", "Unicode emoji; `\"\"` removes (WhatsApp).", { "x-receiver": "required" })),
  remove: Type.Boolean(since("V-late", "Remove instead of add; always sent (receivers default it to `false`).", { default: false })),
  metadata: metadata("V-late"),
});

const threadName = (description: string) => Type.String(since("V-late", description, { minLength: 1, maxLength: 100, "x-receiver": "required" }));

export const ThreadCreateAction = action("ThreadCreateAction", "thread_create", "V-late", "Create a handoff thread (Phase 4). Gated by `thread_create`.", {
  chat_id: chatId("V-late"),
  thread_name: threadName("Thread name, trimmed, at most 100 characters (`handoff` when empty)."),
  message_id: Type.Optional(Type.String(since("V-late", "Anchor message (allowed by the docs; the reference gateway never sends it).", { minLength: 1 }))),
  metadata: metadata("V-late"),
});

export const ThreadRenameAction = action(
  "ThreadRenameAction",
  "thread_rename",
  "V-late",
  "Rename a thread (Phase 4). Gated by `thread_rename`. At most one guard: `only_if_connector_created: true` (preferred, connector-owned no-clobber) or `only_if_current_name` (legacy). Both guards default off in the gateway's `rename_thread`, and an unguarded rename proceeds (the reference contract: \"unguarded renames proceed\"). The gateway never sends both.",
  {
    chat_id: chatId("V-late"),
    message_id: neededId("V-late", "The thread id."),
    thread_name: threadName("New name, whitespace-collapsed, at most 100 characters."),
    only_if_connector_created: Type.Optional(Type.Literal(true, since("V-late", "Rename only if the connector created the thread."))),
    only_if_current_name: Type.Optional(Type.String(since("V-late", "Rename only if the current name equals this (legacy guard)."))),
    metadata: metadata("V-late"),
  },
  { not: { description: "Both guards at once.", required: ["only_if_connector_created", "only_if_current_name"] } },
);

export const DeleteAction = action("DeleteAction", "delete", "V-late", "Delete a message. Gated by `delete` in the chat's descriptor.", {
  chat_id: chatId("V-late"),
  message_id: neededId("V-late", "Message to delete."),
  metadata: metadata("V-late"),
});

export const DraftAction = action("DraftAction", "draft", "V-late", "Native draft streaming (\"live cards\"). Gated by `supports_draft_streaming` and `draft` in `supported_ops`. `final: true` seals the stream and is idempotent on the connector.", {
  chat_id: chatId("V-late"),
  draft_id: Type.Integer(since("V-late", "Stream id.", { minimum: 0, "x-receiver": "required" })),
  content: content("Full text so far.", "V-late"),
  final: Type.Boolean(since("V-late", "Seal the stream.", { "x-receiver": "required" })),
  metadata: metadata("V-late"),
});

export const CARD_ID_PATTERN = `^turn:.+${END}`;

export const TaskCardChunk = definition(
  "TaskCardChunk",
  "V-late",
  "One task object of a task card. (uncertain) The public sources give no shape; the contract treats each chunk as an opaque JSON object the connector renders, so any properties are allowed.",
  {},
  { additionalProperties: true },
);

export const TaskCardAction = action("TaskCardAction", "task_card", "V-late", "Create or update a task card. Gated by `task_card`.", {
  chat_id: chatId("V-late"),
  card_id: Type.String(since("V-late", "`turn:<anchor>`: anchor = reply_to, else metadata message_id / reply_to_message_id / thread_ts / thread_id, else `root`.", { pattern: CARD_ID_PATTERN, "x-receiver": "required" })),
  chunks: Type.Array(Type.Ref(TaskCardChunk), since("V-late", "Task objects.", { "x-receiver": "required" })),
  metadata: metadata("V-late"),
});

export const TaskCardStopAction = action("TaskCardStopAction", "task_card_stop", "V-late", "Stop a task card. Gated by `task_card`.", {
  chat_id: chatId("V-late"),
  card_id: Type.String(since("V-late", "Card to stop.", { pattern: CARD_ID_PATTERN, "x-receiver": "required" })),
  metadata: metadata("V-late"),
});

/** Every action, in the reference's order. `op` → definition. */
export const ACTIONS = {
  send: SendAction,
  edit: EditAction,
  typing: TypingAction,
  follow_up: FollowUpAction,
  get_chat_info: GetChatInfoAction,
  send_media: SendMediaAction,
  prompt: PromptAction,
  react: ReactAction,
  thread_create: ThreadCreateAction,
  thread_rename: ThreadRenameAction,
  delete: DeleteAction,
  draft: DraftAction,
  task_card: TaskCardAction,
  task_card_stop: TaskCardStopAction,
} as const;

/** Ops a connector is assumed to implement when `supported_ops` is absent or empty. */
export const LEGACY_OPS = ["send", "edit", "typing", "follow_up"] as const;

export const OutboundAction = dispatchUnion(
  "OutboundAction",
  "P3",
  "The operation of an `outbound` request, discriminated on `op`. Receivers answer an op they do not implement with a structured failure rather than dropping the frame.",
  "op",
  Object.entries(ACTIONS).map(([op, schema]) => ({ tag: op, schema })),
  "Operation name.",
);

export const OutboundFrame = definition(
  "OutboundFrame",
  "P3",
  "A request for one action, answered by exactly one `outbound_result` with the same `requestId`. Many may be in flight; results may arrive in any order.",
  {
    type: tag("outbound", "P3", "Frame type."),
    requestId: Type.String(
      since("P3", "Correlation id, unique per request: `uuid4().hex` (32 lowercase hex characters). Receivers accept any non-empty string.", {
        pattern: REQUEST_ID_PATTERN,
        "x-receiver": "required",
        "x-tolerant": TOLERANT_REQUEST_ID,
      }),
    ),
    action: Type.Unsafe({ $ref: "OutboundAction", description: "The operation.", "x-since": "P3", "x-receiver": "required" }),
    platform: Type.Optional(
      Type.String(since("V-mid", "Egress platform: the reply goes out through an identity hello'd for it. Omitted means the session default (first hello). Without `botId`, the connector acts as that platform's first hello'd identity; a platform no hello on this socket named gets a structured failure, never a send through the session default (another platform's credentials). The gateway omits `botId` exactly when it does not front the platform.", { minLength: 1 })),
    ),
    botId: Type.Optional(
      Type.String(since("V-mid", "The botId hello'd for `platform`; only with `platform`. The connector answers a structured failure when `platform:botId` was not hello'd on this socket.")),
    ),
  },
  {
    allOf: [
      {
        description: "`botId` is sent only together with `platform`.",
        if: { required: ["botId"] },
        then: { required: ["platform"] },
      },
    ],
  },
);

export { TOLERANT_REQUEST_ID };
