/**
 * Dial-URL normalisation, exactly as the reference gateway's `_ws_dial_url` (contract
 * §3): the configured value is the connector *base* URL, and the socket lives at `/relay`.
 */

/** `http(s)` → `ws(s)`, trailing `/` stripped, `/relay` appended unless already there. Idempotent. */
export function normalizeRelayUrl(configured: string): string {
  let url = configured.trim();
  // Case-sensitive prefixes, like the reference: any other scheme is left as it is.
  if (url.startsWith("https://")) url = "wss://" + url.slice("https://".length);
  else if (url.startsWith("http://")) url = "ws://" + url.slice("http://".length);
  url = url.replace(/\/+$/, "");
  if (!url.endsWith("/relay")) url += "/relay";
  return url;
}
