/**
 * Binds a `ws` socket to a connection core, and the ping keepalive (contract §11: no
 * application heartbeat; WebSocket pings only), with the rule the client uses
 * (`transport/ws-keepalive.ts`).
 */
import { WebSocket } from "ws";
import { closeWithin } from "../transport/ws-close.js";
import { batchWritesThisTick } from "../transport/ws-internals.js";
import { WsKeepalive, type KeepaliveHost } from "../transport/ws-keepalive.js";
import type { Connection, RelayTransport } from "./connection.js";

/** The transport of one socket, and (as its own host) that socket's keepalive. */
export class WsTransport extends WsKeepalive implements RelayTransport, KeepaliveHost {
  #conn: Connection | undefined;
  #paused = false;

  /** `keepaliveTimeoutMs`: how long a ping may stay unanswered; undefined: keepalive off. */
  constructor(ws: WebSocket, keepaliveTimeoutMs: number | undefined) {
    super(ws, keepaliveTimeoutMs);
  }

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
  override tick(): void {
    if (this.ws.readyState === WebSocket.OPEN) super.tick();
  }

  /** A ping went unanswered: the connection ends as a keepalive timeout. */
  unresponsive(): void {
    if (this.#conn !== undefined) this.#conn.unresponsive();
    else this.ws.terminate();
  }

  /** The connection this transport carries, once bound. */
  get connection(): Connection | undefined {
    return this.#conn;
  }

  /** Binds the connection this transport carries. */
  bind(conn: Connection): void {
    this.#conn = conn;
  }

  stopKeepalive(): void {
    this.stop();
  }
}


/** What the shared socket listeners ask of the server that holds the sockets. */
export interface SocketHost {
  /** The transport a socket carries; undefined once the server let go of it. */
  transportOf(ws: WebSocket): WsTransport | undefined;
  /** ws-level failures (bad UTF-8, oversize). */
  socketError(transport: WsTransport, error: Error): void;
  /** The socket closed; runs before the connection core hears of it. */
  socketClosed(transport: WsTransport): void;
}

/** The listeners one server attaches to every socket; `ws` calls them with the socket as `this`. */
export interface SocketListeners {
  message(this: WebSocket, data: Buffer): void;
  pong(this: WebSocket): void;
  error(this: WebSocket, error: Error): void;
  close(this: WebSocket, code: number, reason: Buffer): void;
}

/**
 * Built once per server: the socket arrives as `this`, so an idle socket holds no closure of its
 * own for its events, only a reference to these shared functions.
 */
export function socketListeners(host: SocketHost): SocketListeners {
  return {
    message(data) {
      host.transportOf(this)?.connection?.receive(data);
    },
    pong() {
      host.transportOf(this)?.pong();
    },
    error(error) {
      const transport = host.transportOf(this);
      if (transport !== undefined) host.socketError(transport, error);
    },
    close(code, reason) {
      const transport = host.transportOf(this);
      if (transport === undefined) return;
      transport.stopKeepalive();
      host.socketClosed(transport);
      transport.connection?.transportClosed(code, reason.toString("utf8"));
    },
  };
}

/** Wires socket events to the core through the server's shared listeners. */
export function bindWebSocket(ws: WebSocket, listeners: SocketListeners): void {
  ws.on("message", listeners.message as (data: unknown) => void);
  ws.on("pong", listeners.pong);
  ws.on("error", listeners.error);
  ws.on("close", listeners.close);
}
