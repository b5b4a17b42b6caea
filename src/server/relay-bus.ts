/**
 * The relay bus: how server nodes that front the same gateways reach a gateway's socket when it
 * is held by another node (contract §18, "routed by the connector (relay bus) to
 * whichever instance holds the session's socket"). Pushes, interrupts, revocations, ack
 * notifications and drain kicks all travel on it.
 */
import type { InterruptInboundFrame } from "../../generated/types.js";
import type { BufferableFrame } from "./delivery-buffer.js";

/**
 * What nodes tell each other about one gateway. Every message names the node that published it
 * (`origin`); a node ignores its own messages, having already acted locally.
 */
export type BusMessage =
  /** Write this frame live if you hold the gateway; answer with `delivered`. */
  | { kind: "deliver"; origin: string; id: string; frame: BufferableFrame | InterruptInboundFrame }
  /** Answer to `deliver` (addressed to node `to`): taken live, or appended to the buffer as `bufferId`. */
  | { kind: "delivered"; origin: string; to: string; id: string; mode: "live" | "buffered"; bufferId?: string }
  /** The gateway acknowledged a buffered entry (resolves waiters on other nodes). */
  | { kind: "acked"; origin: string; bufferId: string }
  /** Something was appended while the gateway was not flipped: the node holding it should drain. */
  | { kind: "kick"; origin: string }
  /** Close the gateway's sockets with 4401 and this reason. */
  | { kind: "revoke"; origin: string; reason: string };

export type BusHandler = (gatewayId: string, message: BusMessage) => void;

export interface SubscribeOptions {
  /** Messages with this `origin` are not for this handler (the subscribing node's id). */
  ignoreOrigin?: string;
}

/**
 * A fan-out channel between server nodes. Delivery is best effort and at most once: the server
 * never relies on a bus message for durability (durable state lives in the `DeliveryBuffer`), only
 * for latency and to resolve promises; a lost `deliver` answer makes the sender buffer instead.
 *
 * The Redis implementation (`RedisRelayBus`): `publish` → `PUBLISH` on one channel every node
 * subscribes to, `offer` → `PUBLISH` on the gateway's own channel, which only the nodes holding
 * it subscribe to (`hold`), `subscribe` → a dedicated subscriber connection. Messages are plain
 * JSON data.
 */
export interface RelayBus {
  /** Sends to every subscribed node, this one included. Resolves once handed to the transport. */
  publish(gatewayId: string, message: BusMessage): Promise<void>;
  /**
   * Registers a handler for every published message; resolves to an unsubscribe function. With
   * `ignoreOrigin`, messages whose `origin` is that are not passed to it (a node's own messages):
   * a bus may then skip decoding what only such handlers would get.
   */
  subscribe(handler: BusHandler, options?: SubscribeOptions): Promise<() => Promise<void>>;
  /**
   * Optional: sends a `deliver` offer only to the nodes holding the gateway (those that called
   * `hold` for it) and resolves `false` when none received it: no node holds it, so the caller
   * buffers the push at once instead of waiting `remoteDeliveryTimeoutMs` for an answer that
   * cannot come. A node holding the gateway answers every offer, `buffered` while the gateway is
   * flipped idle, so nothing needs to be checked before offering. Without it, the server asks the
   * buffer whether the gateway is idle, then `publish`es the offer to every node.
   */
  offer?(gatewayId: string, message: Extract<BusMessage, { kind: "deliver" }>): Promise<boolean>;
  /**
   * With `offer`: this node holds sockets of the gateway from now on (`held`, called when its
   * first socket arrives) or no longer (when its last one is gone). Resolves once the gateway's
   * offers reach this node's handlers; the server takes the gateway live only then.
   */
  hold?(gatewayId: string, held: boolean): Promise<void>;
}

/**
 * The embedded default: one process. Share one instance between several servers in the same
 * process to run them as a cluster (tests do). Messages are delivered asynchronously and as
 * copies, as a network bus would.
 */
export class InMemoryRelayBus implements RelayBus {
  readonly #handlers = new Set<BusHandler>();

  get subscriberCount(): number {
    return this.#handlers.size;
  }

  async publish(gatewayId: string, message: BusMessage): Promise<void> {
    const handlers = [...this.#handlers];
    if (handlers.length === 0) return;
    const copy = structuredClone(message);
    setImmediate(() => {
      for (const handler of handlers) {
        if (!this.#handlers.has(handler)) continue;
        try {
          handler(gatewayId, structuredClone(copy));
        } catch {
          // A subscriber's failure is its own; the others still get the message.
        }
      }
    });
  }

  async subscribe(handler: BusHandler, options: SubscribeOptions = {}): Promise<() => Promise<void>> {
    const { ignoreOrigin } = options;
    // Wrapped so the same function can be subscribed twice and removed independently.
    const own: BusHandler = (gatewayId, message) => {
      if (message.origin !== ignoreOrigin) handler(gatewayId, message);
    };
    this.#handlers.add(own);
    return async () => {
      this.#handlers.delete(own);
    };
  }
}
