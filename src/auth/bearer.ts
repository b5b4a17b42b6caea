/**
 * `Authorization: Bearer <token>` parsing for the `/relay` upgrade (contract §3).
 * Lenient only where HTTP is (scheme case, surrounding whitespace); anything ambiguous —
 * several headers, several credentials, parameters — is refused rather than guessed at.
 */

// RFC 6750 b64token. Stricter base64url checks belong to token verification, which reports
// them as `malformed` instead of "no credentials".
const BEARER = /^bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)$/i;

/** Returns the token, or `undefined` when the header is absent or not exactly one bearer token. */
export function parseBearer(headerValue: string | readonly string[] | undefined): string | undefined {
  let value: unknown = headerValue;
  if (Array.isArray(value)) {
    // Node's `headersDistinct` / raw arrays: a repeated Authorization header is ambiguous.
    if (value.length !== 1) return undefined;
    value = value[0];
  }
  if (typeof value !== "string") return undefined;
  const match = BEARER.exec(value.trim());
  return match?.[1];
}
