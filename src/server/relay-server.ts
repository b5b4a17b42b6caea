/**
 * `createRelayServer`: the connector role of the relay (contract §2, §1, §4) on the `ws`
 * package — upgrade and auth, handshake, outbound dispatch, pushes with buffering and replay,
 * keepalive, backpressure, revocation and graceful shutdown.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server as HttpServer } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { MessageEvent, PassthroughForward } from "../../generated/types.js";
import { CloseCode, CloseReason } from "../close-codes.js";
import { DEFAULT_MAX_LINE_BYTES } from "../codec/index.js";
import { Connection, type ConnectionConfig, type RelayTransport } from "./connection.js";
import type { DecoderInput } from "../codec/index.js";
import { InMemoryDeliveryBuffer, type DeliveryBuffer } from "./delivery-buffer.js";
import { DeliveryRouter } from "./delivery-router.js";
import { InMemoryRelayBus, type RelayBus } from "./relay-bus.js";
import { TypedEmitter, type RelayEventSource } from "../kernel/emitter.js";
import type {
  DeliveryReceipt,
  InterruptInbound,
  RelayConnection,
  RelayServerEvents,
  RelayServerOptions,
  SendOptions,
  UnknownPathPolicy,
} from "./types.js";
import { authenticate, httpReject, requestPath } from "./upgrade.js";
import { closeWithin } from "../transport/ws-close.js";
import { bindWebSocket, socketListeners, WsTransport } from "./ws-adapter.js";
import { withLoopback } from "./loopback.js";
import { numberOption } from "../kernel/options.js";
import { CLOSE_HANDSHAKE_TIMEOUT_MS, DEFAULT_DRAIN_MS } from "../kernel/close.js";
import { DEFAULT_KEEPALIVE_INTERVAL_MS, DEFAULT_KEEPALIVE_TIMEOUT_MS } from "../transport/ws-keepalive.js";

export interface ListenOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default: all interfaces. */
  host?: string;
}

import type { CloseOptions } from "../kernel/close.js";
export type { CloseOptions };

/** A relay endpoint for gateways. Events: see `RelayServerEvents`. */
export interface RelayServer extends RelayEventSource<RelayServerEvents> {
  /** This node's id on the bus. */
  readonly nodeId: string;
  readonly path: string;
  readonly buffer: DeliveryBuffer;
  readonly bus: RelayBus;
  /** Starts an own HTTP server (only when no `server` option was given). */
  listen(opts?: ListenOptions): Promise<AddressInfo>;
  /** The own HTTP server's address, once listening. */
  address(): AddressInfo | undefined;
  /** For frameworks that dispatch `upgrade` events themselves. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /**
   * Runs the relay over a transport other than this server's `ws` endpoint (already
   * authenticated by the caller): feed it received messages with `receive` and report its end
   * with `closed`. Keepalive and size limits are the transport's job.
   */
  adopt(transport: RelayTransport, info: { gatewayId: string; remoteAddress?: string }): TransportBinding;
  /** Open authenticated sockets (of one gateway, or all). */
  connections(gatewayId?: string): RelayConnection[];
  /** The gateway's current socket on this node: the latest that completed a handshake. */
  connection(gatewayId: string): RelayConnection | undefined;
  /**
   * Pushes an inbound event. Resolves when written (live) or, when the gateway cannot take it
   * live, when its `inbound_ack` arrives after replay. Rejects with `FrameValidationError` for an
   * invalid event.
   */
  sendInbound(target: string | RelayConnection, event: MessageEvent, opts?: SendOptions): Promise<DeliveryReceipt>;
  sendPassthrough(target: string | RelayConnection, forward: PassthroughForward, opts?: SendOptions): Promise<DeliveryReceipt>;
  /** Live only, never buffered; resolves whether some node wrote it. */
  sendInterruptInbound(target: string | RelayConnection, interrupt: InterruptInbound): Promise<boolean>;
  /** Closes the gateway's sockets (on every node) with 4401. Revoke its secret first. Resolves this node's count. */
  revoke(gatewayId: string, reason?: string): Promise<number>;
  /**
   * Stops accepting upgrades and requests, lets outbound handlers in flight answer for up to
   * `drainMs` (default 5 000), then closes every socket with 1001.
   */
  close(opts?: CloseOptions): Promise<void>;
}

/** What `adopt()` returns: the connection, and the two calls its transport makes into it. */
export interface TransportBinding {
  connection: RelayConnection;
  /** One received message (text or bytes); never throws. */
  receive(chunk: DecoderInput): void;
  /** The transport ended. */
  closed(code: number, reason: string): void;
}

const DEFAULT_MAX_PAYLOAD = 1_048_576;


function deliveryMode(mode: unknown): "live" | "acked" {
  if (mode === undefined || mode === "live" || mode === "acked") return mode ?? "live";
  throw new RangeError('createRelayServer: delivery must be "live" or "acked"');
}

class RelayServerImpl extends TypedEmitter<RelayServerEvents> implements RelayServer {
  readonly nodeId: string;
  readonly path: string;
  readonly buffer: DeliveryBuffer;
  readonly bus: RelayBus;
  readonly #options: RelayServerOptions;
  readonly #unknownPath: UnknownPathPolicy;
  readonly #wss: WebSocketServer;
  readonly #router: DeliveryRouter;
  readonly #connConfig: ConnectionConfig;
  /** Open sockets' transports, by socket: the shared socket listeners find theirs here. */
  readonly #transports = new Map<WebSocket, WsTransport>();
  readonly #socketListeners = socketListeners({
    transportOf: (ws) => this.#transports.get(ws),
    socketError: (transport, error) => this.emit("handlerError", { connection: transport.connection, error, where: "socket" }),
    socketClosed: (transport) => this.#transports.delete(transport.ws),
  });
  readonly #adopted = new Set<Connection>();
  readonly #pending = new Set<Duplex>();
  readonly #unsubscribe: Promise<() => Promise<void>>;
  #http: HttpServer | HttpsServer | undefined;
  #ownHttp = false;
  #keepalive: NodeJS.Timeout | undefined;
  #keepaliveTimeoutMs: number | undefined;
  #closing: Promise<void> | undefined;
  readonly #onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => this.handleUpgrade(req, socket, head);

  constructor(options: RelayServerOptions) {
    super();
    if (options === null || typeof options !== "object") throw new TypeError("createRelayServer: options are required");
    const auth = options.auth as unknown;
    if (auth === null || typeof auth !== "object" || !("secrets" in auth || (auth as { unauthenticated?: unknown }).unauthenticated === true)) {
      throw new TypeError("createRelayServer: `auth` is required: { secrets } or, explicitly, { unauthenticated: true }");
    }
    if (typeof options.onHello !== "function") throw new TypeError("createRelayServer: `onHello` is required");
    // A removed option is refused rather than ignored: `pingIntervalMs: 0` would silently turn keepalive on.
    if ("pingIntervalMs" in options) throw new TypeError("createRelayServer: `pingIntervalMs` is now `keepaliveIntervalMs` (with `keepaliveTimeoutMs`), as on the client");
    this.#options = options;
    this.path = options.path ?? "/relay";
    this.#unknownPath = options.unknownPath ?? "http-400";
    this.nodeId = options.nodeId ?? randomUUID();
    this.buffer = options.buffer ?? new InMemoryDeliveryBuffer();
    this.bus = options.bus ?? new InMemoryRelayBus();
    const maxPayload = numberOption("createRelayServer", "maxPayload", options.maxPayload, DEFAULT_MAX_PAYLOAD);
    const highWaterBytes = numberOption("createRelayServer", "backpressure.highWaterBytes", options.backpressure?.highWaterBytes, 1_048_576);
    const closeAtBytes = numberOption("createRelayServer", "backpressure.closeAtBytes", options.backpressure?.closeAtBytes, 16 * 1_048_576);
    if (closeAtBytes <= highWaterBytes) throw new RangeError("createRelayServer: backpressure.closeAtBytes must exceed highWaterBytes");
    const pollIntervalMs = numberOption("createRelayServer", "backpressure.pollIntervalMs", options.backpressure?.pollIntervalMs, 25);

    const fronted = withLoopback(options.conformanceLoopback ?? [], options.handlers ?? {}, options.onInterrupt, {
      sendInbound: (gatewayId, event) => this.sendInbound(gatewayId, event),
      sendPassthrough: (gatewayId, forward) => this.sendPassthrough(gatewayId, forward),
      sendInterruptInbound: (gatewayId, interrupt) => this.sendInterruptInbound(gatewayId, interrupt),
      failed: (where, error) => this.emit("handlerError", { error, where }),
    });
    this.#connConfig = {
      onHello: options.onHello,
      handlers: fronted.handlers,
      outboundTimeoutMs: numberOption("createRelayServer", "outboundTimeoutMs", options.outboundTimeoutMs, 30_000),
      maxConcurrentOutbound: numberOption("createRelayServer", "maxConcurrentOutbound", options.maxConcurrentOutbound, 256),
      maxLineBytes: Math.max(maxPayload, DEFAULT_MAX_LINE_BYTES),
      maxInvalidFrames: numberOption("createRelayServer", "invalidFrames.maxInvalidFrames", options.invalidFrames?.maxInvalidFrames, 20, "zero-allowed"),
      invalidFrameWindowMs: numberOption("createRelayServer", "invalidFrames.windowMs", options.invalidFrames?.windowMs, 10_000),
      closeAtBytes,
      validateOutgoing: options.validateOutgoing ?? "strict",
      helloTimeoutMs: numberOption("createRelayServer", "helloTimeoutMs", options.helloTimeoutMs, 10_000, "zero-allowed"),
      maxIdentities: numberOption("createRelayServer", "maxIdentities", options.maxIdentities, 1_000),
      exposeHandlerErrors: options.exposeHandlerErrors === true,
    };
    this.#router = new DeliveryRouter(
      {
        buffer: this.buffer,
        bus: this.bus,
        clustered: options.bus !== undefined,
        nodeId: this.nodeId,
        window: numberOption("createRelayServer", "replay.window", options.replay?.window, 64),
        framesPerMessage: numberOption("createRelayServer", "replay.framesPerMessage", options.replay?.framesPerMessage, 1),
        ackTimeoutMs: numberOption("createRelayServer", "replay.ackTimeoutMs", options.replay?.ackTimeoutMs, 30_000),
        highWaterBytes,
        pollIntervalMs,
        remoteDeliveryTimeoutMs: numberOption("createRelayServer", "remoteDeliveryTimeoutMs", options.remoteDeliveryTimeoutMs, 2_000),
        idleCloseAfterMs: numberOption("createRelayServer", "idleCloseAfterMs", options.idleCloseAfterMs, 15_000, "zero-allowed"),
        acked: deliveryMode(options.delivery) === "acked",
        maxConnectionsPerGateway:
          options.maxConnectionsPerGateway === undefined ? Number.POSITIVE_INFINITY : numberOption("createRelayServer", "maxConnectionsPerGateway", options.maxConnectionsPerGateway, 1),
        validateOutgoing: options.validateOutgoing ?? "strict",
        onInterrupt: fronted.onInterrupt,
      },
      { emit: (event, payload) => this.emit(event, payload), wantsEvent: (event) => this.listenerCount(event) > 0 },
    );
    this.#wss = new WebSocketServer({ noServer: true, maxPayload, perMessageDeflate: false, clientTracking: false });
    // This node's own messages come back too and are not for it.
    this.#unsubscribe = this.bus.subscribe((gatewayId, message) => this.#router.onBusMessage(gatewayId, message), { ignoreOrigin: this.nodeId });
    this.#unsubscribe.catch((error: unknown) => this.emit("handlerError", { error, where: "bus.subscribe" }));

    const keepaliveIntervalMs = numberOption("createRelayServer", "keepaliveIntervalMs", options.keepaliveIntervalMs, DEFAULT_KEEPALIVE_INTERVAL_MS, "zero-allowed");
    const keepaliveTimeoutMs = numberOption("createRelayServer", "keepaliveTimeoutMs", options.keepaliveTimeoutMs, DEFAULT_KEEPALIVE_TIMEOUT_MS);
    if (keepaliveIntervalMs > 0) {
      this.#keepaliveTimeoutMs = keepaliveTimeoutMs;
      // One timer ticks every socket's keepalive (a timer per socket costs memory per idle connection).
      this.#keepalive = setInterval(() => {
        for (const transport of this.#transports.values()) transport.tick();
      }, keepaliveIntervalMs);
      this.#keepalive.unref();
    }
    if (options.server !== undefined) {
      this.#http = options.server;
      options.server.on("upgrade", this.#onUpgrade);
    }
  }

  async listen(opts: ListenOptions = {}): Promise<AddressInfo> {
    if (this.#http !== undefined) throw new Error("RelayServer.listen: already attached to a server");
    if (this.#closing !== undefined) throw new Error("RelayServer.listen: server is closed");
    const http = createServer((req, res) => {
      // Plain HTTP: the relay path only speaks WebSocket.
      const onPath = requestPath(req.url) === this.path;
      res.writeHead(onPath ? 426 : 404, { "Content-Type": "text/plain; charset=utf-8", ...(onPath ? { Upgrade: "websocket" } : {}) });
      res.end(onPath ? "Upgrade Required\n" : "Not Found\n");
    });
    this.#http = http;
    this.#ownHttp = true;
    http.on("upgrade", this.#onUpgrade);
    await new Promise<void>((resolve, reject) => {
      http.once("error", reject);
      http.listen(opts.port ?? 0, opts.host, () => {
        http.off("error", reject);
        resolve();
      });
    });
    return http.address() as AddressInfo;
  }

  address(): AddressInfo | undefined {
    const address = this.#http?.address();
    return address !== null && typeof address === "object" ? address : undefined;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Without a listener a reset socket would throw from its 'error' event; one shared no-op,
    // since the listener stays for the socket's life.
    socket.on("error", ignoreSocketError);
    this.#upgrade(req, socket, head).catch((err: unknown) => {
      this.emit("handlerError", { error: err, where: "upgrade" });
      socket.destroy();
    });
  }

  async #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const path = requestPath(req.url);
    const remoteAddress = req.socket.remoteAddress;
    if (path !== this.path) {
      switch (this.#unknownPath) {
        case "ignore":
          return;
        case "close-4404":
          this.#wss.handleUpgrade(req, socket, head, (ws) => {
            ws.on("error", () => undefined);
            closeWithin(ws, CloseCode.NotFound, CloseReason.NotFound);
          });
          this.emit("rejected", { reason: "not-found", code: CloseCode.NotFound, path, remoteAddress });
          return;
        default: {
          const status = this.#unknownPath === "http-404" ? 404 : 400;
          httpReject(socket, status, status === 404 ? "Not Found" : "Bad Request");
          this.emit("rejected", { reason: "not-found", status, path, remoteAddress });
          return;
        }
      }
    }
    this.emit("connection", { request: req });
    if (this.#closing !== undefined) {
      httpReject(socket, 503, "Service Unavailable");
      this.emit("rejected", { reason: "shutting-down", status: 503, path, remoteAddress });
      return;
    }
    this.#pending.add(socket);
    let outcome;
    try {
      outcome = await authenticate(req, this.#options.auth);
    } finally {
      this.#pending.delete(socket);
    }
    if (socket.destroyed) return;
    if (this.#closing !== undefined) {
      httpReject(socket, 503, "Service Unavailable");
      this.emit("rejected", { reason: "shutting-down", status: 503, path, remoteAddress });
      return;
    }
    const decided = outcome;
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      if (!decided.ok) {
        // No message listener is ever attached: nothing this socket sends is processed.
        ws.on("error", () => undefined);
        closeWithin(ws, decided.code, decided.reason);
        const info: RelayServerEvents["rejected"] = { reason: decided.reject, code: decided.code, path, remoteAddress };
        if (decided.verdict !== undefined) info.verdict = decided.verdict;
        if (decided.error !== undefined) info.error = decided.error;
        this.emit("rejected", info);
        return;
      }
      this.#registerWebSocket(ws, req, decided.gatewayId);
    });
  }

  /** An upgraded socket whose bearer verified: wrapped in a `Connection` and handed to the router. */
  #registerWebSocket(ws: WebSocket, req: IncomingMessage, gatewayId: string): void {
    const transport = new WsTransport(ws, this.#keepaliveTimeoutMs);
    const conn = new Connection({ gatewayId, remoteAddress: req.socket.remoteAddress, transport, host: this.#router, config: this.#connConfig });
    this.#transports.set(ws, transport);
    transport.bind(conn);
    bindWebSocket(ws, this.#socketListeners);
    this.#router.register(conn);
    this.emit("authenticated", { connection: conn, request: req });
  }

  adopt(transport: RelayTransport, info: { gatewayId: string; remoteAddress?: string }): TransportBinding {
    if (this.#closing !== undefined) throw new Error("RelayServer.adopt: server is closed");
    if (typeof info?.gatewayId !== "string" || info.gatewayId.length === 0) throw new TypeError("RelayServer.adopt: gatewayId is required");
    const conn = new Connection({ gatewayId: info.gatewayId, remoteAddress: info.remoteAddress, transport, host: this.#router, config: this.#connConfig });
    this.#adopted.add(conn);
    this.#router.register(conn);
    this.emit("adopted", { connection: conn });
    return {
      connection: conn,
      receive: (chunk) => conn.receive(chunk),
      closed: (code, reason) => {
        this.#adopted.delete(conn);
        conn.transportClosed(code, reason);
      },
    };
  }

  connections(gatewayId?: string): RelayConnection[] {
    return this.#router.connections(gatewayId).filter((c) => c.open);
  }

  connection(gatewayId: string): RelayConnection | undefined {
    const conn = this.#router.current(gatewayId);
    return conn?.open ? conn : undefined;
  }

  sendInbound(target: string | RelayConnection, event: MessageEvent, opts: SendOptions = {}): Promise<DeliveryReceipt> {
    return this.#router.send(this.#target(target), { type: "inbound", event }, opts.signal);
  }

  sendPassthrough(target: string | RelayConnection, forward: PassthroughForward, opts: SendOptions = {}): Promise<DeliveryReceipt> {
    return this.#router.send(this.#target(target), { type: "passthrough_forward", forward }, opts.signal);
  }

  async sendInterruptInbound(target: string | RelayConnection, interrupt: InterruptInbound): Promise<boolean> {
    return this.#router.sendInterrupt(this.#target(target), {
      type: "interrupt_inbound",
      session_key: interrupt.session_key,
      chat_id: interrupt.chat_id,
    });
  }

  #target(target: string | RelayConnection): string | Connection {
    if (typeof target === "string") return target;
    if (target instanceof Connection) return target;
    throw new TypeError("relay server: target must be a gateway id or a connection of this server");
  }

  async revoke(gatewayId: string, reason: string = CloseReason.Unauthorized): Promise<number> {
    const closed = this.#router.closeGateway(gatewayId, reason);
    this.#router.publishRevoke(gatewayId, reason);
    return closed;
  }

  close(opts: CloseOptions = {}): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    // A bad option is refused as a rejected promise, never a throw: `void server.close(…).catch(log)`
    // in a signal handler must not crash the process it is shutting down. The removed option is
    // refused rather than ignored: it would silently wait the default instead.
    const options = opts ?? {};
    let drainMs: number;
    try {
      if (typeof options === "object" && "timeoutMs" in options) throw new TypeError("RelayServer.close: `timeoutMs` is now `drainMs`, as on the client");
      drainMs = numberOption("RelayServer.close", "drainMs", options.drainMs, DEFAULT_DRAIN_MS, "zero-allowed");
    } catch (err) {
      return Promise.reject(err);
    }
    this.#closing = this.#shutdown(drainMs);
    return this.#closing;
  }

  async #shutdown(drainMs: number): Promise<void> {
    this.#router.beginClose();
    if (this.#keepalive !== undefined) clearInterval(this.#keepalive);
    const transports = [...this.#transports.values()];
    const conns = transports.map((transport) => transport.connection as Connection);
    const adopted = [...this.#adopted];
    await withTimeout(Promise.all([...conns, ...adopted].map((c) => c.settled())), drainMs);
    // Adopted transports report their own close; they are asked to close like the others.
    for (const c of adopted) c.close(CloseCode.GoingAway, CloseReason.GoingAway);
    const closed = transports.map((transport) => new Promise<void>((resolve) => {
      if (!this.#transports.has(transport.ws)) return resolve();
      transport.ws.once("close", () => resolve());
      (transport.connection as Connection).close(CloseCode.GoingAway, CloseReason.GoingAway);
    }));
    // Each socket is dropped after the closing-handshake grace anyway (closeWithin); this bounds the wait.
    await withTimeout(Promise.all(closed), CLOSE_HANDSHAKE_TIMEOUT_MS);
    for (const transport of this.#transports.values()) transport.terminate();
    for (const socket of this.#pending) socket.destroy();
    this.#router.finishClose();
    try {
      await (await this.#unsubscribe)();
    } catch {
      // The bus is shutting down too, or never subscribed.
    }
    this.#wss.close();
    const http = this.#http;
    if (http !== undefined) {
      http.off("upgrade", this.#onUpgrade);
      if (this.#ownHttp) {
        await new Promise<void>((resolve) => http.close(() => resolve()));
      }
    }
  }
}

function withTimeout(work: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    work.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}

/** Creates a relay endpoint. Attach it with `options.server`, or call `listen()`. */
export function createRelayServer(options: RelayServerOptions): RelayServer {
  return new RelayServerImpl(options);
}

function ignoreSocketError(): void {
  // The socket's close (or ws's own error handling, once upgraded) takes over.
}
