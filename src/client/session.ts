/**
 * One dial of the gateway role, from minting its token to its end: the transport, the decoder,
 * the handshake deadline, the descriptors, the requests written on it, its acks and `goIdle()`
 * waiters, and the reading side's flow control. It knows nothing of reconnecting: it reports its
 * end once, through `SessionHost.ended`, and the supervisor (`client.ts`) decides what follows.
 */
import type { CapabilityDescriptor, GatewayFrame, InboundFrame } from "../../generated/types.js";
import { FrameDecoder, type DecodedFrame } from "../codec/decoder.js";
import type { Dialer, DialedTransport, TransportEnd } from "../transport/types.js";
import { validateFrame } from "../validation.js";
import type { ValidationIssue } from "../validation-types.js";
import type { ProtocolErrorInfo } from "../kernel/events.js";
import { CLOSE_HANDSHAKE_TIMEOUT_MS } from "../kernel/close.js";
import type { QueueLoad } from "./delivery-queue.js";
import type { CloseCause, RelayClientEvents } from "./events.js";
import { bufferIdOf, normalizeDescriptor, normalizeInterrupt, normalizeMessageEvent, normalizePassthrough } from "./normalize.js";
import type { DeliveryContext, RelayClientHandlers } from "./options.js";
import { PendingRequest, PendingRequests, type Outcome } from "./pending.js";
import { connectionLost, resultFromWire, sendFailed, transportClosed, type RelayResult } from "./results.js";

export interface EndInfo {
  code: number;
  reason: string;
  cause: CloseCause;
  httpStatus?: number;
}

export type DeliveryKind = "inbound" | "interrupt_inbound" | "passthrough_forward";

/** One delivery, ready to run when its turn in the supervisor's queue comes. */
export interface Delivery {
  kind: DeliveryKind;
  bufferId: string | undefined;
  /** Wire bytes charged to it. */
  bytes: number;
  /** Whether a handler for `kind` is registered (looked up when the delivery's turn comes). */
  handled(handlers: RelayClientHandlers): boolean;
  /** Runs that handler. */
  run(handlers: RelayClientHandlers, ctx: DeliveryContext): unknown;
}

/** What a session needs from the client that owns it. */
export interface SessionHost {
  emit<K extends keyof RelayClientEvents>(event: K, payload: RelayClientEvents[K]): void;
  encode(frame: GatewayFrame): string;
  /** The `inbound_ack` line for `bufferId`, checked like `encode` (see encode-ack.ts). */
  encodeAck(bufferId: string): string;
  /** The transport opened; the hellos are about to be written. */
  opened(session: Session): void;
  /** The first descriptor arrived: the handshake is complete. */
  handshake(session: Session, descriptor: CapabilityDescriptor): void;
  deliver(session: Session, delivery: Delivery): void;
  /** What the supervisor's delivery queue holds (inbound backpressure). */
  queueLoad(): QueueLoad;
  /** The client is closing for good: requests end as `relay transport closed`. */
  readonly final: boolean;
  ended(session: Session, info: EndInfo): void;
}

export interface SessionConfig {
  generation: number;
  /** This dial is the fresh-token re-dial after a post-handshake 4401. */
  authRetry: boolean;
  url: string;
  authorization: () => string | undefined | Promise<string | undefined>;
  dialer: Dialer;
  helloLines: readonly string[];
  helloPlatforms: ReadonlySet<string>;
  handshakeTimeoutMs: number;
  keepalive: { intervalMs: number; timeoutMs: number } | undefined;
  maxPayload: number;
  perMessageDeflate: boolean;
  maxLineBytes: number | undefined;
  maxQueuedDeliveries: number;
  maxQueuedBytes: number;
  coalesceAcks: boolean;
  now: () => number;
}

const DELIVERY_TYPES: ReadonlySet<string> = new Set(["inbound", "interrupt_inbound", "passthrough_forward"]);
/** How received frames are validated (one options object for all of them). */
const RECEIVED = Object.freeze({ mode: "tolerant", direction: "connector-to-gateway" } as const);

export class Session {
  readonly generation: number;
  readonly authRetry: boolean;
  /** When the first descriptor arrived (for the stable-connection rule). */
  handshakeAt: number | undefined;
  /** Closed by `goDormant()` after `going_idle_ack`. */
  dormant = false;

  readonly #config: SessionConfig;
  readonly #host: SessionHost;
  readonly #decoder: FrameDecoder;
  readonly #descriptors = new Map<string, CapabilityDescriptor>();
  readonly #pending: PendingRequests;
  readonly #idleWaiters = new Set<(acked: boolean) => void>();
  #transport: DialedTransport | undefined;
  #defaultPlatform: string | undefined;
  #handshakeTimer: NodeJS.Timeout | undefined;
  /** Set when this side ended the session, to report why. */
  #endCause: CloseCause | undefined;
  #endReason: string | undefined;
  #ended = false;
  readonly #closed: Promise<void>;
  #markClosed!: () => void;
  /** Encoded `inbound_ack` lines not yet written (see #ack). */
  #acks: string | undefined;
  /** Bytes charged to each delivery of the message being read. */
  #deliveryBytes = 0;
  #paused = false;

  constructor(config: SessionConfig, host: SessionHost) {
    this.generation = config.generation;
    this.authRetry = config.authRetry;
    this.#config = config;
    this.#host = host;
    this.#pending = new PendingRequests(() => this.updateReading());
    this.#closed = new Promise<void>((resolve) => (this.#markClosed = resolve));
    this.#decoder = new FrameDecoder({
      direction: "connector-to-gateway",
      // Schema-checked here instead (tolerant), so an invalid result can still settle its request.
      mode: "none",
      ...(config.maxLineBytes !== undefined && { maxLineBytes: config.maxLineBytes }),
    });
  }

  // ---- what the supervisor reads ------------------------------------------------------------

  get ended(): boolean {
    return this.#ended;
  }

  get handshaked(): boolean {
    return this.#defaultPlatform !== undefined;
  }

  /** Handshaked, not ended, and the transport is open: requests may be written. */
  get ready(): boolean {
    return !this.#ended && this.#defaultPlatform !== undefined && this.#transport?.open === true;
  }

  get paused(): boolean {
    return this.#paused;
  }

  get descriptors(): ReadonlyMap<string, CapabilityDescriptor> {
    return this.#descriptors;
  }

  get defaultDescriptor(): CapabilityDescriptor | undefined {
    return this.#defaultPlatform === undefined ? undefined : this.#descriptors.get(this.#defaultPlatform);
  }

  /** The descriptor of `platform` when known, else the session default. */
  descriptorFor(platform: string | undefined): CapabilityDescriptor | undefined {
    if (this.#defaultPlatform === undefined) return undefined;
    return (platform === undefined ? undefined : this.#descriptors.get(platform)) ?? this.#descriptors.get(this.#defaultPlatform);
  }

  /** Resolves once the session ended. */
  get closed(): Promise<void> {
    return this.#closed;
  }

  // ---- dialing ------------------------------------------------------------------------------

  /** Mints the token and dials; the handshake budget covers both and the first descriptor. */
  start(): void {
    this.#handshakeTimer = setTimeout(
      () => this.abort("handshake-timeout", `no descriptor within ${this.#config.handshakeTimeoutMs} ms`),
      this.#config.handshakeTimeoutMs,
    );
    void this.#dial();
  }

  async #dial(): Promise<void> {
    let authorization: string | undefined;
    try {
      authorization = await this.#config.authorization();
    } catch (err) {
      this.#end({ code: 1006, reason: `token provider failed: ${err instanceof Error ? err.message : String(err)}`, cause: "token-error" });
      return;
    }
    if (this.#ended) return;
    const config = this.#config;
    this.#transport = config.dialer(
      {
        url: config.url,
        ...(authorization !== undefined && { authorization }),
        maxPayload: config.maxPayload,
        perMessageDeflate: config.perMessageDeflate,
        ...(config.keepalive !== undefined && { keepalive: config.keepalive }),
      },
      {
        open: () => this.#guard(() => this.#onOpen()),
        message: (data, bytes) => this.#guard(() => this.#onMessage(data, bytes)),
        unresponsive: () => {
          this.#endCause ??= "keepalive-timeout";
          this.#endReason ??= "keepalive ping timeout";
        },
        close: (end) => this.#guard(() => this.#end(this.#endInfo(end))),
      },
    );
  }

  #onOpen(): void {
    if (this.#ended) return;
    this.#host.opened(this);
    // Hellos go out at once, in order, without waiting for descriptors.
    for (const line of this.#config.helloLines) this.write(line);
    // A backlog left by the previous session keeps this one from reading past the bound too.
    this.updateReading();
  }

  #endInfo(end: TransportEnd): EndInfo {
    if (this.#endCause !== undefined) return { code: end.code, reason: this.#endReason || end.reason, cause: this.#endCause };
    if (end.httpStatus !== undefined) return { code: end.code, reason: end.reason, cause: "upgrade-refused", httpStatus: end.httpStatus };
    if (!end.opened) return { code: end.code, reason: end.reason || (end.error?.message ?? ""), cause: "dial-error" };
    return { code: end.code, reason: end.reason, cause: "socket" };
  }

  /** This side ends the session at once; the transport's close reports it. */
  abort(cause: CloseCause, reason: string): void {
    if (this.#ended) return;
    this.#endCause ??= cause;
    this.#endReason ??= reason;
    if (this.#transport === undefined) this.#end({ code: 1006, reason, cause });
    else this.#transport.terminate();
  }

  /** A normal close (1000), forced after a grace period; resolves once the session ended. */
  async shutdown(cause: CloseCause, reason: string): Promise<void> {
    if (this.#ended) return;
    this.#endCause ??= cause;
    this.#endReason ??= reason;
    const transport = this.#transport;
    if (transport === undefined) {
      this.#end({ code: 1000, reason, cause });
      return;
    }
    if (this.#acks !== undefined) this.write(""); // acks of handled deliveries still go out
    transport.close(1000, "");
    const force = setTimeout(() => transport.terminate(), CLOSE_HANDSHAKE_TIMEOUT_MS);
    void this.#closed.then(() => clearTimeout(force));
    await this.#closed;
  }

  #end(info: EndInfo): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#handshakeTimer);
    this.#markClosed();
    for (const done of [...this.#idleWaiters]) done(false);
    const final = this.#host.final;
    this.#pending.settleAll(() => ({ result: final ? transportClosed(true) : connectionLost() }));
    this.#host.ended(this, info);
  }

  // ---- writing ------------------------------------------------------------------------------

  /** Hands one line to the transport; false when it is not open. Write errors surface as a close. */
  write(line: string): boolean {
    const transport = this.#transport;
    if (this.#ended || transport === undefined || !transport.open) return false;
    if (this.#acks !== undefined) {
      line = this.#acks + line;
      this.#acks = undefined;
    }
    transport.send(line, () => {
      // Errors here mean the transport is going away; its close handles the consequences.
    });
    return true;
  }

  /** Writes an encoded `outbound` and settles with its result (or a local failure). */
  request(requestId: string, line: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<RelayResult> {
    return new Promise<RelayResult>((resolve, reject) => {
      const pending = this.#pending;
      const entry = pending.add(new PendingRequest(requestId, this.generation, resolve, reject, signal), timeoutMs);
      if (signal !== undefined) {
        entry.onAbort = (): void => void pending.settle(requestId, { error: signal.reason ?? new DOMException("This operation was aborted", "AbortError") });
        signal.addEventListener("abort", entry.onAbort, { once: true });
      }
      this.#transport?.send(line, (err) => {
        if (err) pending.settle(requestId, { result: sendFailed(err) });
      });
    });
  }

  /** Requests still waiting for their result. */
  get pendingRequests(): number {
    return this.#pending.size;
  }

  /** Resolves when no request waits, or after `ms`. */
  drained(ms: number): Promise<void> {
    return this.#pending.drained(ms);
  }

  settleAll(outcome: () => Outcome): void {
    this.#pending.settleAll(outcome);
  }

  /** Sends `going_idle`; true when `going_idle_ack` arrives within `ms`. */
  goIdle(ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const done = (acked: boolean): void => {
        clearTimeout(timer);
        this.#idleWaiters.delete(done);
        this.updateReading();
        resolve(acked);
      };
      const timer = setTimeout(() => done(false), ms);
      this.#idleWaiters.add(done);
      this.updateReading();
      if (!this.write(this.#host.encode({ type: "going_idle" }))) done(false);
    });
  }

  /**
   * Acks a handled buffered delivery. With `coalesceAcks`, acks of deliveries handled in the same
   * turn of the event loop share one message (several "\n"-terminated frames): a replayed batch
   * then costs one write instead of one per frame. They go out on the next tick, or ahead of
   * whatever this side writes before that, so the order on the wire is unchanged.
   */
  ack(bufferId: string): void {
    if (this.#ended) return;
    const line = this.#host.encodeAck(bufferId);
    if (!this.#config.coalesceAcks) {
      this.write(line);
      return;
    }
    if (this.#acks !== undefined) {
      this.#acks += line;
      return;
    }
    this.#acks = line;
    process.nextTick(() => {
      if (this.#acks !== undefined && !this.#ended) this.write("");
      this.#acks = undefined;
    });
  }

  /**
   * Inbound backpressure: the transport is not read while the delivery queue is over
   * `maxQueuedBytes`, nor while it is over `maxQueuedDeliveries` and nothing awaits an answer
   * from the connector. An answer (`outbound_result`, `going_idle_ack`) may sit behind deliveries
   * on the wire and never enters the queue, so while a request or `goIdle()` waits, reading goes
   * on up to the byte bound: a handler awaiting its own request cannot wedge the queue it runs
   * in. Past the byte bound the request ends by its timeout instead. Deliveries are never dropped.
   */
  updateReading(): void {
    const transport = this.#transport;
    if (this.#ended || transport === undefined || !transport.open) return;
    const { deliveries, bytes } = this.#host.queueLoad();
    const awaited = this.#pending.size > 0 || this.#idleWaiters.size > 0;
    const pause = bytes > this.#config.maxQueuedBytes || (!awaited && deliveries > this.#config.maxQueuedDeliveries);
    if (pause === this.#paused) return;
    this.#paused = pause;
    if (pause) transport.pause();
    else transport.resume();
  }

  // ---- receiving ----------------------------------------------------------------------------

  /** A bug of ours must not escape into the transport's event loop: it is reported instead. */
  #guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.internalError(err);
    }
  }

  #protocolError(error: ProtocolErrorInfo): void {
    this.#host.emit("protocolError", { generation: this.generation, error });
  }

  internalError(err: unknown): void {
    this.#protocolError({
      code: "internal",
      message: `relay client internal error: ${err instanceof Error ? err.message : String(err)}`,
    });
  }

  #onMessage(data: string | Uint8Array | readonly Uint8Array[], bytes: number): void {
    if (this.#ended) return;
    const events = this.#decoder.push(data);
    // A message's bytes are charged to the deliveries it carried, in equal shares.
    let deliveries = 0;
    for (const event of events) if (event.kind !== "error" && DELIVERY_TYPES.has(event.frame.type)) deliveries++;
    this.#deliveryBytes = deliveries === 0 ? 0 : Math.ceil(bytes / deliveries);
    for (const event of events) {
      if (event.kind === "error") {
        const e = event.error;
        this.#protocolError({
          code: e.code,
          message: e.message,
          ...(e.frameType !== undefined && { frameType: e.frameType }),
          ...(e.excerpt !== undefined && { excerpt: e.excerpt }),
          ...(e.issues !== undefined && { issues: e.issues }),
        });
        continue;
      }
      // Guarded like #guard, without a closure per frame.
      try {
        this.#received(event.frame);
      } catch (err) {
        this.internalError(err);
      }
    }
  }

  #received(frame: DecodedFrame): void {
    const checked = validateFrame(frame, RECEIVED);
    if (!checked.ok) {
      this.#onInvalidFrame(frame, checked.issues);
      return;
    }
    if (checked.dropped !== undefined) this.#reportDropped(frame.type, checked.dropped);
    this.#onFrame(checked.value);
  }

  /** Entries a receiver filters were removed; the frame proceeds without them. */
  #reportDropped(frameType: string, dropped: ValidationIssue[]): void {
    this.#protocolError({
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
  #onInvalidFrame(decoded: DecodedFrame, issues: ValidationIssue[]): void {
    const frame = decoded as unknown as Record<string, unknown>;
    const first = issues[0];
    this.#protocolError({
      code: "schema",
      message: `"${decoded.type}" frame is invalid${first === undefined ? "" : `: ${first.message}`}`,
      frameType: decoded.type,
      issues,
    });
    const kind = decoded.type === "inbound" || decoded.type === "passthrough_forward" ? decoded.type : undefined;
    const poisoned = kind === undefined ? undefined : bufferIdOf(frame);
    if (kind !== undefined && poisoned !== undefined) {
      const report = (): void =>
        this.#protocolError({
          code: "poison_delivery",
          message: `buffered "${kind}" ${JSON.stringify(poisoned)} cannot be delivered (${first?.message ?? "invalid"}); acked so the backlog moves on`,
          frameType: kind,
          issues,
        });
      // Its turn in the queue, no handler: reported when reached, then acked like a handled one.
      this.#deliver(kind, poisoned, () => true, report);
      return;
    }
    if (decoded.type !== "outbound_result" || typeof frame.requestId !== "string") return;
    const body = resultFromWire(frame.result);
    this.#pending.settle(frame.requestId, {
      result: { success: body.success, ...(typeof body.error === "string" && { error: body.error }) },
    });
  }

  #onFrame(decoded: DecodedFrame): void {
    // Tolerantly validated: read every field defensively (normalize.ts fills the defaults).
    const frame = decoded as unknown as Record<string, unknown>;
    switch (decoded.type) {
      case "descriptor":
        return this.#onDescriptor(normalizeDescriptor(frame.descriptor));
      case "outbound_result": {
        const requestId = frame.requestId;
        const settled = typeof requestId === "string" && this.#pending.resolve(requestId, resultFromWire(frame.result));
        if (!settled) {
          // Late (already timed out) or never sent: ignored, but observable.
          this.#protocolError({
            code: "unmatched_result",
            message: `outbound_result for unknown or settled requestId ${JSON.stringify(requestId)} ignored`,
            frameType: "outbound_result",
          });
        }
        return;
      }
      case "going_idle_ack":
        for (const done of [...this.#idleWaiters]) done(true);
        return;
      case "inbound": {
        // Filled in place (normalize.ts): the frame was parsed for this delivery alone.
        const event = normalizeMessageEvent(frame.event);
        frame.event = event;
        const delivered = decoded as InboundFrame;
        return this.#deliver("inbound", bufferIdOf(frame), (h) => h.inbound !== undefined, (h, ctx) => h.inbound?.(event, { bufferId: ctx.bufferId, generation: ctx.generation, frame: delivered }));
      }
      case "interrupt_inbound": {
        const interrupt = normalizeInterrupt(frame);
        // No bufferId in the contract for interrupts: never acked.
        return this.#deliver("interrupt_inbound", undefined, (h) => h.interruptInbound !== undefined, (h, ctx) => h.interruptInbound?.(interrupt, ctx));
      }
      case "passthrough_forward": {
        const { request, bodyValid } = normalizePassthrough(frame.forward);
        if (!bodyValid) {
          this.#protocolError({
            code: "invalid_base64",
            message: "passthrough_forward bodyB64 is not standard base64; delivered with an empty body",
            frameType: "passthrough_forward",
          });
        }
        return this.#deliver("passthrough_forward", bufferIdOf(frame), (h) => h.passthroughForward !== undefined, (h, ctx) => h.passthroughForward?.(request, ctx));
      }
      default:
        // The decoder only lets connector-to-gateway types through; a newer one is ignored.
        return;
    }
  }

  #deliver(kind: DeliveryKind, bufferId: string | undefined, handled: Delivery["handled"], run: Delivery["run"]): void {
    this.#host.deliver(this, { kind, bufferId, bytes: this.#deliveryBytes, handled, run });
  }

  /**
   * The first descriptor completes the handshake and is the session default whatever its
   * platform (it answers the first hello). Later ones are kept only for platforms this client
   * said hello for (or the default's): the connector answers each hello with one descriptor, so
   * anything else is reported and dropped, and the table never outgrows the identities.
   */
  #onDescriptor(descriptor: CapabilityDescriptor): void {
    if (this.#ended) return;
    const platform = typeof descriptor.platform === "string" ? descriptor.platform : "";
    const first = this.#defaultPlatform === undefined;
    if (!first && !this.#config.helloPlatforms.has(platform) && !this.#descriptors.has(platform)) {
      this.#protocolError({
        code: "unexpected_descriptor",
        message: `descriptor for platform ${JSON.stringify(platform)}, which this client did not say hello for, ignored`,
        frameType: "descriptor",
      });
      return;
    }
    this.#descriptors.set(platform, descriptor);
    if (first) {
      this.#defaultPlatform = platform;
      this.handshakeAt = this.#config.now();
      clearTimeout(this.#handshakeTimer);
      this.#handshakeTimer = undefined;
      this.#host.handshake(this, descriptor);
    }
    this.#host.emit("descriptor", { generation: this.generation, descriptor });
  }
}
