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
 * kick was lost during the outage is drained now instead of at the gateway's next handshake.
 */
import type { BusHandler, BusMessage, RelayBus } from "../relay-bus.js";
import { DEFAULT_KEY_PREFIX, RedisLink, type RedisConnectionOptions } from "./connection.js";
import { relayKeys } from "./keys.js";

export interface RedisRelayBusOptions extends RedisConnectionOptions {
  /** Channel name. Default `<keyPrefix>bus`. */
  channel?: string;
}

/** What `attach` needs of a server: its connections, to kick their drains after a resubscribe. */
export interface BusAttachable {
  connections(): ReadonlyArray<{ readonly gatewayId: string }>;
}

/** Origin of the local kicks sent after a resubscribe (never a node id: nodes ignore their own). */
export const RESUBSCRIBE_ORIGIN = "redis-relay-bus:resubscribed";

const KINDS: ReadonlySet<string> = new Set(["deliver", "delivered", "acked", "kick", "revoke"]);

export class RedisRelayBus implements RelayBus {
  readonly channel: string;
  readonly #pub: RedisLink;
  readonly #sub: RedisLink;
  readonly #handlers = new Set<BusHandler>();
  readonly #attached = new Map<BusAttachable, (() => Promise<void>) | undefined>();
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
   * After every resubscription, kick the drain of each gateway `server` holds (see above), once
   * `whenReady` resolves (the buffer's own connection, which a drain reads: reconnections are
   * independent, and a drain whose first read fails closes the gateway's socket). Returns a
   * function that detaches it.
   */
  attach(server: BusAttachable, whenReady?: () => Promise<void>): () => void {
    this.#attached.set(server, whenReady);
    return () => void this.#attached.delete(server);
  }

  /** Called after each resubscription that followed a reconnect (tests, metrics). */
  onResubscribed(listener: () => void): () => void {
    this.#resubscribed.add(listener);
    return () => void this.#resubscribed.delete(listener);
  }

  #afterResubscribe(): void {
    const kick: BusMessage = { kind: "kick", origin: RESUBSCRIBE_ORIGIN };
    for (const [server, whenReady] of this.#attached) {
      void Promise.resolve()
        .then(whenReady)
        .then(() => {
          if (this.#closed) return;
          for (const gatewayId of new Set(server.connections().map((c) => c.gatewayId))) this.#dispatch(gatewayId, kick);
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
