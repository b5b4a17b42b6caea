/**
 * Cross-language vectors for the upgrade token (contract §3): minted and verified by
 * this package's implementation, re-checked by an independent Python stdlib implementation in
 * the tests. Pure and deterministic — fixed clocks, fixed secrets, fixed key order — because
 * `npm run generate` writes the result to `generated/vectors/auth-tokens.json`.
 */
import { bearerHeader, makeToken, sign, verifyUpgradeTokenSync, type VerifyResult } from "../src/auth/index.js";

export interface MintVector {
  name: string;
  gatewayId: string;
  secret: string;
  /** Unix seconds (may be fractional: minting floors it). */
  now: number;
  ttlSeconds: number;
  exp: number;
  /** `gatewayId:exp`, the HMAC message. */
  signed: string;
  /** Lowercase hex HMAC-SHA256(secret, signed). */
  signature: string;
  token: string;
  /** `Authorization` header value. */
  header: string;
}

export interface VerifyVector {
  name: string;
  token: string;
  /** Verify list, primary first. */
  secrets: string[];
  now: number;
  leewaySeconds: number;
  expected: VerifyResult;
}

export interface AuthVectors {
  mint: MintVector[];
  verify: VerifyVector[];
}

const NOW = 1_750_000_000;
const SECRET = "s3cret-primary";
const OLD_SECRET = "s3cret-previous";
const TWO_POW_40 = 2 ** 40;

interface MintInput {
  name: string;
  gatewayId: string;
  secret: string;
  now: number;
  ttlSeconds: number;
}

const MINT_INPUTS: readonly MintInput[] = [
  { name: "basic", gatewayId: "gw-hermes", secret: SECRET, now: NOW, ttlSeconds: 300 },
  { name: "fractional_now_is_floored", gatewayId: "gw-hermes", secret: SECRET, now: NOW + 0.999, ttlSeconds: 300 },
  { name: "ttl_zero_never_expires", gatewayId: "gw-hermes", secret: SECRET, now: NOW, ttlSeconds: 0 },
  { name: "negative_ttl_never_expires", gatewayId: "gw-hermes", secret: SECRET, now: NOW, ttlSeconds: -5 },
  { name: "gateway_id_with_colons", gatewayId: "tenant:acme:gw:1", secret: SECRET, now: NOW, ttlSeconds: 300 },
  { name: "non_ascii_secret", gatewayId: "gw-hermes", secret: "sécret-🔑", now: NOW, ttlSeconds: 300 },
  { name: "non_ascii_gateway_id", gatewayId: "gw-ünïcødé-网关-🚀", secret: SECRET, now: NOW, ttlSeconds: 300 },
  { name: "secret_whitespace_is_significant", gatewayId: "gw-hermes", secret: "  padded secret\t", now: NOW, ttlSeconds: 300 },
  { name: "one_char_gateway_id", gatewayId: "g", secret: SECRET, now: NOW, ttlSeconds: 300 },
  { name: "two_char_gateway_id", gatewayId: "gw", secret: SECRET, now: NOW, ttlSeconds: 300 },
  { name: "three_char_gateway_id", gatewayId: "gwx", secret: SECRET, now: NOW, ttlSeconds: 300 },
  { name: "long_gateway_id", gatewayId: `gw-${"x".repeat(200)}`, secret: SECRET, now: NOW, ttlSeconds: 300 },
  { name: "large_now", gatewayId: "gw-hermes", secret: SECRET, now: TWO_POW_40, ttlSeconds: 300 },
  { name: "long_ttl", gatewayId: "gw-hermes", secret: SECRET, now: NOW, ttlSeconds: 86_400 * 365 },
];

function mint(input: MintInput): MintVector {
  const exp = input.ttlSeconds > 0 ? Math.floor(input.now) + input.ttlSeconds : 0;
  const signed = `${input.gatewayId}:${exp}`;
  const token = makeToken(input.gatewayId, input.secret, input.ttlSeconds, input.now);
  return {
    name: input.name,
    gatewayId: input.gatewayId,
    secret: input.secret,
    now: input.now,
    ttlSeconds: input.ttlSeconds,
    exp,
    signed,
    signature: sign(input.secret, signed),
    token,
    header: bearerHeader(token),
  };
}

/** A token with arbitrary text inside, correctly signed — to isolate the syntax checks. */
function rawToken(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}

function signedRaw(payload: string, exp: string, secret: string): string {
  return rawToken(`${payload}:${exp}:${sign(secret, `${payload}:${exp}`)}`);
}

/** Same bytes, different text: sets unused low bits of the last base64 character. */
function nonCanonical(token: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const last = alphabet.indexOf(token.at(-1) as string);
  return token.slice(0, -1) + (alphabet[last | 1] as string);
}

interface VerifyInput {
  name: string;
  token: string;
  secrets: string[];
  now: number;
  leewaySeconds?: number;
}

export function buildAuthVectors(): AuthVectors {
  const mintVectors = MINT_INPUTS.map(mint);
  const byName = new Map(mintVectors.map((v) => [v.name, v]));
  const tok = (name: string): MintVector => byName.get(name) as MintVector;

  const basic = tok("basic");
  const exp = basic.exp;
  // A token whose length leaves unused bits in its last character (length % 4 is 2 or 3).
  const oddLength = mintVectors.find((v) => v.token.length % 4 !== 0) as MintVector;
  const expOfBasic = String(exp);
  const sigOfBasic = basic.signature;
  // Correct `=` padding is read like the unpadded token (the reference connector decodes with
  // Node's Buffer.from(token, "base64url")); any other padding is malformed.
  const withResidue = (residue: number) => mintVectors.find((v) => v.token.length % 4 === residue) as MintVector;
  const needsTwo = withResidue(2);
  const needsOne = withResidue(3);
  const aligned = withResidue(0);

  const inputs: VerifyInput[] = [
    { name: "valid", token: basic.token, secrets: [SECRET], now: NOW },
    { name: "valid_at_exactly_exp", token: basic.token, secrets: [SECRET], now: exp },
    { name: "expired_by_one_second", token: basic.token, secrets: [SECRET], now: exp + 1 },
    { name: "expired_by_half_a_second", token: basic.token, secrets: [SECRET], now: exp + 0.5 },
    { name: "within_leeway", token: basic.token, secrets: [SECRET], now: exp + 5, leewaySeconds: 5 },
    { name: "beyond_leeway", token: basic.token, secrets: [SECRET], now: exp + 6, leewaySeconds: 5 },
    { name: "exp_zero_never_expires", token: tok("ttl_zero_never_expires").token, secrets: [SECRET], now: TWO_POW_40 },
    { name: "negative_ttl_token_never_expires", token: tok("negative_ttl_never_expires").token, secrets: [SECRET], now: TWO_POW_40 },
    { name: "rotated_secret_second_in_list", token: basic.token, secrets: [OLD_SECRET, SECRET], now: NOW },
    { name: "rotated_secret_first_in_list", token: basic.token, secrets: [SECRET, OLD_SECRET], now: NOW },
    { name: "unusable_secrets_skipped", token: basic.token, secrets: ["", "   ", "\t", SECRET], now: NOW },
    { name: "only_unusable_secrets", token: basic.token, secrets: ["", "  \t "], now: NOW },
    { name: "no_secrets", token: basic.token, secrets: [], now: NOW },
    { name: "wrong_secret", token: basic.token, secrets: [OLD_SECRET], now: NOW },
    { name: "wrong_secret_and_expired", token: basic.token, secrets: [OLD_SECRET], now: exp + 1000 },
    { name: "secret_not_trimmed", token: tok("secret_whitespace_is_significant").token, secrets: ["padded secret"], now: NOW },
    { name: "secret_with_whitespace", token: tok("secret_whitespace_is_significant").token, secrets: ["  padded secret\t"], now: NOW },
    { name: "gateway_id_with_colons", token: tok("gateway_id_with_colons").token, secrets: [SECRET], now: NOW },
    { name: "non_ascii_secret", token: tok("non_ascii_secret").token, secrets: ["sécret-🔑"], now: NOW },
    { name: "non_ascii_secret_wrong_normalisation", token: tok("non_ascii_secret").token, secrets: ["se\u0301cret-🔑"], now: NOW },
    { name: "non_ascii_gateway_id", token: tok("non_ascii_gateway_id").token, secrets: [SECRET], now: NOW },
    { name: "long_gateway_id", token: tok("long_gateway_id").token, secrets: [SECRET], now: NOW },
    { name: "truncated_token", token: basic.token.slice(0, -4), secrets: [SECRET], now: NOW },
    { name: "truncated_by_one_char", token: basic.token.slice(0, -1), secrets: [SECRET], now: NOW },
    { name: "padded_two", token: `${needsTwo.token}==`, secrets: [needsTwo.secret], now: NOW },
    { name: "padded_one", token: `${needsOne.token}=`, secrets: [needsOne.secret], now: NOW },
    { name: "padding_too_short", token: `${needsTwo.token}=`, secrets: [needsTwo.secret], now: NOW },
    { name: "padding_too_long", token: `${needsOne.token}==`, secrets: [needsOne.secret], now: NOW },
    { name: "padding_three", token: `${needsOne.token}===`, secrets: [needsOne.secret], now: NOW },
    { name: "padding_on_aligned_token", token: `${aligned.token}==`, secrets: [aligned.secret], now: NOW },
    { name: "padding_inside", token: `${needsTwo.token.slice(0, 4)}=${needsTwo.token.slice(4)}=`, secrets: [needsTwo.secret], now: NOW },
    { name: "padded_truncated_token", token: `${basic.token.slice(0, -4)}${"=".repeat((4 - (basic.token.length % 4)) % 4)}`, secrets: [SECRET], now: NOW },
    { name: "odd_length_token_unpadded", token: oddLength.token, secrets: [oddLength.secret], now: NOW },
    { name: "non_base64url_char", token: `${basic.token.slice(0, 8)}+${basic.token.slice(9)}`, secrets: [SECRET], now: NOW },
    { name: "non_base64url_dot", token: `${basic.token.slice(0, 8)}.${basic.token.slice(9)}`, secrets: [SECRET], now: NOW },
    { name: "surrounding_whitespace", token: ` ${basic.token}`, secrets: [SECRET], now: NOW },
    { name: "non_canonical_base64", token: nonCanonical(oddLength.token), secrets: [oddLength.secret], now: NOW },
    { name: "empty_token", token: "", secrets: [SECRET], now: NOW },
    { name: "non_integer_exp", token: signedRaw("gw-hermes", "1750000300.5", SECRET), secrets: [SECRET], now: NOW },
    { name: "exp_with_leading_zero", token: signedRaw("gw-hermes", "01750000300", SECRET), secrets: [SECRET], now: NOW },
    { name: "exp_with_plus_sign", token: signedRaw("gw-hermes", "+1750000300", SECRET), secrets: [SECRET], now: NOW },
    { name: "negative_exp", token: signedRaw("gw-hermes", "-1", SECRET), secrets: [SECRET], now: NOW },
    { name: "exp_too_many_digits", token: signedRaw("gw-hermes", "1".repeat(16), SECRET), secrets: [SECRET], now: NOW },
    { name: "empty_exp", token: signedRaw("gw-hermes", "", SECRET), secrets: [SECRET], now: NOW },
    { name: "empty_gateway_id", token: signedRaw("", "0", SECRET), secrets: [SECRET], now: NOW },
    { name: "uppercase_hex_signature", token: rawToken(`gw-hermes:${expOfBasic}:${sigOfBasic.toUpperCase()}`), secrets: [SECRET], now: NOW },
    { name: "short_signature", token: rawToken(`gw-hermes:${expOfBasic}:${sigOfBasic.slice(0, 62)}`), secrets: [SECRET], now: NOW },
    { name: "only_two_parts", token: rawToken(`gw-hermes:${sigOfBasic}`), secrets: [SECRET], now: NOW },
    { name: "invalid_utf8", token: Buffer.concat([Buffer.from([0x67, 0xff, 0x77]), Buffer.from(`:0:${sign(SECRET, "g\ufffdw:0")}`)]).toString("base64url"), secrets: [SECRET], now: NOW },
    { name: "tampered_gateway_id", token: rawToken(`gw-hermez:${expOfBasic}:${sigOfBasic}`), secrets: [SECRET], now: NOW },
    { name: "tampered_exp", token: rawToken(`gw-hermes:${exp + 3600}:${sigOfBasic}`), secrets: [SECRET], now: NOW },
    { name: "exp_zero_forged", token: rawToken(`gw-hermes:0:${sigOfBasic}`), secrets: [SECRET], now: NOW },
  ];

  const verifyVectors = inputs.map((input): VerifyVector => {
    const leewaySeconds = input.leewaySeconds ?? 0;
    return {
      name: input.name,
      token: input.token,
      secrets: input.secrets,
      now: input.now,
      leewaySeconds,
      expected: verifyUpgradeTokenSync(input.token, { secrets: input.secrets, now: input.now, leewaySeconds }),
    };
  });

  return { mint: mintVectors, verify: verifyVectors };
}
