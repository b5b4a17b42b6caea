/**
 * A minimal connector written directly on `ws` (not on the package's server helper), so the
 * client is never tested only against its twin. It speaks the wire exactly as the reference's
 * inline test fakes do: one `JSON + "\n"` per message, received messages split on "\n".
 *
 * Defaults: accept every upgrade on /relay, answer each hello with a descriptor, answer each
 * outbound with success, ack going_idle. Tests script everything else through the hooks and the
 * per-connection methods.
 */
import { once } from "node:events";
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import WebSocket, { WebSocketServer } from "ws";
import type { CapabilityDescriptor, OutboundResult } from "../../generated/types.js";
import { descriptor } from "./fixtures.js";
import { createRelayClient, type RelayClient, type RelayClientEvents, type RelayClientOptions } from "../../src/client/index.js";

export type Frame = { type: string } & Record<string, unknown>;

export interface UpgradeInfo {
  index: number;
  path: string;
  headers: IncomingMessage["headers"];
  authorization: string | undefined;
}

export interface FakeConnectorOptions {
  /** Per upgrade: `true` accepts; a number refuses with that HTTP status. */
  authorize?: (upgrade: UpgradeInfo) => true | number;
  /** The descriptor answering a hello; `undefined` sends none. Default: `descriptor(hello.platform)`. */
  descriptorFor?: (hello: Frame, conn: FakeConnection) => CapabilityDescriptor | undefined;
  /** The result for an outbound; `undefined` leaves it unanswered. Default: success with a message id. */
  onOutbound?: (frame: Frame, conn: FakeConnection) => OutboundResult | undefined | Promise<OutboundResult | undefined>;
  /** Answer going_idle with going_idle_ack. Default true. */
  ackIdle?: boolean;
  /** Called for every accepted socket, before any frame is handled. */
  onConnection?: (conn: FakeConnection) => void;
  /** Called right after the first descriptor of a connection was written. */
  onHandshake?: (conn: FakeConnection) => void;
  /** Answer WebSocket pings. Default true. */
  autoPong?: boolean;
}

export class FakeConnection {
  readonly index: number;
  readonly upgrade: UpgradeInfo;
  readonly ws: WebSocket;
  /** Every frame received, in order. */
  readonly frames: Frame[] = [];
  /** Every raw message received. */
  readonly messages: string[] = [];
  handshaked = false;
  closeInfo: { code: number; reason: string } | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly #waiters = new Set<{ match: (f: Frame) => boolean; resolve: (f: Frame) => void }>();

  constructor(index: number, upgrade: UpgradeInfo, ws: WebSocket) {
    this.index = index;
    this.upgrade = upgrade;
    this.ws = ws;
    this.closed = new Promise((resolve) => {
      ws.on("close", (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
      });
    });
  }

  get hellos(): Frame[] {
    return this.frames.filter((f) => f.type === "hello");
  }
  get outbounds(): Frame[] {
    return this.frames.filter((f) => f.type === "outbound");
  }
  get acks(): string[] {
    return this.frames.filter((f) => f.type === "inbound_ack").map((f) => f.bufferId as string);
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(frame: Record<string, unknown>): void {
    this.sendRaw(JSON.stringify(frame) + "\n");
  }

  sendRaw(text: string): void {
    if (this.open) this.ws.send(text);
  }

  result(requestId: unknown, result: Record<string, unknown>): void {
    this.send({ type: "outbound_result", requestId, result });
  }

  inbound(event: Record<string, unknown>, bufferId?: string): void {
    this.send({ type: "inbound", event, ...(bufferId !== undefined && { bufferId }) });
  }

  close(code?: number, reason?: string): void {
    this.ws.close(code, reason);
  }

  terminate(): void {
    this.ws.terminate();
  }

  /** Resolves with the first frame (already received or future) that matches. */
  waitFor(match: (f: Frame) => boolean, timeoutMs = 3000): Promise<Frame> {
    const seen = this.frames.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (f: Frame) => {
          clearTimeout(timer);
          resolve(f);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`fake connector: no matching frame within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Resolves with the n-th (1-based) frame of `type`. */
  waitForType(type: string, n = 1, timeoutMs?: number): Promise<Frame> {
    let seen = 0;
    const counted = new WeakSet<Frame>();
    return this.waitFor((f) => {
      if (f.type !== type) return false;
      if (!counted.has(f)) {
        counted.add(f);
        seen++;
      }
      return seen >= n;
    }, timeoutMs);
  }

  /** @internal */
  receive(frame: Frame): void {
    this.frames.push(frame);
    for (const w of [...this.#waiters]) {
      if (w.match(frame)) {
        this.#waiters.delete(w);
        w.resolve(frame);
      }
    }
  }
}

export class FakeConnector {
  readonly wss: WebSocketServer;
  readonly upgrades: UpgradeInfo[] = [];
  readonly connections: FakeConnection[] = [];
  readonly options: FakeConnectorOptions;
  readonly #connectionWaiters: Array<{ n: number; resolve: (c: FakeConnection) => void }> = [];
  #outboundCount = 0;

  private constructor(wss: WebSocketServer, options: FakeConnectorOptions) {
    this.wss = wss;
    this.options = options;
  }

  static async start(options: FakeConnectorOptions = {}): Promise<FakeConnector> {
    const upgradeOf = new WeakMap<IncomingMessage, UpgradeInfo>();
    let connector!: FakeConnector;
    const wss = new WebSocketServer({
      host: "127.0.0.1",
      port: 0,
      autoPong: options.autoPong ?? true,
      verifyClient: (info, done) => {
        const url = new URL(info.req.url ?? "/", "http://x");
        const upgrade: UpgradeInfo = {
          index: connector.upgrades.length,
          path: url.pathname,
          headers: info.req.headers,
          authorization: info.req.headers.authorization,
        };
        connector.upgrades.push(upgrade);
        if (upgrade.path !== "/relay") return done(false, 400);
        const verdict = options.authorize?.(upgrade) ?? true;
        if (verdict !== true) return done(false, verdict);
        upgradeOf.set(info.req, upgrade);
        done(true);
      },
    });
    connector = new FakeConnector(wss, options);
    await once(wss, "listening");
    wss.on("connection", (ws, req) => connector.#accept(ws, upgradeOf.get(req) as UpgradeInfo));
    return connector;
  }

  /** The connector's base URL (what a gateway is configured with). */
  get url(): string {
    return `http://127.0.0.1:${(this.wss.address() as AddressInfo).port}`;
  }

  /** Resolves with the n-th (1-based) accepted connection. */
  waitForConnection(n: number): Promise<FakeConnection> {
    const existing = this.connections[n - 1];
    if (existing !== undefined) return Promise.resolve(existing);
    return new Promise((resolve) => this.#connectionWaiters.push({ n, resolve }));
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  #accept(ws: WebSocket, upgrade: UpgradeInfo): void {
    const conn = new FakeConnection(this.connections.length, upgrade, ws);
    this.connections.push(conn);
    ws.on("message", (data) => {
      const text = data.toString();
      conn.messages.push(text);
      for (const line of text.split("\n")) {
        if (line.trim() === "") continue;
        let frame: Frame;
        try {
          frame = JSON.parse(line) as Frame;
        } catch {
          continue;
        }
        conn.receive(frame);
        void this.#handle(conn, frame);
      }
    });
    ws.on("error", () => {});
    this.options.onConnection?.(conn);
    for (const w of [...this.#connectionWaiters]) {
      if (this.connections.length >= w.n) {
        this.#connectionWaiters.splice(this.#connectionWaiters.indexOf(w), 1);
        w.resolve(this.connections[w.n - 1] as FakeConnection);
      }
    }
  }

  async #handle(conn: FakeConnection, frame: Frame): Promise<void> {
    switch (frame.type) {
      case "hello": {
        const d = this.options.descriptorFor ? this.options.descriptorFor(frame, conn) : descriptor(String(frame.platform));
        if (d === undefined) return;
        conn.send({ type: "descriptor", descriptor: d });
        if (!conn.handshaked) {
          conn.handshaked = true;
          this.options.onHandshake?.(conn);
        }
        return;
      }
      case "outbound": {
        const n = ++this.#outboundCount;
        const result = this.options.onOutbound ? await this.options.onOutbound(frame, conn) : { success: true, message_id: `msg-${n}` };
        if (result !== undefined) conn.result(frame.requestId, result as unknown as Record<string, unknown>);
        return;
      }
      case "going_idle":
        if (this.options.ackIdle ?? true) conn.send({ type: "going_idle_ack" });
        return;
      default:
        return;
    }
  }
}

// ---- client-side test utilities (kept here so client tests share one helper file) ----------

/** The next `event` whose payload matches. */
export function nextEvent<K extends keyof RelayClientEvents>(
  client: RelayClient,
  event: K,
  match: (payload: RelayClientEvents[K]) => boolean = () => true,
  timeoutMs = 3000,
): Promise<RelayClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no "${String(event)}" event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = client.on(event, (payload) => {
      if (!match(payload)) return;
      off();
      clearTimeout(timer);
      resolve(payload);
    });
  });
}

/** Records every payload of `event`. */
export function record<K extends keyof RelayClientEvents>(client: RelayClient, event: K): RelayClientEvents[K][] {
  const seen: RelayClientEvents[K][] = [];
  client.on(event, (payload) => seen.push(payload));
  return seen;
}

/** A fake connector and a connected client (keepalive off), both closed at teardown. */
export async function connectedClient(
  t: { teardown(fn: () => unknown): void },
  connectorOptions: FakeConnectorOptions = {},
  clientOptions: Partial<RelayClientOptions> = {},
): Promise<{ fake: FakeConnector; client: RelayClient; conn: FakeConnection }> {
  const fake = await FakeConnector.start(connectorOptions);
  const client = createRelayClient({ url: fake.url, keepaliveIntervalMs: 0, ...clientOptions });
  t.teardown(async () => {
    await client.close();
    await fake.close();
  });
  await client.connect();
  return { fake, client, conn: await fake.waitForConnection(1) };
}
