/**
 * The gateway side of the relay (wire-protocol.md §1, §3, §4): dials the connector, says one
 * `hello` per identity, correlates `outbound` requests with their results, hands inbound
 * deliveries to the application off the reader, and keeps itself connected by the V-latest
 * ladder with the V-late 4401 rules.
 */
import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import type { OpName } from "../../generated/registry.js";
import type { CapabilityDescriptor, GatewayFrame, InboundFrame, OutboundAction, OutboundFrame, SendAction } from "../../generated/types.js";
import { DEFAULT_MAX_LINE_BYTES, FrameDecoder, type DecodedFrame } from "../codec/decoder.js";
import { encodeFrame } from "../codec/encode.js";
import { batchWritesThisTick } from "../ws-write-batching.js";
import { validateFrame } from "../validation.js";
import type { ValidationIssue } from "../validation-types.js";
import { ReconnectLadder } from "./backoff.js";
import { DeliveryQueue } from "./delivery-queue.js";
import { RelayClientClosedError, RelayConnectError } from "./errors.js";
import { TypedEmitter, type CloseCause, type CloseEvent, type Listener, type RelayClientEvents, type RelayClientState } from "./events.js";
import { startKeepalive } from "./keepalive.js";
import { bufferIdOf, normalizeDescriptor, normalizeInterrupt, normalizeMessageEvent, normalizePassthrough } from "./normalize.js";
import { isOpSupported } from "./ops.js";
import type {
  ActionFields,
  CloseOptions,
  DeliveryContext,
  InboundHandler,
  InterruptInboundHandler,
  PassthroughHandler,
  RelayClientHandlers,
  RelayClientOptions,
  RelayIdentity,
  RequestOptions,
  SendFields,
} from "./options.js";
import { PendingRequest, PendingRequests } from "./pending.js";
import { nextStepAfter } from "./reconnect-policy.js";
import { connectionLost, notConnected, notSupported, resultFromWire, sendFailed, timedOut, transportClosed, type RelayResult } from "./results.js";
import { authorizationSource, type AuthorizationSource } from "./token.js";
import { normalizeRelayUrl } from "./url.js";

interface Connection {
  generation: number;
  authRetry: boolean;
  ws: WebSocket | undefined;
  opened: boolean;
  decoder: FrameDecoder;
  descriptors: Map<string, CapabilityDescriptor>;
  defaultPlatform: string | undefined;
  handshakeAt: number | undefined;
  handshakeTimer: NodeJS.Timeout | undefined;
  stopKeepalive: (() => void) | undefined;
  /** Set when this side ended the connection, to report why. */
  endCause: CloseCause | undefined;
  endReason: string | undefined;
  httpStatus: number | undefined;
  lastError: Error | undefined;
  dormant: boolean;
  ended: boolean;
  closed: Promise<void>;
  markClosed: () => void;
  idleWaiters: Set<(acked: boolean) => void>;
  /** Encoded `inbound_ack` lines not yet written (see #ack). */
  acks: string | undefined;
  /** Bytes charged to each delivery of the message being read. */
  deliveryBytes: number;
  /** Reading is paused because the delivery queue is over its bound (see #updateReading). */
  paused: boolean;
}

interface EndInfo {
  code: number;
  reason: string;
  cause: CloseCause;
  httpStatus?: number;
}

const DEFAULT_IDENTITY: RelayIdentity = { platform: "relay", botId: "" };
/** The gateway's websockets `max_size`: the largest message the contract lets either side send. */
const DEFAULT_MAX_PAYLOAD = DEFAULT_MAX_LINE_BYTES;
const DEFAULT_MAX_QUEUED_DELIVERIES = 256;
const DEFAULT_MAX_QUEUED_BYTES = 8 * 1024 * 1024;
const DELIVERY_TYPES: ReadonlySet<string> = new Set(["inbound", "interrupt_inbound", "passthrough_forward"]);

/** The close code ws sent for a frame it refused (ws tags its receiver errors with it). */
function wsErrorCloseCode(err: Error): number | undefined {
  const key = Object.getOwnPropertySymbols(err).find((sym) => sym.description === "status-code");
  const code = key === undefined ? undefined : (err as unknown as Record<symbol, unknown>)[key];
  return typeof code === "number" ? code : undefined;
}

function messageBytes(data: WebSocket.RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}
const SOCKET_CLOSE_GRACE_MS = 1000;

function positive(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || Number.isNaN(value) || value < 0 || (!allowZero && value === 0)) {
    throw new RangeError(`createRelayClient: ${name} must be a ${allowZero ? "non-negative" : "positive"} number`);
  }
  return value;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}

export class RelayClient {
  /** The normalised dial URL. */
  readonly url: string;
  readonly identities: readonly RelayIdentity[];

  readonly #events = new TypedEmitter<RelayClientEvents>();
  readonly #authorization: AuthorizationSource;
  readonly #helloLines: string[];
  readonly #validate: boolean;
  readonly #coalesceAcks: boolean;
  readonly #now: () => number;
  readonly #ladder: ReconnectLadder;
  readonly #pending = new PendingRequests(() => this.#updateReading());
  readonly #queue = new DeliveryQueue(() => this.#updateReading());
  readonly #helloPlatforms: ReadonlySet<string>;
  readonly #handlers: RelayClientHandlers;
  readonly #o: {
    handshakeTimeoutMs: number;
    requestTimeoutMs: number;
    goIdleTimeoutMs: number;
    reconnect: boolean;
    dormantRedialMs: number;
    stableConnectionMs: number;
    keepaliveIntervalMs: number;
    keepaliveTimeoutMs: number;
    maxLineBytes: number | undefined;
    maxPayload: number;
    perMessageDeflate: boolean;
    maxQueuedDeliveries: number;
    maxQueuedBytes: number;
  };

  #state: RelayClientState = "idle";
  #generation = 0;
  #conn: Connection | undefined;
  #everHandshaked = false;
  #authRetryNext = false;
  #redialTimer: NodeJS.Timeout | undefined;
  #final = false;
  #closing: Promise<void> | undefined;
  #revokedBy: { code: number; reason: string } | undefined;
  #connectWaiters: Array<{ resolve: (d: CapabilityDescriptor) => void; reject: (e: unknown) => void }> = [];

  constructor(options: RelayClientOptions) {
    if (options === null || typeof options !== "object") throw new TypeError("createRelayClient: options are required");
    if (typeof options.url !== "string" || options.url.trim() === "") throw new TypeError("createRelayClient: url is required");
    this.url = normalizeRelayUrl(options.url);
    let protocol: string;
    try {
      protocol = new URL(this.url).protocol;
    } catch {
      throw new TypeError(`createRelayClient: invalid relay URL ${JSON.stringify(options.url)}`);
    }
    if (protocol !== "ws:" && protocol !== "wss:") {
      throw new TypeError(`createRelayClient: the relay URL must be http(s) or ws(s), got ${JSON.stringify(options.url)}`);
    }

    this.#validate = options.validateOutgoing ?? true;
    this.#coalesceAcks = options.coalesceAcks ?? false;
    this.#now = options.now ?? Date.now;
    this.identities = Object.freeze([...(options.identities ?? [DEFAULT_IDENTITY])].map((i) => Object.freeze({ ...i })));
    if (this.identities.length === 0) throw new TypeError("createRelayClient: identities must not be empty");
    // Encoded (and validated) once: a bad identity is a configuration error, not a dial failure.
    this.#helloLines = this.identities.map((identity) =>
      this.#encode({
        type: "hello",
        platform: identity.platform,
        botId: identity.botId,
        ...(identity.commandManifest !== undefined && { command_manifest: identity.commandManifest }),
      }),
    );
    this.#authorization = authorizationSource({
      ...(options.gatewayId !== undefined && { gatewayId: options.gatewayId }),
      ...(options.secret !== undefined && { secret: options.secret }),
      ...(options.token !== undefined && { token: options.token }),
      ...(options.tokenTtlSeconds !== undefined && { tokenTtlSeconds: options.tokenTtlSeconds }),
      now: this.#now,
    });
    this.#ladder = new ReconnectLadder({
      baseMs: positive("backoffBaseMs", options.backoffBaseMs, 1000, true),
      maxMs: positive("backoffMaxMs", options.backoffMaxMs, 30_000, true),
      random: options.random ?? Math.random,
    });
    this.#o = {
      handshakeTimeoutMs: positive("handshakeTimeoutMs", options.handshakeTimeoutMs, 30_000),
      requestTimeoutMs: positive("requestTimeoutMs", options.requestTimeoutMs, 30_000),
      goIdleTimeoutMs: positive("goIdleTimeoutMs", options.goIdleTimeoutMs, 10_000),
      reconnect: options.reconnect ?? true,
      dormantRedialMs: positive("dormantRedialMs", options.dormantRedialMs, 1000, true),
      stableConnectionMs: positive("stableConnectionMs", options.stableConnectionMs, 60_000, true),
      keepaliveIntervalMs: positive("keepaliveIntervalMs", options.keepaliveIntervalMs, 30_000, true),
      keepaliveTimeoutMs: positive("keepaliveTimeoutMs", options.keepaliveTimeoutMs, 60_000),
      maxLineBytes: options.maxLineBytes,
      maxPayload: positive("maxPayload", options.maxPayload, DEFAULT_MAX_PAYLOAD),
      perMessageDeflate: options.perMessageDeflate ?? false,
      maxQueuedDeliveries: positive("maxQueuedDeliveries", options.maxQueuedDeliveries, DEFAULT_MAX_QUEUED_DELIVERIES),
      maxQueuedBytes: positive("maxQueuedBytes", options.maxQueuedBytes, DEFAULT_MAX_QUEUED_BYTES),
    };
    this.#helloPlatforms = new Set(this.identities.map((i) => i.platform));
    if (options.maxLineBytes !== undefined && !(Number.isSafeInteger(options.maxLineBytes) && options.maxLineBytes > 0)) {
      throw new RangeError("createRelayClient: maxLineBytes must be a positive integer");
    }
    this.#handlers = { ...options.handlers };
  }

  // ---- observable state -------------------------------------------------------------------

  get state(): RelayClientState {
    return this.#state;
  }

  /** Generation of the latest dial (1 for the first). */
  get generation(): number {
    return this.#generation;
  }

  /** Failed attempts currently counted on the reconnect ladder. */
  get attempt(): number {
    return this.#ladder.attempt;
  }

  /** Descriptors of the current connection, by platform (empty when not handshaked). */
  get descriptors(): ReadonlyMap<string, CapabilityDescriptor> {
    return new Map(this.#conn?.descriptors ?? []);
  }

  /** The session default: the current connection's first descriptor. */
  get defaultDescriptor(): CapabilityDescriptor | undefined {
    const conn = this.#conn;
    return conn?.defaultPlatform === undefined ? undefined : conn.descriptors.get(conn.defaultPlatform);
  }

  /**
   * Deliveries accepted and not yet finished by their handler (the running one included), their
   * wire bytes, and whether the socket is currently not read because of them.
   */
  get inboundBacklog(): { deliveries: number; bytes: number; readingPaused: boolean } {
    return { ...this.#queue.load, readingPaused: this.#conn?.paused ?? false };
  }

  /** Whether `op` may be sent now (to `platform`, else the session default). */
  supportsOp(op: OpName | string, platform?: string): boolean {
    const descriptor = this.#descriptorFor(this.#conn, platform);
    return descriptor !== undefined && isOpSupported(op, descriptor);
  }

  on<K extends keyof RelayClientEvents>(event: K, listener: Listener<RelayClientEvents[K]>): () => void {
    return this.#events.on(event, listener);
  }

  once<K extends keyof RelayClientEvents>(event: K, listener: Listener<RelayClientEvents[K]>): () => void {
    return this.#events.once(event, listener);
  }

  off<K extends keyof RelayClientEvents>(event: K, listener: Listener<RelayClientEvents[K]>): void {
    this.#events.off(event, listener);
  }

  /** Replaces the inbound handler. */
  onInbound(handler: InboundHandler | undefined): void {
    this.#handlers.inbound = handler;
  }

  /** Replaces the `interrupt_inbound` handler. */
  onInterrupt(handler: InterruptInboundHandler | undefined): void {
    this.#handlers.interruptInbound = handler;
  }

  /** Replaces the `passthrough_forward` handler. */
  onPassthrough(handler: PassthroughHandler | undefined): void {
    this.#handlers.passthroughForward = handler;
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /**
   * Starts the client (when idle or disconnected) and settles with the next dial's outcome: the
   * first descriptor, or a `RelayConnectError`. Reconnecting continues in the background after a
   * failed first dial unless it was terminal or `reconnect` is off.
   */
  connect(): Promise<CapabilityDescriptor> {
    if (this.#final) return Promise.reject(new RelayClientClosedError());
    if (this.#revokedBy !== undefined) {
      const { code, reason } = this.#revokedBy;
      return Promise.reject(new RelayConnectError({ code, reason, cause: "socket", revoked: true, willRetry: false }));
    }
    const ready = this.#state === "ready" ? this.defaultDescriptor : undefined;
    if (ready !== undefined) return Promise.resolve(ready);
    const promise = new Promise<CapabilityDescriptor>((resolve, reject) => this.#connectWaiters.push({ resolve, reject }));
    if (this.#state === "idle" || this.#state === "disconnected") this.#dial();
    return promise;
  }

  /**
   * Final: no more dials; requests in flight get `drainMs` to finish, then fail with
   * `relay transport closed`; the socket is closed normally (1000).
   */
  close(options: CloseOptions = {}): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    const drainMs = positive("drainMs", options.drainMs, 0, true);
    this.#final = true;
    if (this.#redialTimer !== undefined) clearTimeout(this.#redialTimer);
    this.#redialTimer = undefined;
    this.#setState("closed");
    this.#rejectConnectWaiters(new RelayClientClosedError());
    this.#queue.clear();
    this.#closing = (async () => {
      await this.#pending.drained(drainMs);
      this.#pending.settleAll(() => ({ result: transportClosed(true) }));
      const conn = this.#conn;
      if (conn !== undefined) await this.#shutdown(conn, "client-close", "");
    })();
    return this.#closing;
  }

  // ---- requests -----------------------------------------------------------------------------

  /**
   * Sends one `outbound` and resolves with its result. Transport problems resolve with the
   * local results of §3.6 (never reject); an invalid action rejects with `FrameValidationError`
   * and an abort rejects with the signal's reason. Nothing is written for an op the connector
   * did not advertise, nor while not handshaked.
   */
  request<A extends OutboundAction>(action: A, options: RequestOptions = {}): Promise<RelayResult<A["op"]>> {
    type R = RelayResult<A["op"]>;
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.#final) return Promise.resolve(transportClosed(false) as R);
    const conn = this.#conn;
    const ws = conn?.ws;
    if (conn === undefined || ws === undefined || conn.defaultPlatform === undefined || ws.readyState !== WebSocket.OPEN) {
      return Promise.resolve(notConnected() as R);
    }
    const op = (action as { op?: unknown } | null)?.op;
    const descriptor = this.#descriptorFor(conn, options.platform);
    if (typeof op !== "string" || !isOpSupported(op, descriptor)) {
      return Promise.resolve(notSupported(String(op), descriptor?.platform) as R);
    }
    let timeoutMs: number;
    try {
      timeoutMs = positive("timeoutMs", options.timeoutMs, this.#o.requestTimeoutMs);
    } catch (err) {
      return Promise.reject(err);
    }

    const requestId = randomUUID().replaceAll("-", "");
    const frame: OutboundFrame = { type: "outbound", requestId, action };
    if (options.platform !== undefined) {
      frame.platform = options.platform;
      const botId = options.botId ?? this.identities.find((i) => i.platform === options.platform)?.botId;
      if (botId !== undefined) frame.botId = botId;
    }
    let line: string;
    try {
      line = this.#encode(frame);
    } catch (err) {
      return Promise.reject(err);
    }

    return new Promise<R>((resolve, reject) => {
      const pending = this.#pending;
      const entry = pending.add(requestId, new PendingRequest(conn.generation, resolve as (result: RelayResult) => void, reject, signal));
      if (Number.isFinite(timeoutMs)) entry.timer = setTimeout(() => pending.settle(requestId, { result: timedOut() }), timeoutMs);
      if (signal !== undefined) {
        entry.onAbort = (): void => void pending.settle(requestId, { error: abortReason(signal) });
        signal.addEventListener("abort", entry.onAbort, { once: true });
      }
      batchWritesThisTick(ws);
      ws.send(line, (err) => {
        if (err) this.#pending.settle(requestId, { result: sendFailed(err) });
      });
    });
  }

  send(fields: SendFields, options?: RequestOptions): Promise<RelayResult<"send">> {
    return this.request<SendAction>({ reply_to: null, ...fields, op: "send" }, options);
  }
  edit(fields: ActionFields<"edit">, options?: RequestOptions): Promise<RelayResult<"edit">> {
    return this.request({ ...fields, op: "edit" }, options);
  }
  typing(fields: ActionFields<"typing">, options?: RequestOptions): Promise<RelayResult<"typing">> {
    return this.request({ ...fields, op: "typing" }, options);
  }
  followUp(fields: ActionFields<"follow_up">, options?: RequestOptions): Promise<RelayResult<"follow_up">> {
    return this.request({ ...fields, op: "follow_up" }, options);
  }
  getChatInfo(fields: ActionFields<"get_chat_info">, options?: RequestOptions): Promise<RelayResult<"get_chat_info">> {
    return this.request({ ...fields, op: "get_chat_info" }, options);
  }
  sendMedia(fields: ActionFields<"send_media">, options?: RequestOptions): Promise<RelayResult<"send_media">> {
    return this.request({ ...fields, op: "send_media" }, options);
  }
  prompt(fields: ActionFields<"prompt">, options?: RequestOptions): Promise<RelayResult<"prompt">> {
    return this.request({ ...fields, op: "prompt" }, options);
  }
  react(fields: ActionFields<"react">, options?: RequestOptions): Promise<RelayResult<"react">> {
    return this.request({ ...fields, op: "react" }, options);
  }
  threadCreate(fields: ActionFields<"thread_create">, options?: RequestOptions): Promise<RelayResult<"thread_create">> {
    return this.request({ ...fields, op: "thread_create" }, options);
  }
  threadRename(fields: ActionFields<"thread_rename">, options?: RequestOptions): Promise<RelayResult<"thread_rename">> {
    return this.request({ ...fields, op: "thread_rename" }, options);
  }
  deleteMessage(fields: ActionFields<"delete">, options?: RequestOptions): Promise<RelayResult<"delete">> {
    return this.request({ ...fields, op: "delete" }, options);
  }
  draft(fields: ActionFields<"draft">, options?: RequestOptions): Promise<RelayResult<"draft">> {
    return this.request({ ...fields, op: "draft" }, options);
  }
  taskCard(fields: ActionFields<"task_card">, options?: RequestOptions): Promise<RelayResult<"task_card">> {
    return this.request({ ...fields, op: "task_card" }, options);
  }
  taskCardStop(fields: ActionFields<"task_card_stop">, options?: RequestOptions): Promise<RelayResult<"task_card_stop">> {
    return this.request({ ...fields, op: "task_card_stop" }, options);
  }

  /** `/stop` for a session key (fire-and-forget). False when not handshaked: nothing written. */
  interrupt(sessionKey: string, reason: string | null = null): boolean {
    const conn = this.#readyConnection();
    if (conn === undefined) return false;
    return this.#write(conn, this.#encode({ type: "interrupt", session_key: sessionKey, reason }));
  }

  /**
   * Sends `going_idle` and resolves true when `going_idle_ack` arrives; false on timeout, when
   * not handshaked, or when the connection ends first. The client keeps serving meanwhile.
   */
  goIdle(timeoutMs: number = this.#o.goIdleTimeoutMs): Promise<boolean> {
    const conn = this.#readyConnection();
    if (conn === undefined) return Promise.resolve(false);
    let ms: number;
    try {
      ms = positive("timeoutMs", timeoutMs, this.#o.goIdleTimeoutMs);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<boolean>((resolve) => {
      const done = (acked: boolean): void => {
        clearTimeout(timer);
        conn.idleWaiters.delete(done);
        this.#updateReading();
        resolve(acked);
      };
      const timer = setTimeout(() => done(false), ms);
      conn.idleWaiters.add(done);
      this.#updateReading();
      if (!this.#write(conn, this.#encode({ type: "going_idle" }))) done(false);
    });
  }

  /**
   * `goIdle()`, then — only if acked — a normal close that the reconnect loop re-dials after the
   * dormant delay, without counting a failed attempt. A missed ack leaves the connection up.
   */
  async goDormant(timeoutMs?: number): Promise<boolean> {
    const conn = this.#conn;
    const acked = await this.goIdle(timeoutMs);
    if (!acked || conn === undefined || conn !== this.#conn || conn.ended) return acked;
    conn.dormant = true;
    await this.#shutdown(conn, "dormant", "");
    return true;
  }

  // ---- dialing ------------------------------------------------------------------------------

  #dial(): void {
    if (this.#final || this.#revokedBy !== undefined || this.#conn !== undefined) return;
    if (this.#redialTimer !== undefined) clearTimeout(this.#redialTimer);
    this.#redialTimer = undefined;
    let markClosed!: () => void;
    const closed = new Promise<void>((resolve) => (markClosed = resolve));
    const conn: Connection = {
      generation: ++this.#generation,
      authRetry: this.#authRetryNext,
      ws: undefined,
      opened: false,
      decoder: new FrameDecoder({
        direction: "connector-to-gateway",
        // Schema-checked here instead (tolerant), so an invalid result can still settle its request.
        mode: "none",
        ...(this.#o.maxLineBytes !== undefined && { maxLineBytes: this.#o.maxLineBytes }),
      }),
      descriptors: new Map(),
      defaultPlatform: undefined,
      handshakeAt: undefined,
      handshakeTimer: undefined,
      stopKeepalive: undefined,
      endCause: undefined,
      endReason: undefined,
      httpStatus: undefined,
      lastError: undefined,
      dormant: false,
      ended: false,
      closed,
      markClosed,
      idleWaiters: new Set(),
      acks: undefined,
      deliveryBytes: 0,
      paused: false,
    };
    this.#authRetryNext = false;
    this.#conn = conn;
    this.#setState("connecting");
    this.#events.emit("connecting", { generation: conn.generation, url: this.url, attempt: this.#ladder.attempt, authRetry: conn.authRetry });
    // The handshake budget covers the token, the upgrade and the first descriptor.
    conn.handshakeTimer = setTimeout(
      () => this.#abort(conn, "handshake-timeout", `no descriptor within ${this.#o.handshakeTimeoutMs} ms`),
      this.#o.handshakeTimeoutMs,
    );
    void this.#open(conn);
  }

  async #open(conn: Connection): Promise<void> {
    let authorization: string | undefined;
    try {
      authorization = await this.#authorization();
    } catch (err) {
      this.#ended(conn, { code: 1006, reason: `token provider failed: ${err instanceof Error ? err.message : String(err)}`, cause: "token-error" });
      return;
    }
    if (conn.ended) return;

    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url, {
        maxPayload: this.#o.maxPayload,
        perMessageDeflate: this.#o.perMessageDeflate,
        ...(authorization !== undefined && { headers: { Authorization: authorization } }),
      });
    } catch (err) {
      this.#ended(conn, { code: 1006, reason: err instanceof Error ? err.message : String(err), cause: "dial-error" });
      return;
    }
    conn.ws = ws;

    ws.on("unexpected-response", (_req, res) => {
      conn.httpStatus = res.statusCode;
      res.resume();
      ws.terminate();
    });
    ws.on("error", (err) => {
      conn.lastError = err;
    });
    ws.on("open", () => {
      try {
        this.#onOpen(conn, ws);
      } catch (err) {
        this.#internalError(conn, err);
      }
    });
    ws.on("message", (data) => {
      try {
        this.#onMessage(conn, data);
      } catch (err) {
        this.#internalError(conn, err);
      }
    });
    ws.on("close", (code, reasonBytes) => {
      try {
        this.#ended(conn, this.#endInfo(conn, code, reasonBytes.toString("utf8")));
      } catch (err) {
        this.#internalError(conn, err);
      }
    });
  }

  #onOpen(conn: Connection, ws: WebSocket): void {
    if (conn.ended) return;
    conn.opened = true;
    this.#setState("handshaking");
    this.#events.emit("open", { generation: conn.generation });
    // Hellos go out at once, in order, without waiting for descriptors (§4.1).
    for (const line of this.#helloLines) this.#write(conn, line);
    // A backlog left by the previous connection keeps this one from reading past the bound too.
    this.#updateReading();
    if (this.#o.keepaliveIntervalMs > 0) {
      const timeout = this.#o.keepaliveTimeoutMs;
      conn.stopKeepalive = startKeepalive(
        ws,
        { intervalMs: this.#o.keepaliveIntervalMs, timeoutMs: timeout },
        () => this.#abort(conn, "keepalive-timeout", "keepalive ping timeout"),
        () => conn.paused,
      );
    }
  }

  #endInfo(conn: Connection, code: number, reason: string): EndInfo {
    if (conn.endCause !== undefined) return { code, reason: conn.endReason || reason, cause: conn.endCause };
    if (conn.httpStatus !== undefined) {
      // A refused upgrade carries no close frame; 401 means what a 4401 close means.
      const unauthorized = conn.httpStatus === 401;
      return {
        code: unauthorized ? 4401 : 1006,
        reason: unauthorized ? "unauthorized" : `HTTP ${conn.httpStatus}`,
        cause: "upgrade-refused",
        httpStatus: conn.httpStatus,
      };
    }
    if (!conn.opened) return { code, reason: reason || (conn.lastError?.message ?? ""), cause: "dial-error" };
    // ws closes the socket itself on a frame it refuses (1009 over maxPayload, 1007 bad UTF-8, …)
    // without waiting for the echo: report the code it sent rather than 1006.
    const sent = code === 1006 && conn.lastError !== undefined ? wsErrorCloseCode(conn.lastError) : undefined;
    if (sent !== undefined) return { code: sent, reason: reason || conn.lastError!.message, cause: "socket" };
    return { code, reason, cause: "socket" };
  }

  /** This side ends the connection; the socket's close event reports it. */
  #abort(conn: Connection, cause: CloseCause, reason: string): void {
    if (conn.ended) return;
    conn.endCause ??= cause;
    conn.endReason ??= reason;
    if (conn.ws === undefined) this.#ended(conn, { code: 1006, reason, cause });
    else conn.ws.terminate();
  }

  /** A normal close (1000), forced after a grace period; resolves once the connection ended. */
  async #shutdown(conn: Connection, cause: CloseCause, reason: string): Promise<void> {
    if (conn.ended) return;
    conn.endCause ??= cause;
    conn.endReason ??= reason;
    const ws = conn.ws;
    if (ws === undefined) {
      this.#ended(conn, { code: 1000, reason, cause });
      return;
    }
    if (ws.readyState === WebSocket.CONNECTING) {
      ws.terminate();
    } else {
      if (conn.acks !== undefined) this.#write(conn, ""); // acks of handled deliveries still go out
      ws.close(1000);
      const force = setTimeout(() => ws.terminate(), SOCKET_CLOSE_GRACE_MS);
      void conn.closed.then(() => clearTimeout(force));
    }
    await conn.closed;
  }

  // ---- receiving ----------------------------------------------------------------------------

  #onMessage(conn: Connection, data: WebSocket.RawData): void {
    if (conn.ended) return;
    const events = conn.decoder.push(data);
    // A message's bytes are charged to the deliveries it carried, in equal shares.
    let deliveries = 0;
    for (const event of events) if (event.kind !== "error" && DELIVERY_TYPES.has(event.frame.type)) deliveries++;
    conn.deliveryBytes = deliveries === 0 ? 0 : Math.ceil(messageBytes(data) / deliveries);
    for (const event of events) {
      if (event.kind === "error") {
        const e = event.error;
        this.#events.emit("protocolError", {
          generation: conn.generation,
          code: e.code,
          message: e.message,
          ...(e.frameType !== undefined && { frameType: e.frameType }),
          ...(e.excerpt !== undefined && { excerpt: e.excerpt }),
          ...(e.issues !== undefined && { issues: e.issues }),
        });
        continue;
      }
      try {
        const checked = validateFrame(event.frame, { mode: "tolerant", direction: "connector-to-gateway" });
        if (!checked.ok) {
          this.#onInvalidFrame(conn, event.frame, checked.issues);
          continue;
        }
        if (checked.dropped !== undefined) this.#reportDropped(conn, event.frame.type, checked.dropped);
        this.#onFrame(conn, checked.value);
      } catch (err) {
        this.#internalError(conn, err);
      }
    }
  }

  /** Entries a receiver filters were removed; the frame proceeds without them. */
  #reportDropped(conn: Connection, frameType: string, dropped: ValidationIssue[]): void {
    this.#events.emit("protocolError", {
      generation: conn.generation,
      code: "entry_dropped",
      message: `"${frameType}" frame: ${dropped.length} invalid ${dropped.length === 1 ? "entry" : "entries"} dropped, the frame proceeds without ${dropped.length === 1 ? "it" : "them"}`,
      frameType,
      issues: dropped,
    });
  }

  /**
   * Reported and dropped — except an `outbound_result` whose request is waiting: it settles as a
   * failure (only `success` and a string `error` are kept) rather than leaving the caller to an
   * ambiguous timeout for an answer that did arrive; and a buffered delivery a handler cannot
   * take (a poison delivery): it is reported (`poison_delivery`) and still acked, in its turn
   * behind the deliveries before it, so one bad entry never wedges the gateway's backlog.
   */
  #onInvalidFrame(conn: Connection, decoded: DecodedFrame, issues: ValidationIssue[]): void {
    const frame = decoded as unknown as Record<string, unknown>;
    const first = issues[0];
    this.#events.emit("protocolError", {
      generation: conn.generation,
      code: "schema",
      message: `"${decoded.type}" frame is invalid${first === undefined ? "" : `: ${first.message}`}`,
      frameType: decoded.type,
      issues,
    });
    const poisoned = decoded.type === "inbound" || decoded.type === "passthrough_forward" ? bufferIdOf(frame) : undefined;
    if (poisoned !== undefined) {
      this.#queue.push(async () => {
        this.#events.emit("protocolError", {
          generation: conn.generation,
          code: "poison_delivery",
          message: `buffered "${decoded.type}" ${JSON.stringify(poisoned)} cannot be delivered (${first?.message ?? "invalid"}); acked so the backlog moves on`,
          frameType: decoded.type,
          issues,
        });
        if (conn === this.#conn && !conn.ended) this.#ack(conn, poisoned);
      });
      return;
    }
    if (decoded.type !== "outbound_result" || typeof frame.requestId !== "string") return;
    const body = resultFromWire(frame.result);
    this.#pending.settle(frame.requestId, {
      result: { success: body.success, ...(typeof body.error === "string" && { error: body.error }) },
    });
  }

  #onFrame(conn: Connection, decoded: DecodedFrame): void {
    // Tolerantly validated: read every field defensively (normalize.ts fills the defaults).
    const frame = decoded as unknown as Record<string, unknown>;
    switch (decoded.type) {
      case "descriptor":
        return this.#onDescriptor(conn, normalizeDescriptor(frame.descriptor));
      case "outbound_result": {
        const requestId = frame.requestId;
        const settled = typeof requestId === "string" && this.#pending.settle(requestId, { result: resultFromWire(frame.result) });
        if (!settled) {
          // Late (already timed out) or never sent: ignored, but observable.
          this.#events.emit("protocolError", {
            generation: conn.generation,
            code: "unmatched_result",
            message: `outbound_result for unknown or settled requestId ${JSON.stringify(requestId)} ignored`,
            frameType: "outbound_result",
          });
        }
        return;
      }
      case "going_idle_ack":
        for (const done of [...conn.idleWaiters]) done(true);
        return;
      case "inbound": {
        const event = normalizeMessageEvent(frame.event);
        const delivered = { ...frame, event } as InboundFrame;
        return this.#deliver(conn, "inbound", bufferIdOf(frame), () => this.#handlers.inbound, (h, ctx) => h(event, { ...ctx, frame: delivered }));
      }
      case "interrupt_inbound": {
        const interrupt = normalizeInterrupt(frame);
        // No bufferId in the contract for interrupts: never acked.
        return this.#deliver(conn, "interrupt_inbound", undefined, () => this.#handlers.interruptInbound, (h, ctx) => h(interrupt, ctx));
      }
      case "passthrough_forward": {
        const { request, bodyValid } = normalizePassthrough(frame.forward);
        if (!bodyValid) {
          this.#events.emit("protocolError", {
            generation: conn.generation,
            code: "invalid_base64",
            message: "passthrough_forward bodyB64 is not standard base64; delivered with an empty body",
            frameType: "passthrough_forward",
          });
        }
        return this.#deliver(conn, "passthrough_forward", bufferIdOf(frame), () => this.#handlers.passthroughForward, (h, ctx) => h(request, ctx));
      }
      default:
        // The decoder only lets connector-to-gateway types through; a newer one is ignored.
        return;
    }
  }

  /**
   * The first descriptor completes the handshake and is the session default whatever its
   * platform (it answers the first hello). Later ones are kept only for platforms this client
   * said hello for (or the default's): the connector answers each hello with one descriptor, so
   * anything else is reported and dropped, and the table never outgrows the identities.
   */
  #onDescriptor(conn: Connection, descriptor: CapabilityDescriptor): void {
    if (conn.ended) return;
    const platform = typeof descriptor.platform === "string" ? descriptor.platform : "";
    const first = conn.defaultPlatform === undefined;
    if (!first && !this.#helloPlatforms.has(platform) && !conn.descriptors.has(platform)) {
      this.#events.emit("protocolError", {
        generation: conn.generation,
        code: "unexpected_descriptor",
        message: `descriptor for platform ${JSON.stringify(platform)}, which this client did not say hello for, ignored`,
        frameType: "descriptor",
      });
      return;
    }
    conn.descriptors.set(platform, descriptor);
    if (first) {
      conn.defaultPlatform = platform;
      conn.handshakeAt = this.#now();
      clearTimeout(conn.handshakeTimer);
      conn.handshakeTimer = undefined;
      this.#everHandshaked = true;
      this.#setState("ready");
      const waiters = this.#connectWaiters;
      this.#connectWaiters = [];
      for (const w of waiters) w.resolve(descriptor);
      this.#events.emit("handshake", { generation: conn.generation, descriptor });
    }
    this.#events.emit("descriptor", { generation: conn.generation, descriptor });
  }

  /**
   * Queues a delivery for its handler (see DeliveryQueue): handlers run one at a time in arrival
   * order, never inside the reader. A buffered delivery is acked on the connection it came from
   * once its handler resolved; a failing or missing handler means no ack, so it is redelivered.
   */
  #deliver<H extends (...args: never[]) => unknown>(
    conn: Connection,
    kind: "inbound" | "interrupt_inbound" | "passthrough_forward",
    bufferId: string | undefined,
    handlerOf: () => H | undefined,
    run: (handler: H, ctx: DeliveryContext) => unknown,
  ): void {
    const bytes = conn.deliveryBytes;
    this.#queue.push(async () => {
      if (this.#final) return;
      // Looked up when the delivery's turn comes, so a handler set after connect() still counts.
      const handler = handlerOf();
      const withBuffer = bufferId !== undefined ? { bufferId } : {};
      if (handler === undefined) {
        this.#events.emit("handlerError", { kind, error: new Error(`no ${kind} handler registered`), ...withBuffer });
        return;
      }
      try {
        await run(handler, { bufferId, generation: conn.generation });
      } catch (error) {
        this.#events.emit("handlerError", { kind, error, ...withBuffer });
        return;
      }
      if (bufferId !== undefined && conn === this.#conn && !conn.ended) {
        // A failed ack write is swallowed: the entry is simply redelivered (§3.11).
        try {
          this.#ack(conn, bufferId);
        } catch (err) {
          this.#internalError(conn, err);
        }
      }
    }, bytes);
  }

  /**
   * Inbound backpressure: the socket is not read while the delivery queue is over
   * `maxQueuedBytes`, nor while it is over `maxQueuedDeliveries` and nothing awaits an answer
   * from the connector. An answer (`outbound_result`, `going_idle_ack`) may sit behind deliveries
   * on the wire and never enters the queue, so while a request or `goIdle()` waits, reading goes
   * on up to the byte bound: a handler awaiting its own request cannot wedge the queue it runs
   * in. Past the byte bound the request ends by its timeout instead. Deliveries are never dropped.
   */
  #updateReading(): void {
    const conn = this.#conn;
    const ws = conn?.ws;
    if (conn === undefined || ws === undefined || conn.ended || ws.readyState !== WebSocket.OPEN) return;
    const { deliveries, bytes } = this.#queue.load;
    const awaited = this.#pending.size > 0 || conn.idleWaiters.size > 0;
    const pause = bytes > this.#o.maxQueuedBytes || (!awaited && deliveries > this.#o.maxQueuedDeliveries);
    if (pause === conn.paused) return;
    conn.paused = pause;
    if (pause) ws.pause();
    else ws.resume();
  }

  // ---- connection end and reconnect ---------------------------------------------------------

  #ended(conn: Connection, info: EndInfo): void {
    if (conn.ended) return;
    conn.ended = true;
    clearTimeout(conn.handshakeTimer);
    conn.stopKeepalive?.();
    conn.markClosed();
    for (const done of [...conn.idleWaiters]) done(false);
    if (this.#conn === conn) this.#conn = undefined;
    const handshaked = conn.defaultPlatform !== undefined;
    this.#pending.settleGeneration(conn.generation, () => ({ result: this.#final ? transportClosed(true) : connectionLost() }));

    const base = {
      generation: conn.generation,
      code: info.code,
      reason: info.reason,
      cause: info.cause,
      ...(info.httpStatus !== undefined && { httpStatus: info.httpStatus }),
      handshaked,
    };
    if (this.#final) {
      this.#events.emit("close", { ...base, willRetry: false, attempt: this.#ladder.attempt, authRetry: false });
      return;
    }

    const step = nextStepAfter({
      code: info.code,
      reason: info.reason,
      authRetry: conn.authRetry,
      everHandshaked: this.#everHandshaked,
      dormant: conn.dormant,
      upMs: conn.handshakeAt === undefined ? undefined : this.#now() - conn.handshakeAt,
      stableMs: this.#o.stableConnectionMs,
    });
    if (step.resetLadder) this.#ladder.reset();

    if (step.kind === "terminal") {
      this.#revokedBy = { code: info.code, reason: info.reason };
      this.#setState("revoked");
      this.#events.emit("close", { ...base, willRetry: false, attempt: this.#ladder.attempt, authRetry: false });
      this.#events.emit("revoked", { generation: conn.generation, code: info.code, reason: info.reason });
      this.#rejectConnectWaiters(new RelayConnectError({ ...info, revoked: true, willRetry: false }));
      return;
    }
    if (!this.#o.reconnect) {
      this.#setState("disconnected");
      this.#events.emit("close", { ...base, willRetry: false, attempt: this.#ladder.attempt, authRetry: false });
      this.#rejectConnectWaiters(new RelayConnectError({ ...info, revoked: false, willRetry: false }));
      return;
    }

    const delay = step.kind === "auth-retry" ? 0 : step.kind === "dormant" ? this.#o.dormantRedialMs : this.#ladder.next();
    this.#authRetryNext = step.kind === "auth-retry";
    this.#setState("backoff");
    const event: CloseEvent = {
      ...base,
      willRetry: true,
      retryInMs: delay,
      retryAt: this.#now() + delay,
      attempt: this.#ladder.attempt,
      authRetry: this.#authRetryNext,
    };
    this.#redialTimer = setTimeout(() => {
      this.#redialTimer = undefined;
      this.#dial();
    }, delay);
    this.#events.emit("close", event);
    this.#rejectConnectWaiters(new RelayConnectError({ ...info, revoked: false, willRetry: true, retryInMs: delay }));
  }

  // ---- helpers ------------------------------------------------------------------------------

  #descriptorFor(conn: Connection | undefined, platform: string | undefined): CapabilityDescriptor | undefined {
    if (conn?.defaultPlatform === undefined) return undefined;
    return (platform === undefined ? undefined : conn.descriptors.get(platform)) ?? conn.descriptors.get(conn.defaultPlatform);
  }

  #readyConnection(): Connection | undefined {
    const conn = this.#conn;
    if (this.#final || conn === undefined || conn.ended || conn.defaultPlatform === undefined) return undefined;
    return conn.ws?.readyState === WebSocket.OPEN ? conn : undefined;
  }

  #encode(frame: GatewayFrame): string {
    return encodeFrame(frame, this.#validate ? { validate: true, direction: "gateway-to-connector" } : {});
  }

  /**
   * With `coalesceAcks`, acks of deliveries handled in the same turn of the event loop share one
   * message (several "\n"-terminated frames): a replayed batch then costs one socket write
   * instead of one per frame (bench/ §3). They go out on the next tick, or ahead of whatever this
   * side writes before that, so the order on the wire is unchanged.
   */
  #ack(conn: Connection, bufferId: string): void {
    const line = this.#encode({ type: "inbound_ack", bufferId });
    if (!this.#coalesceAcks) {
      this.#write(conn, line);
      return;
    }
    if (conn.acks !== undefined) {
      conn.acks += line;
      return;
    }
    conn.acks = line;
    process.nextTick(() => {
      if (conn.acks !== undefined && conn === this.#conn && !conn.ended) this.#write(conn, "");
      conn.acks = undefined;
    });
  }

  /** Hands one line to the socket; false when it is not open. Write errors surface as a close. */
  #write(conn: Connection, line: string): boolean {
    const ws = conn.ws;
    if (ws === undefined || ws.readyState !== WebSocket.OPEN) return false;
    if (conn.acks !== undefined) {
      line = conn.acks + line;
      conn.acks = undefined;
    }
    batchWritesThisTick(ws);
    ws.send(line, () => {
      // Errors here mean the socket is going away; its close event handles the consequences.
    });
    return true;
  }

  #setState(state: RelayClientState): void {
    const previous = this.#state;
    if (previous === state) return;
    // `closed` and `revoked` are final.
    if ((previous === "closed" || previous === "revoked") && state !== "closed") return;
    this.#state = state;
    this.#events.emit("state", { state, previous });
  }

  #rejectConnectWaiters(error: unknown): void {
    const waiters = this.#connectWaiters;
    this.#connectWaiters = [];
    for (const w of waiters) w.reject(error);
  }

  /** A bug of ours must not escape into the socket's event loop: it is reported instead. */
  #internalError(conn: Connection, err: unknown): void {
    this.#events.emit("protocolError", {
      generation: conn.generation,
      code: "internal",
      message: `relay client internal error: ${err instanceof Error ? err.message : String(err)}`,
    });
  }
}

/** Creates a gateway-side relay client. Nothing is dialed until `connect()`. */
export function createRelayClient(options: RelayClientOptions): RelayClient {
  return new RelayClient(options);
}
