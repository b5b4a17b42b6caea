/**
 * The client writes each `inbound_ack` through a shortcut (src/client/encode-ack.ts): the ack
 * definition's validator alone, and the line written out by hand. It must give exactly what the
 * general path gives — `validateOutgoing`'s full frame check, then `encodeFrame` — for every id
 * and every mode: the same line, or the same error.
 */
import t, { type Test } from "tap";
import fc from "fast-check";
import { encodeAck, encodeAckChecked } from "../src/client/encode-ack.js";
import type { OutgoingValidation } from "../src/kernel/outgoing.js";

type Outcome = { line: string } | { error: string; name: string };

function outcome(f: () => string): Outcome {
  try {
    return { line: f() };
  } catch (err) {
    return { error: (err as Error).message, name: (err as Error).name };
  }
}

const MODES: OutgoingValidation[] = ["strict", "tolerant", "off"];

function same(t: Test, id: string, n: number): void {
  // The message names the id by its position: some ids hold line separators TAP would split on.
  for (const mode of MODES) t.same(outcome(() => encodeAck(id, mode)), outcome(() => encodeAckChecked(id, mode)), `${mode}: id #${n} (${id.length} UTF-16 units)`);
}

t.test("edge ids: empty, the length bound in UTF-16 units and in code points, escapes, lone surrogates", async (t) => {
  const ids = [
    "",
    "1",
    "42",
    "b-17",
    "x".repeat(255),
    "x".repeat(256),
    "x".repeat(257),
    "é".repeat(256),
    "é".repeat(257),
    "\u{1F600}".repeat(128),
    "\u{1F600}".repeat(256),
    "\u{1F600}".repeat(257),
    'q"uote\\back/slash',
    "\u0000ctl\n\t\u001f\u007f\u2028\u2029",
    "\ud800",
    "a\udc00b",
    " ",
  ];
  ids.forEach((id, n) => same(t, id, n));
  // The general path does refuse some of them: the shortcut is not trivially always taken.
  t.throws(() => encodeAck("", "strict"), { name: "FrameValidationError" });
  t.throws(() => encodeAck("x".repeat(257), "strict"), { name: "FrameValidationError" });
  t.equal(encodeAck("b-1", "strict"), '{"type":"inbound_ack","bufferId":"b-1"}\n');
});

t.test("any string id gives what the general path gives, in every mode", async (t) => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: "binary", maxLength: 300 }), fc.string({ unit: "grapheme", minLength: 250, maxLength: 260 })), (id) => {
      for (const mode of MODES) {
        const a = outcome(() => encodeAck(id, mode));
        const b = outcome(() => encodeAckChecked(id, mode));
        if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`${mode} ${JSON.stringify(id)}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`);
      }
    }),
    { numRuns: 2000 },
  );
  t.pass();
});
