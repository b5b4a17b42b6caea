/**
 * The relay bus on Redis pub/sub: every instance publishes `{g: gatewayId, m: message}` JSON on
 * one channel, the messages of one turn batched into one `PUBLISH` (see `publish`), and listens
 * on it through a dedicated subscriber connection (a connection in subscribe mode can run
 * nothing else). `ready()` resolves once the subscription is confirmed:
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
  /** Channel name. Default `<keyPrefix>bus`. */
  channel?: string;
  /**
   * The servers on this bus keep their idle flags in a `RedisDeliveryBuffer` on the same Redis
   * with the same `keyPrefix` (`createRedisScaleOut` sets it): an offer then checks the flag in
   * the script that publishes it (`offerUnlessIdle`) instead of after a separate round trip.
   * Default false.
   */
  sharesIdleFlag?: boolean;
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

/**
 * Publishes one gateway's batch unless its idle flag is set (KEYS[1] the flag; ARGV[1] channel,
 * ARGV[2] the batch, ARGV[3] the batch without its offers, or empty). Returns 1 when idle.
 */
const OFFER_UNLESS_IDLE = `
local idle = redis.call('EXISTS', KEYS[1]) == 1
local text = ARGV[2]
if idle then text = ARGV[3] end
if text ~= '' then redis.call('PUBLISH', ARGV[1], text) end
if idle then return 1 end
return 0
`;

/** Messages of one turn that leave in one command. */
interface Batch {
  texts: string[];
  /** For a gateway's group (see `offerUnlessIdle`): which messages are offers, by index. */
  offers: boolean[] | undefined;
  chars: number;
  /** Every message is from this origin and none is an `acked` (see `wrap`); `null` once one is not. */
  origin: string | null | undefined;
  /** Settles every `publish` of the batch: one promise for all of them. */
  sent: Promise<void>;
  /** A group's: `false` when the gateway was idle and its offers were left out. */
  published: Promise<boolean> | undefined;
  settle: (idle: boolean, err?: unknown) => void;
}

function newBatch(grouped: boolean): Batch {
  let resolveSent!: () => void;
  let rejectSent!: (err: unknown) => void;
  const sent = new Promise<void>((resolve, reject) => ((resolveSent = resolve), (rejectSent = reject)));
  let resolvePublished: ((published: boolean) => void) | undefined;
  let rejectPublished: ((err: unknown) => void) | undefined;
  const published = grouped ? new Promise<boolean>((resolve, reject) => ((resolvePublished = resolve), (rejectPublished = reject))) : undefined;
  const settle = (idle: boolean, err?: unknown): void => {
    if (err === undefined) {
      resolveSent();
      resolvePublished?.(!idle);
    } else {
      rejectSent(err);
      rejectPublished?.(err);
    }
  };
  // Nobody may be waiting on one of the two.
  sent.catch(() => undefined);
  published?.catch(() => undefined);
  return { texts: [], offers: grouped ? [] : undefined, chars: 0, origin: undefined, sent, published, settle };
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
  /** This turn's messages for gateways with no offer checked against the idle flag. */
  #batch: Batch | undefined;
  /** This turn's messages of each gateway with such an offer, in publish order (see `offerUnlessIdle`). */
  readonly #groups = new Map<string, Batch>();
  /** Batch prefixes (see `wrap`) of an origin every handler ignores: skipped undecoded. */
  #skippable: readonly Buffer[] = [];
  #flushScheduled = false;
  readonly #idleKey: ((gatewayId: string) => string) | undefined;
  /** The first subscribe attempt has not settled: a `ready` now is the one it waits for. */
  #starting = true;
  #closed = false;

  constructor(opts: RedisRelayBusOptions) {
    const keys = relayKeys(opts.keyPrefix ?? DEFAULT_KEY_PREFIX);
    this.channel = opts.channel ?? keys.bus;
    this.#onError = opts.onError;
    this.#pub = new RedisLink(opts, "bus-pub");
    if (opts.sharesIdleFlag === true) {
      this.#idleKey = keys.idle;
      this.#pub.client.defineCommand("relayOfferUnlessIdle", { numberOfKeys: 1, lua: OFFER_UNLESS_IDLE });
    } else {
      this.offerUnlessIdle = undefined;
    }
    // Kicks published while the publisher was down were lost: the entries they announced still
    // wait. Once it is back, kick every gateway this instance waits on an ack from.
    let pubReady = false;
    this.#pub.client.on("ready", () => {
      if (pubReady && !this.#closed) this.#kickAwaited();
      pubReady = true;
    });
    // Resubscribing is done here (below), so it is known when it completed.
    this.#sub = new RedisLink(opts, "bus-sub", { autoResubscribe: false });
    // As bytes: a batch of this node's own offers is recognised by its prefix and never decoded.
    const channel = Buffer.from(this.channel);
    this.#sub.client.on("messageBuffer", (from: Buffer, payload: Buffer) => {
      if (!from.equals(channel)) return;
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

  async #subscribe(): Promise<void> {
    await this.#sub.run("bus.subscribe", (c) => c.subscribe(this.channel));
  }

  /** Resolves once this instance's subscription is live (rejects if Redis cannot be reached in time). */
  ready(): Promise<void> {
    return this.#subscription;
  }

  /**
   * Messages published in the same turn of the event loop leave together in one `PUBLISH` (see
   * `wrap` for the form): a push offered to another instance costs a command, a reply and a
   * subscriber dispatch per turn instead of per message, on every instance. Order is kept per
   * gateway: a batch holds its messages in publish order, and batches leave one after another on
   * the one publisher connection. The returned promise is the batch's: it resolves once Redis
   * took the command, or rejects for every message in it.
   */
  publish(gatewayId: string, message: BusMessage): Promise<void> {
    // A gateway with an idle-checked offer this turn keeps all its messages in its group.
    const group = this.#groups.get(gatewayId);
    const batch = group ?? (this.#batch ??= newBatch(false));
    this.#add(batch, gatewayId, message, false);
    return batch.sent;
  }

  /**
   * `RelayBus.offerUnlessIdle`, present when the bus reads the buffer's idle flag
   * (`sharesIdleFlag`): the gateway's messages of the turn go out in one script that checks the
   * flag and publishes them, leaving out the offers if it is set, in one round trip.
   */
  offerUnlessIdle?(gatewayId: string, message: Extract<BusMessage, { kind: "deliver" }>): Promise<boolean> {
    let group = this.#groups.get(gatewayId);
    if (group === undefined) {
      group = newBatch(true);
      this.#groups.set(gatewayId, group);
    }
    this.#add(group, gatewayId, message, true);
    return group.published as Promise<boolean>;
  }

  #add(batch: Batch, gatewayId: string, message: BusMessage, offer: boolean): void {
    const text = JSON.stringify({ g: gatewayId, m: message });
    batch.texts.push(text);
    batch.offers?.push(offer);
    batch.chars += text.length + 1;
    // `acked` is never tagged: this bus tracks acks from every origin (`#observe`).
    if (message.kind === "acked") batch.origin = null;
    else if (batch.origin === undefined) batch.origin = message.origin;
    else if (batch.origin !== message.origin) batch.origin = null;
    // Everything pending leaves then, the plain batch first: its messages of a gateway are older
    // than that gateway's group.
    if (batch.chars >= MAX_BATCH_CHARS) this.#flush();
    else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  /** Sends this turn's messages: the plain batch first, then each gateway's group. */
  #flush(): void {
    this.#flushScheduled = false;
    const batch = this.#batch;
    this.#batch = undefined;
    if (batch !== undefined) {
      const text = wrap(batch.texts, batch.origin);
      this.#pub.run("bus.publish", (c) => c.publish(this.channel, text)).then(
        () => batch.settle(false),
        (err: unknown) => batch.settle(false, err ?? new Error("bus.publish failed")),
      );
    }
    if (this.#groups.size === 0) return;
    const groups = [...this.#groups];
    this.#groups.clear();
    for (const [gatewayId, group] of groups) this.#sendGroup(gatewayId, group);
  }

  #sendGroup(gatewayId: string, group: Batch): void {
    const { texts, offers } = group;
    const others = texts.filter((_, i) => offers?.[i] !== true);
    const whenIdle = others.length === 0 ? "" : wrap(others, null);
    const key = (this.#idleKey as (g: string) => string)(gatewayId);
    type Scripted = { relayOfferUnlessIdle(key: string, channel: string, text: string, whenIdle: string): Promise<number> };
    this.#pub.run("bus.publish", (c) => (c as unknown as Scripted).relayOfferUnlessIdle(key, this.channel, wrap(texts, group.origin), whenIdle)).then(
      (idle) => group.settle(idle === 1),
      (err: unknown) => group.settle(false, err ?? new Error("bus.publish failed")),
    );
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
