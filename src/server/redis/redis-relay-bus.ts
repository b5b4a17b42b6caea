/**
 * The relay bus on Redis pub/sub: every instance publishes `{g: gatewayId, m: message}` JSON on
 * one channel and listens on it through a dedicated subscriber connection (a connection in
 * subscribe mode can run nothing else). `ready()` resolves once the subscription is confirmed:
 * await it before `server.listen()` so nothing published for a gateway that handshakes here can
 * go unheard (subscribe before serve).
 *
 * Pub/sub is at most once, as the `RelayBus` contract allows: a message published while an
 * instance is not subscribed (a Redis restart) is lost to it. Durable state is in the delivery
 * buffer; what the bus still owes after a reconnect is covered by `attach(server)`: once the
 * subscription is back, each gateway held by that server gets a local `kick`, so an entry whose
 * kick was lost during the outage is drained now instead of at the gateway's next handshake, and
 * an `acked` this instance missed is delivered locally (`attach`). When the publisher connection
 * comes back, the gateways this instance awaits acks from are kicked again (a kick published
 * while it was down was lost).
 */
import type { BusHandler, BusMessage, RelayBus } from "../relay-bus.js";
import { DEFAULT_KEY_PREFIX, RedisLink } from "./connection.js";
import type { RedisConnectionOptions } from "./options.js";
import { relayKeys } from "./keys.js";

export interface RedisRelayBusOptions extends RedisConnectionOptions {
  /** Channel name. Default `<keyPrefix>bus`. */
  channel?: string;
}

/** What `attach` needs of a server: its connections, to kick their drains after a resubscribe. */
export interface BusAttachable {
  connections(): ReadonlyArray<{ readonly gatewayId: string }>;
  /** The server's node id: `delivered` answers addressed to it are tracked until acked. */
  readonly nodeId?: string;
}

/** How `attach` checks on the delivery buffer after a resubscribe. */
export interface AttachOptions {
  /** Resolves when the buffer's own connection is ready (a drain reads it). */
  whenReady?: () => Promise<void>;
  /** Which of these entries are still buffered; the others were acked while this instance was not listening. */
  stillBuffered?: (gatewayId: string, bufferIds: readonly string[]) => Promise<ReadonlySet<string>>;
}

/** Origin of the kicks and `acked` messages sent to recover after a reconnect (never a node id: nodes ignore their own). */
export const RECOVERY_ORIGIN = "redis-relay-bus:recovery";

const KINDS: ReadonlySet<string> = new Set(["deliver", "delivered", "acked", "kick", "revoke"]);

/** Acks remembered for entries that become awaited only after their `acked` went by (see `expectAck`). */
const RECENT_ACKS = 4096;

export class RedisRelayBus implements RelayBus {
  readonly channel: string;
  readonly #pub: RedisLink;
  readonly #sub: RedisLink;
  readonly #handlers = new Set<BusHandler>();
  readonly #attached = new Map<BusAttachable, AttachOptions>();
  /** Buffered entries a node of this process waits on (its `sendInbound`), by gateway, until `acked` is seen. */
  readonly #awaiting = new Map<string, Set<string>>();
  /** `gatewayId\nbufferId` of the latest acks seen, oldest first. */
  readonly #recentAcks = new Set<string>();
  readonly #resubscribed = new Set<() => void>();
  readonly #onError: RedisConnectionOptions["onError"];
  #subscription: Promise<void>;
  /** The first subscribe attempt has not settled: a `ready` now is the one it waits for. */
  #starting = true;
  #closed = false;

  constructor(opts: RedisRelayBusOptions) {
    this.channel = opts.channel ?? relayKeys(opts.keyPrefix ?? DEFAULT_KEY_PREFIX).bus;
    this.#onError = opts.onError;
    this.#pub = new RedisLink(opts, "bus-pub");
    // Kicks published while the publisher was down were lost: the entries they announced still
    // wait. Once it is back, kick every gateway this instance waits on an ack from.
    let pubReady = false;
    this.#pub.client.on("ready", () => {
      if (pubReady && !this.#closed) this.#kickAwaited();
      pubReady = true;
    });
    // Resubscribing is done here (below), so it is known when it completed.
    this.#sub = new RedisLink(opts, "bus-sub", { autoResubscribe: false });
    this.#sub.client.on("message", (channel: string, text: string) => {
      if (channel === this.channel) this.#receive(text);
    });
    this.#sub.client.on("ready", () => {
      if (this.#starting || this.#closed) return;
      this.#subscription = this.#subscribe();
      this.#subscription.then(
        () => this.#afterResubscribe(),
        (err: unknown) => this.#onError?.(err as Error, "bus.resubscribe"),
      );
    });
    this.#subscription = this.#subscribe();
    this.#subscription.then(
      () => (this.#starting = false),
      (err: unknown) => {
        // A later reconnect (ioredis keeps retrying) subscribes then.
        this.#starting = false;
        this.#onError?.(err as Error, "bus.subscribe");
      },
    );
  }

  async #subscribe(): Promise<void> {
    await this.#sub.run("bus.subscribe", (c) => c.subscribe(this.channel));
  }

  /** Resolves once this instance's subscription is live (rejects if Redis cannot be reached in time). */
  ready(): Promise<void> {
    return this.#subscription;
  }

  async publish(gatewayId: string, message: BusMessage): Promise<void> {
    const text = JSON.stringify({ g: gatewayId, m: message });
    await this.#pub.run("bus.publish", (c) => c.publish(this.channel, text));
  }

  async subscribe(handler: BusHandler): Promise<() => Promise<void>> {
    // Wrapped so the same function can be subscribed twice and removed independently.
    const own: BusHandler = (gatewayId, message) => handler(gatewayId, message);
    this.#handlers.add(own);
    const unsubscribe = async (): Promise<void> => {
      this.#handlers.delete(own);
    };
    try {
      await this.#subscription;
    } catch (err) {
      this.#handlers.delete(own);
      throw err;
    }
    return unsubscribe;
  }

  /**
   * After every resubscription, once `whenReady` resolves (the buffer's own connection, which a
   * drain reads: reconnections are independent, and a drain whose first read fails closes the
   * gateway's socket):
   * - kick the drain of each gateway `server` holds (see above);
   * - with `stillBuffered`: every entry this process waits on (`expectAck`, and `delivered`
   *   answers addressed to `server.nodeId`) that is no longer buffered was acked while this
   *   instance was not listening: its `acked` is delivered locally, so no `sendInbound` promise
   *   is left waiting for a message it missed.
   * Returns a function that detaches it.
   */
  attach(server: BusAttachable, options: AttachOptions = {}): () => void {
    this.#attached.set(server, options);
    return () => void this.#attached.delete(server);
  }

  /**
   * Something here waits for the ack of this entry (the scale-out's buffer reports its appends).
   * Its `acked` may already have gone by: the ack is published by the buffer's connection and the
   * `delivered` answer (or the append's reply) arrives on another, with no order between them.
   * Then it is delivered again locally, on the next turn, once the waiter is registered.
   */
  expectAck(gatewayId: string, bufferId: string): void {
    if (this.#recentAcks.has(`${gatewayId}\n${bufferId}`)) {
      setImmediate(() => {
        if (!this.#closed) this.#dispatch(gatewayId, { kind: "acked", origin: RECOVERY_ORIGIN, bufferId });
      });
      return;
    }
    let ids = this.#awaiting.get(gatewayId);
    if (ids === undefined) {
      ids = new Set();
      this.#awaiting.set(gatewayId, ids);
    }
    ids.add(bufferId);
  }

  /** Entries still waited on (tests, metrics). */
  get awaitingAcks(): number {
    let n = 0;
    for (const ids of this.#awaiting.values()) n += ids.size;
    return n;
  }

  #acked(gatewayId: string, bufferId: string): void {
    const key = `${gatewayId}\n${bufferId}`;
    this.#recentAcks.delete(key);
    this.#recentAcks.add(key);
    if (this.#recentAcks.size > RECENT_ACKS) this.#recentAcks.delete(this.#recentAcks.values().next().value as string);
    const ids = this.#awaiting.get(gatewayId);
    if (ids === undefined || !ids.delete(bufferId)) return;
    if (ids.size === 0) this.#awaiting.delete(gatewayId);
  }

  /** Called after each resubscription that followed a reconnect (tests, metrics). */
  onResubscribed(listener: () => void): () => void {
    this.#resubscribed.add(listener);
    return () => void this.#resubscribed.delete(listener);
  }

  #afterResubscribe(): void {
    const kick: BusMessage = { kind: "kick", origin: RECOVERY_ORIGIN };
    for (const [server, { whenReady, stillBuffered }] of this.#attached) {
      void Promise.resolve()
        .then(whenReady)
        .then(async () => {
          if (this.#closed) return;
          for (const gatewayId of new Set(server.connections().map((c) => c.gatewayId))) this.#dispatch(gatewayId, kick);
          if (stillBuffered !== undefined) await this.#recheckAcks(stillBuffered);
        })
        .catch((err: unknown) => this.#onError?.(err as Error, "bus.resync"));
    }
    for (const listener of this.#resubscribed) {
      try {
        listener();
      } catch (err) {
        this.#onError?.(err as Error, "bus.onResubscribed");
      }
    }
  }

  #kickAwaited(): void {
    for (const gatewayId of [...this.#awaiting.keys()]) {
      this.publish(gatewayId, { kind: "kick", origin: RECOVERY_ORIGIN }).catch((err: unknown) => this.#onError?.(err as Error, "bus.recovery"));
    }
  }

  async #recheckAcks(stillBuffered: NonNullable<AttachOptions["stillBuffered"]>): Promise<void> {
    for (const [gatewayId, ids] of [...this.#awaiting]) {
      const asked = [...ids];
      const present = await stillBuffered(gatewayId, asked);
      for (const bufferId of asked) {
        if (present.has(bufferId) || !ids.has(bufferId)) continue;
        this.#acked(gatewayId, bufferId);
        this.#dispatch(gatewayId, { kind: "acked", origin: RECOVERY_ORIGIN, bufferId });
      }
    }
  }

  /** Keeps the waited-on entries current from the traffic itself. */
  #observe(gatewayId: string, m: BusMessage): void {
    if (m.kind === "acked") this.#acked(gatewayId, m.bufferId);
    else if (m.kind === "delivered" && m.mode === "buffered" && m.bufferId !== undefined) {
      for (const server of this.#attached.keys()) if (server.nodeId === m.to) this.expectAck(gatewayId, m.bufferId);
    }
  }

  #receive(text: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.#onError?.(new Error("bus message is not JSON; ignored"), "bus.message");
      return;
    }
    const { g, m } = (parsed ?? {}) as { g?: unknown; m?: unknown };
    if (typeof g !== "string" || !isBusMessage(m)) {
      this.#onError?.(new Error("bus message has an unknown shape; ignored"), "bus.message");
      return;
    }
    this.#observe(g, m);
    this.#dispatch(g, m);
  }

  #dispatch(gatewayId: string, message: BusMessage): void {
    for (const handler of [...this.#handlers]) {
      try {
        // Each handler gets its own copy, as separate instances would.
        handler(gatewayId, this.#handlers.size > 1 ? structuredClone(message) : message);
      } catch (err) {
        // A subscriber's failure is its own; the others still get the message.
        this.#onError?.(err as Error, "bus.handler");
      }
    }
  }

  /** Unsubscribes and closes both connections. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#handlers.clear();
    this.#attached.clear();
    this.#awaiting.clear();
    await Promise.all([this.#sub.close(), this.#pub.close()]);
  }
}

/** The fields the server reads of each kind, with their types: anything else is not a bus message. */
function isBusMessage(m: unknown): m is BusMessage {
  if (m === null || typeof m !== "object") return false;
  const msg = m as Record<string, unknown>;
  if (typeof msg.kind !== "string" || !KINDS.has(msg.kind) || typeof msg.origin !== "string") return false;
  switch (msg.kind) {
    case "deliver": {
      const frame = msg.frame as { type?: unknown } | null | undefined;
      return typeof msg.id === "string" && frame !== null && typeof frame === "object" && typeof frame.type === "string";
    }
    case "delivered":
      return typeof msg.to === "string" && typeof msg.id === "string" && (msg.mode === "live" || msg.mode === "buffered") && (msg.bufferId === undefined || typeof msg.bufferId === "string");
    case "acked":
      return typeof msg.bufferId === "string";
    case "revoke":
      return typeof msg.reason === "string";
    default:
      return true;
  }
}
