/**
 * The gateway side of the relay: the supervisor. It owns what outlives a connection — the
 * lifecycle (an explicit transition table, `lifecycle.ts`), the reconnect ladder and its pure
 * decision (`nextStepAfter`), the delivery queue and the handlers — and starts one `Session` per
 * dial (`session.ts`), which owns everything of that connection. It dials the connector, says
 * one `hello` per identity, correlates `outbound` requests with their results, hands inbound
 * deliveries to the application off the reader, and keeps itself connected by the ladder and
 * the 4401 rules of the contract's "Reconnect" and "4401 before and after a handshake" sections.
 */
import type { OpName } from "../../generated/registry.js";
import type { CapabilityDescriptor, GatewayFrame, OutboundAction, OutboundFrame, SendAction } from "../../generated/types.js";
import { DEFAULT_MAX_LINE_BYTES } from "../codec/decoder.js";
import { CloseCode } from "../close-codes.js";
import { encodeFrame } from "../codec/encode.js";
import { checkOutgoingFrame, type OutgoingValidation } from "../kernel/outgoing.js";
import { wsDialer } from "../transport/ws-dialer.js";
import type { Dialer } from "../transport/types.js";
import { encodeAck } from "./encode-ack.js";
import { ReconnectLadder } from "./backoff.js";
import { DeliveryQueue } from "./delivery-queue.js";
import { RelayClientClosedError, RelayConnectError } from "./errors.js";
import type { CloseEvent, RelayClientEvents, RelayClientState } from "./events.js";
import { TypedEmitter, type Listener, type RelayEventSource } from "../kernel/emitter.js";
import { allows, endEvent, transition, type LifecycleEvent } from "./lifecycle.js";
import { isOpSupported } from "./ops.js";
import { newRequestId } from "./request-id.js";
import type {
  ActionFields,
  CloseOptions,
  InboundHandler,
  InterruptInboundHandler,
  PassthroughHandler,
  RelayClientHandlers,
  RelayClientOptions,
  RelayIdentity,
  RequestOptions,
  SendFields,
} from "./options.js";
import { nextStepAfter } from "./reconnect-policy.js";
import { notConnected, notSupported, transportClosed, type RelayResult } from "./results.js";
import { Session, type Delivery, type EndInfo, type SessionHost } from "./session.js";
import { authorizationSource, type AuthorizationSource } from "./token.js";
import { normalizeRelayUrl } from "./url.js";
import { numberOption } from "../kernel/options.js";
import { DEFAULT_DRAIN_MS } from "../kernel/close.js";

const DEFAULT_IDENTITY: RelayIdentity = { platform: "relay", botId: "" };
/** The gateway's websockets `max_size`: the largest message the contract lets either side send. */
const DEFAULT_MAX_PAYLOAD = DEFAULT_MAX_LINE_BYTES;
const DEFAULT_MAX_QUEUED_DELIVERIES = 256;
const DEFAULT_MAX_QUEUED_BYTES = 8 * 1024 * 1024;


function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}

interface Settings {
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
  coalesceAcks: boolean;
}

export class RelayClient implements RelayEventSource<RelayClientEvents> {
  /** The normalised dial URL. */
  readonly url: string;
  readonly identities: readonly RelayIdentity[];

  readonly #events = new TypedEmitter<RelayClientEvents>();
  readonly #authorization: AuthorizationSource;
  readonly #dialer: Dialer;
  readonly #helloLines: string[];
  readonly #helloPlatforms: ReadonlySet<string>;
  readonly #validate: OutgoingValidation;
  readonly #now: () => number;
  readonly #ladder: ReconnectLadder;
  readonly #queue = new DeliveryQueue(() => this.#session?.updateReading());
  readonly #handlers: RelayClientHandlers;
  readonly #settings: Settings;
  readonly #host: SessionHost;

  #state: RelayClientState = "idle";
  #generation = 0;
  /** The current dial's session; cleared when it ends. */
  #session: Session | undefined;
  #everHandshaked = false;
  #authRetryNext = false;
  #redialTimer: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;
  /** Why the client was revoked (state "revoked"). */
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

    const validate = options.validateOutgoing ?? "strict";
    if (validate !== true && validate !== false && validate !== "strict" && validate !== "tolerant" && validate !== "off") {
      throw new TypeError('createRelayClient: validateOutgoing must be "strict", "tolerant", "off" or a boolean');
    }
    this.#validate = validate === true ? "strict" : validate === false ? "off" : validate;
    this.#now = options.now ?? Date.now;
    this.#dialer = options.dialer ?? wsDialer;
    if (typeof this.#dialer !== "function") throw new TypeError("createRelayClient: dialer must be a function");
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
    this.#helloPlatforms = new Set(this.identities.map((i) => i.platform));
    this.#authorization = authorizationSource({
      ...(options.gatewayId !== undefined && { gatewayId: options.gatewayId }),
      ...(options.secret !== undefined && { secret: options.secret }),
      ...(options.token !== undefined && { token: options.token }),
      ...(options.tokenTtlSeconds !== undefined && { tokenTtlSeconds: options.tokenTtlSeconds }),
      now: this.#now,
    });
    this.#ladder = new ReconnectLadder({
      baseMs: numberOption("createRelayClient", "backoffBaseMs", options.backoffBaseMs, 1000, "zero-allowed"),
      maxMs: numberOption("createRelayClient", "backoffMaxMs", options.backoffMaxMs, 30_000, "zero-allowed"),
      random: options.random ?? Math.random,
    });
    if (options.maxLineBytes !== undefined && !(Number.isSafeInteger(options.maxLineBytes) && options.maxLineBytes > 0)) {
      throw new RangeError("createRelayClient: maxLineBytes must be a positive integer");
    }
    this.#settings = {
      handshakeTimeoutMs: numberOption("createRelayClient", "handshakeTimeoutMs", options.handshakeTimeoutMs, 30_000),
      requestTimeoutMs: numberOption("createRelayClient", "requestTimeoutMs", options.requestTimeoutMs, 30_000),
      goIdleTimeoutMs: numberOption("createRelayClient", "goIdleTimeoutMs", options.goIdleTimeoutMs, 10_000),
      reconnect: options.reconnect ?? true,
      dormantRedialMs: numberOption("createRelayClient", "dormantRedialMs", options.dormantRedialMs, 1000, "zero-allowed"),
      stableConnectionMs: numberOption("createRelayClient", "stableConnectionMs", options.stableConnectionMs, 60_000, "zero-allowed"),
      keepaliveIntervalMs: numberOption("createRelayClient", "keepaliveIntervalMs", options.keepaliveIntervalMs, 30_000, "zero-allowed"),
      keepaliveTimeoutMs: numberOption("createRelayClient", "keepaliveTimeoutMs", options.keepaliveTimeoutMs, 60_000),
      maxLineBytes: options.maxLineBytes,
      maxPayload: numberOption("createRelayClient", "maxPayload", options.maxPayload, DEFAULT_MAX_PAYLOAD),
      perMessageDeflate: options.perMessageDeflate ?? false,
      maxQueuedDeliveries: numberOption("createRelayClient", "maxQueuedDeliveries", options.maxQueuedDeliveries, DEFAULT_MAX_QUEUED_DELIVERIES),
      maxQueuedBytes: numberOption("createRelayClient", "maxQueuedBytes", options.maxQueuedBytes, DEFAULT_MAX_QUEUED_BYTES),
      coalesceAcks: options.coalesceAcks ?? false,
    };
    this.#handlers = { ...options.handlers };
    this.#host = this.#sessionHost();
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
    return new Map(this.#session?.descriptors ?? []);
  }

  /** The session default: the current connection's first descriptor. */
  get defaultDescriptor(): CapabilityDescriptor | undefined {
    return this.#session?.defaultDescriptor;
  }

  /**
   * Deliveries accepted and not yet finished by their handler (the running one included), their
   * wire bytes, and whether the transport is currently not read because of them.
   */
  get inboundBacklog(): { deliveries: number; bytes: number; readingPaused: boolean } {
    return { ...this.#queue.load, readingPaused: this.#session?.paused ?? false };
  }

  /** Whether `op` may be sent now (to `platform`, else the session default). */
  supportsOp(op: OpName | string, platform?: string): boolean {
    const descriptor = this.#session?.descriptorFor(platform);
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

  listenerCount<K extends keyof RelayClientEvents>(event: K): number {
    return this.#events.listenerCount(event);
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
    if (this.#state === "closed") return Promise.reject(new RelayClientClosedError());
    if (this.#state === "revoked") {
      const { code, reason } = this.#revokedBy ?? { code: 4401, reason: "" };
      return Promise.reject(new RelayConnectError({ code, reason, cause: "socket", revoked: true, willRetry: false }));
    }
    const ready = allows(this.#state, "write") ? this.defaultDescriptor : undefined;
    if (ready !== undefined) return Promise.resolve(ready);
    const promise = new Promise<CapabilityDescriptor>((resolve, reject) => this.#connectWaiters.push({ resolve, reject }));
    if (allows(this.#state, "dial")) this.#dial("connect");
    return promise;
  }

  /**
   * Final: no more dials and no new requests; requests in flight get `drainMs` (default 5 000) to
   * finish, then fail with `relay transport closed`; the connection is closed normally (1000).
   */
  close(options: CloseOptions = {}): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    // A bad option is a rejected promise, never a throw (see RelayServer.close).
    let drainMs: number;
    try {
      drainMs = numberOption("RelayClient.close", "drainMs", (options ?? {}).drainMs, DEFAULT_DRAIN_MS, "zero-allowed");
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.#redialTimer !== undefined) clearTimeout(this.#redialTimer);
    this.#redialTimer = undefined;
    this.#move("close");
    this.#rejectConnectWaiters(new RelayClientClosedError());
    this.#queue.clear();
    this.#closing = (async () => {
      const session = this.#session;
      if (session === undefined) return;
      await session.drained(drainMs);
      session.settleAll(() => ({ result: transportClosed(true) }));
      await session.shutdown("client-close", "");
    })();
    return this.#closing;
  }

  // ---- requests -----------------------------------------------------------------------------

  /**
   * Sends one `outbound` and resolves with its result. Transport problems resolve with the
   * local results of the contract's "Request/response correlation" section (never reject); an
   * invalid action rejects with `FrameValidationError` and an abort rejects with the signal's
   * reason. Nothing is written for an op the connector did not advertise, nor while not handshaked.
   */
  request<A extends OutboundAction>(action: A, options: RequestOptions = {}): Promise<RelayResult<A["op"]>> {
    type R = RelayResult<A["op"]>;
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    // A caller's mistake is refused whatever the connection's state.
    let timeoutMs: number;
    try {
      timeoutMs = numberOption("RelayClient.request", "timeoutMs", options.timeoutMs, this.#settings.requestTimeoutMs);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.#state === "closed") return Promise.resolve(transportClosed(false) as R);
    const session = this.#writableSession();
    if (session === undefined) return Promise.resolve(notConnected() as R);
    const op = (action as { op?: unknown } | null)?.op;
    const descriptor = session.descriptorFor(options.platform);
    if (typeof op !== "string" || !isOpSupported(op, descriptor)) {
      return Promise.resolve(notSupported(String(op), descriptor?.platform) as R);
    }

    const requestId = newRequestId();
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
    return session.request(requestId, line, timeoutMs, signal) as Promise<R>;
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
    const session = this.#writableSession();
    if (session === undefined) return false;
    return session.write(this.#encode({ type: "interrupt", session_key: sessionKey, reason }));
  }

  /**
   * Sends `going_idle` and resolves true when `going_idle_ack` arrives; false on timeout, when
   * not handshaked, or when the connection ends first. The client keeps serving meanwhile.
   */
  goIdle(timeoutMs: number = this.#settings.goIdleTimeoutMs): Promise<boolean> {
    const session = this.#writableSession();
    if (session === undefined) return Promise.resolve(false);
    let ms: number;
    try {
      ms = numberOption("RelayClient.goIdle", "timeoutMs", timeoutMs, this.#settings.goIdleTimeoutMs);
    } catch (err) {
      return Promise.reject(err);
    }
    return session.goIdle(ms);
  }

  /**
   * `goIdle()`, then — only if acked — a normal close that the reconnect loop re-dials after the
   * dormant delay, without counting a failed attempt. A missed ack leaves the connection up.
   */
  async goDormant(timeoutMs?: number): Promise<boolean> {
    const session = this.#session;
    const acked = await this.goIdle(timeoutMs);
    if (!acked || session === undefined || session !== this.#session || session.ended) return acked;
    session.dormant = true;
    await session.shutdown("dormant", "");
    return true;
  }

  // ---- sessions -----------------------------------------------------------------------------

  /** The session requests may be written on: the state allows it and its transport is open. */
  #writableSession(): Session | undefined {
    const session = this.#session;
    return allows(this.#state, "write") && session?.ready === true ? session : undefined;
  }

  #dial(event: "connect" | "redial"): void {
    if (this.#session !== undefined || !this.#move(event)) return;
    if (this.#redialTimer !== undefined) clearTimeout(this.#redialTimer);
    this.#redialTimer = undefined;
    const settings = this.#settings;
    const session = new Session(
      {
        generation: ++this.#generation,
        authRetry: this.#authRetryNext,
        url: this.url,
        authorization: this.#authorization,
        dialer: this.#dialer,
        helloLines: this.#helloLines,
        helloPlatforms: this.#helloPlatforms,
        handshakeTimeoutMs: settings.handshakeTimeoutMs,
        keepalive: settings.keepaliveIntervalMs > 0 ? { intervalMs: settings.keepaliveIntervalMs, timeoutMs: settings.keepaliveTimeoutMs } : undefined,
        maxPayload: settings.maxPayload,
        perMessageDeflate: settings.perMessageDeflate,
        maxLineBytes: settings.maxLineBytes,
        maxQueuedDeliveries: settings.maxQueuedDeliveries,
        maxQueuedBytes: settings.maxQueuedBytes,
        coalesceAcks: settings.coalesceAcks,
        now: this.#now,
      },
      this.#host,
    );
    // The marker stays until this dial reaches an auth outcome (upgrade accepted, or 401/4401):
    // a dial that fails on the network never had its token judged, so the next one is still the
    // fresh-token retry (ws_transport.py `_dial_and_start` / `_latch_if_fresh_token_refused`).
    this.#session = session;
    this.#events.emit("connecting", { generation: session.generation, url: this.url, attempt: this.#ladder.attempt, authRetry: session.authRetry });
    session.start();
  }

  #sessionHost(): SessionHost {
    const client = this;
    return {
      emit: (event, payload) => this.#events.emit(event, payload),
      encode: (frame) => this.#encode(frame),
      encodeAck: (bufferId) => encodeAck(bufferId, this.#validate),
      opened: (session) => {
        if (session !== this.#session) return;
        // The upgrade was accepted: this dial's token reached its auth outcome.
        if (session.authRetry) this.#authRetryNext = false;
        this.#move("open");
        this.#events.emit("open", { generation: session.generation });
      },
      handshake: (session, descriptor) => this.#onHandshake(session, descriptor),
      deliver: (session, delivery) => this.#deliver(session, delivery),
      queueLoad: () => this.#queue.load,
      get final() {
        return client.#state === "closed";
      },
      ended: (session, info) => this.#ended(session, info),
    };
  }

  #onHandshake(session: Session, descriptor: CapabilityDescriptor): void {
    this.#everHandshaked = true;
    this.#move("handshake");
    const waiters = this.#connectWaiters;
    this.#connectWaiters = [];
    for (const w of waiters) w.resolve(descriptor);
    this.#events.emit("handshake", { generation: session.generation, descriptor });
  }

  /**
   * Queues a delivery for its handler (see DeliveryQueue): handlers run one at a time in arrival
   * order, never inside the reader. A buffered delivery is acked on the session it came from once
   * its handler resolved; a failing or missing handler means no ack, so it is redelivered.
   */
  #deliver(session: Session, delivery: Delivery): void {
    this.#queue.push(() => this.#runDelivery(session, delivery), delivery.bytes);
  }

  /**
   * One delivery's turn. A handler that returns a plain value has finished: it is acked at once
   * and the queue moves on without a promise; one that returns a promise is acked when it
   * resolves, and the queue waits for that.
   */
  #runDelivery(session: Session, delivery: Delivery): Promise<void> | undefined {
    if (this.#state === "closed") return undefined;
    // Looked up when the delivery's turn comes, so a handler set after connect() still counts.
    if (!delivery.handled(this.#handlers)) {
      this.#handlerFailed(delivery, new Error(`no ${delivery.kind} handler registered`));
      return undefined;
    }
    let result: unknown;
    try {
      result = delivery.run(this.#handlers, { bufferId: delivery.bufferId, generation: session.generation });
    } catch (error) {
      this.#handlerFailed(delivery, error);
      return undefined;
    }
    if (!isThenable(result)) {
      this.#ackDelivery(session, delivery);
      return undefined;
    }
    return Promise.resolve(result).then(
      () => this.#ackDelivery(session, delivery),
      (error: unknown) => this.#handlerFailed(delivery, error),
    );
  }

  #handlerFailed(delivery: Delivery, error: unknown): void {
    const { kind, bufferId } = delivery;
    this.#events.emit("handlerError", { error, where: kind, ...(bufferId !== undefined && { bufferId }) });
  }

  #ackDelivery(session: Session, delivery: Delivery): void {
    if (delivery.bufferId === undefined) return;
    // A failed ack write is not retried: the entry is simply redelivered on the next connection.
    try {
      session.ack(delivery.bufferId);
    } catch (err) {
      session.internalError(err);
    }
  }

  // ---- connection end and reconnect ---------------------------------------------------------

  #ended(session: Session, info: EndInfo): void {
    if (this.#session === session) this.#session = undefined;
    const base = {
      generation: session.generation,
      code: info.code,
      reason: info.reason,
      cause: info.cause,
      ...(info.httpStatus !== undefined && { httpStatus: info.httpStatus }),
      handshaked: session.handshaked,
    };
    if (this.#state === "closed") {
      this.#events.emit("close", { ...base, willRetry: false, attempt: this.#ladder.attempt, authRetry: false });
      return;
    }

    const step = nextStepAfter({
      code: info.code,
      reason: info.reason,
      authRetry: session.authRetry,
      everHandshaked: this.#everHandshaked,
      dormant: session.dormant,
      upMs: session.handshakeAt === undefined ? undefined : this.#now() - session.handshakeAt,
      stableMs: this.#settings.stableConnectionMs,
    });
    if (step.resetLadder) this.#ladder.reset();
    const event = endEvent(step, this.#settings.reconnect);
    this.#move(event);

    if (event === "revoke") {
      this.#revokedBy = { code: info.code, reason: info.reason };
      this.#events.emit("close", { ...base, willRetry: false, attempt: this.#ladder.attempt, authRetry: false });
      this.#events.emit("revoked", { generation: session.generation, code: info.code, reason: info.reason });
      this.#rejectConnectWaiters(new RelayConnectError({ ...info, revoked: true, willRetry: false }));
      return;
    }
    if (event === "stop") {
      this.#events.emit("close", { ...base, willRetry: false, attempt: this.#ladder.attempt, authRetry: false });
      this.#rejectConnectWaiters(new RelayConnectError({ ...info, revoked: false, willRetry: false }));
      return;
    }

    const delay = step.kind === "auth-retry" ? 0 : step.kind === "dormant" ? this.#settings.dormantRedialMs : this.#ladder.next();
    // A 4401 (or HTTP 401) judged the token; any other end of a dial whose upgrade never opened
    // leaves the fresh-token marker for the next dial.
    const judged = info.code === CloseCode.Unauthorized;
    this.#authRetryNext = step.kind === "auth-retry" || (this.#authRetryNext && session.authRetry && !judged);
    const close: CloseEvent = {
      ...base,
      willRetry: true,
      retryInMs: delay,
      retryAt: this.#now() + delay,
      attempt: this.#ladder.attempt,
      authRetry: this.#authRetryNext,
    };
    this.#redialTimer = setTimeout(() => {
      this.#redialTimer = undefined;
      this.#dial("redial");
    }, delay);
    this.#events.emit("close", close);
    this.#rejectConnectWaiters(new RelayConnectError({ ...info, revoked: false, willRetry: true, retryInMs: delay }));
  }

  // ---- helpers ------------------------------------------------------------------------------

  /** Applies `event` through the transition table; false (and nothing changes) when it does not apply. */
  #move(event: LifecycleEvent): boolean {
    const previous = this.#state;
    const state = transition(previous, event);
    if (state === undefined) return false;
    if (state === previous) return true;
    this.#state = state;
    this.#events.emit("state", { state, previous });
    return true;
  }

  #encode(frame: GatewayFrame): string {
    checkOutgoingFrame(frame, this.#validate, "gateway-to-connector");
    return encodeFrame(frame);
  }

  #rejectConnectWaiters(error: unknown): void {
    const waiters = this.#connectWaiters;
    this.#connectWaiters = [];
    for (const w of waiters) w.reject(error);
  }
}

/** Creates a gateway-side relay client. Nothing is dialed until `connect()`. */
export function createRelayClient(options: RelayClientOptions): RelayClient {
  return new RelayClient(options);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as { then?: unknown }).then === "function";
}
