/**
 * Received connector frames as handlers see them. Frames are validated tolerantly (unknown
 * properties and open enum values allowed, most fields optional), so the values the gateway's
 * readers default are filled in here (contract §16–§18, §21): the typed handler
 * arguments then hold what their types say.
 */
import type {
  CapabilityDescriptor,
  InterruptInboundFrame,
  MessageEvent,
  PassthroughForward,
  SessionSource,
} from "../../generated/types.js";
import { withoutAbsentNulls } from "../null-as-absent.js";
import { cleanSupportedOps } from "./ops.js";

type JsonObject = Record<string, unknown>;

/*
 * What a receiver fills in. The runtime does not load schema/, so these are stated here and
 * test/client-normalize-schema.test.ts holds them to the schema's enums and `default`s.
 */
/** The gateway's `MessageType` values: the schema's enum without `image`, which reads as `text`. */
export const RECEIVED_MESSAGE_TYPES: ReadonlySet<string> = new Set(["text", "location", "photo", "video", "audio", "voice", "document", "sticker", "command"]);
export const RECEIVED_CHAT_TYPES: ReadonlySet<string> = new Set(["dm", "group", "channel", "thread", "forum"]);
/** `SessionSource` fields that are always sent: `null` when absent. */
export const ALWAYS_SENT_NULLABLE = ["chat_name", "user_id", "user_name", "thread_id", "chat_topic"] as const;
export const SOURCE_DEFAULTS = Object.freeze({ platform: "relay", chat_id: "", chat_type: "dm" });
export const EVENT_DEFAULTS = Object.freeze({ text: "", message_type: "text" });
const MESSAGE_TYPES = RECEIVED_MESSAGE_TYPES;
const CHAT_TYPES = RECEIVED_CHAT_TYPES;

function asRecord(value: unknown): JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as JsonObject) : {};
}

function str(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}

/**
 * The event's `source` and the event itself are filled in place when they are objects: the
 * client passes the event of a frame it has just parsed, which nothing else holds, and a copy per
 * frame of both would be the receive path's largest allocation. Each key keeps the position a
 * copy (`{ ...raw, platform, chat_id, … }`) would give it: an existing key stays where it is, a
 * missing one is appended in the order assigned here. Anything else reads as an empty object.
 */
export function normalizeSource(value: unknown): SessionSource {
  const source = asRecord(value);
  source.platform = str(source.platform, SOURCE_DEFAULTS.platform);
  source.chat_id = str(source.chat_id, SOURCE_DEFAULTS.chat_id);
  source.chat_type = typeof source.chat_type === "string" && CHAT_TYPES.has(source.chat_type) ? source.chat_type : SOURCE_DEFAULTS.chat_type;
  for (const key of ALWAYS_SENT_NULLABLE) source[key] = typeof source[key] === "string" ? source[key] : null;
  return source as unknown as SessionSource;
}

/** The event with its defaults, filled in place like `normalizeSource`. */
export function normalizeMessageEvent(value: unknown): MessageEvent {
  const event = asRecord(value);
  event.text = str(event.text, EVENT_DEFAULTS.text);
  // Connectors have sent `image`, which is no member: it reads as text, like the reference.
  event.message_type = typeof event.message_type === "string" && MESSAGE_TYPES.has(event.message_type) ? event.message_type : EVENT_DEFAULTS.message_type;
  event.source = normalizeSource(event.source);
  return event as unknown as MessageEvent;
}

export function normalizeInterrupt(frame: JsonObject): InterruptInboundFrame {
  return { ...frame, type: "interrupt_inbound", session_key: str(frame.session_key, ""), chat_id: str(frame.chat_id, "") };
}

/** Whether `bufferId` marks a replayed (ack-gated) delivery: a non-empty string. */
/** The id to ack: a non-empty string, or an integer echoed as its decimal string (the reference acks `str(bufferId)` of any truthy id). */
export function bufferIdOf(frame: JsonObject): string | undefined {
  const id = frame.bufferId;
  if (typeof id === "string") return id.length > 0 ? id : undefined;
  return typeof id === "number" && Number.isSafeInteger(id) && id !== 0 ? String(id) : undefined;
}

export function normalizeDescriptor(value: unknown): CapabilityDescriptor {
  const raw = asRecord(value);
  // A null optional key reads as absent (its default): the schema's `x-null-as-absent` rule.
  const descriptor: JsonObject = { ...withoutAbsentNulls(raw, "CapabilityDescriptor") };
  // The label is presentation only: any value is accepted, a non-string reads as "".
  descriptor.label = str(raw.label, "");
  // The reference maps any non-positive or non-integer length to its 4096 default.
  if (!Number.isInteger(raw.max_message_length) || (raw.max_message_length as number) <= 0) descriptor.max_message_length = 4096;
  if ("supported_ops" in raw) descriptor.supported_ops = cleanSupportedOps(raw.supported_ops);
  return descriptor as unknown as CapabilityDescriptor;
}

/** A forwarded webhook with its body decoded: what a passthrough handler receives. */
export interface PassthroughRequest extends PassthroughForward {
  /** The exact body bytes (`bodyB64` decoded); empty when `bodyB64` was not valid base64. */
  body: Buffer;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const ASCII_WHITESPACE = /[\t\n\v\f\r ]/g;

/**
 * Standard base64 with padding; `undefined` when undecodable. ASCII whitespace is ignored, so
 * line-wrapped (MIME) base64 decodes, as the reference's `base64.b64decode` reads it
 * (ws_transport.py `_passthrough_from_wire`); wrong padding and other alphabets are refused.
 */
export function decodeBase64(text: string): Buffer | undefined {
  const compact = text.replace(ASCII_WHITESPACE, "");
  return BASE64.test(compact) ? Buffer.from(compact, "base64") : undefined;
}

/** A header member as the reference reads it (`str(value)`): text kept, numbers and booleans as their text. */
function headerText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "boolean") return value ? "True" : "False";
  return undefined;
}

function headerPairs(value: unknown): Array<[string, string]> {
  if (!Array.isArray(value)) return [];
  const pairs: Array<[string, string]> = [];
  for (const entry of value) {
    if (!Array.isArray(entry) || entry.length !== 2) continue;
    const name = headerText(entry[0]);
    const text = headerText(entry[1]);
    if (name !== undefined && text !== undefined) pairs.push([name, text]);
  }
  return pairs;
}

export function normalizePassthrough(value: unknown): { request: PassthroughRequest; bodyValid: boolean } {
  const raw = asRecord(value);
  const headers = headerPairs(raw.headers);
  const bodyB64 = str(raw.bodyB64, "");
  const body = decodeBase64(bodyB64);
  const request = {
    ...raw,
    platform: str(raw.platform, ""),
    botId: str(raw.botId, ""),
    method: str(raw.method, ""),
    path: str(raw.path, ""),
    headers,
    bodyB64,
    body: body ?? Buffer.alloc(0),
  } as PassthroughRequest;
  return { request, bodyValid: body !== undefined };
}
