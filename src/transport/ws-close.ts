/**
 * Closing a `ws` socket the way both roles close one: the closing handshake, bounded.
 */
import { WebSocket } from "ws";
import { CloseCode, CloseReason } from "../close-codes.js";
import { CLOSE_HANDSHAKE_TIMEOUT_MS } from "../kernel/close.js";

/** Starts the closing handshake and terminates the socket if it has not completed in time. */
export function closeWithin(ws: WebSocket, code: number, reason: string, timeoutMs = CLOSE_HANDSHAKE_TIMEOUT_MS): void {
  if (ws.readyState === WebSocket.CLOSED) return;
  const timer = setTimeout(() => ws.terminate(), timeoutMs);
  timer.unref();
  ws.once("close", () => clearTimeout(timer));
  ws.close(code, reason);
}

/**
 * A keepalive ping went unanswered: 1011 "keepalive ping timeout", what the Python `websockets`
 * library of the reference gateway sends in that case (contract §10), so a peer that
 * is alive but slow learns why. The peer may be gone: its answer is not awaited past the
 * closing-handshake grace.
 */
export function closeUnresponsive(ws: WebSocket): void {
  closeWithin(ws, CloseCode.InternalError, CloseReason.KeepaliveTimeout);
}
