/**
 * Server helper, several nodes sharing one relay bus and one delivery buffer (the in-memory
 * implementations shared in-process): pushes, interrupts and revocations reach the node holding
 * the gateway; acks resolve waiters on other nodes; a lossy bus loses nothing.
 */
import t from "tap";
import type { InboundFrame } from "../generated/types.js";
import { CloseCode, CloseReason } from "../src/close-codes.js";
import { InMemoryDeliveryBuffer, InMemoryRelayBus, type BusMessage, type RelayBus } from "../src/server/index.js";
import { GATEWAY, handshake, startRelay, type RawGateway, type Relay } from "./helpers/raw-gateway.js";
import { messageEvent } from "./helpers/fixtures.js";
import { sleep, until } from "./helpers/time.js";

const texts = (gw: RawGateway): string[] => gw.frames.flatMap((f) => (f.type === "inbound" ? [f.event.text] : []));

async function cluster(t: Tap, bus: RelayBus = new InMemoryRelayBus()): Promise<{ a: Relay; b: Relay; buffer: InMemoryDeliveryBuffer }> {
  const buffer = new InMemoryDeliveryBuffer();
  const common = { bus, buffer, remoteDeliveryTimeoutMs: 150 };
  const a = await startRelay(t, { ...common, nodeId: "node-a" });
  const b = await startRelay(t, { ...common, nodeId: "node-b" });
  return { a, b, buffer };
}
type Tap = Parameters<typeof startRelay>[0];

t.test("a push on another node reaches the gateway live", async (t) => {
  const { a, b } = await cluster(t);
  const gw = await handshake(a);
  // The handshake first replays the (empty) backlog; live delivery starts when that ends.
  await until(() => a.server.connection(GATEWAY)?.phase === "live");
  t.same(await b.server.sendInbound(GATEWAY, messageEvent("via-b")), { mode: "remote" });
  await gw.waitForType("inbound");
  t.same(texts(gw), ["via-b"]);
  t.equal(gw.frames.find((f) => f.type === "inbound")?.bufferId, undefined);
  t.equal(await b.server.sendInterruptInbound(GATEWAY, { session_key: "k", chat_id: "c" }), true);
  t.same(await gw.waitForType("interrupt_inbound"), { type: "interrupt_inbound", session_key: "k", chat_id: "c" });
});

t.test("revoke on any node closes the gateway's socket on every node", async (t) => {
  const { a, b } = await cluster(t);
  const gw = await handshake(a);
  t.equal(await b.server.revoke(GATEWAY), 0, "no socket on node b itself");
  t.same(await gw.waitClose(), { code: CloseCode.Unauthorized, reason: CloseReason.Unauthorized });
});

t.test("idle is shared: pushes on any node are buffered; the ack on node a resolves node b's promise", async (t) => {
  const { a, b, buffer } = await cluster(t);
  const first = await handshake(a);
  first.send({ type: "going_idle" });
  await first.waitForType("going_idle_ack");
  await first.close();
  await until(() => a.server.connections(GATEWAY).length === 0);
  t.equal(await buffer.isIdle(GATEWAY), true);

  const fromB = b.server.sendInbound(GATEWAY, messageEvent("b1"));
  const fromA = a.server.sendInbound(GATEWAY, messageEvent("a1"));
  await until(async () => (await buffer.size(GATEWAY)) === 2);
  const gw = await handshake(a, { autoAck: true });
  const [rb, ra] = await Promise.all([fromB, fromA]);
  t.equal(rb.mode, "buffered");
  t.equal(ra.mode, "buffered");
  t.same(texts(gw), ["b1", "a1"]);
  t.equal(await buffer.isIdle(GATEWAY), false);
});

t.test("a gateway held by no node: the offer times out and the push is buffered for its next handshake", async (t) => {
  const { a, b, buffer } = await cluster(t);
  const pending = b.server.sendInbound(GATEWAY, messageEvent("nobody-home"));
  await until(async () => (await buffer.size(GATEWAY)) === 1);
  const gw = await handshake(a, { autoAck: true });
  t.same((await pending).mode, "buffered");
  t.same(texts(gw), ["nobody-home"]);
});

t.test("a gateway connected to a node but not yet hello'd: that node buffers it and drains at the hello", async (t) => {
  const { a, b } = await cluster(t);
  const gw = await a.gateway({ autoAck: true });
  await until(() => a.server.connections(GATEWAY).length === 1);
  const pending = b.server.sendInbound(GATEWAY, messageEvent("pre-hello"));
  await sleep(30);
  t.same(texts(gw), []);
  gw.hello();
  const receipt = await pending;
  t.equal(receipt.mode, "buffered");
  t.same(texts(gw), ["pre-hello"]);
});

t.test("a lossy bus loses nothing: an unanswered offer is buffered, and a kick makes the holder drain it", async (t) => {
  const inner = new InMemoryRelayBus();
  let dropDeliver = true;
  const lossy: RelayBus = {
    publish: (gatewayId: string, message: BusMessage) =>
      dropDeliver && message.kind === "deliver" ? Promise.resolve() : inner.publish(gatewayId, message),
    subscribe: (handler) => inner.subscribe(handler),
  };
  const { a, b, buffer } = await cluster(t, lossy);
  const gw = await handshake(a, { autoAck: true });
  const receipt = await b.server.sendInbound(GATEWAY, messageEvent("lost-offer"));
  t.equal(receipt.mode, "buffered", "resolved by the ack after the kick-triggered drain");
  const frame = gw.frames.find((f): f is InboundFrame => f.type === "inbound");
  t.equal(frame?.event.text, "lost-offer");
  t.type(frame?.bufferId, "string", "delivered from the buffer");
  t.equal(await buffer.size(GATEWAY), 0);
  dropDeliver = false;
  // b's push resolved on the ack; node a ends its drain right after.
  await until(() => a.server.connection(GATEWAY)?.phase === "live");
  t.same(await b.server.sendInbound(GATEWAY, messageEvent("ok")), { mode: "remote" });
});
