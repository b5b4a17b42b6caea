/**
 * The cluster bus protocol between server nodes that share a `RelayBus`: what a node publishes
 * and how it answers what the others publish.
 *
 * - `deliver` / `delivered`: a node with a push for a gateway it does not hold offers it; the node
 *   holding the gateway routes it (live, or buffered with a `bufferId`) and answers; an offer
 *   nobody answers within `remoteDeliveryTimeoutMs` resolves `undefined` (the offerer buffers it).
 * - `acked`: a buffered entry was acknowledged; every node resolves its waiters for it.
 * - `kick`: an entry was appended for a gateway another node holds: that node replays.
 * - `revoke`: close the gateway's sockets with 4401 on every node.
 *
 * Messages a node published itself are ignored when they come back.
 */
import { randomUUID } from "node:crypto";
import type { InterruptInboundFrame } from "../../generated/types.js";
import type { BufferableFrame } from "./delivery-buffer.js";
import type { BusMessage, RelayBus } from "./relay-bus.js";

export type DeliveredAnswer = Extract<BusMessage, { kind: "delivered" }>;
/** An answer to an offer; a buffered one carries the wait for its ack, registered as the answer arrived. */
export type OfferAnswer = DeliveredAnswer & { acked?: Promise<void> };
export type LocalRoute = { mode: "live" } | { mode: "buffered"; bufferId: string };

/** What the link needs from the node's router. */
export interface ClusterHost {
  /** Whether this node takes offers at all (not while shutting down). */
  readonly accepting: boolean;
  /** This node holds a socket record for the gateway. */
  holds(gatewayId: string): boolean;
  /** Routes a push for a gateway held here. */
  routeLocal(gatewayId: string, frame: BufferableFrame): Promise<LocalRoute>;
  /** Writes an interrupt to the gateway's current socket here; `false` when there is none. */
  writeInterrupt(gatewayId: string, frame: InterruptInboundFrame): Promise<boolean>;
  ackedElsewhere(gatewayId: string, bufferId: string): void;
  kicked(gatewayId: string): void;
  revoked(gatewayId: string, reason: string): void;
  reportError(err: unknown, where: string): void;
}

export class ClusterLink {
  readonly #bus: RelayBus;
  readonly #nodeId: string;
  readonly #timeoutMs: number;
  readonly #host: ClusterHost;
  readonly #offers = new Map<string, (answer: DeliveredAnswer | undefined) => void>();
  /** Publish promises that already carry a rejection handler (a batching bus shares one per batch). */
  readonly #reported = new WeakSet<Promise<void>>();

  constructor(opts: { bus: RelayBus; nodeId: string; remoteDeliveryTimeoutMs: number; host: ClusterHost }) {
    this.#bus = opts.bus;
    this.#nodeId = opts.nodeId;
    this.#timeoutMs = opts.remoteDeliveryTimeoutMs;
    this.#host = opts.host;
  }

  acked(gatewayId: string, bufferId: string): void {
    this.#publish(gatewayId, { kind: "acked", origin: this.#nodeId, bufferId });
  }

  kick(gatewayId: string): void {
    this.#publish(gatewayId, { kind: "kick", origin: this.#nodeId });
  }

  revoke(gatewayId: string, reason: string): void {
    this.#publish(gatewayId, { kind: "revoke", origin: this.#nodeId, reason });
  }

  /**
   * Offers a push to the node holding the gateway; `undefined` when nobody answers in time,
   * `"declined"` when it is known that nobody takes it. A bus with `RelayBus.offer` reaches only
   * the nodes holding the gateway and says when there is none (declined at once); otherwise,
   * with `isIdle`, nothing is offered to a gateway flipped to buffered-only (declined) and the
   * offer goes to every node.
   *
   * With `waitForAck`, a `buffered` answer comes with `acked`: the wait for that entry's ack,
   * started the moment the answer is handled. The entry's `acked` message can follow the answer
   * in the same read from the bus (a subscriber that fell behind gets both in one chunk, handled
   * in one go), before the offerer's code resumes: a wait begun only then would miss it.
   */
  async offer(
    gatewayId: string,
    frame: BufferableFrame | InterruptInboundFrame,
    isIdle?: () => Promise<boolean>,
    waitForAck?: (bufferId: string) => Promise<void>,
  ): Promise<OfferAnswer | "declined" | undefined> {
    const direct = this.#bus.offer;
    if (direct === undefined && isIdle !== undefined && (await isIdle())) return "declined";
    const id = randomUUID();
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(undefined), this.#timeoutMs);
      const finish = (answer: DeliveredAnswer | "declined" | undefined): void => {
        clearTimeout(timer);
        this.#offers.delete(id);
        if (waitForAck === undefined || answer === undefined || answer === "declined" || answer.mode !== "buffered" || answer.bufferId === undefined) {
          resolve(answer);
          return;
        }
        const acked = waitForAck(answer.bufferId);
        // Awaited by the offerer as soon as it resumes; a rejection before then is not unhandled.
        acked.catch(() => undefined);
        resolve({ ...answer, acked });
      };
      this.#offers.set(id, finish);
      const message = { kind: "deliver", origin: this.#nodeId, id, frame } as const;
      if (direct === undefined) this.#bus.publish(gatewayId, message).catch(() => finish(undefined));
      else direct.call(this.#bus, gatewayId, message).then((heard) => heard || finish("declined"), () => finish(undefined));
    });
  }

  /**
   * This node holds sockets of the gateway (`held`) or no longer does: tells a bus that routes
   * offers per gateway (`RelayBus.hold`). Resolves once offers for it reach this node, or at once
   * with any other bus; a failure is reported and resolves too (offers then go unanswered and are
   * buffered by their senders, whose kick makes this node drain them).
   */
  hold(gatewayId: string, held: boolean): Promise<void> | undefined {
    const hold = this.#bus.hold;
    if (hold === undefined) return undefined;
    return hold.call(this.#bus, gatewayId, held).catch((err: unknown) => this.#host.reportError(err, "bus.hold"));
  }

  /** Ends every open offer unanswered (shutdown). */
  abandonOffers(): void {
    for (const finish of [...this.#offers.values()]) finish(undefined);
  }

  /** Handles a message from another node. Never throws. */
  onMessage(gatewayId: string, message: BusMessage): void {
    if (message.origin === this.#nodeId) return;
    switch (message.kind) {
      case "deliver":
        void this.#takeOffer(gatewayId, message).catch((err: unknown) => this.#host.reportError(err, "bus.deliver"));
        return;
      case "delivered":
        if (message.to === this.#nodeId) this.#offers.get(message.id)?.(message);
        return;
      case "acked":
        this.#host.ackedElsewhere(gatewayId, message.bufferId);
        return;
      case "kick":
        this.#host.kicked(gatewayId);
        return;
      case "revoke":
        this.#host.revoked(gatewayId, message.reason);
        return;
      default:
        return;
    }
  }

  async #takeOffer(gatewayId: string, message: Extract<BusMessage, { kind: "deliver" }>): Promise<void> {
    if (!this.#host.holds(gatewayId) || !this.#host.accepting) return;
    const answer = (mode: "live" | "buffered", bufferId?: string): void => {
      const reply: BusMessage = { kind: "delivered", origin: this.#nodeId, to: message.origin, id: message.id, mode };
      if (bufferId !== undefined) reply.bufferId = bufferId;
      this.#publish(gatewayId, reply);
    };
    if (message.frame.type === "interrupt_inbound") {
      if (await this.#host.writeInterrupt(gatewayId, message.frame)) answer("live");
      return;
    }
    const route = await this.#host.routeLocal(gatewayId, message.frame);
    answer(route.mode, route.mode === "buffered" ? route.bufferId : undefined);
  }

  #publish(gatewayId: string, message: BusMessage): void {
    const sent = this.#bus.publish(gatewayId, message);
    // A bus that batches returns one promise for a batch: its failure is reported once, and a
    // batch of answers does not carry a rejection handler per message.
    if (this.#reported.has(sent)) return;
    this.#reported.add(sent);
    sent.catch((err: unknown) => this.#host.reportError(err, "bus.publish"));
  }
}
