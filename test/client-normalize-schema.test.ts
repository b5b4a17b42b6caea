/**
 * What the client fills into received frames (src/client/normalize.ts) is the schema's: the
 * enums a receiver keeps, the `default` of each field it fills, and the always-sent nullable
 * fields — checked against the generated JSON Schema bundle, so a schema change cannot leave
 * the client behind.
 */
import t from "tap";
import { readFileSync } from "node:fs";
import { ALWAYS_SENT_NULLABLE, EVENT_DEFAULTS, RECEIVED_CHAT_TYPES, RECEIVED_MESSAGE_TYPES, SOURCE_DEFAULTS } from "../src/client/normalize.js";

const bundle = JSON.parse(readFileSync(new URL("../generated/schema/bundle.json", import.meta.url), "utf8"));
const source = bundle.definitions.SessionSource;
const event = bundle.definitions.MessageEvent;

t.test("chat types are the schema's enum", async (t) => {
  t.same([...RECEIVED_CHAT_TYPES].sort(), [...source.properties.chat_type.enum].sort());
});

t.test("message types are the schema's enum without image (the gateway reads it as text)", async (t) => {
  const schema = [...event.properties.message_type.enum] as string[];
  t.ok(schema.includes("image"), "the schema lists image, which connectors send");
  t.same([...RECEIVED_MESSAGE_TYPES].sort(), schema.filter((m) => m !== "image").sort());
  t.match(event.properties.message_type.description, /image/, "and says why it is not kept");
});

t.test("filled defaults are the schema's defaults", async (t) => {
  for (const [key, value] of Object.entries(SOURCE_DEFAULTS)) t.equal(source.properties[key].default, value, `SessionSource.${key}`);
  for (const [key, value] of Object.entries(EVENT_DEFAULTS)) t.equal(event.properties[key].default, value, `MessageEvent.${key}`);
});

t.test("the always-sent nullable fields are the schema's required nullable fields", async (t) => {
  const required = new Set<string>(source.required);
  const nullableRequired = Object.entries(source.properties as Record<string, { default?: unknown }>)
    .filter(([key, p]) => required.has(key) && p.default === null)
    .map(([key]) => key);
  t.same([...ALWAYS_SENT_NULLABLE].sort(), nullableRequired.sort());
});
