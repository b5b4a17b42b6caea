/**
 * The server acks the in-memory buffer in place (no promise per ack) only when the buffer's `ack`
 * is the in-memory buffer's own; the in-place call answers exactly what `ack` resolves to.
 */
import t from "tap";
import { immediateAck, InMemoryDeliveryBuffer, type DeliveryBuffer } from "../src/server/delivery-buffer.js";

const frame = (text: string) => ({ type: "inbound" as const, event: { text, message_type: "text", message_id: text, source: { platform: "telegram", chat_id: "c", chat_type: "dm" } } }) as never;

t.test("answers as ack resolves: true once, then false; other gateways and unknown ids false", async (t) => {
  const buffer = new InMemoryDeliveryBuffer();
  const ack = immediateAck(buffer);
  t.type(ack, "function");
  const a = await buffer.append("gw", frame("a"));
  const b = await buffer.append("gw", frame("b"));
  await buffer.append("other", frame("c"));
  t.equal(ack?.("other", a), false, "another gateway's log");
  t.equal(ack?.("gw", "999"), false, "unknown id");
  t.equal(ack?.("gw", "x"), false, "not an id of this buffer");
  t.equal(ack?.("gw", a), true);
  t.equal(ack?.("gw", a), false, "idempotent");
  t.equal(await buffer.ack("gw", a), false, "the async ack sees the same state");
  t.same((await buffer.read("gw", undefined, 10)).map((e) => e.bufferId), [b]);
  t.equal(ack?.("gw", b), true);
  t.equal(await buffer.size("gw"), 0);
  t.equal(await buffer.size("other"), 1);
});

t.test("not for a subclass that overrides ack, nor for another buffer; a subclass that keeps ack qualifies", async (t) => {
  class Overriding extends InMemoryDeliveryBuffer {
    override async ack(gatewayId: string, bufferId: string): Promise<boolean> {
      return super.ack(gatewayId, bufferId);
    }
  }
  class Keeping extends InMemoryDeliveryBuffer {}
  t.equal(immediateAck(new Overriding()), undefined);
  t.type(immediateAck(new Keeping()), "function");
  const patched = new InMemoryDeliveryBuffer();
  patched.ack = async () => false;
  t.equal(immediateAck(patched), undefined, "an instance with its own ack");
  const other: DeliveryBuffer = {
    append: async () => "1",
    read: async () => [],
    ack: async () => true,
    isIdle: async () => false,
    setIdle: async () => undefined,
    size: async () => 0,
  };
  t.equal(immediateAck(other), undefined);
});

t.test("read hands out the stored entries themselves, frozen", async (t) => {
  const buffer = new InMemoryDeliveryBuffer();
  const id = await buffer.append("gw", frame("a"));
  const [first] = await buffer.read("gw", undefined, 1);
  const [again] = await buffer.read("gw", undefined, 1);
  t.equal(first, again);
  t.equal(first?.bufferId, id);
  t.ok(Object.isFrozen(first) && Object.isFrozen(first?.frame));
});
