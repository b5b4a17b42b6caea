/**
 * Realistic payloads the kit, the mock connector and the demo put on the wire (taken from the
 * contract's valid vectors). Typed against the generated types, and a test checks each one
 * against the strict schema, so a kit frame is never the reason a peer misbehaves.
 */
import { ACTION_DEFINITIONS, type OpName } from "../../generated/registry.js";
import type {
  CapabilityDescriptor,
  CommandManifestEntry,
  MessageEvent,
  OutboundAction,
  PassthroughForward,
  SessionSource,
} from "../../generated/types.js";

export interface KitIdentity {
  platform: string;
  botId: string;
}

/** Identities the kit uses by default: Discord (needs scope_id) first, Telegram second. */
export const DEFAULT_IDENTITIES: readonly KitIdentity[] = Object.freeze([
  Object.freeze({ platform: "discord", botId: "1122334455667788990" }),
  Object.freeze({ platform: "telegram", botId: "7012345678" }),
]);

export const COMMAND_MANIFEST: CommandManifestEntry[] = [
  {
    name: "model",
    description: "Switch the model",
    options: [{ type: 3, name: "name", description: "Model name", required: false, choices: [{ name: "fast", value: "fast" }] }],
  },
  { name: "stop", description: "Stop the running turn" },
];

/** Every op of the contract, in the schema's order (derived from the generated registry). */
export const ALL_OPS: readonly OpName[] = Object.freeze(Object.keys(ACTION_DEFINITIONS) as OpName[]);

const LABELS: Record<string, [label: string, dialect: string, max: number, unit: "chars" | "utf16"]> = {
  discord: ["Discord", "discord", 2000, "chars"],
  telegram: ["Telegram", "markdown_v2", 4096, "utf16"],
  slack: ["Slack", "mrkdwn", 40000, "chars"],
};

/** A descriptor for `platform` that advertises every op (so nothing is gated locally). */
export function descriptorFor(platform: string, overrides: Partial<CapabilityDescriptor> = {}): CapabilityDescriptor {
  const [label, dialect, max, unit] = LABELS[platform] ?? [platform.charAt(0).toUpperCase() + platform.slice(1), "markdown", 4096, "chars"];
  return {
    contract_version: 1,
    platform,
    label,
    max_message_length: max,
    supports_draft_streaming: true,
    supports_edit: true,
    supports_threads: platform === "discord" || platform === "slack",
    markdown_dialect: dialect,
    len_unit: unit,
    emoji: "🔌",
    platform_hint: `You are chatting on ${label}.`,
    pii_safe: false,
    supports_context: false,
    supports_block_formatting: false,
    supported_ops: [...ALL_OPS],
    ...overrides,
  };
}

/** A session source; Discord/Slack group chats carry `scope_id` (and Discord dual-writes `guild_id`). */
export function sourceFor(platform: string, chatId: string, extra: Partial<SessionSource> = {}): SessionSource {
  const source: SessionSource = {
    platform,
    chat_id: chatId,
    chat_type: platform === "telegram" ? "dm" : "group",
    chat_name: platform === "telegram" ? null : "general",
    user_id: "userX",
    user_name: "Ada",
    thread_id: null,
    chat_topic: null,
  };
  if (platform === "discord") {
    source.scope_id = "guild-42";
    source.guild_id = "guild-42";
  } else if (platform === "slack") {
    source.scope_id = "T0001";
  }
  return { ...source, ...extra };
}

let messageSeq = 0;

/** A text message event. */
export function textEvent(text: string, platform = "discord", chatId = "chanA", extra: Partial<MessageEvent> = {}): MessageEvent {
  return {
    text,
    message_type: text.startsWith("/") ? "command" : "text",
    message_id: `m-${++messageSeq}`,
    reply_to_message_id: null,
    source: sourceFor(platform, chatId),
    ...extra,
  };
}

/** A Discord component press forwarded as a webhook, with `body` as its exact bytes. */
export function passthroughFor(body: string, platform = "discord", botId = "1122334455667788990"): PassthroughForward {
  return {
    platform,
    botId,
    method: "POST",
    path: "/interactions/discord/appShared",
    headers: [
      ["content-type", "application/json"],
      ["x-signature-ed25519", "ab12"],
    ],
    bodyB64: Buffer.from(body, "utf8").toString("base64"),
  };
}

/** One realistic action per op. */
export function sampleAction(op: OpName): OutboundAction {
  const meta = { scope_id: "guild-42", user_id: "userX" };
  switch (op) {
    case "send":
      return { op, chat_id: "chanA", content: "Here is the summary.", reply_to: null, metadata: meta };
    case "edit":
      return { op, chat_id: "chanA", message_id: "m-2002", content: "Here is the (edited) summary.", metadata: meta };
    case "typing":
      return { op, chat_id: "chanA", metadata: meta };
    case "follow_up":
      return { op, session_key: "agent:main:discord:group:chanA:userX", kind: "discord.interaction_token", content: "Done!", metadata: { profile: "work" } };
    case "get_chat_info":
      return { op, chat_id: "chanA" };
    case "send_media":
      return {
        op,
        chat_id: "chanA",
        media_kind: "image",
        source_url: "https://connector.example/relay/media/abc123",
        content: "the chart",
        reply_to: null,
        filename: "chart.png",
        metadata: meta,
      };
    case "prompt":
      return {
        op,
        chat_id: "chanA",
        content: "Allow running `rm -rf build`?",
        prompt_kind: "approval",
        prompt_id: "a1b2c3.0f1e2d3c",
        options: [
          { id: "once", label: "Allow once", style: "primary" },
          { id: "session", label: "Allow for session" },
          { id: "deny", label: "Deny", style: "danger" },
        ],
        reply_to: null,
        metadata: meta,
      };
    case "react":
      return { op, chat_id: "chanA", message_id: "m-1001", emoji: "👀", remove: false, metadata: meta };
    case "thread_create":
      return { op, chat_id: "chanA", thread_name: "handoff", metadata: meta };
    case "thread_rename":
      return { op, chat_id: "chanA", message_id: "thr-9", thread_name: "Build failure triage", only_if_connector_created: true, metadata: meta };
    case "delete":
      return { op, chat_id: "chanA", message_id: "m-2002", metadata: meta };
    case "draft":
      return { op, chat_id: "chanA", draft_id: 7, content: "Working on it…", final: false, metadata: meta };
    case "task_card":
      return {
        op,
        chat_id: "chanA",
        card_id: "turn:m-1001",
        chunks: [
          { title: "Read files", status: "done" },
          { title: "Run tests", status: "running" },
        ],
        metadata: meta,
      };
    case "task_card_stop":
      return { op, chat_id: "chanA", card_id: "turn:m-1001", metadata: meta };
  }
}

/** A fresh requestId in the reference's form (`uuid4().hex`): the client's own generator. */
export { newRequestId } from "../client/request-id.js";
