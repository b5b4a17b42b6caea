/**
 * `inbound_ack` lines read without JSON.parse (src/codec/ack-line.ts) must mean exactly what
 * JSON.parse makes of them, and the decoder must treat them exactly as it treats the same frame
 * parsed the general way: same frames, same errors, in every mode and direction. The spaced
 * form is what the reference gateway writes: `_send_inbound_ack` hands `{"type": "inbound_ack",
 * "bufferId": …}` to `_send`, which writes `json.dumps(frame) + "\n"` with the default separators
 * (NousResearch/hermes-agent, gateway/relay/ws_transport.py, commit 04077d8997a1).
 */
import t from "tap";
import fc from "fast-check";
import { isDeepStrictEqual } from "node:util";
import { parseAckLine } from "../src/codec/ack-line.js";
import { FrameDecoder, type DecodeEvent } from "../src/codec/index.js";
import type { FrameDirection } from "../src/validation-types.js";

const COMPACT = '{"type":"inbound_ack","bufferId":"';
const SPACED = '{"type": "inbound_ack", "bufferId": "';

function jsonParse(line: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(line) };
  } catch {
    return { ok: false };
  }
}

/** What the general path makes of a line: the same line behind a space, which JSON ignores and the exact forms never start with. */
function summary(events: DecodeEvent[]): unknown[] {
  return events.map((e) => (e.kind === "frame" ? { type: e.type, frame: e.frame } : { code: e.error.code, frameType: e.error.frameType, issues: e.error.issues }));
}

const idChar = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(..."0123456789-abcXYZ:._ ") },
  { weight: 2, arbitrary: fc.constantFrom('"', "\\", "\u0000", "\u001f", "\t", "\r", "\n", "\u007f", "é", "🌍", "\ud800", "\udfff", "\u2028", "}", "{") },
  { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
);
const id = fc.oneof(
  { weight: 4, arbitrary: fc.array(idChar, { maxLength: 12 }).map((a) => a.join("")) },
  { weight: 1, arbitrary: fc.constantFrom(255, 256, 257, 300).map((n) => "7".repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom(128, 129).map((n) => "🌍".repeat(n)) },
);
const prefix = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(COMPACT, SPACED) },
  { weight: 1, arbitrary: fc.constantFrom('{"type":"inbound_ack","bufferId": "', '{"type":"inbound_ack", "bufferId":"', ' {"type":"inbound_ack","bufferId":"', '{"type":"inbound_ack","bufferId":', '{"type":"inbound_acks","bufferId":"', '{"type":"going_idle","bufferId":"', '{"bufferId":"') },
);
const suffix = fc.oneof(
  { weight: 6, arbitrary: fc.constant('"}') },
  { weight: 1, arbitrary: fc.constantFrom('"} ', '"}\r', '" }', '"', "}", '"}}', '","type":"inbound_ack"}', '","extra":1}', '"}"}', "") },
);
const line = fc.tuple(prefix, id, suffix).map(([p, s, e]) => p + s + e);

t.test("an exact-form line reads as JSON.parse reads it; any other line is left to JSON.parse", async (t) => {
  let taken = 0;
  fc.assert(
    fc.property(line, (l) => {
      const quick = parseAckLine(l);
      if (quick === undefined) return true;
      taken++;
      const parsed = jsonParse(l);
      return parsed.ok && isDeepStrictEqual(quick, parsed.value) && Object.getPrototypeOf(quick) === Object.prototype;
    }),
    { numRuns: 50_000 },
  );
  t.ok(taken > 10_000, `the exact forms were exercised (${taken})`);
});

t.test("the forms producers write are read without JSON.parse", async (t) => {
  for (const bufferId of ["1", "1700000000000-0", "é🌍", "x".repeat(256), "a b"]) {
    t.strictSame(parseAckLine(`${JSON.stringify({ type: "inbound_ack", bufferId })}`), { type: "inbound_ack", bufferId }, `compact ${bufferId.slice(0, 20)}`);
    t.strictSame(parseAckLine(`${COMPACT}${bufferId}"}`), { type: "inbound_ack", bufferId });
    t.strictSame(parseAckLine(`${SPACED}${bufferId}"}`), { type: "inbound_ack", bufferId }, "as Python's json.dumps writes it");
  }
  // Escaped (json.dumps escapes non-ASCII; a quote or backslash in an id): the general path.
  t.equal(parseAckLine(`${SPACED}\\u00e9"}`), undefined);
  t.equal(parseAckLine(`${COMPACT}a\\"b"}`), undefined);
});

t.test("the decoder gives an exact-form line the same events as the general path, in every mode and direction", async (t) => {
  const directions: Array<FrameDirection | undefined> = [undefined, "gateway-to-connector", "connector-to-gateway"];
  let compared = 0;
  fc.assert(
    fc.property(line, fc.constantFrom("tolerant", "strict", "none") as fc.Arbitrary<"tolerant" | "strict" | "none">, fc.constantFrom(...directions), fc.constantFrom(64, 1_048_576), (l, mode, direction, maxLineBytes) => {
      if (l.includes("\n")) return true;
      const quick = new FrameDecoder({ mode, direction, maxLineBytes });
      const general = new FrameDecoder({ mode, direction, maxLineBytes });
      if (parseAckLine(l) !== undefined) compared++;
      const a = summary([...quick.push(`${l}\n`), ...quick.push(Buffer.from(`${l}\n${l}\n`))]);
      const b = summary([...general.push(` ${l}\n`), ...general.push(Buffer.from(` ${l}\n ${l}\n`))]);
      // Line length limits count the space too: compare only where both are within them.
      if (Buffer.byteLength(l) + 1 > maxLineBytes) return true;
      return isDeepStrictEqual(a, b);
    }),
    { numRuns: 20_000 },
  );
  t.ok(compared > 5_000, `exact-form lines compared (${compared})`);
});
