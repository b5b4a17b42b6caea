/**
 * Server helper delivery guarantees: one order per gateway even when live writes fail after
 * later pushes were buffered; `delivery: "acked"` (every push held until its `inbound_ack`);
 * the delivery buffer's default per-gateway bound surfacing as a typed error.
 *
 * Acked delivery relies on a rule of the reference gateway: it acks every `inbound` carrying a
 * `bufferId` once its handler returned, replay or not (NousResearch/hermes-agent,
 * gateway/relay/ws_transport.py, `WebSocketRelayTransport._handle_frame`, commit 04077d89). The
 * package client follows the same rule, which the last acked test checks over a socket.
 */
import t from "tap";
import type { InboundFrame } from "../generated/types.js";
import { createRelayClient } from "../src/client/index.js";
import {
  DEFAULT_MAX_ENTRIES_PER_GATEWAY,
  DeliveryBufferFullError,
  InMemoryDeliveryBuffer,
  type DeliveryReceipt,
  type RelayConnection,
} from "../src/server/index.js";
import { GATEWAY, handshake, SECRET, startRelay } from "./helpers/raw-gateway.js";
import { messageEvent } from "./helpers/fixtures.js";
import { sleep } from "./helpers/time.js";

const KiB = 1024;
const indexOf = (f: InboundFrame): number => Number(f.event.text.split(":")[0]);

t.test("a live write that fails after later pushes were buffered is replayed in its original place", async (t) => {
  const relay = await startRelay(t, { backpressure: { highWaterBytes: 256 * KiB, closeAtBytes: 512 * 1024 * KiB, pollIntervalMs: 10 } });
  const first = await handshake(relay);
  const conn = relay.server.connection(GATEWAY) as RelayConnection;
  first.pause();
  const filler = "x".repeat(16 * KiB);
  const receipts: Promise<DeliveryReceipt>[] = [];
  let n = 0;
  // Fill the kernel buffers and then the socket's own queue past the high-water mark: the live
  // writes still queued there have not completed when the socket drops.
  // A pause after each push lets the kernel take what it can, so the switch happens only once
  // the kernel buffers are full and writes really wait in the socket's queue.
  while (conn.phase === "live" && n < 4000) {
    receipts.push(relay.server.sendInbound(GATEWAY, messageEvent(`${n++}:${filler}`)));
    await sleep(2);
  }
  t.equal(conn.phase, "backlogged", `buffering after ${n} pushes`);
  t.ok(conn.bufferedAmount > 0, `${conn.bufferedAmount} bytes of live writes still queued`);
  for (let i = 0; i < 20; i++) receipts.push(relay.server.sendInbound(GATEWAY, messageEvent(`${n++}:${filler}`)));
  await sleep(50);
  first.ws.terminate();
  await first.closed;

  const second = await handshake(relay, { autoAck: true });
  const all = await Promise.all(receipts);
  const buffered = all.flatMap((r, i) => (r.mode === "buffered" ? [i] : []));
  const flipped = n - 21; // the push that found the queue above the mark, buffered itself
  const failedLive = buffered.filter((i) => i < flipped);
  t.ok(failedLive.length > 0, `${failedLive.length} live writes failed and were buffered of ${flipped} written live`);
  await second.waitForCount((f) => f.type === "inbound", buffered.length, 20_000);
  const replayed = second.frames.filter((f): f is InboundFrame => f.type === "inbound").map(indexOf);
  t.same(replayed, buffered, "the replay is in push order: failed live writes first, in their place");
  t.equal(await relay.server.buffer.size(GATEWAY), 0);
});

t.test('delivery "acked": every push carries a bufferId and resolves on its inbound_ack', async (t) => {
  const relay = await startRelay(t, { delivery: "acked" });
  const gw = await handshake(relay);
  let settled = false;
  const receipt = relay.server.sendInbound(GATEWAY, messageEvent("0:one")).then((r) => {
    settled = true;
    return r;
  });
  const frame = (await gw.waitForType("inbound")) as InboundFrame;
  t.type(frame.bufferId, "string", "sent with a bufferId although the gateway is connected and live");
  t.equal(await relay.server.buffer.size(GATEWAY), 1, "held in the buffer until acked");
  await sleep(100);
  t.notOk(settled, "sendInbound waits for the ack");
  gw.ack(frame.bufferId as string);
  t.same(await receipt, { mode: "buffered", bufferId: frame.bufferId });
  t.equal(await relay.server.buffer.size(GATEWAY), 0);
});

t.test('delivery "acked": a gateway that stopped reading and is dropped loses nothing', async (t) => {
  const relay = await startRelay(t, { delivery: "acked" });
  const first = await handshake(relay);
  first.pause();
  const count = 300;
  const filler = "y".repeat(4 * KiB);
  const receipts = Array.from({ length: count }, (_, i) => relay.server.sendInbound(GATEWAY, messageEvent(`${i}:${filler}`)));
  await sleep(200);
  first.ws.terminate();
  await first.closed;
  const second = await handshake(relay, { autoAck: true });
  const all = await Promise.all(receipts);
  t.ok(all.every((r) => r.mode === "buffered"), "every push resolved on its ack");
  const got = second.frames.filter((f): f is InboundFrame => f.type === "inbound").map(indexOf);
  t.same(got, Array.from({ length: count }, (_, i) => i), "all of them, in order, on the next connection");
});

t.test('delivery "acked" with the package client: it acks every bufferId, pushes resolve, order holds', async (t) => {
  const relay = await startRelay(t, { delivery: "acked" });
  const seen: number[] = [];
  const client = createRelayClient({
    url: relay.url,
    gatewayId: GATEWAY,
    secret: SECRET,
    identities: [{ platform: "telegram", botId: "bot-1" }],
    handlers: { inbound: (event) => void seen.push(Number(event.text.split(":")[0])) },
  });
  t.teardown(() => client.close());
  await client.connect();
  const receipts = await Promise.all(Array.from({ length: 200 }, (_, i) => relay.server.sendInbound(GATEWAY, messageEvent(`${i}:z`))));
  t.ok(receipts.every((r) => r.mode === "buffered" && typeof r.bufferId === "string"));
  t.same(seen, Array.from({ length: 200 }, (_, i) => i));
  t.equal(await relay.server.buffer.size(GATEWAY), 0);
});

t.test("the default delivery buffer is bounded per gateway: one push more rejects with DeliveryBufferFullError", async (t) => {
  const buffer = new InMemoryDeliveryBuffer();
  for (let i = 0; i < DEFAULT_MAX_ENTRIES_PER_GATEWAY; i++) await buffer.append("gw", { type: "inbound", event: messageEvent(String(i)) });
  await t.rejects(buffer.append("gw", { type: "inbound", event: messageEvent("over") }), DeliveryBufferFullError);
  await buffer.append("other-gw", { type: "inbound", event: messageEvent("other") });
  t.pass("per gateway: another gateway still has room");

  const relay = await startRelay(t, { buffer: new InMemoryDeliveryBuffer({ maxEntriesPerGateway: 5 }) });
  const pending = Array.from({ length: 5 }, (_, i) => relay.server.sendInbound(GATEWAY, messageEvent(`${i}:absent`)));
  for (const p of pending) p.catch(() => undefined);
  const over = relay.server.sendInbound(GATEWAY, messageEvent("5:absent"));
  await t.rejects(over, DeliveryBufferFullError, "sendInbound rejects: never a silent drop");
  t.equal(await relay.server.buffer.size(GATEWAY), 5);
  const gw = await handshake(relay, { autoAck: true });
  await Promise.all(pending);
  t.equal(gw.frames.filter((f) => f.type === "inbound").length, 5, "the buffered ones are delivered");
});
