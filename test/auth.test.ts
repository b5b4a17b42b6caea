import t from "tap";
import crypto from "node:crypto";
import fc from "fast-check";
import {
  bearerHeader,
  DEFAULT_UPGRADE_TOKEN_TTL_SECONDS,
  isUsableSecret,
  makeToken,
  makeUpgradeToken,
  MAX_TOKEN_LENGTH,
  parseBearer,
  parseToken,
  sign,
  verifyUpgradeToken,
  verifyUpgradeTokenSync,
  type VerifyResult,
} from "../src/auth/index.js";
import { buildAuthVectors } from "../scripts/auth-vectors.js";

const NOW = 1_750_000_000;
const SECRET = "primary-secret";

function decode(token: string): string {
  return Buffer.from(token, "base64url").toString("utf8");
}

t.test("minting follows §2.1", async (t) => {
  const token = makeUpgradeToken({ gatewayId: "gw-a", secret: SECRET, now: NOW + 0.75 });
  const text = decode(token);
  const expected = `gw-a:${NOW + 300}`;
  t.equal(text, `${expected}:${crypto.createHmac("sha256", SECRET).update(expected).digest("hex")}`);
  t.match(token, /^[A-Za-z0-9_-]+$/, "base64url without padding");
  t.equal(DEFAULT_UPGRADE_TOKEN_TTL_SECONDS, 300);
  t.equal(bearerHeader(token), `Bearer ${token}`);

  t.equal(decode(makeToken("gw-a", SECRET, 0, NOW)).split(":")[1], "0", "ttl 0 → exp 0");
  t.equal(decode(makeToken("gw-a", SECRET, -10, NOW)).split(":")[1], "0", "ttl < 0 → exp 0");
  t.equal(decode(makeToken("gw-a", SECRET, 60, new Date(NOW * 1000 + 999))).split(":")[1], String(NOW + 60), "Date now");
  const before = Math.floor(Date.now() / 1000);
  const exp = Number(decode(makeUpgradeToken({ gatewayId: "gw-a", secret: SECRET })).split(":")[1]);
  t.ok(exp >= before + 300 && exp <= Math.floor(Date.now() / 1000) + 300, "default now is the current time");
  const nowish = Number(decode(makeToken("gw-a", SECRET, 10)).split(":")[1]);
  t.ok(Math.abs(nowish - (Math.floor(Date.now() / 1000) + 10)) <= 1, "makeToken: default now");
  t.equal(verifyUpgradeTokenSync(makeToken("gw-a", SECRET, 10), { secrets: [SECRET] }).ok, true, "verify: default now, fresh token");
  t.strictSame(verifyUpgradeTokenSync(makeToken("gw-a", SECRET, 10, 1000), { secrets: [SECRET] }), { ok: false, reason: "expired" }, "verify: default now, old token");
  t.equal(sign(SECRET, "m"), crypto.createHmac("sha256", SECRET).update("m").digest("hex"));
});

t.test("minting refuses tokens nobody could verify", async (t) => {
  t.throws(() => makeToken("gw", "   ", 300, NOW), TypeError);
  t.throws(() => makeToken("gw", "", 300, NOW), TypeError);
  t.throws(() => makeToken("", SECRET, 300, NOW), TypeError);
  t.throws(() => makeToken("gw\ud800", SECRET, 300, NOW), TypeError, "lone surrogate");
  t.throws(() => makeToken("gw", SECRET, 1.5, NOW), RangeError);
  t.throws(() => makeToken("gw", SECRET, 300, Number.NaN), RangeError);
  t.throws(() => makeToken("gw", SECRET, 300, new Date(Number.NaN)), RangeError);
  t.throws(() => makeToken("gw", SECRET, 300, -1), RangeError);
  t.notOk(isUsableSecret(" \t\n"));
  t.ok(isUsableSecret(" x "));
  t.notOk(isUsableSecret(42));
});

t.test("every verdict", async (t) => {
  const token = makeUpgradeToken({ gatewayId: "gw-a", secret: SECRET, now: NOW });
  const exp = NOW + 300;
  const verify = (tok: string, extra: Partial<Parameters<typeof verifyUpgradeTokenSync>[1]> = {}) =>
    verifyUpgradeTokenSync(tok, { secrets: [SECRET], now: NOW, ...extra });

  t.strictSame(verify(token), { ok: true, gatewayId: "gw-a", expiresAt: exp });
  t.strictSame(verify(token, { now: exp }), { ok: true, gatewayId: "gw-a", expiresAt: exp }, "valid at exactly exp");
  t.strictSame(verify(token, { now: exp + 1 }), { ok: false, reason: "expired" }, "expired one second later");
  t.strictSame(verify(token, { now: new Date((exp + 1) * 1000) }), { ok: false, reason: "expired" }, "Date now");
  t.strictSame(verify(token, { now: exp + 30, leewaySeconds: 30 }).ok, true, "leeway");
  t.strictSame(verify(token, { now: exp + 31, leewaySeconds: 30 }), { ok: false, reason: "expired" });
  t.strictSame(verify(token, { secrets: ["other"] }), { ok: false, reason: "bad_signature" });
  t.strictSame(verify(token, { secrets: ["other"], now: exp + 100 }), { ok: false, reason: "bad_signature" }, "only authentic tokens are reported expired");
  t.strictSame(verify(token, { secrets: [] }), { ok: false, reason: "unknown_gateway" });
  t.strictSame(verify(token, { secrets: ["", "  "] }), { ok: false, reason: "unknown_gateway" });
  t.strictSame(verify(token, { secrets: ["old", SECRET] }).ok, true, "rotation: second secret");
  t.strictSame(verify(token, { secrets: [" ", SECRET] }).ok, true, "unusable secret skipped");
  // A correctly padded token reads like the unpadded one (the reference connector decodes with
  // Buffer.from(token, "base64url")); padding of any other length is malformed.
  const pad = "=".repeat((4 - (token.length % 4)) % 4);
  t.ok(pad.length > 0, "this token has padding to add");
  t.strictSame(verify(`${token}${pad}`), { ok: true, gatewayId: "gw-a", expiresAt: exp }, "correct padding accepted");
  t.strictSame(verify(`${token}${pad}=`), { ok: false, reason: "malformed" }, "one '=' too many");
  t.strictSame(verify(`${token}====`), { ok: false, reason: "malformed" });
  t.equal(makeUpgradeToken({ gatewayId: "gw-a", secret: SECRET, now: NOW }).includes("="), false, "minting stays unpadded");
  t.strictSame(verify(""), { ok: false, reason: "malformed" });

  const never = makeToken("gw-a", SECRET, 0, NOW);
  t.strictSame(verify(never, { now: 2 ** 40 }), { ok: true, gatewayId: "gw-a", expiresAt: 0 }, "exp 0 never expires");

  const withColons = makeUpgradeToken({ gatewayId: "t:a:b", secret: SECRET, now: NOW });
  t.strictSame(verify(withColons), { ok: true, gatewayId: "t:a:b", expiresAt: exp }, "payload with colons");
  t.strictSame(parseToken(withColons)?.payload, "t:a:b");
  t.equal(parseToken("x".repeat(MAX_TOKEN_LENGTH + 3)), undefined, "length cap");
});

t.test("rejects bad options loudly", async (t) => {
  const token = makeUpgradeToken({ gatewayId: "gw-a", secret: SECRET, now: NOW });
  t.throws(() => verifyUpgradeTokenSync(token, { secrets: [SECRET], now: NOW, leewaySeconds: -1 }), RangeError);
  t.throws(() => verifyUpgradeTokenSync(token, { secrets: [SECRET], now: Number.NaN }), RangeError);
});

t.test("secret lookup", async (t) => {
  const token = makeUpgradeToken({ gatewayId: "gw-a", secret: SECRET, now: NOW });
  const seen: string[] = [];
  const ok: VerifyResult = { ok: true, gatewayId: "gw-a", expiresAt: NOW + 300 };

  t.strictSame(await verifyUpgradeToken(token, { secrets: [SECRET], now: NOW }), ok, "static list");
  t.strictSame(
    await verifyUpgradeToken(token, { secrets: (id) => (seen.push(id), ["old", SECRET]), now: NOW }),
    ok,
    "sync-returning lookup",
  );
  t.strictSame(seen, ["gw-a"], "lookup receives the gateway id");
  t.strictSame(await verifyUpgradeToken(token, { secrets: async () => SECRET, now: NOW }), ok, "async lookup returning one string");
  t.strictSame(await verifyUpgradeToken(token, { secrets: async () => ["x", SECRET], now: NOW }), ok, "async lookup returning a list");
  t.strictSame(await verifyUpgradeToken(token, { secrets: async () => undefined, now: NOW }), { ok: false, reason: "unknown_gateway" });
  t.strictSame(await verifyUpgradeToken(token, { secrets: () => [], now: NOW }), { ok: false, reason: "unknown_gateway" });
  t.strictSame(await verifyUpgradeToken(token, { secrets: async () => ["  "], now: NOW }), { ok: false, reason: "unknown_gateway" });
  t.strictSame(await verifyUpgradeToken(token, { secrets: async () => "wrong", now: NOW }), { ok: false, reason: "bad_signature" });

  let called = false;
  const lookup = () => {
    called = true;
    return [SECRET];
  };
  t.strictSame(await verifyUpgradeToken("not a token!", { secrets: lookup, now: NOW }), { ok: false, reason: "malformed" });
  t.notOk(called, "no lookup for a malformed token");

  await t.rejects(verifyUpgradeToken(token, { secrets: async () => { throw new Error("db down"); }, now: NOW }), /db down/, "lookup failures propagate");
});

t.test("signatures are compared with crypto.timingSafeEqual against every usable secret", async (t) => {
  const original = crypto.timingSafeEqual;
  let calls = 0;
  crypto.timingSafeEqual = ((a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
    calls++;
    return original(a, b);
  }) as typeof crypto.timingSafeEqual;
  t.teardown(() => {
    crypto.timingSafeEqual = original;
  });
  const token = makeUpgradeToken({ gatewayId: "gw-a", secret: SECRET, now: NOW });

  t.equal(verifyUpgradeTokenSync(token, { secrets: [SECRET, "b", "  ", "c"], now: NOW }).ok, true);
  t.equal(calls, 3, "no early exit after the first (matching) secret; unusable one skipped");
  calls = 0;
  t.equal(verifyUpgradeTokenSync(token, { secrets: ["a", "b"], now: NOW }).ok, false);
  t.equal(calls, 2);
  calls = 0;
  verifyUpgradeTokenSync(`${token}==`, { secrets: [SECRET], now: NOW });
  t.equal(calls, 0, "malformed tokens never reach the comparison");
});

t.test("vectors carry the verdicts their names promise", async (t) => {
  const { verify } = buildAuthVectors();
  const verdict = (name: string) => {
    const v = verify.find((x) => x.name === name);
    if (v === undefined) throw new Error(`no vector ${name}`);
    return v.expected.ok ? "ok" : v.expected.reason;
  };
  const intended: Record<string, string> = {
    valid: "ok",
    valid_at_exactly_exp: "ok",
    expired_by_one_second: "expired",
    expired_by_half_a_second: "expired",
    within_leeway: "ok",
    beyond_leeway: "expired",
    exp_zero_never_expires: "ok",
    rotated_secret_second_in_list: "ok",
    unusable_secrets_skipped: "ok",
    only_unusable_secrets: "unknown_gateway",
    no_secrets: "unknown_gateway",
    wrong_secret: "bad_signature",
    wrong_secret_and_expired: "bad_signature",
    secret_not_trimmed: "bad_signature",
    gateway_id_with_colons: "ok",
    non_ascii_secret: "ok",
    non_ascii_gateway_id: "ok",
    truncated_token: "malformed",
    padded_two: "ok",
    padded_one: "ok",
    padding_too_short: "malformed",
    padding_too_long: "malformed",
    padding_three: "malformed",
    padding_on_aligned_token: "malformed",
    padding_inside: "malformed",
    odd_length_token_unpadded: "ok",
    non_base64url_char: "malformed",
    non_canonical_base64: "malformed",
    empty_token: "malformed",
    non_integer_exp: "malformed",
    exp_with_leading_zero: "malformed",
    empty_gateway_id: "malformed",
    uppercase_hex_signature: "malformed",
    invalid_utf8: "malformed",
    tampered_gateway_id: "bad_signature",
    tampered_exp: "bad_signature",
    exp_zero_forged: "bad_signature",
  };
  for (const [name, want] of Object.entries(intended)) t.equal(verdict(name), want, name);
  t.strictSame(buildAuthVectors(), buildAuthVectors(), "deterministic");
  t.equal(JSON.stringify(buildAuthVectors()), JSON.stringify(buildAuthVectors()), "stable key order");
});

t.test("verification never throws on any token string", async (t) => {
  const valid = makeUpgradeToken({ gatewayId: "gw:a", secret: SECRET, now: NOW });
  const tokenish = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ unit: "binary", maxLength: 200 }),
    fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString("base64url")),
    fc.tuple(fc.nat(valid.length), fc.string({ maxLength: 4 })).map(([i, s]) => valid.slice(0, i) + s + valid.slice(i + 1)),
    fc.string({ maxLength: 120 }).map((s) => Buffer.from(s).toString("base64url")),
  );
  fc.assert(
    fc.property(tokenish, (token) => {
      const r = verifyUpgradeTokenSync(token, { secrets: [SECRET, "other"], now: NOW });
      return r.ok ? token === valid : ["malformed", "bad_signature", "expired", "unknown_gateway"].includes(r.reason);
    }),
    { numRuns: 5000 },
  );
  for (const odd of [undefined, null, 42, {}, [], "\u0000", "=", "===="]) {
    t.strictSame(verifyUpgradeTokenSync(odd as unknown as string, { secrets: [SECRET], now: NOW }), { ok: false, reason: "malformed" });
  }
});

t.test("parseBearer", async (t) => {
  const token = makeUpgradeToken({ gatewayId: "gw-a", secret: SECRET, now: NOW });
  t.equal(parseBearer(`Bearer ${token}`), token);
  t.equal(parseBearer(`bearer ${token}`), token);
  t.equal(parseBearer(`BEARER ${token}`), token);
  t.equal(parseBearer(`  Bearer \t ${token}  `), token, "surrounding and separating whitespace");
  t.equal(parseBearer([`Bearer ${token}`]), token, "one-element array");
  t.equal(parseBearer("Bearer abc=="), "abc==", "RFC 6750 b64token; verification judges the padding");
  for (const bad of [
    undefined,
    "",
    "Bearer",
    "Bearer ",
    token,
    `Basic ${token}`,
    `Bearer ${token} extra`,
    `Bearer ${token},Bearer ${token}`,
    `Bearer ${token}, other`,
    `Bearer a b`,
    `Bearer token="x"`,
    `Bearertoken`,
    `Bearer\n${token}x\nfoo`,
  ]) {
    t.equal(parseBearer(bad), undefined, JSON.stringify(bad));
  }
  t.equal(parseBearer([`Bearer ${token}`, `Bearer ${token}`]), undefined, "duplicated header");
  t.equal(parseBearer([]), undefined);
});
