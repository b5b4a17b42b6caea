/**
 * The Python package's upgrade-token helpers (python/relay_contract/tokens.py, standard library
 * only) against the TypeScript implementation, both ways: Python mints the shipped vectors'
 * tokens byte for byte and reaches their verdicts; tokens minted by either side from random
 * inputs are verified by both with the same verdict.
 */
import t from "tap";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { makeToken, verifyUpgradeTokenSync, isUsableSecret, type VerifyResult } from "../src/auth/index.js";
import type { AuthVectors } from "../scripts/auth-vectors.js";
import { runPythonJson } from "./helpers/python.js";

const driver = fileURLToPath(new URL("./python/relay_contract_driver.py", import.meta.url));
const shipped = JSON.parse(readFileSync(new URL("../generated/vectors/auth-tokens.json", import.meta.url), "utf8")) as AuthVectors;

interface MintInput {
  gatewayId: string;
  secret: string;
  ttlSeconds: number;
  now: number;
}
interface VerifyInput {
  token: string;
  secrets: string[];
  now: number;
  leewaySeconds: number;
}
interface DriverOutput {
  mint: string[];
  verify: VerifyResult[];
}
const python = (input: { mint?: MintInput[]; verify?: VerifyInput[] }) => runPythonJson<DriverOutput>(driver, input);

t.test("the shipped vectors: Python mints the same tokens and reaches the same verdicts", async (t) => {
  const out = python({ mint: shipped.mint, verify: shipped.verify });
  t.equal(out.mint.length, shipped.mint.length);
  for (const [i, v] of shipped.mint.entries()) t.equal(out.mint[i], v.token, `mint ${v.name}`);
  t.equal(out.verify.length, shipped.verify.length);
  for (const [i, v] of shipped.verify.entries()) t.strictSame(out.verify[i], v.expected, `verify ${v.name}`);
  const reasons = new Set(shipped.verify.map((v) => (v.expected.ok ? "ok" : v.expected.reason)));
  t.strictSame([...reasons].sort(), ["bad_signature", "expired", "malformed", "ok", "unknown_gateway"], "the vectors cover every verdict");
});

// Characters on which JavaScript's trim() and Python's str.strip() disagree, among others.
const SECRET_CHARS = ["a", "Z", "7", " ", "\t", "\n", "\u00a0", "\u2003", "\ufeff", "\u001c", "\u0085", "é", "🔑", ":"];
const secretArb = fc.string({ unit: fc.constantFrom(...SECRET_CHARS), minLength: 1, maxLength: 12 });
const gatewayIdArb = fc.oneof(
  fc.string({ minLength: 1, maxLength: 30 }),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 10 }),
  fc.constantFrom("gw-hermes", "tenant:acme:gw:1", "網關", "g"),
);
const caseArb = fc.record({
  gatewayId: gatewayIdArb,
  secret: secretArb.filter(isUsableSecret),
  other: secretArb,
  ttlSeconds: fc.integer({ min: -5, max: 100_000 }),
  now: fc.oneof(fc.integer({ min: 0, max: 2 ** 40 }), fc.double({ min: 0, max: 2 ** 40, noNaN: true })),
  checkAfter: fc.integer({ min: -3, max: 200_000 }),
  leewaySeconds: fc.integer({ min: 0, max: 5 }),
  order: fc.constantFrom("alone", "second", "first", "other-only"),
  flip: fc.option(fc.nat(400), { nil: undefined }),
});
type Case = typeof caseArb extends fc.Arbitrary<infer C> ? C : never;

function secretsOf(c: Case): string[] {
  if (c.order === "alone") return [c.secret];
  if (c.order === "second") return [c.other, c.secret];
  if (c.order === "first") return [c.secret, c.other];
  return [c.other];
}

/** The token with one character replaced (a tampered token), or unchanged. */
function tamper(token: string, at: number | undefined): string {
  if (at === undefined) return token;
  const i = at % token.length;
  return token.slice(0, i) + (token[i] === "A" ? "B" : "A") + token.slice(i + 1);
}

t.test("random tokens: minted by either side, verified by both, same verdicts", async (t) => {
  const cases = fc.sample(caseArb, { numRuns: 400, seed: 20_260_415 });
  const mintInputs: MintInput[] = cases.map((c) => ({ gatewayId: c.gatewayId, secret: c.secret, ttlSeconds: c.ttlSeconds, now: c.now }));
  const minted = python({ mint: mintInputs }).mint;
  const verifyInputs: VerifyInput[] = cases.map((c, i) => ({
    token: tamper(minted[i]!, c.flip),
    secrets: secretsOf(c),
    now: c.now + c.checkAfter,
    leewaySeconds: c.leewaySeconds,
  }));
  const pythonVerdicts = python({ verify: verifyInputs }).verify;
  const verdicts = new Set<string>();
  for (const [i, c] of cases.entries()) {
    const tsToken = makeToken(c.gatewayId, c.secret, c.ttlSeconds, c.now);
    if (minted[i] !== tsToken) {
      t.fail(`case ${i}: Python minted ${minted[i]}, TypeScript ${tsToken} for ${JSON.stringify(mintInputs[i])}`);
      continue;
    }
    const v = verifyInputs[i]!;
    const ts = verifyUpgradeTokenSync(v.token, { secrets: v.secrets, now: v.now, leewaySeconds: v.leewaySeconds });
    verdicts.add(ts.ok ? "ok" : ts.reason);
    if (JSON.stringify(pythonVerdicts[i]) !== JSON.stringify(ts)) {
      t.fail(`case ${i}: Python ${JSON.stringify(pythonVerdicts[i])}, TypeScript ${JSON.stringify(ts)} for ${JSON.stringify(v)}`);
    }
  }
  t.pass(`${cases.length} random cases agree`);
  t.strictSame([...verdicts].sort(), ["bad_signature", "expired", "malformed", "ok", "unknown_gateway"], "the random cases reach every verdict");
});

t.test("secrets both sides count as unusable: JavaScript's trim() whitespace, not Python's strip()", async (t) => {
  const token = makeToken("gw-hermes", "s3cret", 300, 1_750_000_000);
  const cases: VerifyInput[] = ["\ufeff", "\u001c", "\u0085", " \u3000 "].map((secret) => ({ token, secrets: [secret], now: 1_750_000_000, leewaySeconds: 0 }));
  const out = python({ verify: cases }).verify;
  for (const [i, v] of cases.entries()) {
    t.strictSame(out[i], verifyUpgradeTokenSync(v.token, { secrets: v.secrets, now: v.now }), `secret ${JSON.stringify(v.secrets[0])}`);
  }
});
