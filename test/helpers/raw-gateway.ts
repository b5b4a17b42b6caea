/**
 * A raw gateway for server tests: a plain `ws` client that sends exactly the bytes it is given
 * (strings or buffers, with or without "\n", several frames per message, a frame cut across
 * messages) and decodes what it receives with the contract's strict decoder, so any invalid frame
 * the server emits shows up in `decodeErrors`.
 */
import { randomBytes } from "node:crypto";
import { WebSocket } from "ws";
import type { ConnectorFrame } from "../../generated/types.js";
import { bearerHeader, makeUpgradeToken } from "../../src/auth/index.js";
import { FrameDecoder, type DecodeError } from "../../src/codec/index.js";
import { createRelayServer, type RelayServer, type RelayServerOptions } from "../../src/server/index.js";
import { descriptor } from "./fixtures.js";
import { sleep } from "./time.js";

export interface RawGatewayOptions {
  /** Full `Authorization` header value. */
  authorization?: string;
  /** Shorthand: mint an upgrade token for this gateway id and secret. */
  gatewayId?: string;
  secret?: string;
  ttlSeconds?: number;
  /** Default `/relay`. */
  path?: string;
  /** Answer pings (default true). */
  autoPong?: boolean;
  /** Answer every received frame carrying a `bufferId` with `inbound_ack` (default false). */
  autoAck?: boolean;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

export function requestId(): string {
  return randomBytes(16).toString("hex");
}

type Received = ConnectorFrame & { bufferId?: string };

export class RawGateway {
  readonly ws: WebSocket;
  /** Every received message, verbatim. */
  readonly messages: string[] = [];
  readonly frames: Received[] = [];
  readonly decodeErrors: DecodeError[] = [];
  readonly closed: Promise<CloseInfo>;
  autoAck: boolean;
  #closeInfo: CloseInfo | undefined;
  readonly #decoder = new FrameDecoder<ConnectorFrame>({ direction: "connector-to-gateway", mode: "strict" });
  readonly #listeners = new Set<() => void>();

  private constructor(ws: WebSocket, autoAck: boolean) {
    this.ws = ws;
    this.autoAck = autoAck;
    this.closed = new Promise((resolve) => {
      ws.on("close", (code, reason) => {
        this.#closeInfo = { code, reason: reason.toString("utf8") };
        resolve(this.#closeInfo);
        this.#notify();
      });
    });
    ws.on("error", () => undefined);
    ws.on("message", (data: Buffer, isBinary) => {
      const text = isBinary ? data.toString("utf8") : data.toString("utf8");
      this.messages.push(text);
      for (const event of this.#decoder.push(data)) {
        if (event.kind === "error") {
          this.decodeErrors.push(event.error);
          continue;
        }
        const frame = event.frame as Received;
        this.frames.push(frame);
        if (this.autoAck && typeof frame.bufferId === "string") this.ack(frame.bufferId);
      }
      this.#notify();
    });
  }

  static headerFor(opts: RawGatewayOptions): string | undefined {
    if (opts.authorization !== undefined) return opts.authorization;
    if (opts.gatewayId !== undefined && opts.secret !== undefined) {
      const tokenOpts: Parameters<typeof makeUpgradeToken>[0] = { gatewayId: opts.gatewayId, secret: opts.secret };
      if (opts.ttlSeconds !== undefined) tokenOpts.ttlSeconds = opts.ttlSeconds;
      return bearerHeader(makeUpgradeToken(tokenOpts));
    }
    return undefined;
  }

  /** Opens the socket (resolves at the 101); rejects with the HTTP status on a refused upgrade. */
  static connect(base: string, opts: RawGatewayOptions = {}): Promise<RawGateway> {
    const header = RawGateway.headerFor(opts);
    const ws = new WebSocket(`${base}${opts.path ?? "/relay"}`, {
      headers: header === undefined ? {} : { Authorization: header },
      autoPong: opts.autoPong ?? true,
      perMessageDeflate: false,
    });
    const gw = new RawGateway(ws, opts.autoAck ?? false);
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(gw));
      ws.once("unexpected-response", (_req, res) => {
        reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode }));
        res.resume();
        ws.terminate();
      });
      ws.once("error", reject);
    });
  }

  get closeInfo(): CloseInfo | undefined {
    return this.#closeInfo;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  /** Sends exactly these bytes as one message (text unless `binary`). */
  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** One frame, compact JSON plus "\n", as one message. */
  send(frame: Record<string, unknown>): void {
    this.sendRaw(`${JSON.stringify(frame)}\n`);
  }

  hello(platform = "telegram", botId = "bot-1", extra: Record<string, unknown> = {}): void {
    this.send({ type: "hello", platform, botId, ...extra });
  }

  /** Sends an `outbound` and returns its requestId. */
  outbound(action: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
    const id = requestId();
    this.send({ type: "outbound", requestId: id, action, ...extra });
    return id;
  }

  ack(bufferId: string): void {
    if (this.isOpen) this.send({ type: "inbound_ack", bufferId });
  }

  /** Resolves with the first received frame (from index `from`) matching `predicate`. */
  waitFor<F extends Received = Received>(predicate: (f: Received) => boolean, timeoutMs = 5000, from = 0): Promise<F> {
    return this.waitUntil(() => this.frames.slice(from).find(predicate) as F | undefined, timeoutMs, "frame");
  }

  waitForType<K extends Received["type"]>(type: K, timeoutMs = 5000, from = 0): Promise<Extract<Received, { type: K }>> {
    return this.waitFor((f) => f.type === type, timeoutMs, from) as Promise<Extract<Received, { type: K }>>;
  }

  /** Resolves once `count` received frames match. */
  waitForCount(predicate: (f: Received) => boolean, count: number, timeoutMs = 5000): Promise<Received[]> {
    return this.waitUntil(
      () => {
        const found = this.frames.filter(predicate);
        return found.length >= count ? found : undefined;
      },
      timeoutMs,
      `${count} frames`,
    );
  }

  waitForResult(id: string, timeoutMs = 5000): Promise<Extract<Received, { type: "outbound_result" }>> {
    return this.waitFor((f) => f.type === "outbound_result" && f.requestId === id, timeoutMs) as Promise<Extract<Received, { type: "outbound_result" }>>;
  }

  /** Resolves with the close code and reason. */
  waitClose(timeoutMs = 5000): Promise<CloseInfo> {
    return this.waitUntil(() => this.#closeInfo, timeoutMs, "close");
  }

  waitUntil<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const now = probe();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const value = probe();
        if (value === undefined) return;
        clearTimeout(timer);
        this.#listeners.delete(check);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.#listeners.delete(check);
        reject(new Error(`raw gateway: timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify(this.frames.map((f) => f.type))}`));
      }, timeoutMs);
      this.#listeners.add(check);
    });
  }

  /** Stops reading from the socket: the server's writes back up. */
  pause(): void {
    (this.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  }

  resume(): void {
    (this.ws as unknown as { _socket: { resume(): void } })._socket.resume();
  }

  /** Closes (normal close) and waits for the close to complete. */
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    if (this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.terminate();
      return;
    }
    this.ws.close(1000);
    await Promise.race([this.closed, sleep(2000).then(() => this.ws.terminate())]);
  }
}

// ── server-test fixtures ─────────────────────────────────────────────────────

export const GATEWAY = "gw-test";
export const SECRET = "s3cret-primary";

export interface Relay {
  server: RelayServer;
  /** `ws://127.0.0.1:PORT` */
  url: string;
  /** Connects a raw gateway authenticated as `GATEWAY` (unless overridden), closed at teardown. */
  gateway(opts?: RawGatewayOptions): Promise<RawGateway>;
}

/** A relay server on 127.0.0.1:0 with fast keepalive off, closed at teardown. */
export async function startRelay(
  t: { teardown(fn: () => unknown): void },
  options: Partial<RelayServerOptions> = {},
): Promise<Relay> {
  const server = createRelayServer({
    auth: { secrets: (id: string) => (id === GATEWAY ? [SECRET] : undefined) },
    onHello: (hello) => descriptor(hello.platform),
    keepaliveIntervalMs: 0,
    ...options,
  });
  const gateways: RawGateway[] = [];
  t.teardown(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await server.close({ drainMs: 1000 });
  });
  const address = await server.listen({ port: 0, host: "127.0.0.1" });
  const url = `ws://127.0.0.1:${address.port}`;
  return {
    server,
    url,
    async gateway(opts: RawGatewayOptions = {}) {
      const gw = await RawGateway.connect(url, { gatewayId: GATEWAY, secret: SECRET, ...opts });
      gateways.push(gw);
      return gw;
    },
  };
}

/** Connects, sends one hello, waits for its descriptor. */
export async function handshake(relay: Relay, opts: RawGatewayOptions = {}, platform = "telegram", botId = "bot-1"): Promise<RawGateway> {
  const gw = await relay.gateway(opts);
  gw.hello(platform, botId);
  await gw.waitForType("descriptor");
  return gw;
}
