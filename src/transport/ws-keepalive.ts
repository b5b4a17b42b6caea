/**
 * WebSocket-level keepalive, the same rule on both roles: a ping every `intervalMs`, one in
 * flight at a time, and the link is declared dead when a ping stays unanswered for `timeoutMs`
 * (defaults 30 s and 60 s on both, the reference gateway's own). There is no application
 * heartbeat frame in the contract; peers answer pings at the WebSocket layer.
 */
import type WebSocket from "ws";

export interface KeepaliveOptions {
  intervalMs: number;
  timeoutMs: number;
}

export const DEFAULT_KEEPALIVE_INTERVAL_MS = 30_000;
export const DEFAULT_KEEPALIVE_TIMEOUT_MS = 60_000;

/** What the keepalive of one socket asks of its owner. */
export interface KeepaliveHost {
  /**
   * This side stopped reading the socket: no ping is sent and an outstanding one is forgotten,
   * since its pong may be sitting unread, so silence proves nothing.
   */
  readonly paused: boolean;
  /** A ping went unanswered for the timeout; called at most once, after which nothing is pinged. */
  unresponsive(): void;
}

/**
 * The keepalive state of one socket. Something calls `tick()` every interval — a timer of its own
 * (`startKeepalive`, the client) or one timer for all sockets (the server helper) — and `pong()`
 * on every pong. A transport may extend it and be its own host: one object per socket instead of two.
 */
export class WsKeepalive {
  /** The socket pinged. */
  readonly ws: WebSocket;
  readonly #timeoutMs: number;
  readonly #host: KeepaliveHost;
  #deadline: NodeJS.Timeout | undefined;
  #stopped: boolean;

  /**
   * `timeoutMs` undefined: keepalive is off (nothing is ever pinged). `host` undefined: the
   * instance is its own host (a subclass implementing `KeepaliveHost`).
   */
  constructor(ws: WebSocket, timeoutMs: number | undefined, host?: KeepaliveHost) {
    this.ws = ws;
    this.#timeoutMs = timeoutMs ?? 0;
    this.#host = host ?? (this as unknown as KeepaliveHost);
    this.#stopped = timeoutMs === undefined;
  }

  tick(): void {
    // One ping in flight at a time: its deadline, not the next tick, decides.
    if (this.#stopped || this.#deadline !== undefined || this.#host.paused) return;
    this.#deadline = setTimeout(WsKeepalive.#expired, this.#timeoutMs, this);
    this.#deadline.unref();
    try {
      this.ws.ping();
    } catch {
      // Socket already closing: its close handler takes over.
    }
  }

  pong(): void {
    if (this.#deadline !== undefined) clearTimeout(this.#deadline);
    this.#deadline = undefined;
  }

  stop(): void {
    this.#stopped = true;
    this.pong();
  }

  // Static, with the instance as the timer's argument: no closure per socket.
  static #expired(keepalive: WsKeepalive): void {
    keepalive.#deadline = undefined;
    if (keepalive.#stopped || keepalive.#host.paused) return;
    keepalive.stop();
    keepalive.#host.unresponsive();
  }
}

/** Starts pinging `ws` on a timer of its own; returns the function that stops it. */
export function startKeepalive(ws: WebSocket, opts: KeepaliveOptions, host: KeepaliveHost): () => void {
  const keepalive = new WsKeepalive(ws, opts.timeoutMs, host);
  const interval = setInterval(() => keepalive.tick(), opts.intervalMs);
  const onPong = (): void => keepalive.pong();
  ws.on("pong", onPong);
  return () => {
    clearInterval(interval);
    keepalive.stop();
    ws.off("pong", onPong);
  };
}
