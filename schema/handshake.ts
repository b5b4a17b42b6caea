/** Handshake family: `hello` (G→C), `descriptor` (C→G) and the CapabilityDescriptor. */
import { Type } from "@sinclair/typebox";
import { definition, END, NULL_AS_ABSENT, since, tag } from "./annotations.js";

/** Discord CHAT_INPUT command and option names (contract §16). */
export const DISCORD_NAME_PATTERN = `^[a-z0-9_-]{1,32}${END}`;

export const DiscordCommandOption = definition(
  "DiscordCommandOption",
  "V-late",
  "A Discord application-command option passed through verbatim to Discord. Only `type`, `name` and `description` are checked; other Discord option fields (`required`, `choices`, `options` of sub-commands, `min_value`, …) are allowed because the connector forwards the object unchanged. Decision: the schema stays open here (additionalProperties allowed) since Discord, not this contract, owns the option shape.",
  {
    type: Type.Integer(since("V-late", "Discord option type: 1 SUB_COMMAND, 2 SUB_COMMAND_GROUP, 3 STRING, 4 INTEGER, 5 BOOLEAN, …", { minimum: 1, "x-receiver": "exact" })),
    name: Type.String(since("V-late", "Option name, Discord naming rules.", { pattern: DISCORD_NAME_PATTERN, "x-receiver": "exact" })),
    description: Type.String(since("V-late", "Option description shown by Discord, at most 100 characters.", { maxLength: 100, "x-receiver": "exact" })),
  },
  { additionalProperties: true },
);

export const CommandManifestEntry = definition(
  "CommandManifestEntry",
  "V-late",
  "One slash command the connector reconciles into Discord's global command registry (GET → diff → bulk PUT; best-effort, never affects the handshake). Discord refuses a registration with a bad name or an over-long description, so a receiver needs these rules exactly; it drops each entry that breaks them individually and registers the rest (the rest of the `hello` is unaffected). A plugin command can produce such an entry (an upper-case name, a long description).",
  {
    name: Type.String(
      since("V-late", "Command name: Discord CHAT_INPUT naming, `[a-z0-9_-]{1,32}`.", { pattern: DISCORD_NAME_PATTERN, "x-receiver": "exact" }),
    ),
    description: Type.String(
      since(
        "V-late",
        "Command description, at most 100 characters. Discord counts UTF-16 code units; JSON Schema counts code points, so a producer using astral characters (emoji) must also keep the UTF-16 length ≤ 100. Later gateways truncate after translation.",
        { maxLength: 100, "x-receiver": "exact" },
      ),
    ),
    options: Type.Optional(
      Type.Array(Type.Ref(DiscordCommandOption), since("V-late", "Discord option objects, passed through verbatim.", { "x-receiver": "exact" })),
    ),
  },
);

export const HelloFrame = definition(
  "HelloFrame",
  "P3",
  "Announces one fronted (platform, botId) identity and starts the handshake. The gateway sends one hello per configured identity, in order, right after the socket opens and without waiting for descriptors; the first is the session default. The tenant and instance come from the authenticated upgrade, never from hello.",
  {
    type: tag("hello", "P3", "Frame type."),
    platform: Type.String(
      since("P3", "Fronted platform name (`discord`, `telegram`, `slack`, …) or `relay` when no platform set is configured.", {
        minLength: 1,
        examples: ["discord", "telegram", "slack", "relay"],
        "x-receiver": "required",
      }),
    ),
    botId: Type.String(
      since("P3", "Bot id for that platform; may be `\"\"` (unknown platform in the ids map, or the generic (`relay`, `\"\"`) default).", { "x-receiver": "required" }),
    ),
    command_manifest: Type.Optional(
      Type.Array(
        Type.Ref(CommandManifestEntry),
        since("V-late", "Slash-command set (Phase 4). Sent only on the `discord` hello; omitted when building it fails. Registration is best-effort and never affects the handshake: a receiver drops invalid entries one by one, reports them, and answers the `hello` as usual.", { "x-drop-invalid-entries": true }),
      ),
    ),
  },
);

const MEDIA_CAPABILITIES = ["voice", "video", "document", "image_file", "animation"] as const;

export const CapabilityDescriptor = definition(
  "CapabilityDescriptor",
  "P3",
  "What a connector can do for one platform. Receivers drop unknown keys; missing optional keys take their defaults.",
  {
    contract_version: Type.Integer(since("P3", "Contract version; `1`. Evolution inside version 1 is additive only.", { minimum: 1, "x-receiver": "required" })),
    platform: Type.String(since("P3", "The platform this descriptor describes; the gateway stores descriptors by this key.", { minLength: 1, "x-receiver": "required" })),
    label: Type.String(since("P3", "Human label for the platform. Presentation only: a receiver needs the key present and accepts any value (a non-string reads as `\"\"`).", { "x-receiver": "required", "x-tolerant": {} })),
    max_message_length: Type.Integer(
      since("P3", "Message length limit in `len_unit`. `0` means 4096; receivers map any value ≤ 0, and any value that is not an integer, to 4096.", {
        minimum: 0,
        "x-receiver": "required",
        "x-tolerant": {},
      }),
    ),
    supports_draft_streaming: Type.Boolean(since("P3", "Native draft streaming; the gateway also requires `draft` in `supported_ops`.", { "x-receiver": "required" })),
    supports_edit: Type.Boolean(since("P3", "Edit-based streaming is possible.", { "x-receiver": "required" })),
    supports_threads: Type.Boolean(since("P3", "Handoff threads can be created.", { "x-receiver": "required" })),
    markdown_dialect: Type.String(
      since("P3", "Markdown dialect of the platform. `\"\"` and `plain` mean no code blocks.", {
        examples: ["plain", "markdown_v2", "discord", "slack", "mrkdwn", "markdown"],
        "x-receiver": "required",
      }),
    ),
    len_unit: Type.String(
      since("P3", "Unit of `max_message_length`: `chars` (code points) or `utf16` (UTF-16 code units). Receivers treat any other value as code points.", {
        enum: ["chars", "utf16"],
        "x-receiver": "required",
      }),
    ),
    emoji: Type.Optional(Type.String(since("P3", "Display emoji.", { default: "🔌" }))),
    platform_hint: Type.Optional(Type.String(since("P3", "System-prompt hint for the platform.", { default: "" }))),
    pii_safe: Type.Optional(Type.Boolean(since("P3", "The gateway redacts PII for this platform.", { default: false }))),
    media_capabilities: Type.Optional(
      Type.Array(
        Type.String({ enum: [...MEDIA_CAPABILITIES] }),
        since("P3", "Media kinds the platform accepts. Present in the oldest descriptors; removed in V-late (later gateways drop it). Still valid on the wire; new connectors should use `supported_ops` instead.", {
          default: [],
          "x-removed": "V-late",
        }),
      ),
    ),
    supports_context: Type.Optional(Type.Boolean(since("V-late", "The connector may attach `context` to inbound events.", { default: false }))),
    supports_inchannel_continuable: Type.Optional(
      Type.Boolean(since("V-late", "Flat continuable cron surface (Slack).", { default: false })),
    ),
    supports_block_formatting: Type.Optional(
      Type.Boolean(since("V-late", "The gateway may stamp `metadata.format_hints` on outbound actions.", { default: false })),
    ),
    supported_ops: Type.Optional(
      Type.Array(
        Type.String({ minLength: 1, "x-receiver": "exact" }),
        since(
          "V-late",
          "Op names this platform's sender implements. Absent or empty means the legacy set `send`, `edit`, `typing`, `follow_up`. Any other op (`draft`, `task_card`, `get_chat_info`, …) is used only when listed: new ops never fail open. Receivers drop non-string and empty entries, and treat a value that is not a list as absent.",
          { default: [], uniqueItems: true, "x-drop-invalid-entries": true },
        ),
      ),
    ),
  },
  // descriptor.py `CapabilityDescriptor.from_json` keeps any value of the keys it does not
  // normalise: a null presentation or optional key never breaks the handshake.
  NULL_AS_ABSENT,
);

export const DescriptorFrame = definition(
  "DescriptorFrame",
  "P3",
  "Handshake reply: exactly one per `hello`, in hello order. The first descriptor of a connection completes the gateway's handshake and becomes the session default; every descriptor is stored by its `platform`.",
  {
    type: tag("descriptor", "P3", "Frame type."),
    descriptor: Type.Ref(CapabilityDescriptor, since("P3", "The capabilities of the platform named by the matching hello. Receivers treat a missing descriptor as `{}` (which then lacks required keys).", { "x-receiver": "required" })),
  },
);
