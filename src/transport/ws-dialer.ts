/**
 * The gateway role's `ws` adapter: dials the connector and turns what `ws` reports into
 * `TransportEvents`. It owns everything `ws`-specific on this side — an HTTP 401 upgrade
 * refusal reported as a 4401 close (the same verdict, before any frame), the close code `ws`
 * sent for a frame it refused, write batching, pausing the socket, and ping keepalive.
 */
import WebSocket from "ws";
import type { Dialer, DialedTransport, DialRequest, TransportEnd, TransportEvents } from "./types.js";
import { closeUnresponsive } from "./ws-close.js";
import { batchWritesThisTick, closeCodeOfWsError } from "./ws-internals.js";
import { startKeepalive } from "./ws-keepalive.js";

function messageBytes(data: WebSocket.RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

class WsDialedTransport implements DialedTransport {
  readonly #ws: WebSocket | undefined;
  #paused = false;
  #opened = false;
  #httpStatus: number | undefined;
  #error: Error | undefined;
  #stopKeepalive: (() => void) | undefined;

  constructor(request: DialRequest, events: TransportEvents) {
    let ws: WebSocket;
    try {
      ws = new WebSocket(request.url, {
        maxPayload: request.maxPayload,
        perMessageDeflate: request.perMessageDeflate,
        ...(request.authorization !== undefined && { headers: { Authorization: request.authorization } }),
      });
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      queueMicrotask(() => events.close({ code: 1006, reason: error.message, opened: false, error }));
      return;
    }
    this.#ws = ws;
    ws.on("unexpected-response", (_req, res) => {
      this.#httpStatus = res.statusCode;
      res.resume();
      ws.terminate();
    });
    ws.on("error", (err) => {
      this.#error = err;
    });
    ws.on("open", () => {
      this.#opened = true;
      if (request.keepalive !== undefined) {
        const transport = this;
        this.#stopKeepalive = startKeepalive(ws, request.keepalive, {
          get paused() {
            return transport.#paused;
          },
          unresponsive: () => {
            events.unresponsive();
            closeUnresponsive(ws);
          },
        });
      }
      events.open();
    });
    ws.on("message", (data) => events.message(data as Uint8Array | Uint8Array[], messageBytes(data)));
    ws.on("close", (code, reasonBytes) => {
      this.#stopKeepalive?.();
      events.close(this.#end(code, reasonBytes.toString("utf8")));
    });
  }

  #end(code: number, reason: string): TransportEnd {
    const base = { opened: this.#opened, ...(this.#error !== undefined && { error: this.#error }) };
    if (this.#httpStatus !== undefined) {
      // A refused upgrade carries no close frame; 401 means what a 4401 close means.
      const unauthorized = this.#httpStatus === 401;
      return { ...base, code: unauthorized ? 4401 : 1006, reason: unauthorized ? "unauthorized" : `HTTP ${this.#httpStatus}`, httpStatus: this.#httpStatus };
    }
    const sent = code === 1006 && this.#error !== undefined ? closeCodeOfWsError(this.#error) : undefined;
    if (sent !== undefined) return { ...base, code: sent, reason: reason || (this.#error?.message ?? "") };
    return { ...base, code, reason };
  }

  send(message: string, done: (error?: Error) => void): void {
    const ws = this.#ws;
    if (ws === undefined || ws.readyState !== WebSocket.OPEN) {
      queueMicrotask(() => done(new Error("relay socket is not open")));
      return;
    }
    batchWritesThisTick(ws);
    ws.send(message, done);
  }

  get bufferedAmount(): number {
    return this.#ws?.bufferedAmount ?? 0;
  }

  get open(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  /** Before the upgrade completes there is no closing handshake to make: the dial is dropped. */
  close(code: number, reason: string): void {
    const ws = this.#ws;
    if (ws === undefined) return;
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else ws.close(code, reason);
  }

  terminate(): void {
    this.#ws?.terminate();
  }

  pause(): void {
    if (this.#paused || this.#ws?.readyState !== WebSocket.OPEN) return;
    this.#paused = true;
    this.#ws.pause();
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#ws?.resume();
  }
}

/** Dials with `ws`. */
export const wsDialer: Dialer = (request, events) => new WsDialedTransport(request, events);
