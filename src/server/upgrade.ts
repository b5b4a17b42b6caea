/**
 * Deciding an upgrade request before anything is upgraded: is it for the relay path, and does its
 * bearer verify (contract §3, §10).
 *
 * Why a failed bearer is answered by upgrading and closing with 4401 rather than HTTP 401: a
 * WebSocket client only sees a close code on an accepted socket — an HTTP 401 reaches the
 * gateway as a generic dial failure with no code or reason, so it could not tell `expired`
 * (re-dial normally) from `unauthorized` (revocation). The socket that gets the 4401 never has a
 * frame processed: it is closed from the upgrade callback, before any listener exists.
 */
import type { IncomingMessage } from "node:http";
import { parseBearer, verifyUpgradeToken } from "../auth/index.js";
import { CloseCode, CloseReason } from "../close-codes.js";
import type { RejectReason, RelayAuthOptions } from "./types.js";

export type AuthOutcome =
  | { ok: true; gatewayId: string }
  | { ok: false; code: number; reason: string; reject: RejectReason; verdict?: string; error?: unknown };

/** The request path without its query string. */
export function requestPath(url: string | undefined): string {
  const raw = url ?? "/";
  const q = raw.search(/[?#]/);
  return q === -1 ? raw : raw.slice(0, q);
}

export async function authenticate(req: IncomingMessage, auth: RelayAuthOptions): Promise<AuthOutcome> {
  if ("unauthenticated" in auth) {
    if (auth.unauthenticated !== true) throw new TypeError("auth.unauthenticated must be exactly true");
    return { ok: true, gatewayId: auth.gatewayId ? auth.gatewayId(req) : "anonymous" };
  }
  // Node keeps only the first of repeated `Authorization` headers: a valid one followed by
  // anything would authenticate. More than one is refused outright.
  if (authorizationHeaders(req.rawHeaders) > 1) {
    return { ok: false, code: CloseCode.Unauthorized, reason: CloseReason.Unauthorized, reject: "unauthorized", verdict: "duplicate-header" };
  }
  const token = parseBearer(req.headers.authorization);
  if (token === undefined) {
    return { ok: false, code: CloseCode.Unauthorized, reason: CloseReason.Unauthorized, reject: "unauthorized", verdict: "missing" };
  }
  let result;
  try {
    const opts = auth.leewaySeconds === undefined ? { secrets: auth.secrets } : { secrets: auth.secrets, leewaySeconds: auth.leewaySeconds };
    result = await verifyUpgradeToken(token, opts);
  } catch (error) {
    // The secret store failed: no verdict about the token, so not a 4401 (which a V-mid gateway
    // could latch as a revocation) but an ordinary retryable failure.
    return { ok: false, code: CloseCode.InternalError, reason: CloseReason.InternalError, reject: "auth-error", error };
  }
  if (result.ok) return { ok: true, gatewayId: result.gatewayId };
  if (result.reason === "expired") {
    return { ok: false, code: CloseCode.Unauthorized, reason: CloseReason.Expired, reject: "expired", verdict: result.reason };
  }
  return { ok: false, code: CloseCode.Unauthorized, reason: CloseReason.Unauthorized, reject: "unauthorized", verdict: result.reason };
}

function authorizationHeaders(raw: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) if ((raw[i] as string).toLowerCase() === "authorization") n++;
  return n;
}

/** A minimal HTTP response on a raw upgrade socket, then close it. */
export function httpReject(socket: { writable: boolean; end(data: string): void; destroy(): void }, status: number, message: string): void {
  const body = `${message}\n`;
  const head =
    `HTTP/1.1 ${status} ${message}\r\n` +
    "Connection: close\r\n" +
    "Content-Type: text/plain; charset=utf-8\r\n" +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
  if (socket.writable) socket.end(head + body);
  else socket.destroy();
}
