/**
 * Binds a `ws` socket to a connection core, and the ping keepalive (contract §11: no
 * application heartbeat; WebSocket pings only).
 */
import { WebSocket } from "ws";
import { batchWritesThisTick } from "../transport/ws-internals.js";
import type { Connection, RelayTransport } from "./connection.js";

export class WsTransport implements RelayTransport {
  /** Cleared at each ping, set by the pong. */
  alive = true;

  constructor(readonly ws: WebSocket) {}

  send(message: string, done: (error?: Error) => void): void {
    if (this.ws.readyState !== WebSocket.OPEN) {
      queueMicrotask(() => done(new Error("relay socket is not open")));
      return;
    }
    batchWritesThisTick(this.ws);
    this.ws.send(message, { binary: false }, done);
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  close(code: number, reason: string): void {
    closeWithin(this.ws, code, reason);
  }

  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }

  terminate(): void {
    this.ws.terminate();
  }

  /** One keepalive tick: terminate a peer that did not answer the previous ping. */
  tick(): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (!this.alive) {
      this.ws.terminate();
      return;
    }
    this.alive = false;
    try {
      this.ws.ping();
    } catch {
      this.ws.terminate();
    }
  }
}

/**
 * How long a peer gets to answer our close frame before the socket is dropped. `ws` itself waits
 * 30 s, which lets a peer that never answers (a rejected upgrade, a stalled gateway) hold a
 * socket that long.
 */
export const CLOSE_HANDSHAKE_TIMEOUT_MS = 2_000;

/** Starts the closing handshake and terminates the socket if it has not completed in time. */
export function closeWithin(ws: WebSocket, code: number, reason: string, timeoutMs = CLOSE_HANDSHAKE_TIMEOUT_MS): void {
  if (ws.readyState === WebSocket.CLOSED) return;
  const timer = setTimeout(() => ws.terminate(), timeoutMs);
  timer.unref();
  ws.once("close", () => clearTimeout(timer));
  ws.close(code, reason);
}

/**
 * Wires socket events to the core. `onSocketError` sees ws-level failures (bad UTF-8, oversize);
 * `onClosed` runs on close, before the core hears of it. One listener per socket event, so an idle
 * socket holds no more closures than it needs.
 */
export function bindWebSocket(
  ws: WebSocket,
  transport: WsTransport,
  conn: Connection,
  onSocketError: (err: Error) => void,
  onClosed?: () => void,
): void {
  ws.on("message", (data) => conn.receive(data as Buffer));
  ws.on("pong", () => {
    transport.alive = true;
  });
  ws.on("error", onSocketError);
  ws.on("close", (code, reason) => {
    onClosed?.();
    conn.transportClosed(code, reason.toString("utf8"));
  });
}
