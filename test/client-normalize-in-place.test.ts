/**
 * The client fills a received event's defaults in place (src/client/normalize.ts): the handler
 * must get exactly what a copy with the defaults gave — the same keys, in the same order, with
 * the same values — whatever the connector sent. The oracle below is that copy, written out.
 */
import t from "tap";
import fc from "fast-check";
import { ALWAYS_SENT_NULLABLE, EVENT_DEFAULTS, normalizeMessageEvent, RECEIVED_CHAT_TYPES, RECEIVED_MESSAGE_TYPES, SOURCE_DEFAULTS } from "../src/client/normalize.js";
import { FRAME_VECTORS } from "./helpers/vectors.js";

type Json = Record<string, unknown>;
const record = (v: unknown): Json => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown, d: string): string => (typeof v === "string" ? v : d);

function copySource(value: unknown): Json {
  const raw = record(value);
  const source: Json = {
    ...raw,
    platform: str(raw.platform, SOURCE_DEFAULTS.platform),
    chat_id: str(raw.chat_id, SOURCE_DEFAULTS.chat_id),
    chat_type: typeof raw.chat_type === "string" && RECEIVED_CHAT_TYPES.has(raw.chat_type) ? raw.chat_type : SOURCE_DEFAULTS.chat_type,
  };
  for (const key of ALWAYS_SENT_NULLABLE) source[key] = typeof raw[key] === "string" ? raw[key] : null;
  return source;
}

function copyEvent(value: unknown): Json {
  const raw = record(value);
  return {
    ...raw,
    text: str(raw.text, EVENT_DEFAULTS.text),
    message_type: typeof raw.message_type === "string" && RECEIVED_MESSAGE_TYPES.has(raw.message_type) ? raw.message_type : EVENT_DEFAULTS.message_type,
    source: copySource(raw.source),
  };
}

/** Serialised with every key in order: equal text means equal keys, order and values. */
function check(wire: string): void {
  const expected = JSON.stringify(copyEvent(JSON.parse(wire)));
  const actual = JSON.stringify(normalizeMessageEvent(JSON.parse(wire)));
  if (actual !== expected) throw new Error(`${wire}\n  in place: ${actual}\n  copy:     ${expected}`);
}

const field = fc.oneof(fc.string(), fc.constantFrom("text", "image", "photo", "dm", "group", "nope", ""), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 3 }), fc.string(), { maxKeys: 2 }));
const keyOf = (names: readonly string[]) => fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 6 }), fc.constantFrom("__proto__", "0", "10", "constructor"));
const sourceArb = fc.oneof(
  fc.dictionary(keyOf(["platform", "chat_id", "chat_type", ...ALWAYS_SENT_NULLABLE]), field, { maxKeys: 12 }),
  field,
);
const eventArb = fc.oneof(
  fc.tuple(fc.dictionary(keyOf(["text", "message_type", "message_id", "media_urls"]), field, { maxKeys: 8 }), fc.option(sourceArb, { nil: undefined }), fc.nat(8)).map(([event, source, at]) => {
    if (source === undefined) return event;
    // `source` at any position among the other keys.
    const entries: Array<[string, unknown]> = Object.entries(event).filter(([k]) => k !== "source");
    entries.splice(Math.min(at, entries.length), 0, ["source", source]);
    return Object.fromEntries(entries);
  }),
  field,
);

t.test("every inbound event of the contract's vectors", async (t) => {
  let n = 0;
  for (const v of FRAME_VECTORS) {
    const frame = v.value as { type?: unknown; event?: unknown } | null;
    if (frame?.type !== "inbound" || frame.event === undefined) continue;
    check(JSON.stringify(frame.event));
    n++;
  }
  t.ok(n > 0, `${n} inbound events`);
});

t.test("edge events: empty, no source, keys missing, wrong types, integer-like and __proto__ keys", async (t) => {
  const wires = [
    "{}",
    "[]",
    "null",
    '"text"',
    '{"source":null}',
    '{"source":[]}',
    '{"message_type":"image","text":5,"source":{"chat_type":"forum","user_id":7}}',
    '{"10":1,"source":{"2":"x","chat_name":"n"},"0":0,"text":"hi"}',
    '{"__proto__":{"text":"polluted"},"source":{"__proto__":{"platform":"p"}}}',
    '{"message_id":"m","text":"t","message_type":"voice","source":{"platform":"discord","chat_id":"c","chat_type":"thread","chat_name":null,"user_id":"u","user_name":"n","thread_id":"th","chat_topic":"to","extra":true},"extra":[1]}',
  ];
  for (const wire of wires) check(wire);
  t.pass();
});

t.test("any event: the same keys, order and values as the copy", async (t) => {
  fc.assert(fc.property(eventArb, (event) => check(JSON.stringify(event))), { numRuns: 3000 });
  t.pass();
});
