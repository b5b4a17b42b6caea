/**
 * Binds a `ws` socket to a connection core, and the ping keepalive (contract §11: no
 * application heartbeat; WebSocket pings only), with the rule the client uses
 * (`transport/ws-keepalive.ts`).
 */
import { WebSocket } from "ws";
import { batchWritesThisTick } from "../transport/ws-internals.js";
import { WsKeepalive, type KeepaliveHost } from "../transport/ws-keepalive.js";
import type { Connection, RelayTransport } from "./connection.js";
import { CLOSE_HANDSHAKE_TIMEOUT_MS } from "../kernel/close.js";

export class WsTransport implements RelayTransport, KeepaliveHost {
  #keepalive: WsKeepalive | undefined;
  #conn: Connection | undefined;
  #paused = false;

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
    this.#paused = true;
    this.ws.pause();
  }

  resume(): void {
    this.#paused = false;
    this.ws.resume();
  }

  get paused(): boolean {
    return this.#paused;
  }

  terminate(): void {
    this.ws.terminate();
  }

  /** One keepalive tick (the server drives every socket's from one timer). */
  tick(): void {
    if (this.ws.readyState === WebSocket.OPEN) this.#keepalive?.tick();
  }

  pong(): void {
    this.#keepalive?.pong();
  }

  /** A ping went unanswered: the connection ends as a keepalive timeout. */
  unresponsive(): void {
    if (this.#conn !== undefined) this.#conn.unresponsive();
    else this.ws.terminate();
  }

  /** Binds the connection this transport carries, and starts judging pongs (`keepaliveTimeoutMs`; none: off). */
  bind(conn: Connection, keepaliveTimeoutMs: number | undefined): void {
    this.#conn = conn;
    if (keepaliveTimeoutMs !== undefined) this.#keepalive = new WsKeepalive(this.ws, keepaliveTimeoutMs, this);
  }

  stopKeepalive(): void {
    this.#keepalive?.stop();
  }
}

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
  ws.on("pong", () => transport.pong());
  ws.on("error", onSocketError);
  ws.on("close", (code, reason) => {
    transport.stopKeepalive();
    onClosed?.();
    conn.transportClosed(code, reason.toString("utf8"));
  });
}
