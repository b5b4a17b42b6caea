/**
 * Where a push for a gateway goes (contract §7, §8), and the per-gateway state that
 * decides it on this node:
 *
 * - `live`: written to the gateway's current socket, no `bufferId`; resolves when written.
 * - `idle` (after `going_idle`), `draining` (replaying the backlog after a handshake),
 *   `backlogged` (socket above its high-water mark), `awaiting-hello`, or no socket on this node:
 *   appended to the delivery buffer; resolves when the gateway acks it. While a backlog exists,
 *   every new push is appended behind it, so the gateway sees buffer order, then live order.
 * - Cluster (a shared bus was supplied): a push for a gateway with no socket here is offered to
 *   the other nodes (see `ClusterLink.offer`); if none takes it within `remoteDeliveryTimeoutMs`,
 *   or none holds the gateway, or it is flipped idle, it is buffered.
 *
 * Nothing is dropped on an ambiguous path: a live write that fails, or a remote offer nobody
 * answers, falls back to the buffer (at-least-once; gateways dedupe replays by message id).
 */
import type { ConnectorFrame, InterruptFrame, InterruptInboundFrame } from "../../generated/types.js";
import { CloseCode, CloseReason } from "../close-codes.js";
import { MAX_MESSAGE_BYTES } from "../codec/index.js";
import { checkOutgoingFrame, type OutgoingValidation } from "../kernel/outgoing.js";
import type { Connection, ConnectionEnd, ConnectionHost } from "./connection.js";
import { DEFAULT_MAX_ENTRIES_PER_GATEWAY, DeliveryBufferFullError, immediateAck, type BufferableFrame, type DeliveryBuffer } from "./delivery-buffer.js";
import { Drain } from "./drain.js";
import { abortError, ServerClosedError } from "./errors.js";
import { AckWaiters } from "./ack-waiters.js";
import { AppendOrder } from "./append-order.js";
import { ClusterLink, type LocalRoute } from "./cluster-link.js";
import { GatewayPhase } from "./delivery-phase.js";
import type { BusMessage, RelayBus } from "./relay-bus.js";
import type { DeliveryPhase, DeliveryReceipt, InterruptHandler, RelayServerEvents } from "./types.js";

export interface RouterConfig {
  buffer: DeliveryBuffer;
  bus: RelayBus;
  clustered: boolean;
  nodeId: string;
  window: number;
  framesPerMessage: number;
  ackTimeoutMs: number;
  highWaterBytes: number;
  pollIntervalMs: number;
  remoteDeliveryTimeoutMs: number;
  idleCloseAfterMs: number;
  maxConnectionsPerGateway: number;
  /** `acked`: every push goes through the buffer and is replayed with a `bufferId` (never written live). */
  acked: boolean;
  validateOutgoing: OutgoingValidation;
  onInterrupt: InterruptHandler | undefined;
}

export interface RouterHooks {
  emit<K extends keyof RelayServerEvents>(event: K, payload: RelayServerEvents[K]): void;
  wantsEvent(event: keyof RelayServerEvents & string): boolean;
}

class GatewayRecord {
  /** Open authenticated sockets of this gateway on this node, oldest first (exact-size: see register). */
  connections: Connection[] = [];
  /** The latest handshaked socket: where live pushes go. */
  current: Connection | undefined;
  readonly phase = new GatewayPhase();
  drain: Drain | undefined;
  drainTarget: Connection | undefined;
  pendingAppends = 0;
  /** Buffered entries replayed from this node; `inbound_ack` is honoured only for these. Created by the first replay. */
  sent: Set<string> | undefined;
  recovery: NodeJS.Timeout | undefined;
  /** Until the bus delivers this gateway's offers here (`RelayBus.hold`): its handshake waits for it. */
  hearing: Promise<void> | undefined;

  constructor(readonly gatewayId: string) {}
}


export class DeliveryRouter implements ConnectionHost {
  readonly #config: RouterConfig;
  readonly #hooks: RouterHooks;
  readonly #records = new Map<string, GatewayRecord>();
  readonly #ackWaiters = new AckWaiters();
  readonly #cluster: ClusterLink;
  readonly #idleTimers = new Map<Connection, NodeJS.Timeout>();
  /** Per gateway with a live write or an append in progress: the order they were decided in. */
  readonly #orders = new Map<string, AppendOrder>();
  /** The buffer's `ack` as a plain call, when it has one (see `immediateAck`). */
  readonly #ackNow: ((gatewayId: string, bufferId: string) => boolean) | undefined;
  #closing = false;

  constructor(config: RouterConfig, hooks: RouterHooks) {
    this.#config = config;
    this.#hooks = hooks;
    this.#ackNow = immediateAck(config.buffer);
    this.#cluster = new ClusterLink({
      bus: config.bus,
      nodeId: config.nodeId,
      remoteDeliveryTimeoutMs: config.remoteDeliveryTimeoutMs,
      host: {
        get accepting() {
          return !closing();
        },
        holds: (gatewayId) => this.#records.has(gatewayId),
        routeLocal: (gatewayId, frame) => {
          const gateway = this.#records.get(gatewayId);
          return gateway === undefined ? this.#append(gatewayId, frame).then((bufferId) => ({ mode: "buffered", bufferId })) : this.#routeLocal(gateway, undefined, frame);
        },
        writeInterrupt: async (gatewayId, frame) => {
          const conn = this.#records.get(gatewayId)?.current;
          if (conn === undefined || !conn.open) return false;
          await conn.writeFrames([frame]);
          return true;
        },
        ackedElsewhere: (gatewayId, bufferId) => this.#resolveAck(gatewayId, bufferId),
        kicked: (gatewayId) => {
          const gateway = this.#records.get(gatewayId);
          // A drain in progress may have read past the new entry already: it must look again.
          if (gateway !== undefined && (gateway.phase.current === "live" || gateway.drain !== undefined)) this.#startDrain(gateway, "backlog");
        },
        revoked: (gatewayId, reason) => void this.closeGateway(gatewayId, reason),
        reportError: (error, where) => this.emit("handlerError", { error, where }),
      },
    });
    const closing = (): boolean => this.#closing;
  }

  // ── ConnectionHost ─────────────────────────────────────────────────────────

  emit<K extends keyof RelayServerEvents>(event: K, payload: RelayServerEvents[K]): void {
    this.#hooks.emit(event, payload);
  }

  wantsEvent(event: keyof RelayServerEvents & string): boolean {
    return this.#hooks.wantsEvent(event);
  }

  get acceptingRequests(): boolean {
    return !this.#closing;
  }

  phaseOf(conn: Connection): DeliveryPhase {
    if (!conn.handshaked) return "awaiting-hello";
    return this.#records.get(conn.gatewayId)?.phase.current ?? "awaiting-hello";
  }

  register(conn: Connection): void {
    let gateway = this.#records.get(conn.gatewayId);
    if (gateway === undefined) {
      const created = new GatewayRecord(conn.gatewayId);
      gateway = created;
      this.#records.set(conn.gatewayId, gateway);
      const hearing = this.#config.clustered ? this.#cluster.hold(conn.gatewayId, true) : undefined;
      if (hearing !== undefined) created.hearing = hearing.then(() => void (created.hearing = undefined));
    }
    // Concatenated rather than pushed: a pushed-to (or spread) array reserves 17 slots, and most
    // gateways hold one socket.
    gateway.connections = gateway.connections.concat([conn]);
    // Over the cap the oldest goes: after a half-open connection the gateway's re-dial must win.
    if (!Number.isFinite(this.#config.maxConnectionsPerGateway)) return;
    const open = gateway.connections.filter((c) => c.open);
    for (let i = 0; i < open.length - this.#config.maxConnectionsPerGateway; i++) {
      (open[i] as Connection).close(CloseCode.TooManyConnections, CloseReason.TooManyConnections);
    }
  }

  handshakeComplete(conn: Connection): void {
    const gateway = this.#records.get(conn.gatewayId);
    if (gateway === undefined || !conn.open) return;
    gateway.current = conn;
    // A new handshake ends any flip: the backlog is replayed on this socket, then live resumes.
    if (gateway.hearing === undefined) {
      this.#startDrain(gateway, "handshake");
      return;
    }
    // Live only once other nodes' offers reach this node (until then they buffer, and kick).
    void gateway.hearing.then(() => {
      if (gateway.current === conn && gateway.phase.current === "awaiting-hello" && this.#records.get(conn.gatewayId) === gateway) this.#startDrain(gateway, "handshake");
    });
  }

  async goingIdle(conn: Connection): Promise<void> {
    const gateway = this.#records.get(conn.gatewayId);
    if (gateway !== undefined) {
      // Flip this node first, synchronously: a push racing the shared write is already buffered.
      this.#stopDrain(gateway);
      this.#stopRecovery(gateway);
      gateway.phase.apply("going-idle");
    }
    await this.#config.buffer.setIdle(conn.gatewayId, true);
    // The connection writes going_idle_ack right after this resolves.
    if (this.#config.idleCloseAfterMs > 0 && conn.open && !this.#idleTimers.has(conn)) {
      const timer = setTimeout(() => {
        this.#idleTimers.delete(conn);
        if (conn.open && this.#records.get(conn.gatewayId)?.phase.current === "idle") conn.close(CloseCode.Normal, "");
      }, this.#config.idleCloseAfterMs);
      timer.unref();
      this.#idleTimers.set(conn, timer);
    }
  }

  inboundAck(conn: Connection, bufferId: string): void {
    const gateway = this.#records.get(conn.gatewayId);
    if (gateway === undefined || gateway.sent === undefined || !gateway.sent.delete(bufferId)) return;
    const gatewayId = conn.gatewayId;
    // The in-memory buffer acks in place: a replay acks every frame, and a promise and its
    // callbacks per ack would be a good part of the drain's own cost.
    if (this.#ackNow !== undefined) {
      this.#ackNow(gatewayId, bufferId);
      this.#acked(gateway, gatewayId, bufferId);
      return;
    }
    this.#config.buffer.ack(gatewayId, bufferId).then(
      () => this.#acked(gateway, gatewayId, bufferId),
      (error: unknown) => this.emit("handlerError", { connection: conn, error, where: "buffer.ack" }),
    );
  }

  /** The buffer removed an entry this node replayed. */
  #acked(gateway: GatewayRecord, gatewayId: string, bufferId: string): void {
    gateway.drain?.acked(bufferId);
    this.#resolveAck(gatewayId, bufferId);
    if (this.#config.clustered) this.#cluster.acked(gatewayId, bufferId);
  }

  interrupt(conn: Connection, frame: InterruptFrame): void {
    const handler = this.#config.onInterrupt;
    if (handler === undefined) return;
    Promise.resolve()
      .then(() => handler(frame, { connection: conn, gatewayId: conn.gatewayId }))
      .catch((error: unknown) => this.emit("handlerError", { connection: conn, error, where: "interrupt" }));
  }

  deliver(conn: Connection, frame: BufferableFrame, signal: AbortSignal | undefined): Promise<DeliveryReceipt> {
    return this.send(conn, frame, signal);
  }

  closed(conn: Connection, end: ConnectionEnd): void {
    this.emit("close", { connection: conn, code: end.code, reason: end.reason, cause: end.cause, handshaked: conn.handshaked });
    const idleTimer = this.#idleTimers.get(conn);
    if (idleTimer !== undefined) {
      clearTimeout(idleTimer);
      this.#idleTimers.delete(conn);
    }
    const gateway = this.#records.get(conn.gatewayId);
    if (gateway === undefined) return;
    const i = gateway.connections.indexOf(conn);
    if (i !== -1) gateway.connections.splice(i, 1);
    if (gateway.drainTarget === conn) this.#stopDrain(gateway);
    if (gateway.current === conn) {
      this.#stopRecovery(gateway);
      gateway.current = [...gateway.connections].reverse().find((c) => c.handshaked && c.open);
      // Pushes buffer until the next handshake drains them, or replay on the socket that remains.
      if (gateway.current === undefined) gateway.phase.apply("sockets-gone");
      else this.#startDrain(gateway, "backlog");
    }
    if (gateway.connections.length === 0) {
      this.#stopDrain(gateway);
      this.#stopRecovery(gateway);
      this.#records.delete(conn.gatewayId);
      if (this.#config.clustered) void this.#cluster.hold(conn.gatewayId, false);
      if (this.#orders.get(conn.gatewayId)?.idle === true) this.#orders.delete(conn.gatewayId);
    }
  }

  // ── routing ────────────────────────────────────────────────────────────────

  /** Throws `FrameValidationError` for a frame built from invalid caller data. */
  #check(frame: ConnectorFrame): void {
    checkOutgoingFrame(frame, this.#config.validateOutgoing, "connector-to-gateway");
  }

  send(target: string | Connection, frame: BufferableFrame, signal: AbortSignal | undefined): Promise<DeliveryReceipt> {
    try {
      this.#check(frame as ConnectorFrame);
    } catch (err) {
      return Promise.reject(err);
    }
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const gatewayId = typeof target === "string" ? target : target.gatewayId;
    const gateway = this.#records.get(gatewayId);
    // The common case, a live socket under its high-water mark, is written here with one promise
    // (the write's) instead of the async chain below: every push in flight holds its promises, and
    // on a busy connector that chain's garbage would dominate its time.
    const conn = gateway === undefined ? undefined : this.#liveSocket(gateway, typeof target === "string" ? undefined : target);
    if (conn !== undefined) {
      let written: Promise<void>;
      try {
        written = conn.writeFrames([frame as ConnectorFrame]);
      } catch {
        return this.#bufferAndWait(gatewayId, frame, signal);
      }
      // Not known to be written: buffered (at-least-once) in the place it was decided.
      return this.#orderOf(gatewayId)
        .live(frame, written)
        .then((bufferId) => (bufferId === undefined ? { mode: "live" as const } : this.#liveFailed(gatewayId, bufferId, signal)));
    }
    return this.#sendRouted(gatewayId, gateway, target, frame, signal);
  }

  /** The socket a push goes to live right now (what #routeLocal would write to), if any. */
  #liveSocket(gateway: GatewayRecord, preferred: Connection | undefined): Connection | undefined {
    const conn = preferred !== undefined && preferred.open && preferred.handshaked ? preferred : gateway.current;
    if (this.#config.acked || this.#closing || gateway.phase.current !== "live" || conn === undefined || !conn.open) return undefined;
    return conn.bufferedAmount <= this.#config.highWaterBytes ? conn : undefined;
  }

  #orderOf(gatewayId: string): AppendOrder {
    let order = this.#orders.get(gatewayId);
    if (order === undefined) {
      // Appends waiting behind a live write the socket has not taken are in memory, out of the
      // buffer's sight, so they get a bound of their own, of the buffer's size: a gateway that
      // stops reading cannot grow them.
      const max = this.#config.buffer.maxEntriesPerGateway ?? DEFAULT_MAX_ENTRIES_PER_GATEWAY;
      const created = new AppendOrder(
        (frame) => this.#config.buffer.append(gatewayId, frame),
        // Kept while the gateway has a record here (it pushes again soon), else dropped.
        () => {
          if (!this.#records.has(gatewayId) && this.#orders.get(gatewayId) === created) this.#orders.delete(gatewayId);
        },
        max,
        () => new DeliveryBufferFullError(gatewayId, max, "waiting"),
      );
      order = created;
      this.#orders.set(gatewayId, order);
    }
    return order;
  }

  /** A live write failed and its push was appended (in its place): now it waits for the ack. */
  async #liveFailed(gatewayId: string, bufferId: string, signal: AbortSignal | undefined): Promise<DeliveryReceipt> {
    this.#afterAppend(gatewayId);
    await this.#waitForAck(gatewayId, bufferId, signal);
    return { mode: "buffered", bufferId };
  }

  async #bufferAndWait(gatewayId: string, frame: BufferableFrame, signal: AbortSignal | undefined): Promise<DeliveryReceipt> {
    const bufferId = await this.#append(gatewayId, frame);
    await this.#waitForAck(gatewayId, bufferId, signal);
    return { mode: "buffered", bufferId };
  }

  async #sendRouted(
    gatewayId: string,
    gateway: GatewayRecord | undefined,
    target: string | Connection,
    frame: BufferableFrame,
    signal: AbortSignal | undefined,
  ): Promise<DeliveryReceipt> {
    let route: LocalRoute | undefined;
    if (gateway !== undefined) {
      route = await this.#routeLocal(gateway, typeof target === "string" ? undefined : target, frame);
    } else if (!this.#closing && this.#config.clustered) {
      // Declined (buffered here at once) when no node holds the gateway, or it is flipped idle.
      const answer = await this.#cluster.offer(
        gatewayId,
        frame,
        () => this.#config.buffer.isIdle(gatewayId),
        (bufferId) => this.#waitForAck(gatewayId, bufferId, signal),
      );
      if (answer !== "declined" && answer?.mode === "live") return { mode: "remote" };
      if (answer !== "declined" && answer?.acked !== undefined && answer.bufferId !== undefined) {
        await answer.acked;
        return { mode: "buffered", bufferId: answer.bufferId };
      }
    }
    route ??= { mode: "buffered", bufferId: await this.#append(gatewayId, frame) };
    if (route.mode === "live") return { mode: "live" };
    await this.#waitForAck(gatewayId, route.bufferId, signal);
    return { mode: "buffered", bufferId: route.bufferId };
  }

  /** Live only: interrupts are never buffered (a stale `/stop` replayed later could cancel a new turn). */
  async sendInterrupt(target: string | Connection, frame: InterruptInboundFrame): Promise<boolean> {
    this.#check(frame);
    const gatewayId = typeof target === "string" ? target : target.gatewayId;
    const gateway = this.#records.get(gatewayId);
    const conn = typeof target !== "string" && target.open ? target : gateway?.current;
    if (conn !== undefined && conn.open) {
      try {
        await conn.writeFrames([frame]);
        return true;
      } catch {
        return false;
      }
    }
    if (!this.#config.clustered || this.#closing) return false;
    const answer = await this.#cluster.offer(gatewayId, frame);
    return answer !== "declined" && answer?.mode === "live";
  }

  /**
   * Decides and, for live, writes synchronously — so a push decided before a `going_idle` flip is
   * queued before the `going_idle_ack`, and one decided after it is buffered.
   */
  async #routeLocal(gateway: GatewayRecord, preferred: Connection | undefined, frame: BufferableFrame): Promise<LocalRoute> {
    const conn = preferred !== undefined && preferred.open && preferred.handshaked ? preferred : gateway.current;
    if (!this.#config.acked && !this.#closing && gateway.phase.current === "live" && conn !== undefined && conn.open) {
      const queued = conn.bufferedAmount;
      if (queued <= this.#config.highWaterBytes) {
        let written: Promise<void>;
        try {
          written = conn.writeFrames([frame as ConnectorFrame]);
        } catch {
          return { mode: "buffered", bufferId: await this.#append(gateway.gatewayId, frame) };
        }
        // Not known to be written: buffered (at-least-once) in the place it was decided.
        const bufferId = await this.#orderOf(gateway.gatewayId).live(frame, written);
        if (bufferId === undefined) return { mode: "live" };
        this.#afterAppend(gateway.gatewayId);
        return { mode: "buffered", bufferId };
      }
      this.#congested(gateway, conn, queued);
    }
    return { mode: "buffered", bufferId: await this.#append(gateway.gatewayId, frame) };
  }

  async #append(gatewayId: string, frame: BufferableFrame): Promise<string> {
    const gateway = this.#records.get(gatewayId);
    if (gateway !== undefined) gateway.pendingAppends++;
    let bufferId: string;
    try {
      // Behind every live write decided earlier: a failed one is appended first, in its place.
      bufferId = await this.#orderOf(gatewayId).append(frame);
    } finally {
      if (gateway !== undefined) gateway.pendingAppends--;
    }
    this.#afterAppend(gatewayId);
    return bufferId;
  }

  /** Make sure a fresh entry does not wait for a handshake that already happened. */
  #afterAppend(gatewayId: string): void {
    const gateway = this.#records.get(gatewayId);
    if (gateway !== undefined) {
      if (gateway.drain !== undefined) gateway.drain.appended();
      // A congested socket waits for its recovery; awaiting-hello and idle for a handshake.
      else if (gateway.phase.current === "live") this.#startDrain(gateway, "backlog");
      return;
    }
    if (!this.#config.clustered || this.#closing) return;
    this.#config.buffer.isIdle(gatewayId).then(
      (idle) => {
        if (!idle) this.#cluster.kick(gatewayId);
      },
      (error: unknown) => this.emit("handlerError", { error, where: "buffer.isIdle" }),
    );
  }

  #congested(gateway: GatewayRecord, conn: Connection, queued: number): void {
    gateway.phase.apply("congested");
    this.emit("backpressure", { connection: conn, bufferedAmount: queued, action: "buffer" });
    this.#stopRecovery(gateway);
    const lowWater = Math.floor(this.#config.highWaterBytes / 2);
    gateway.recovery = setInterval(() => {
      if (gateway.current !== conn || !conn.open || gateway.phase.current !== "backlogged") {
        this.#stopRecovery(gateway);
        return;
      }
      const now = conn.bufferedAmount;
      if (now > lowWater) return;
      this.#stopRecovery(gateway);
      this.emit("backpressure", { connection: conn, bufferedAmount: now, action: "resume" });
      this.#startDrain(gateway, "backlog");
    }, this.#config.pollIntervalMs);
    gateway.recovery.unref();
  }

  #stopRecovery(gateway: GatewayRecord): void {
    if (gateway.recovery !== undefined) clearInterval(gateway.recovery);
    gateway.recovery = undefined;
  }

  /** Replays the backlog on the current socket, if `event` moves the phase to draining. */
  #startDrain(gateway: GatewayRecord, event: "handshake" | "backlog"): void {
    const conn = gateway.current;
    if (conn === undefined || !conn.open || this.#closing || gateway.phase.next(event) === undefined) return;
    if (gateway.drain !== undefined) {
      if (gateway.drainTarget === conn) {
        gateway.drain.appended();
        return;
      }
      this.#stopDrain(gateway);
    }
    gateway.phase.apply(event);
    const drain = new Drain({
      buffer: this.#config.buffer,
      gatewayId: gateway.gatewayId,
      target: conn,
      window: this.#config.window,
      framesPerMessage: this.#config.framesPerMessage,
      maxMessageBytes: MAX_MESSAGE_BYTES,
      ackTimeoutMs: this.#config.ackTimeoutMs,
      highWaterBytes: this.#config.highWaterBytes,
      pollIntervalMs: this.#config.pollIntervalMs,
      pendingAppends: () => gateway.pendingAppends,
      onSent: (id) => void (gateway.sent ??= new Set()).add(id),
      onAckTimeout: () => undefined,
      onInvalidEntry: (entry, why) => this.emit("handlerError", { connection: conn, error: new Error(`buffer entry ${JSON.stringify(entry.bufferId)}: ${why}`), where: "drain" }),
    });
    gateway.drain = drain;
    gateway.drainTarget = conn;
    this.emit("drainStart", { connection: conn });
    drain.run().then(
      (completed) => {
        if (gateway.drain !== drain) return;
        gateway.drain = undefined;
        gateway.drainTarget = undefined;
        if (completed && gateway.current === conn && conn.open) gateway.phase.apply("drained");
        this.emit("drainEnd", { connection: conn, replayed: drain.replayed, acked: drain.ackCount, aborted: !completed });
      },
      (err: unknown) => {
        if (gateway.drain === drain) {
          gateway.drain = undefined;
          gateway.drainTarget = undefined;
        }
        this.emit("handlerError", { connection: conn, error: err, where: "drain" });
        this.emit("drainEnd", { connection: conn, replayed: drain.replayed, acked: drain.ackCount, aborted: true });
        // The buffer failed: a new connection retries the whole drain; nothing acked is lost.
        conn.close(CloseCode.InternalError, CloseReason.InternalError);
      },
    );
  }

  #stopDrain(gateway: GatewayRecord): void {
    gateway.drain?.abort();
    gateway.drain = undefined;
    gateway.drainTarget = undefined;
  }

  // ── acks ───────────────────────────────────────────────────────────────────

  #waitForAck(gatewayId: string, bufferId: string, signal: AbortSignal | undefined): Promise<void> {
    if (this.#closing) return Promise.reject(new ServerClosedError());
    return this.#ackWaiters.wait(`${gatewayId}\n${bufferId}`, signal);
  }

  #resolveAck(gatewayId: string, bufferId: string): void {
    // Replayed entries have no waiter: only pushes made with an explicit bufferId do.
    if (this.#ackWaiters.empty) return;
    this.#ackWaiters.resolve(`${gatewayId}\n${bufferId}`);
  }

  // ── bus ────────────────────────────────────────────────────────────────────

  /** Handles a message from another node. Never throws. */
  onBusMessage(gatewayId: string, message: BusMessage): void {
    this.#cluster.onMessage(gatewayId, message);
  }

  // ── operations ─────────────────────────────────────────────────────────────

  /** Closes this node's sockets of a gateway with 4401. Returns how many. */
  closeGateway(gatewayId: string, reason: string): number {
    const gateway = this.#records.get(gatewayId);
    if (gateway === undefined) return 0;
    const conns = [...gateway.connections];
    for (const conn of conns) conn.close(CloseCode.Unauthorized, reason);
    return conns.length;
  }

  publishRevoke(gatewayId: string, reason: string): void {
    if (this.#config.clustered) this.#cluster.revoke(gatewayId, reason);
  }

  connections(gatewayId?: string): Connection[] {
    if (gatewayId !== undefined) return [...(this.#records.get(gatewayId)?.connections ?? [])];
    return [...this.#records.values()].flatMap((r) => r.connections);
  }

  current(gatewayId: string): Connection | undefined {
    return this.#records.get(gatewayId)?.current;
  }

  /** Shutdown: every push is buffered from now on, no drain starts, waiters are released. */
  beginClose(): void {
    this.#closing = true;
    for (const timer of this.#idleTimers.values()) clearTimeout(timer);
    this.#idleTimers.clear();
    for (const gateway of this.#records.values()) {
      this.#stopDrain(gateway);
      this.#stopRecovery(gateway);
    }
  }

  finishClose(): void {
    this.#ackWaiters.rejectAll(() => new ServerClosedError());
    this.#cluster.abandonOffers();
  }
}
