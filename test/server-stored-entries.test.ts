/**
 * The in-memory buffer keeps each entry encoded (its replay line made at append). What it replays,
 * and what `read` returns, must be what the general path gives from a copy of the frame: the same
 * wire text, byte for byte, and the same frame.
 */
import t from "tap";
import fc from "fast-check";
import { isDeepStrictEqual } from "node:util";
import { encodeFrame } from "../src/codec/index.js";
import { InMemoryDeliveryBuffer, type BufferableFrame, type BufferedEntry, type DeliveryBuffer } from "../src/server/index.js";
import { storedLine } from "../src/server/delivery-buffer.js";
import { FRAME_VECTORS } from "./helpers/vectors.js";
import { GATEWAY, handshake, startRelay } from "./helpers/raw-gateway.js";
import { messageEvent } from "./helpers/fixtures.js";
import { until } from "./helpers/time.js";

/** What the drain writes for an entry it has no stored line for. */
const general = (frame: unknown, bufferId: string): string => encodeFrame({ ...(structuredClone(frame) as object), bufferId } as unknown as { type: string });

const bufferable = FRAME_VECTORS.filter((v) => v.valid && (v.definition === "InboundFrame" || v.definition === "PassthroughForwardFrame")).map((v) => {
  const { bufferId: _, ...frame } = v.value as Record<string, unknown>;
  return frame;
});

t.test("every buffered vector: the stored line is the general path's text, and read's frame is the frame", async (t) => {
  t.ok(bufferable.length >= 4, `${bufferable.length} vectors`);
  const buffer = new InMemoryDeliveryBuffer();
  for (const frame of bufferable) {
    const id = await buffer.append("gw", frame as BufferableFrame);
    const [entry] = await buffer.read("gw", String(Number(id) - 1), 1);
    t.equal(entry?.bufferId, id);
    t.equal(storedLine(entry as BufferedEntry), general(frame, id));
    t.strictSame(entry?.frame, frame);
    t.ok(Object.isFrozen(entry) && Object.isFrozen(entry?.frame), "frozen");
    t.strictSame({ ...entry }, { bufferId: id, frame }, "frame is an own, enumerable property");
  }
});

t.test("random JSON frames: the stored line is the general path's text", async (t) => {
  const text = fc.string({ unit: "binary", maxLength: 20 });
  const value = fc.jsonValue({ maxDepth: 3 });
  const frame = fc.record({ type: fc.constantFrom("inbound", "passthrough_forward"), event: fc.dictionary(text, value, { maxKeys: 5 }), more: fc.option(value, { nil: undefined }) });
  const buffer = new InMemoryDeliveryBuffer({ maxEntriesPerGateway: Infinity });
  let stored = 0;
  await fc.assert(
    fc.asyncProperty(frame, async (f) => {
      const id = await buffer.append("gw", f as unknown as BufferableFrame);
      const [entry] = await buffer.read("gw", String(Number(id) - 1), 1);
      const line = storedLine(entry as BufferedEntry);
      if (line !== undefined) stored++;
      return line === general(f, id) && isDeepStrictEqual(entry?.frame, JSON.parse(JSON.stringify(f)));
    }),
    { numRuns: 3000 },
  );
  t.equal(stored, 3000, "every such frame is stored encoded");
});

t.test("a frame that carries its own bufferId, or has toJSON, is kept as a copy and encoded the general way", async (t) => {
  const buffer = new InMemoryDeliveryBuffer();
  const own = { type: "inbound", event: messageEvent("own"), bufferId: "stale" };
  class Framed {
    type = "inbound";
    event = messageEvent("json");
    toJSON(): unknown {
      return { type: "inbound" };
    }
  }
  const withToJson = new Framed();
  for (const frame of [own, withToJson]) {
    const id = await buffer.append("gw", frame as never);
    const [entry] = await buffer.read("gw", String(Number(id) - 1), 1);
    t.equal(storedLine(entry as BufferedEntry), undefined);
    t.equal(entry?.bufferId, id);
  }
});

/** A buffer that hands out plain copies of the in-memory buffer's entries: the drain encodes them itself. */
function plainEntries(inner: InMemoryDeliveryBuffer): DeliveryBuffer {
  return {
    append: (g, f) => inner.append(g, f),
    read: async (g, after, limit) => (await inner.read(g, after, limit)).map((e) => ({ bufferId: e.bufferId, frame: structuredClone(e.frame) })),
    ack: (g, id) => inner.ack(g, id),
    isIdle: (g) => inner.isIdle(g),
    setIdle: (g, idle) => inner.setIdle(g, idle),
    size: (g) => inner.size(g),
  };
}

for (const observed of [false, true]) {
  t.test(`a replay writes the same messages from stored lines as from frames the drain encodes (frameOut ${observed ? "observed" : "not observed"})`, async (t) => {
    const replays: string[][] = [];
    for (const buffer of [new InMemoryDeliveryBuffer(), plainEntries(new InMemoryDeliveryBuffer())]) {
      const relay = await startRelay(t, { buffer, replay: { window: 64, framesPerMessage: 8 } });
      const seenOut: unknown[] = [];
      if (observed) relay.server.on("frameOut", ({ frame }) => void (frame.type === "inbound" && seenOut.push(frame)));
      for (let i = 0; i < 20; i++) relay.server.sendInbound(GATEWAY, messageEvent(`r${i} é🌍 "q" \\ \u2028`)).catch(() => undefined);
      await until(async () => (await buffer.size(GATEWAY)) === 20);
      const gw = await handshake(relay, { autoAck: true });
      await gw.waitForCount((f) => f.type === "inbound", 20);
      await until(async () => (await buffer.size(GATEWAY)) === 0);
      const messages = gw.messages.filter((m) => m.includes('"bufferId"'));
      replays.push(messages);
      if (observed) t.strictSame(seenOut, messages.flatMap((m) => m.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l))), "frameOut reports each replayed frame");
      t.same(gw.decodeErrors, []);
    }
    t.equal(replays[0]?.length, 3);
    t.strictSame(replays[0], replays[1], "byte for byte");
  });
}
