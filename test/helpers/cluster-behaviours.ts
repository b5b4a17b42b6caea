/**
 * The cluster behaviours every scale-out backend must show, run by test/server-cluster.test.ts
 * (the in-memory bus and buffer shared in-process) and test/redis-cluster.test.ts (each node on
 * its own Redis connections): pushes, interrupts and revocations reach the node holding the
 * gateway; the idle flip is shared; an ack on one node resolves another's promise; a lossy bus
 * loses nothing.
 */
import type { Test } from "tap";
import type { InboundFrame } from "../../generated/types.js";
import { CloseCode, CloseReason } from "../../src/close-codes.js";
import type { BusMessage, DeliveryBuffer, RelayBus } from "../../src/server/index.js";
import { messageEvent } from "./fixtures.js";
import { GATEWAY, handshake, type RawGateway, type Relay } from "./raw-gateway.js";
import { sleep, until } from "./time.js";

export interface ClusterNodes {
  a: Relay;
  b: Relay;
  /** The delivery buffer as node a and node b reach it. */
  buffers: [DeliveryBuffer, DeliveryBuffer];
}

export interface ClusterBackend {
  /** Two nodes sharing a bus and a buffer; `wrapBus` wraps the bus each node uses. */
  cluster(t: Test, wrapBus?: (bus: RelayBus) => RelayBus): Promise<ClusterNodes>;
  /** How long a push that must wait is given to (wrongly) arrive. */
  quietMs: number;
  /** What this buffer's `bufferId`s look like. */
  bufferId: RegExp;
}

export const inboundTexts = (gw: RawGateway): string[] => gw.frames.flatMap((f) => (f.type === "inbound" ? [f.event.text] : []));

/**
 * Handshaked and past its (empty) drain: a push decided during the drain is buffered (correctly)
 * and would wait for an ack this raw gateway does not send, so tests about live delivery start
 * from `live`.
 */
export async function handshakeLive(relay: Relay, opts: Parameters<typeof handshake>[1] = {}): Promise<RawGateway> {
  const gw = await handshake(relay, opts);
  await until(() => relay.server.connection(GATEWAY)?.phase === "live");
  return gw;
}

export function clusterBehaviours(t: Test, backend: ClusterBackend): void {
  t.test("a push on another node reaches the gateway live", async (t) => {
    const { a, b } = await backend.cluster(t);
    const gw = await handshakeLive(a);
    t.same(await b.server.sendInbound(GATEWAY, messageEvent("via-b")), { mode: "remote" });
    await gw.waitForType("inbound");
    t.same(inboundTexts(gw), ["via-b"]);
    t.equal(gw.frames.find((f) => f.type === "inbound")?.bufferId, undefined);
    t.equal(await b.server.sendInterruptInbound(GATEWAY, { session_key: "k", chat_id: "c" }), true);
    t.same(await gw.waitForType("interrupt_inbound"), { type: "interrupt_inbound", session_key: "k", chat_id: "c" });
  });

  t.test("revoke on any node closes the gateway's socket on every node", async (t) => {
    const { a, b } = await backend.cluster(t);
    const gw = await handshake(a);
    t.equal(await b.server.revoke(GATEWAY), 0, "no socket on node b itself");
    t.same(await gw.waitClose(), { code: CloseCode.Unauthorized, reason: CloseReason.Unauthorized });
  });

  t.test("idle is shared: pushes on any node are buffered; the ack on node a resolves node b's promise", async (t) => {
    const { a, b, buffers } = await backend.cluster(t);
    const [buffer, seenByB] = buffers;
    const first = await handshake(a);
    first.send({ type: "going_idle" });
    await first.waitForType("going_idle_ack");
    await first.close();
    await until(() => a.server.connections(GATEWAY).length === 0);
    t.equal(await seenByB.isIdle(GATEWAY), true, "seen by the other node");

    const fromB = b.server.sendInbound(GATEWAY, messageEvent("b1"));
    await until(async () => (await buffer.size(GATEWAY)) === 1);
    const fromA = a.server.sendInbound(GATEWAY, messageEvent("a1"));
    await until(async () => (await buffer.size(GATEWAY)) === 2);
    const gw = await handshake(a, { autoAck: true });
    const [rb, ra] = await Promise.all([fromB, fromA]);
    t.equal(rb.mode, "buffered");
    t.equal(ra.mode, "buffered");
    t.match(rb.bufferId, backend.bufferId, "the buffer's entry id");
    t.same(inboundTexts(gw), ["b1", "a1"]);
    t.same(
      gw.frames.flatMap((f) => (f.type === "inbound" ? [f.bufferId] : [])),
      [rb.bufferId, ra.bufferId],
    );
    // Cleared by the drain just after the last ack: a moment after the promises resolved.
    await until(async () => !(await buffer.isIdle(GATEWAY)));
    t.equal(await buffer.size(GATEWAY), 0);
  });

  t.test("a gateway held by no node: the push is buffered for its next handshake (its offer times out, or the bus says nobody received it)", async (t) => {
    const { a, b, buffers } = await backend.cluster(t);
    const pending = b.server.sendInbound(GATEWAY, messageEvent("nobody-home"));
    await until(async () => (await buffers[0].size(GATEWAY)) === 1);
    const gw = await handshake(a, { autoAck: true });
    t.same((await pending).mode, "buffered");
    t.same(inboundTexts(gw), ["nobody-home"]);
  });

  t.test("a gateway connected to a node but not yet hello'd: that node buffers it and drains at the hello", async (t) => {
    const { a, b } = await backend.cluster(t);
    const gw = await a.gateway({ autoAck: true });
    await until(() => a.server.connections(GATEWAY).length === 1);
    const pending = b.server.sendInbound(GATEWAY, messageEvent("pre-hello"));
    await sleep(backend.quietMs);
    t.same(inboundTexts(gw), []);
    gw.hello();
    const receipt = await pending;
    t.equal(receipt.mode, "buffered");
    t.same(inboundTexts(gw), ["pre-hello"]);
  });

  t.test("a lossy bus loses nothing: an unanswered offer is buffered, and a kick makes the holder drain it", async (t) => {
    let dropDeliver = true;
    const lossy = (inner: RelayBus): RelayBus => ({
      publish: (gatewayId: string, message: BusMessage) => (dropDeliver && message.kind === "deliver" ? Promise.resolve() : inner.publish(gatewayId, message)),
      subscribe: (handler) => inner.subscribe(handler),
    });
    const { a, b, buffers } = await backend.cluster(t, lossy);
    const gw = await handshakeLive(a, { autoAck: true });
    const receipt = await b.server.sendInbound(GATEWAY, messageEvent("lost-offer"));
    t.equal(receipt.mode, "buffered", "resolved by the ack after the kick-triggered drain");
    const frame = gw.frames.find((f): f is InboundFrame => f.type === "inbound");
    t.equal(frame?.event.text, "lost-offer");
    t.type(frame?.bufferId, "string", "delivered from the buffer");
    t.equal(await buffers[0].size(GATEWAY), 0);
    dropDeliver = false;
    // The kick-triggered drain ends (flag cleared, re-read) a moment after the ack.
    await until(() => a.server.connection(GATEWAY)?.phase === "live");
    t.same(await b.server.sendInbound(GATEWAY, messageEvent("ok")), { mode: "remote" });
  });
}
