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
 * A Redis implementation: `publish` → `PUBLISH relay:bus <json {gatewayId, message}>` (or one
 * channel per gateway with `PSUBSCRIBE relay:gw:*`), `subscribe` → a dedicated subscriber
 * connection. Messages are plain JSON data.
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
   * Optional: publishes a `deliver` offer only if the gateway is not flipped to buffered-only,
   * reading the flag the delivery buffer keeps (`DeliveryBuffer.isIdle`) in the same step, and
   * resolves `false` (nothing published) when it is. A bus that can read that flag where it
   * publishes saves the server the round trip of asking the buffer before each offer. Without
   * it, the server asks the buffer, then publishes.
   */
  offerUnlessIdle?(gatewayId: string, message: Extract<BusMessage, { kind: "deliver" }>): Promise<boolean>;
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
