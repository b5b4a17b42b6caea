/**
 * `minLength` / `maxLength` count code points (JSON Schema), and the generated validators decide
 * most strings from their UTF-16 length alone (scripts/generate/validators.ts, bench/ §1): a
 * string of u units holds between ⌈u/2⌉ and u code points. These cases sit on both sides of every
 * bound with astral characters, lone surrogates and mixes, where the shortcut and the count differ.
 */
import t from "tap";
import { validateFrame } from "../src/validation.js";

const codePoints = (s: string): number => [...s].length;

const ASTRAL = "😀"; // 2 UTF-16 units, 1 code point
const PIECES = ["a", "é", ASTRAL, "\ud800", "\udc00"];

/** Strings of n code points built from a repeating mix (lone surrogates included). */
function mixes(n: number): string[] {
  const out = ["a".repeat(n), ASTRAL.repeat(n), "é".repeat(n)];
  for (let shift = 0; shift < PIECES.length; shift++) {
    let s = "";
    let i = shift;
    while (codePoints(s) < n) {
      const piece = PIECES[i++ % PIECES.length] as string;
      // A lone high surrogate followed by a lone low one would pair up into one code point.
      if (piece === "\udc00" && s.endsWith("\ud800")) continue;
      s += piece;
    }
    if (codePoints(s) === n) out.push(s);
  }
  return out;
}

const MODES = ["strict", "tolerant"] as const;

// Lengths are producer rules: strict enforces them; a receiver (tolerant) accepts any length.
t.test("bufferId: 1 to 256 code points", async (t) => {
  for (const mode of MODES) {
    for (const n of [0, 1, 2, 127, 128, 129, 255, 256, 257, 300, 512, 513]) {
      for (const bufferId of mixes(n)) {
        const ok = validateFrame({ type: "inbound_ack", bufferId }, { mode }).ok;
        t.equal(ok, mode === "tolerant" || (n >= 1 && n <= 256), `${mode}: ${n} code points, ${bufferId.length} units`);
      }
    }
  }
});

t.test("thread_name: 1 to 100 code points", async (t) => {
  for (const mode of MODES) {
    for (const n of [0, 1, 49, 50, 51, 99, 100, 101, 199, 200, 201]) {
      for (const thread_name of mixes(n)) {
        const frame = {
          type: "outbound",
          requestId: "4f3c2a1b0e9d8c7b6a5f4e3d2c1b0a99",
          action: { op: "thread_create", chat_id: "chanA", thread_name },
        };
        const result = validateFrame(frame, { mode });
        t.equal(result.ok, mode === "tolerant" || (n >= 1 && n <= 100), `${mode}: ${n} code points, ${thread_name.length} units`);
        if (!result.ok) t.match(result.issues[0], { path: "/action/thread_name", keyword: n === 0 ? "minLength" : "maxLength" });
      }
    }
  }
});
