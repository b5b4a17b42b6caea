/**
 * The `/relay` upgrade token (contract §3), byte-compatible with the gateway's
 * `gateway/relay/auth.py`:
 *
 *   token = base64url_nopad(utf8(payload + ":" + exp + ":" + hex(HMAC-SHA256(utf8(secret), utf8(payload + ":" + exp)))))
 *
 * `payload` is the gateway id; `exp` is Unix seconds (`floor(now) + ttl`, or `0` = never).
 */
// The default import (not named imports) keeps `timingSafeEqual` observable to tests that
// check the constant-time comparison is the one actually used.
import crypto from "node:crypto";

/** Upgrade tokens live this long unless told otherwise (`make_upgrade_token` default). */
export const DEFAULT_UPGRADE_TOKEN_TTL_SECONDS = 300;

/** Longer tokens are rejected unparsed (`malformed`); real ones are well under 1 KiB. */
export const MAX_TOKEN_LENGTH = 8192;

/** Unix time in seconds (fractions allowed), or a `Date`. */
export type UnixTime = number | Date;

export type VerifyFailureReason = "malformed" | "expired" | "bad_signature" | "unknown_gateway";

export type VerifyResult =
  | { ok: true; gatewayId: string; /** Unix seconds; `0` = never expires. */ expiresAt: number }
  | { ok: false; reason: VerifyFailureReason };

/** A secret or rotation list for one gateway; `undefined`/empty means "no such gateway". */
export type SecretSet = readonly string[] | string | undefined;

/** Resolves a gateway id (the token's unverified payload) to its secrets. */
export type SecretLookup = (gatewayId: string) => SecretSet | Promise<SecretSet>;

export interface VerifyOptions {
  /** Verify list (primary first, then rotation secondaries), or a per-gateway lookup. */
  secrets: readonly string[] | SecretLookup;
  /** Default: the current time. */
  now?: UnixTime;
  /** Grace after `exp`, in seconds. Default 0: the reference check has no skew allowance. */
  leewaySeconds?: number;
}

export interface SyncVerifyOptions extends VerifyOptions {
  secrets: readonly string[];
}

export interface UpgradeTokenOptions {
  gatewayId: string;
  secret: string;
  /** Default 300; `<= 0` mints a token that never expires (`exp = 0`). */
  ttlSeconds?: number;
  /** Default: the current time. */
  now?: UnixTime;
}

/** The token's fields, syntactically checked but not authenticated. */
export interface ParsedToken {
  payload: string;
  /** Unix seconds; `0` = never. */
  exp: number;
  /** Lowercase hex HMAC-SHA256 of `payload:exp`. */
  signature: string;
}

// base64url with optional `=` padding: minting never pads, but the reference connector decodes
// with Node's `Buffer.from(token, "base64url")`, which reads a padded token the same.
const BASE64URL = /^([A-Za-z0-9_-]+)(={0,2})$/;
const HEX_SHA256 = /^[0-9a-f]{64}$/;
// Canonical decimal only (what minting writes), short enough to stay an exact JS number.
const DECIMAL_EXP = /^(?:0|[1-9][0-9]{0,14})$/;
const MAX_EXP = 999_999_999_999_999;

/** Lowercase hex HMAC-SHA256 (`sign` in auth.py). */
export function sign(secret: string, message: string): string {
  return hmac(secret, message).toString("hex");
}

/** A secret counts only if it has a non-whitespace character (`is_usable_secret`). */
export function isUsableSecret(secret: unknown): secret is string {
  return typeof secret === "string" && secret.trim().length > 0;
}

/** General primitive (`make_token`): any payload, explicit TTL. */
export function makeToken(payload: string, secret: string, ttlSeconds: number, now: UnixTime = Date.now() / 1000): string {
  if (typeof payload !== "string" || payload.length === 0 || !isWellFormed(payload)) {
    throw new TypeError("makeToken: payload must be a non-empty, well-formed Unicode string");
  }
  if (!isUsableSecret(secret) || !isWellFormed(secret)) {
    throw new TypeError("makeToken: secret must contain a non-whitespace character (an unusable secret is skipped by every verifier)");
  }
  if (!Number.isSafeInteger(ttlSeconds)) throw new RangeError("makeToken: ttlSeconds must be an integer");
  const nowSeconds = unixSeconds(now, "makeToken");
  if (nowSeconds < 0) throw new RangeError("makeToken: now must not be before 1970");
  const exp = ttlSeconds > 0 ? Math.floor(nowSeconds) + ttlSeconds : 0;
  if (exp > MAX_EXP) throw new RangeError("makeToken: expiry out of range");
  const signed = `${payload}:${exp}`;
  return Buffer.from(`${signed}:${sign(secret, signed)}`, "utf8").toString("base64url");
}

/** The token a gateway sends on each dial (`make_upgrade_token`). */
export function makeUpgradeToken(opts: UpgradeTokenOptions): string {
  return makeToken(opts.gatewayId, opts.secret, opts.ttlSeconds ?? DEFAULT_UPGRADE_TOKEN_TTL_SECONDS, opts.now ?? Date.now() / 1000);
}

/** `Authorization` header value for a token. */
export function bearerHeader(token: string): string {
  return `Bearer ${token}`;
}

/**
 * Syntax only — use it to peek the gateway id before looking up secrets, never to trust it.
 * Accepts what `makeToken` produces, and the same token with its correct `=` padding (what a
 * padding encoder writes; the reference connector reads both). Rejects the rest: characters
 * outside base64url, padding of the wrong length, non-canonical base64, invalid UTF-8, a
 * non-decimal or non-canonical `exp`, a signature that is not 64 lowercase hex digits, an empty
 * payload.
 */
export function parseToken(token: unknown): ParsedToken | undefined {
  if (typeof token !== "string" || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return undefined;
  const match = BASE64URL.exec(token);
  if (match === null) return undefined;
  const body = match[1] as string;
  const padding = (match[2] as string).length;
  if (body.length % 4 === 1 || (padding > 0 && padding !== 4 - (body.length % 4))) return undefined;
  const bytes = Buffer.from(body, "base64url");
  if (bytes.toString("base64url") !== body) return undefined;
  const text = bytes.toString("utf8");
  if (!Buffer.from(text, "utf8").equals(bytes)) return undefined;

  // Split from the right: the payload may itself contain ":".
  const sigColon = text.lastIndexOf(":");
  if (sigColon <= 0) return undefined;
  const expColon = text.lastIndexOf(":", sigColon - 1);
  if (expColon <= 0) return undefined;
  const signature = text.slice(sigColon + 1);
  const expText = text.slice(expColon + 1, sigColon);
  if (!HEX_SHA256.test(signature) || !DECIMAL_EXP.test(expText)) return undefined;
  return { payload: text.slice(0, expColon), exp: Number(expText), signature };
}

/**
 * Verifies an upgrade token. Never throws for any token value; a `secrets` lookup that throws
 * or rejects propagates (a storage failure is not a verdict about the token).
 */
export async function verifyUpgradeToken(token: string, opts: VerifyOptions): Promise<VerifyResult> {
  const parsed = parseToken(token);
  if (parsed === undefined) return { ok: false, reason: "malformed" };
  const secrets = typeof opts.secrets === "function" ? await opts.secrets(parsed.payload) : opts.secrets;
  return check(parsed, secrets, opts);
}

/** Same verdicts as `verifyUpgradeToken`, for a fixed verify list. */
export function verifyUpgradeTokenSync(token: string, opts: SyncVerifyOptions): VerifyResult {
  const parsed = parseToken(token);
  if (parsed === undefined) return { ok: false, reason: "malformed" };
  return check(parsed, opts.secrets, opts);
}

/**
 * Order: unknown gateway → signature → expiry. The signature is checked before the expiry so
 * that only an authentic token can earn `expired` — the reason a connector turns into the
 * benign close reason "expired", which V-late+ gateways never treat as a revocation.
 */
function check(parsed: ParsedToken, secretSet: SecretSet, opts: VerifyOptions): VerifyResult {
  const leeway = opts.leewaySeconds ?? 0;
  if (!Number.isFinite(leeway) || leeway < 0) throw new RangeError("verifyUpgradeToken: leewaySeconds must be a finite number >= 0");
  const now = unixSeconds(opts.now ?? Date.now() / 1000, "verifyUpgradeToken");

  const secrets = typeof secretSet === "string" ? [secretSet] : Array.isArray(secretSet) ? secretSet : [];
  const given = Buffer.from(parsed.signature, "hex");
  const signed = `${parsed.payload}:${parsed.exp}`;
  let usable = 0;
  let matched = false;
  // No early exit: every usable secret is tried, so timing does not reveal which one matched.
  for (const secret of secrets) {
    if (!isUsableSecret(secret)) continue;
    usable++;
    if (crypto.timingSafeEqual(hmac(secret, signed), given)) matched = true;
  }
  if (usable === 0) return { ok: false, reason: "unknown_gateway" };
  if (!matched) return { ok: false, reason: "bad_signature" };
  if (parsed.exp !== 0 && now > parsed.exp + leeway) return { ok: false, reason: "expired" };
  return { ok: true, gatewayId: parsed.payload, expiresAt: parsed.exp };
}

function hmac(secret: string, message: string): Buffer {
  return crypto.createHmac("sha256", Buffer.from(secret, "utf8")).update(Buffer.from(message, "utf8")).digest();
}

function unixSeconds(now: UnixTime, where: string): number {
  const seconds = now instanceof Date ? now.getTime() / 1000 : now;
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) throw new RangeError(`${where}: now must be a finite Unix time in seconds or a valid Date`);
  return seconds;
}

/** No lone surrogates: UTF-8 encoding would silently turn them into U+FFFD. */
function isWellFormed(text: string): boolean {
  return Buffer.from(text, "utf8").toString("utf8") === text;
}
