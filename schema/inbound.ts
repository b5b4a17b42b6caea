/** Inbound family (C→G): the `inbound` frame, MessageEvent and its nested objects. */
import { Type } from "@sinclair/typebox";
import { definition, END, nullableString, since, tag } from "./annotations.js";

/** Platforms the gateway's `Platform` enum knows (contract §17); others map to `relay`. */
export const KNOWN_PLATFORMS = [
  "local", "telegram", "discord", "whatsapp", "whatsapp_cloud", "slack", "signal", "mattermost", "matrix",
  "homeassistant", "email", "sms", "dingtalk", "api_server", "webhook", "msgraph_webhook", "feishu", "wecom",
  "wecom_callback", "weixin", "bluebubbles", "qqbot", "yuanbao", "relay",
] as const;

export const CHAT_TYPES = ["dm", "group", "channel", "thread", "forum"] as const;
/** The gateway's `MessageType` values, plus `image`, which the reference contract says connectors send (the first attachment's kind). */
export const MESSAGE_TYPES = ["text", "location", "photo", "image", "video", "audio", "voice", "document", "sticker", "command"] as const;

/** Prompt and option ids: they travel inside the `hp1:<prompt_id>:<option_id>` callback token. */
export const PROMPT_ID_PATTERN = `^[A-Za-z0-9_.-]{1,32}${END}`;

export const SessionSource = definition(
  "SessionSource",
  "P3",
  "Where an inbound message came from (the wire form of the gateway's `SessionSource.to_dict()`). It keys the gateway session. Decision: `scope_id` is required for Slack and for non-DM Discord chats (tenant isolation); receivers still accept it missing.",
  {
    platform: Type.String(
      since("P3", "Underlying platform. Receivers map values they do not know to `relay`; plugin platforms may add names.", {
        minLength: 1,
        default: "relay",
        examples: [...KNOWN_PLATFORMS],
      }),
    ),
    chat_id: Type.String(since("P3", "Chat id; a session-key discriminator.", { default: "" })),
    chat_type: Type.String(
      since("P3", "Kind of chat. Receivers map unknown values to `dm`.", {
        enum: [...CHAT_TYPES],
        default: "dm",
      }),
    ),
    chat_name: nullableString(since("P3", "Chat display name; always sent, `null` when unknown.", { default: null })),
    user_id: nullableString(since("P3", "Author id; a session-key discriminator and used for owner-first routing. Always sent.", { default: null })),
    user_name: nullableString(since("P3", "Author name; always sent. Later gateways prefer `user_display_name`, then `user_name`, then `user_handle`.", { default: null })),
    thread_id: nullableString(since("P3", "Thread or forum-topic id; always sent.", { default: null })),
    chat_topic: nullableString(since("P3", "Chat topic; always sent.", { default: null })),
    user_id_alt: Type.Optional(nullableString(since("P3", "Alternative user id (preferred participant id when isolating per user)."))),
    chat_id_alt: Type.Optional(nullableString(since("P3", "Alternative chat id."))),
    guild_id: Type.Optional(
      nullableString(
        since("P3", "Legacy Discord guild id. P3 gateways read it; later gateways read only `scope_id` (it was not an additive change). Producers send `scope_id` and may dual-write `guild_id`.", {
          "x-removed": "V-late",
        }),
      ),
    ),
    scope_id: Type.Optional(
      nullableString(since("V-late", "Discord guild / Slack workspace / Matrix server. Required for Slack and for non-DM Discord chats (isolation); part of the Slack session key.")),
    ),
    parent_chat_id: Type.Optional(nullableString(since("P3", "Parent channel of a thread."))),
    message_id: Type.Optional(nullableString(since("P3", "Triggering message id; receivers fall back to the event's `message_id`."))),
    profile: Type.Optional(nullableString(since("V-late", "Multiplex target profile; absent means the legacy `agent:main` namespace."))),
    auto_thread_created: Type.Optional(Type.Boolean(since("V-late", "The connector auto-created the thread (Phase 4).", { default: false }))),
    auto_thread_initial_name: Type.Optional(nullableString(since("V-late", "Initial name of the connector-created thread (Phase 4)."))),
    prospective_thread_id: Type.Optional(
      nullableString(since("V-late", "Thread the reply will be auto-threaded into; keys the session as a `thread`.")),
    ),
    user_display_name: Type.Optional(Type.String(since("V-late", "Connector extra, read only for the display name."))),
    user_handle: Type.Optional(Type.String(since("V-late", "Connector extra, read only for the display name."))),
    is_bot: Type.Optional(Type.Boolean(since("V-late", "Unspecified: public docs conflict and no gateway reads it. Allowed, never required."))),
    message_is_edit: Type.Optional(Type.Boolean(since("V-late", "Unspecified: public docs conflict and no gateway reads it. Allowed, never required."))),
    one_to_one_verified: Type.Optional(Type.Boolean(since("V-late", "Unspecified: public docs conflict and no gateway reads it. Allowed, never required."))),
  },
  {
    allOf: [
      {
        description: "Slack sources carry `scope_id` (the workspace).",
        if: { properties: { platform: { const: "slack" } }, required: ["platform"] },
        then: { required: ["scope_id"] },
      },
      {
        description: "Discord sources outside DMs carry `scope_id` (the guild); `guild_id` alone is not enough.",
        if: {
          properties: { platform: { const: "discord" }, chat_type: { enum: ["group", "channel", "thread", "forum"] } },
          required: ["platform", "chat_type"],
        },
        then: { required: ["scope_id"] },
      },
    ],
  },
);

export const ReplyTo = definition(
  "ReplyTo",
  "V-late",
  "The message this one replies to (Phase 4). Maps to the gateway's reply_to_text / reply_to_author_name / reply_to_is_own_message.",
  {
    text: Type.Optional(Type.String(since("V-late", "Text of the replied-to message."))),
    author: Type.Optional(Type.String(since("V-late", "Author display name of the replied-to message."))),
    is_own: Type.Optional(Type.Boolean(since("V-late", "The replied-to message was sent by this bot.", { default: false }))),
  },
);

export const MediaItem = definition(
  "MediaItem",
  "V-late",
  "Rich metadata for one entry of `media_urls` (Phase 2), matched by `url`, not by position. Gateways read only `url` and `mime`.",
  {
    url: Type.String(since("V-late", "Equals one entry of `media_urls`. Receivers skip an entry without a usable `url`.", { minLength: 1, "x-receiver": "exact" })),
    kind: Type.Optional(Type.String(since("V-late", "Media kind (`image`, `voice`, `audio`, `video`, `document`, …).", { examples: ["image", "voice", "audio", "video", "document"] }))),
    mime: Type.Optional(Type.String(since("V-late", "MIME type; becomes `media_types[i]`."))),
    size: Type.Optional(Type.Integer(since("V-late", "Size in bytes.", { minimum: 0 }))),
    filename: Type.Optional(Type.String(since("V-late", "Original file name."))),
    caption: Type.Optional(Type.String(since("V-late", "Caption."))),
  },
);

export const ContextItemSource = definition(
  "ContextItemSource",
  "V-late",
  "Author of one channel-context message.",
  {
    user_name: Type.Optional(nullableString(since("V-late", "Author name (preferred for rendering)."))),
    user_id: Type.Optional(nullableString(since("V-late", "Author id (used when there is no name)."))),
  },
);

export const ContextItem = definition(
  "ContextItem",
  "V-late",
  "One read-only surrounding channel message, rendered by the gateway as `author: text` under `[Recent channel messages]` (newlines collapsed).",
  {
    text: Type.String(
      since("V-late", "Message text; receivers skip items without text.", { "x-receiver": "required", "x-tolerant": { type: "string", minLength: 1 } }),
    ),
    source: Type.Optional(Type.Ref(ContextItemSource, since("V-late", "Author of the message."))),
  },
);

export const PromptResponse = definition(
  "PromptResponse",
  "V-late",
  "Answer to a `prompt` op (Phase 3-interactive), copied verbatim by the gateway.",
  {
    prompt_id: Type.String(since("V-late", "The `prompt_id` of the answered prompt.", { pattern: PROMPT_ID_PATTERN })),
    option_id: Type.String(since("V-late", "The chosen option's `id`.", { pattern: PROMPT_ID_PATTERN })),
    label: Type.Optional(Type.String(since("V-late", "The chosen option's label."))),
    prompt_message_id: Type.Optional(Type.String(since("V-late", "Platform message id of the prompt."))),
  },
);

export const MessageEvent = definition(
  "MessageEvent",
  "P3",
  "A normalised inbound message (the wire form read by the gateway's `_event_from_wire`).",
  {
    text: Type.String(
      since("P3", "Message text (`\"\"` default). No length limit in the schema: large text is bounded by the frame size limit of the codec.", { default: "" }),
    ),
    message_type: Type.String(
      since("P3", "Kind of message. Receivers map unknown values (connectors have sent `image`) to `text`.", {
        enum: [...MESSAGE_TYPES],
        default: "text",
      }),
    ),
    message_id: Type.Optional(nullableString(since("P3", "Platform message id; with platform and chat_id the replay-dedupe key."))),
    reply_to_message_id: Type.Optional(nullableString(since("P3", "Id of the message replied to."))),
    reply_to: Type.Optional(Type.Ref(ReplyTo, since("V-late", "The replied-to message (Phase 4)."))),
    media_urls: Type.Optional(
      Type.Array(
        Type.String({ minLength: 1, "x-receiver": "exact" }),
        since("P3", "Fetchable media references: public URLs or `{connector}/relay/media/{id}` re-hosts. Receivers skip entries that are not non-empty strings.", { default: [], "x-drop-invalid-entries": true }),
      ),
    ),
    media: Type.Optional(
      Type.Array(Type.Ref(MediaItem), since("V-late", "Rich metadata parallel to `media_urls`, matched by URL (Phase 2). Receivers skip entries without a usable `url`.", { "x-drop-invalid-entries": true })),
    ),
    context: Type.Optional(
      Type.Array(
        Type.Ref(ContextItem),
        since("V-late", "Read-only surrounding messages, oldest first. Sent only when the descriptor has `supports_context`. Receivers skip entries without text.", { "x-drop-invalid-entries": true }),
      ),
    ),
    context_error: Type.Optional(Type.Boolean(since("V-late", "Observability marker: fetching context failed. Ignored by the gateway."))),
    prompt_response: Type.Optional(Type.Ref(PromptResponse, since("V-late", "Answer to a `prompt` op. `text` then mirrors `/<option_id>` with `message_type: command` for old gateways."))),
    source: Type.Ref(SessionSource, since("P3", "Where the message came from. Receivers treat a missing source as `{}`.", { default: {} })),
  },
);

export const InboundFrame = definition(
  "InboundFrame",
  "P3",
  "A normalised inbound message pushed to the gateway. Live deliveries carry no `bufferId` and are never acked; replays from the durable buffer carry `bufferId` and the gateway answers `inbound_ack` after its handler returns.",
  {
    type: tag("inbound", "P3", "Frame type."),
    event: Type.Ref(MessageEvent, since("P3", "The message.", { "x-receiver": "required" })),
    bufferId: Type.Optional(
      Type.String(
        since("V-mid", "Buffer entry id of a replayed delivery. Opaque, non-empty; echoed verbatim in `inbound_ack`. Decision: at most 256 characters. Receivers also take an integer id and echo it as its decimal string (the reference acks `str(bufferId)`).", {
          minLength: 1,
          maxLength: 256,
          "x-tolerant": { type: ["string", "integer"] },
        }),
      ),
    ),
  },
);
