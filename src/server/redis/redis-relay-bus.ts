/**
 * The relay bus on Redis pub/sub: every instance publishes `{g: gatewayId, m: message}` JSON on
 * one channel, the messages of one turn batched into one `PUBLISH` (see `publish`), and listens
 * on it through a dedicated subscriber connection (a connection in subscribe mode can run
 * nothing else). Offers (`offer`) go on the gateway's own channel, `<channel>:offers:<gatewayId>`,
 * which only the instances holding the gateway subscribe to (`hold`): no other instance reads
 * them, and a `PUBLISH` that reached nobody says nobody holds it. `ready()` resolves once the
 * subscription is confirmed:
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
import type { BusHandler, BusMessage, RelayBus, SubscribeOptions } from "../relay-bus.js";
import { DEFAULT_KEY_PREFIX, RedisLink } from "./connection.js";
import type { RedisConnectionOptions } from "./options.js";
import { relayKeys } from "./keys.js";

export interface RedisRelayBusOptions extends RedisConnectionOptions {
  /** Channel name; a gateway's offers go on `<channel>:offers:<gatewayId>`. Default `<keyPrefix>bus`. */
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

/**
 * A batch is sent once its JSON reaches this many UTF-16 code units (at most three times as many
 * bytes), without waiting for the end of the turn; the length is counted without encoding.
 */
const MAX_BATCH_CHARS = 256 * 1024;

/** Messages of one turn for one channel, that leave in one `PUBLISH`. */
interface Batch {
  texts: string[];
  chars: number;
  /** Every message is from this origin and none is an `acked` (see `wrap`); `null` once one is not. */
  origin: string | null | undefined;
  /** Settles every `publish` of the batch: one promise for all of them. */
  sent: Promise<void>;
  /** An offers batch's: whether any instance received it. */
  heard: Promise<boolean> | undefined;
  settle: (receivers: number, err?: unknown) => void;
}

function newBatch(offers: boolean): Batch {
  let resolveSent!: () => void;
  let rejectSent!: (err: unknown) => void;
  const sent = new Promise<void>((resolve, reject) => ((resolveSent = resolve), (rejectSent = reject)));
  let resolveHeard: ((heard: boolean) => void) | undefined;
  let rejectHeard: ((err: unknown) => void) | undefined;
  const heard = offers ? new Promise<boolean>((resolve, reject) => ((resolveHeard = resolve), (rejectHeard = reject))) : undefined;
  const settle = (receivers: number, err?: unknown): void => {
    if (err === undefined) {
      resolveSent();
      resolveHeard?.(receivers > 0);
    } else {
      rejectSent(err);
      rejectHeard?.(err);
    }
  };
  // Nobody may be waiting on one of the two.
  sent.catch(() => undefined);
  heard?.catch(() => undefined);
  return { texts: [], chars: 0, origin: undefined, sent, heard, settle };
}

/**
 * What goes on the channel: `{"b":[{g, m}, …]}`, or `{"o":<origin>,"b":[…]}` when every message
 * is from one origin and none is an `acked`. The node that sent them then recognises its own
 * batch by that prefix alone and skips decoding it: no node acts on its own messages
 * (`subscribe`'s `ignoreOrigin`), and this bus's own bookkeeping reads only `acked` and the
 * `delivered` answers addressed to its node, which that node never sends itself.
 */
function wrap(texts: readonly string[], origin: string | null | undefined): string {
  const body = texts.join(",");
  return typeof origin === "string" ? `${originPrefix(origin)}${body}]}` : `{"b":[${body}]}`;
}

function originPrefix(origin: string): string {
  return `{"o":${JSON.stringify(origin)},"b":[`;
}

export class RedisRelayBus implements RelayBus {
  readonly channel: string;
  readonly #pub: RedisLink;
  readonly #sub: RedisLink;
  /** Each handler, with the origin it ignores. */
  readonly #handlers = new Map<BusHandler, string | undefined>();
  readonly #attached = new Map<BusAttachable, AttachOptions>();
  /** Buffered entries a node of this process waits on (its `sendInbound`), by gateway, until `acked` is seen. */
  readonly #awaiting = new Map<string, Set<string>>();
  /** `gatewayId\nbufferId` of the latest acks seen, oldest first. */
  readonly #recentAcks = new Set<string>();
  readonly #resubscribed = new Set<() => void>();
  readonly #onError: RedisConnectionOptions["onError"];
  #subscription: Promise<void>;
  /** This turn's batches by channel, in the order they were opened. */
  readonly #batches = new Map<string, Batch>();
  /** `<channel>:offers:`, followed by a gateway id: that gateway's offers channel. */
  readonly #offersPrefix: string;
  /** Gateways whose offers this instance receives (`hold`): how many holds, and their subscription. */
  readonly #held = new Map<string, { holds: number; heard: Promise<void> }>();
  /** Batch prefixes (see `wrap`) of an origin every handler ignores: skipped undecoded. */
  #skippable: readonly Buffer[] = [];
  #flushScheduled = false;
  /** The first subscribe attempt has not settled: a `ready` now is the one it waits for. */
  #starting = true;
  #closed = false;

  constructor(opts: RedisRelayBusOptions) {
    const keys = relayKeys(opts.keyPrefix ?? DEFAULT_KEY_PREFIX);
    this.channel = opts.channel ?? keys.bus;
    this.#offersPrefix = `${this.channel}:offers:`;
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
    // As bytes: a batch of this node's own messages is recognised by its prefix and never decoded.
    const channel = Buffer.from(this.channel);
    const offers = Buffer.from(this.#offersPrefix);
    this.#sub.client.on("messageBuffer", (from: Buffer, payload: Buffer) => {
      if (!from.equals(channel) && !(from.length > offers.length && from.compare(offers, 0, offers.length, 0, offers.length) === 0)) return;
      for (const prefix of this.#skippable) if (payload.length >= prefix.length && payload.compare(prefix, 0, prefix.length, 0, prefix.length) === 0) return;
      this.#receive(payload.toString());
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

  /** The bus channel and the offers channel of every gateway held here (again after a reconnect). */
  async #subscribe(): Promise<void> {
    const offers = [...this.#held.keys()].map((gatewayId) => this.#offersPrefix + gatewayId);
    await this.#sub.run("bus.subscribe", (c) => c.subscribe(this.channel, ...offers));
  }

  /** Resolves once this instance's subscription is live (rejects if Redis cannot be reached in time). */
  ready(): Promise<void> {
    return this.#subscription;
  }

  /**
   * Messages published in the same turn of the event loop leave together in one `PUBLISH` per
   * channel (see `wrap` for the form): a push offered to another instance costs a command, a reply
   * and a subscriber dispatch per turn instead of per message. Order is kept per channel: a batch
   * holds its messages in publish order, and the turn's batches leave one after another on the one
   * publisher connection, in the order they were opened. The returned promise is the batch's: it
   * resolves once Redis took the command, or rejects for every message in it.
   */
  publish(gatewayId: string, message: BusMessage): Promise<void> {
    const batch = this.#batchFor(this.channel, false);
    this.#add(batch, gatewayId, message);
    return batch.sent;
  }

  /**
   * `RelayBus.offer`: on the gateway's offers channel, batched per turn like `publish`; resolves
   * `false` when the `PUBLISH` reached no subscriber (no instance holds the gateway).
   */
  offer(gatewayId: string, message: Extract<BusMessage, { kind: "deliver" }>): Promise<boolean> {
    const batch = this.#batchFor(this.#offersPrefix + gatewayId, true);
    this.#add(batch, gatewayId, message);
    return batch.heard as Promise<boolean>;
  }

  /**
   * `RelayBus.hold`: subscribes to the gateway's offers channel while at least one hold is
   * open, and resolves once the subscription is confirmed.
   */
  hold(gatewayId: string, held: boolean): Promise<void> {
    const entry = this.#held.get(gatewayId);
    if (held) {
      if (entry !== undefined) {
        entry.holds++;
        return entry.heard;
      }
      const channel = this.#offersPrefix + gatewayId;
      // Also in every later resubscription (`#subscribe`), whether this one succeeds or not.
      const heard = this.#closed ? Promise.resolve() : this.#sub.run("bus.hold", (c) => c.subscribe(channel)).then(() => undefined);
      heard.catch(() => undefined);
      this.#held.set(gatewayId, { holds: 1, heard });
      return heard;
    }
    if (entry === undefined || --entry.holds > 0) return Promise.resolve();
    this.#held.delete(gatewayId);
    if (this.#closed) return Promise.resolve();
    return this.#sub.run("bus.hold", (c) => c.unsubscribe(this.#offersPrefix + gatewayId)).then(() => undefined);
  }

  #batchFor(channel: string, offers: boolean): Batch {
    let batch = this.#batches.get(channel);
    if (batch === undefined) {
      batch = newBatch(offers);
      this.#batches.set(channel, batch);
    }
    return batch;
  }

  #add(batch: Batch, gatewayId: string, message: BusMessage): void {
    const text = JSON.stringify({ g: gatewayId, m: message });
    batch.texts.push(text);
    batch.chars += text.length + 1;
    // `acked` is never tagged: this bus tracks acks from every origin (`#observe`).
    if (message.kind === "acked") batch.origin = null;
    else if (batch.origin === undefined) batch.origin = message.origin;
    else if (batch.origin !== message.origin) batch.origin = null;
    // Everything pending leaves then, in order.
    if (batch.chars >= MAX_BATCH_CHARS) this.#flush();
    else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  /** Sends this turn's batches, one `PUBLISH` each, in the order they were opened. */
  #flush(): void {
    this.#flushScheduled = false;
    if (this.#batches.size === 0) return;
    const batches = [...this.#batches];
    this.#batches.clear();
    for (const [channel, batch] of batches) {
      const text = wrap(batch.texts, batch.origin);
      this.#pub.run("bus.publish", (c) => c.publish(channel, text)).then(
        (receivers) => batch.settle(receivers),
        (err: unknown) => batch.settle(0, err ?? new Error("bus.publish failed")),
      );
    }
  }

  async subscribe(handler: BusHandler, options: SubscribeOptions = {}): Promise<() => Promise<void>> {
    const { ignoreOrigin } = options;
    // Wrapped so the same function can be subscribed twice and removed independently.
    const own: BusHandler = (gatewayId, message) => {
      if (message.origin !== ignoreOrigin) handler(gatewayId, message);
    };
    this.#handlers.set(own, ignoreOrigin);
    this.#updateSkippable();
    const unsubscribe = async (): Promise<void> => {
      this.#handlers.delete(own);
      this.#updateSkippable();
    };
    try {
      await this.#subscription;
    } catch (err) {
      await unsubscribe();
      throw err;
    }
    return unsubscribe;
  }

  /** An origin-tagged batch can be skipped when every handler ignores that origin. */
  #updateSkippable(): void {
    const origins = new Set(this.#handlers.values());
    this.#skippable = origins.size === 1 && !origins.has(undefined) ? [Buffer.from(originPrefix([...origins][0] as string))] : [];
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
    const batch = (parsed as { b?: unknown } | null)?.b;
    if (!Array.isArray(batch)) {
      this.#receiveOne(parsed);
      return;
    }
    // A batch: each entry on its own, so one bad entry costs only itself.
    for (const entry of batch) this.#receiveOne(entry);
  }

  #receiveOne(parsed: unknown): void {
    const { g, m } = (parsed ?? {}) as { g?: unknown; m?: unknown };
    if (typeof g !== "string" || !isBusMessage(m)) {
      this.#onError?.(new Error("bus message has an unknown shape; ignored"), "bus.message");
      return;
    }
    this.#observe(g, m);
    this.#dispatch(g, m);
  }

  #dispatch(gatewayId: string, message: BusMessage): void {
    for (const handler of [...this.#handlers.keys()]) {
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
    // Messages published in this turn still leave, ahead of the QUIT.
    this.#flush();
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
