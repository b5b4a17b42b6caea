/**
 * The transport-agnostic core of one gateway connection: it turns received bytes into frames
 * (tolerant decoding, invalid-frame policy), answers `hello` with descriptors and `outbound`
 * with results, relays `going_idle` / `inbound_ack` / `interrupt` to its host (the server, which
 * owns delivery routing), and writes every frame through the codec. Any transport that can send
 * text messages and report its queued bytes can carry it; `ws-adapter.ts` binds it to `ws`.
 */
import type {
  CapabilityDescriptor,
  ConnectorFrame,
  GatewayFrame,
  HelloFrame,
  InterruptFrame,
  MessageEvent,
  OutboundFrame,
  OutboundResult,
  PassthroughForward,
} from "../../generated/types.js";
import { CloseCode, CloseReason } from "../close-codes.js";
import { encodeFrame, FrameDecoder, type DecodeError, type DecoderInput } from "../codec/index.js";
import { checkOutgoingFrame, outgoingFrameError, type OutgoingValidation } from "../kernel/outgoing.js";
import type { RelayTransport } from "../transport/types.js";
import { validateFrame } from "../validation.js";
import type { BufferableFrame } from "./delivery-buffer.js";
import { abortError, CloseConnectionError, ConnectionClosedError } from "./errors.js";
import { AckWaiters } from "./ack-waiters.js";
import { IdentityTable } from "./identities.js";
import { failure, startOutbound, type OutboundHost } from "./outbound.js";
import type {
  ConnectionSendOptions,
  DeliveryPhase,
  DeliveryReceipt,
  HelloHandler,
  Identity,
  InterruptInbound,
  OutboundHandlers,
  RelayConnection,
  RelayServerEvents,
  ServerCloseCause,
} from "./types.js";

export type { RelayTransport };

export interface ConnectionConfig {
  onHello: HelloHandler;
  handlers: OutboundHandlers;
  outboundTimeoutMs: number;
  maxConcurrentOutbound: number;
  maxLineBytes: number;
  maxInvalidFrames: number;
  invalidFrameWindowMs: number;
  closeAtBytes: number;
  validateOutgoing: OutgoingValidation;
  /** Close a socket that sent no `hello` this long after it was accepted; 0: never. */
  helloTimeoutMs: number;
  /** Distinct identities one connection may hello; one more closes it with 4413. */
  maxIdentities: number;
  /** Send a throwing handler's `err.message` to the gateway. */
  exposeHandlerErrors: boolean;
}

/** The server side of a connection: delivery routing, idle flips, events. */
export interface ConnectionHost {
  emit<K extends keyof RelayServerEvents>(event: K, payload: RelayServerEvents[K]): void;
  wantsEvent(event: keyof RelayServerEvents & string): boolean;
  /** The first descriptor was written. */
  handshakeComplete(conn: Connection): void;
  /** Flip the gateway to buffered-only; the connection writes `going_idle_ack` once this resolves. */
  goingIdle(conn: Connection): Promise<void>;
  inboundAck(conn: Connection, bufferId: string): void;
  interrupt(conn: Connection, frame: InterruptFrame): void;
  /** Routed push (live, or buffered when the gateway cannot take it live). */
  deliver(conn: Connection, frame: BufferableFrame, signal: AbortSignal | undefined): Promise<DeliveryReceipt>;
  phaseOf(conn: Connection): DeliveryPhase;
  /** New `outbound` requests are refused while the server shuts down. */
  readonly acceptingRequests: boolean;
  closed(conn: Connection, end: ConnectionEnd): void;
}

/** How a connection ended. */
export interface ConnectionEnd {
  code: number;
  reason: string;
  cause: ServerCloseCause;
}

/**
 * Decode errors that say the peer sends garbage: input that does not decode to a frame (§2). A
 * frame the schema refuses never counts: it decoded, it is reported, and a refused `outbound`
 * already gets its own `success: false`; a gateway sending many (a `typing` per active chat every
 * few seconds) would otherwise be cut off along with every chat. Unknown and echoed types never count.
 */
const COUNTED: ReadonlySet<string> = new Set(["invalid_json", "not_object", "missing_type", "line_too_long"]);

/**
 * A received message is decoded and dispatched at most this many lines (or, past this many
 * bytes, up to the next line end) per event-loop turn: a message packed with small frames yields
 * between slices instead of holding the loop for the whole megabyte.
 */
const SLICE_LINES = 256;
const SLICE_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

let nextId = 0;

export class Connection implements RelayConnection {
  readonly id: string;
  readonly gatewayId: string;
  readonly remoteAddress: string | undefined;

  readonly #transport: RelayTransport;
  readonly #host: ConnectionHost;
  readonly #config: ConnectionConfig;
  readonly #decoder: FrameDecoder<GatewayFrame>;
  /** Created by the first hello that completes. */
  #identities: IdentityTable | undefined;
  /** The rest of large received messages, decoded one slice per turn; none: undefined. */
  #inbox: Array<string | Buffer> | undefined;
  #helloTimer: NodeJS.Timeout | undefined;
  #helloSeen = false;
  #invalidAt: number[] | undefined;
  // Created on first use: a gateway that only receives pushes never needs them, and per idle
  // connection a Map, a Set and an AbortController would be a third of the heap it costs.
  #ackWaiters: AckWaiters | undefined;
  #outboundHost: OutboundHost | undefined;
  /** Requests started and not answered yet. */
  #inFlight = 0;
  /** `settled()` callers, resolved when `#inFlight` reaches 0. */
  #settledWaiters: Array<() => void> | undefined;
  #closedController: AbortController | undefined;
  #helloChain: Promise<void> | undefined;
  /** Hellos received whose descriptor is not written yet. */
  #hellosPending = 0;
  #helloCount = 0;
  #handshaked = false;
  #state: "open" | "closing" | "closed" = "open";
  /** Set when this side ends the connection, to report why. */
  #endCause: ServerCloseCause | undefined;

  constructor(params: { gatewayId: string; remoteAddress: string | undefined; transport: RelayTransport; host: ConnectionHost; config: ConnectionConfig }) {
    this.id = `c${++nextId}`;
    this.gatewayId = params.gatewayId;
    this.remoteAddress = params.remoteAddress;
    this.#transport = params.transport;
    this.#host = params.host;
    this.#config = params.config;
    this.#decoder = new FrameDecoder<GatewayFrame>({
      direction: "gateway-to-connector",
      mode: "tolerant",
      maxLineBytes: params.config.maxLineBytes,
      validate: recordingValidate,
    });
    if (params.config.helloTimeoutMs > 0) {
      this.#helloTimer = setTimeout(() => {
        this.#helloTimer = undefined;
        if (!this.#helloSeen) this.close(CloseCode.HelloTimeout, CloseReason.HelloTimeout);
      }, params.config.helloTimeoutMs);
      this.#helloTimer.unref();
    }
  }

  get identities(): readonly Identity[] {
    return this.#identities?.list() ?? NO_IDENTITIES;
  }

  get handshaked(): boolean {
    return this.#handshaked;
  }

  get open(): boolean {
    return this.#state === "open" && this.#transport.open;
  }

  get phase(): DeliveryPhase {
    return this.#host.phaseOf(this);
  }

  get bufferedAmount(): number {
    return this.#transport.bufferedAmount;
  }

  /** Whether frames written are reported (`frameOut`): a writer that has only their encoding may skip building them. */
  get reportsFrames(): boolean {
    return this.#host.wantsEvent("frameOut");
  }

  /** Outbound handlers still running. */
  get pendingRequests(): number {
    return this.#inFlight;
  }

  /** Resolves when every outbound handler running now has answered. */
  settled(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise<void>((resolve) => (this.#settledWaiters ??= []).push(resolve));
  }

  // ── receiving ──────────────────────────────────────────────────────────────

  /**
   * Feed one received message. Never throws. A message with many lines is processed a slice per
   * event-loop turn (the transport is paused meanwhile); later messages wait behind it, in order.
   */
  receive(chunk: DecoderInput): void {
    if (this.#state !== "open") return;
    const input = typeof chunk === "string" || Buffer.isBuffer(chunk) ? chunk : undefined;
    if (input === undefined) {
      // Other byte views are rare (adopted transports): decoded whole.
      this.#decode(chunk);
      return;
    }
    if (this.#inbox !== undefined) {
      this.#inbox.push(input);
      return;
    }
    const rest = this.#slice(input);
    if (rest === undefined) return;
    this.#inbox = [rest];
    this.#transport.pause?.();
    setImmediate(Connection.#pumpInbox, this);
  }

  /** Decodes one slice of `input`; returns what is left. */
  #slice(input: string | Buffer): string | Buffer | undefined {
    const cut = sliceEnd(input);
    if (cut >= input.length) {
      this.#decode(input);
      return undefined;
    }
    this.#decode(typeof input === "string" ? input.slice(0, cut) : input.subarray(0, cut));
    return typeof input === "string" ? input.slice(cut) : input.subarray(cut);
  }

  // Static, with the connection as the immediate's argument: no closure per connection.
  static #pumpInbox(conn: Connection): void {
    const inbox = conn.#inbox;
    if (inbox === undefined) return;
    if (conn.#state !== "open") {
      conn.#inbox = undefined;
      return;
    }
    const rest = conn.#slice(inbox.shift() as string | Buffer);
    if (rest !== undefined) inbox.unshift(rest);
    if (inbox.length > 0 && conn.#state === "open") {
      setImmediate(Connection.#pumpInbox, conn);
      return;
    }
    conn.#inbox = undefined;
    if (conn.#state === "open") conn.#transport.resume?.();
  }

  #decode(chunk: DecoderInput): void {
    let events;
    // Whatever an earlier decode left (its `end()`, a push that threw) is not this push's.
    takeRejected();
    try {
      events = this.#decoder.push(chunk);
    } catch (err) {
      this.#host.emit("handlerError", { connection: this, error: err, where: "decode" });
      return;
    }
    const rejected = takeRejected();
    for (const event of events) {
      // The invalid-frame policy may have closed the socket half way through a message.
      if (this.#state !== "open") return;
      try {
        if (event.kind === "error") this.#invalid(event.error, event.error.code === "schema" ? rejected?.shift() : undefined);
        else this.#dispatch(event.frame);
      } catch (err) {
        this.#host.emit("handlerError", { connection: this, error: err, where: `frame:${event.kind === "frame" ? event.type : "error"}` });
      }
    }
  }

  /** `rejected`: for a `schema` error, the value the validator refused. */
  #invalid(error: DecodeError, rejected: unknown): void {
    this.#host.emit("protocolError", { connection: this, error });
    if (error.code === "schema" && error.frameType === "outbound") this.#answerInvalidOutbound(rejected, error);
    if (!COUNTED.has(error.code)) return;
    const now = Date.now();
    const invalidAt = (this.#invalidAt ??= []);
    invalidAt.push(now);
    while ((invalidAt[0] as number) <= now - this.#config.invalidFrameWindowMs) invalidAt.shift();
    if (invalidAt.length > this.#config.maxInvalidFrames) this.close(CloseCode.BadFrames, CloseReason.BadFrames);
  }

  /** An `outbound` the schema rejects still gets a result when its `requestId` is readable, instead of a 30 s gateway timeout. */
  #answerInvalidOutbound(value: unknown, error: DecodeError): void {
    const requestId = (value as { requestId?: unknown } | undefined)?.requestId;
    if (typeof requestId !== "string" || requestId.length === 0 || requestId.length > 256) return;
    const why = error.issues?.[0]?.message ?? error.message;
    this.#writeResult(requestId, failure(`invalid outbound frame: ${why}`));
  }

  #dispatch(frame: GatewayFrame): void {
    if (this.#host.wantsEvent("frameIn")) this.#host.emit("frameIn", { connection: this, frame });
    switch (frame.type) {
      case "hello":
        if (!this.#helloSeen) {
          this.#helloSeen = true;
          if (this.#helloTimer !== undefined) clearTimeout(this.#helloTimer);
          this.#helloTimer = undefined;
        }
        // Hellos still waiting for their descriptor may all be new identities: they count too.
        if (!(this.#identities?.has(frame.platform, frame.botId) ?? false) && (this.#identities?.size ?? 0) + this.#hellosPending >= this.#config.maxIdentities) {
          this.close(CloseCode.TooManyIdentities, CloseReason.TooManyIdentities);
          return;
        }
        this.#hellosPending++;
        this.#helloChain = (this.#helloChain ?? Promise.resolve())
          .then(() => this.#hello(frame))
          // The chain never rejects: the requests queued behind it start (and are answered) whatever this hello's fate.
          .catch((err: unknown) => this.#helloFailed(err))
          .finally(() => {
            // Nothing left to order after: drop the chain (an idle connection need not hold it).
            if (--this.#hellosPending === 0) this.#helloChain = undefined;
          });
        return;
      case "outbound":
        this.#outbound(frame);
        return;
      case "inbound_ack":
        this.#ack(frame.bufferId);
        return;
      case "going_idle":
        this.#goingIdle();
        return;
      case "interrupt":
        this.#host.interrupt(this, frame);
        return;
      default:
        // A gateway→connector type this version does not act on: ignored, as the gateway does.
        return;
    }
  }

  /** A hello failed in the library itself (not in `onHello`, which `#hello` handles): reported, and the connection closed. */
  #helloFailed(err: unknown): void {
    this.#host.emit("handlerError", { connection: this, error: err, where: "hello" });
    this.close(CloseCode.InternalError, CloseReason.InternalError);
  }

  async #hello(hello: HelloFrame): Promise<void> {
    if (this.#state !== "open") return;
    const index = this.#helloCount++;
    let descriptor: CapabilityDescriptor;
    try {
      descriptor = await this.#config.onHello(hello, { connection: this, gatewayId: this.gatewayId, index });
    } catch (err) {
      this.#host.emit("handlerError", { connection: this, error: err, where: "hello" });
      if (err instanceof CloseConnectionError) this.close(err.code, err.reason);
      else this.close(CloseCode.InternalError, CloseReason.InternalError);
      return;
    }
    if (this.#state !== "open") return;
    const frame = { type: "descriptor" as const, descriptor };
    const invalid = outgoingFrameError(frame, this.#config.validateOutgoing, "connector-to-gateway");
    if (invalid !== undefined) {
      // A descriptor missing a required key crashes the gateway's frame handler (§16): never send one.
      this.#host.emit("handlerError", { connection: this, error: invalid, where: "hello" });
      this.close(CloseCode.InternalError, CloseReason.InternalError);
      return;
    }
    (this.#identities ??= new IdentityTable()).add(hello.platform, hello.botId);
    this.writeFrames([frame]).catch(() => undefined);
    this.#host.emit("handshake", { connection: this, hello, descriptor });
    if (!this.#handshaked) {
      this.#handshaked = true;
      this.#host.handshakeComplete(this);
    }
  }

  #outbound(frame: OutboundFrame): void {
    if (!this.#host.acceptingRequests) {
      this.#writeResult(frame.requestId, failure("relay connector shutting down"));
      return;
    }
    if (this.pendingRequests >= this.#config.maxConcurrentOutbound) {
      this.#writeResult(frame.requestId, failure(`too many concurrent requests (limit ${this.#config.maxConcurrentOutbound})`));
      return;
    }
    this.#inFlight++;
    // Causality per socket: a request sent after a hello is handled after that hello's
    // descriptor (gateways send every hello without waiting, then act on the first descriptor).
    // Requests still run concurrently with each other.
    if (this.#hellosPending > 0 && this.#helloChain !== undefined) {
      void this.#helloChain.then(() => this.#startOutbound(frame));
      return;
    }
    this.#startOutbound(frame);
  }

  #startOutbound(frame: OutboundFrame): void {
    const host = (this.#outboundHost ??= this.#newOutboundHost());
    try {
      // The identity table is read when the request starts; it only ever grows.
      startOutbound(host, frame, this.#identities ?? NO_IDENTITY_TABLE);
    } catch (err) {
      host.failed(String(frame.action.op), err);
    }
  }

  /** Created by the first request: what every request of this connection shares. */
  #newOutboundHost(): OutboundHost {
    const conn = this;
    return {
      connection: conn,
      handlers: conn.#config.handlers,
      timeoutMs: conn.#config.outboundTimeoutMs,
      exposeErrors: conn.#config.exposeHandlerErrors,
      get closed(): boolean {
        return conn.#state === "closed";
      },
      get closedSignal(): AbortSignal {
        return conn.#closedSignal;
      },
      handlerError(error, where, errorId): void {
        conn.#host.emit("handlerError", { connection: conn, error, where, ...(errorId !== undefined && { errorId }) });
      },
      answer(requestId, op, result): void {
        try {
          conn.#writeResult(requestId, result);
        } catch (err) {
          conn.#host.emit("handlerError", { connection: conn, error: err, where: `outbound:${op}` });
        }
        conn.#requestDone();
      },
      failed(op, error): void {
        conn.#host.emit("handlerError", { connection: conn, error, where: `outbound:${op}` });
        conn.#requestDone();
      },
    };
  }

  #requestDone(): void {
    if (--this.#inFlight > 0 || this.#settledWaiters === undefined) return;
    const waiters = this.#settledWaiters;
    this.#settledWaiters = undefined;
    for (const resolve of waiters) resolve();
  }

  /** Aborted when the socket closes (also when first asked for after that). */
  get #closedSignal(): AbortSignal {
    if (this.#closedController === undefined) {
      this.#closedController = new AbortController();
      if (this.#state === "closed") this.#closedController.abort(new ConnectionClosedError());
    }
    return this.#closedController.signal;
  }

  #writeResult(requestId: string, result: OutboundResult): void {
    if (!this.open) return;
    // Nobody awaits a result's write (a failed write closes the socket): no promise, no array.
    const frame: ConnectorFrame = { type: "outbound_result", requestId, result };
    this.#transport.send(encodeFrame(frame), ignoreWriteError);
    this.#afterWrite(frame);
  }

  #ack(bufferId: string): void {
    this.#ackWaiters?.resolve(bufferId);
    this.#host.inboundAck(this, bufferId);
  }

  #goingIdle(): void {
    // The host flips first (synchronously for this node, then in the shared store); only then
    // is the ack written, so nothing pushed after the ack can go out live (§8).
    this.#host
      .goingIdle(this)
      .then(() => {
        if (this.open) this.writeFrames([{ type: "going_idle_ack" }]).catch(() => undefined);
        this.#host.emit("goingIdle", { connection: this });
      })
      .catch((err: unknown) => {
        // No ack: the gateway's go_idle times out and it stays connected, which is the safe outcome.
        this.#host.emit("handlerError", { connection: this, error: err, where: "going_idle" });
      });
  }

  // ── sending ────────────────────────────────────────────────────────────────

  /** Throws `FrameValidationError` for a frame built from caller data that must not reach the gateway. */
  checkOutgoing(frame: ConnectorFrame): void {
    checkOutgoingFrame(frame, this.#config.validateOutgoing, "connector-to-gateway");
  }

  /**
   * Writes frames as one WebSocket message (each "\n"-terminated). Synchronous up to the
   * transport's queue, so writes keep call order; resolves when written out.
   */
  writeFrames(frames: readonly ConnectorFrame[], encoded?: string): Promise<void> {
    if (!this.open) return Promise.reject(new ConnectionClosedError());
    // `encoded`: the caller already encoded exactly these frames (the drain sizes its batches by it).
    let message = encoded ?? "";
    if (encoded === undefined) for (const frame of frames) message += encodeFrame(frame);
    const written = new Promise<void>((resolve, reject) => {
      this.#transport.send(message, (err) => (err ? reject(err) : resolve()));
    });
    if (this.#host.wantsEvent("frameOut")) {
      for (const frame of frames) this.#host.emit("frameOut", { connection: this, frame });
    }
    const queued = this.#transport.bufferedAmount;
    if (queued > this.#config.closeAtBytes) this.overloaded(queued);
    return written;
  }

  /** `writeFrames`' bookkeeping after one frame was handed to the transport. */
  #afterWrite(frame: ConnectorFrame): void {
    if (this.#host.wantsEvent("frameOut")) this.#host.emit("frameOut", { connection: this, frame });
    const queued = this.#transport.bufferedAmount;
    if (queued > this.#config.closeAtBytes) this.overloaded(queued);
  }

  /** Past the hard bound: nothing more can be queued for this peer. */
  overloaded(queued: number): void {
    if (this.#state !== "open") return;
    this.#host.emit("backpressure", { connection: this, bufferedAmount: queued, action: "close" });
    this.close(CloseCode.InternalError, CloseReason.Overloaded);
    // The close frame waits behind the queue a non-reading peer never drains.
    setTimeout(() => this.#transport.terminate(), 1000).unref();
  }

  sendInbound(event: MessageEvent, opts: ConnectionSendOptions = {}): Promise<DeliveryReceipt> {
    return this.#push({ type: "inbound", event }, opts);
  }

  sendPassthrough(forward: PassthroughForward, opts: ConnectionSendOptions = {}): Promise<DeliveryReceipt> {
    return this.#push({ type: "passthrough_forward", forward }, opts);
  }

  async #push(frame: BufferableFrame, opts: ConnectionSendOptions): Promise<DeliveryReceipt> {
    if (opts.bufferId === undefined) return this.#host.deliver(this, frame, opts.signal);
    const full = { ...frame, bufferId: opts.bufferId } as ConnectorFrame;
    this.checkOutgoing(full);
    if (opts.signal?.aborted) throw abortError(opts.signal);
    const acked = this.waitForAck(opts.bufferId, opts.signal);
    // Observed now: it may reject (close, abort) while the write is still pending.
    acked.catch(() => undefined);
    await this.writeFrames([full]);
    await acked;
    return { mode: "buffered", bufferId: opts.bufferId };
  }

  async sendInterruptInbound(interrupt: InterruptInbound): Promise<boolean> {
    const frame = { type: "interrupt_inbound" as const, session_key: interrupt.session_key, chat_id: interrupt.chat_id };
    this.checkOutgoing(frame);
    if (!this.open) return false;
    try {
      await this.writeFrames([frame]);
      return true;
    } catch {
      return false;
    }
  }

  /** Resolves when `inbound_ack` for `bufferId` arrives here; rejects when the connection closes. */
  waitForAck(bufferId: string, signal?: AbortSignal): Promise<void> {
    if (!this.open) return Promise.reject(new ConnectionClosedError());
    return (this.#ackWaiters ??= new AckWaiters()).wait(bufferId, signal);
  }

  close(code: number = CloseCode.Normal, reason = ""): void {
    if (this.#state !== "open") return;
    this.#state = "closing";
    this.#endCause ??= "server-close";
    try {
      this.#transport.close(code, reason);
    } catch {
      this.#transport.terminate();
    }
  }

  /**
   * A keepalive ping went unanswered: closed 1011 "keepalive ping timeout" (a peer that is gone
   * is dropped after the closing-handshake grace), reported as `keepalive-timeout`.
   */
  unresponsive(): void {
    if (this.#state === "closed") return;
    this.#endCause ??= "keepalive-timeout";
    // A close already under way: its peer is not answering, so the socket is dropped now.
    if (this.#state === "closing") this.#transport.terminate();
    else this.close(CloseCode.InternalError, CloseReason.KeepaliveTimeout);
  }

  /** The transport reports the socket closed. */
  transportClosed(code: number, reason: string): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#inbox = undefined;
    if (this.#helloTimer !== undefined) clearTimeout(this.#helloTimer);
    this.#helloTimer = undefined;
    for (const event of this.#decoder.end()) {
      if (event.kind === "error") this.#host.emit("protocolError", { connection: this, error: event.error });
    }
    this.#closedController?.abort(new ConnectionClosedError());
    this.#ackWaiters?.rejectAll(() => new ConnectionClosedError());
    this.#host.closed(this, { code, reason, cause: this.#endCause ?? "socket" });
  }
}

const NO_IDENTITIES: readonly Identity[] = Object.freeze([]);

/**
 * Values `recordingValidate` refused during the current `push`, in order: a `schema` error event
 * takes the oldest. Decoding is synchronous, so one list serves every connection, and no
 * connection holds a validator closure of its own.
 */
let rejectedNow: unknown[] | undefined;

function takeRejected(): unknown[] | undefined {
  const rejected = rejectedNow;
  rejectedNow = undefined;
  return rejected;
}

/** The contract's validator, recording what it refuses (or threw on: the decoder reports that as `schema` too). */
function recordingValidate(value: unknown, opts: Parameters<typeof validateFrame>[1]): ReturnType<typeof validateFrame> {
  let result;
  try {
    result = validateFrame(value, opts);
  } catch (err) {
    (rejectedNow ??= []).push(value);
    throw err;
  }
  if (!result.ok) (rejectedNow ??= []).push(value);
  return result;
}
const NO_IDENTITY_TABLE = new IdentityTable();

/** Where the first slice of `input` ends: after `SLICE_LINES` lines, or the first line end past `SLICE_BYTES`. */
function sliceEnd(input: string | Buffer): number {
  let pos = 0;
  for (let lines = 0; lines < SLICE_LINES; lines++) {
    const nl = typeof input === "string" ? input.indexOf("\n", pos) : input.indexOf(NEWLINE, pos);
    if (nl === -1) return input.length;
    pos = nl + 1;
    if (pos >= SLICE_BYTES) return pos;
  }
  return pos;
}

function ignoreWriteError(): void {
  // A failed write ends the socket; its close handles the consequences.
}
