/**
 * Server helper, operations: a gateway that stops reading (bounded send queue, pushes diverted
 * to the delivery buffer and replayed once it drains, hard bound closes), and ping keepalive.
 */
import t from "tap";
import type { InboundFrame } from "../generated/types.js";
import { DeliveryBufferFullError, InMemoryDeliveryBuffer, type DeliveryReceipt, type RelayConnection } from "../src/server/index.js";
import { GATEWAY, handshake, startRelay } from "./helpers/raw-gateway.js";
import { messageEvent } from "./helpers/fixtures.js";
import { sleep } from "./helpers/time.js";

const KiB = 1024;

t.test("a gateway that stops reading: pushes go to the buffer past the high-water mark, nothing is lost", async (t) => {
  const highWaterBytes = 256 * KiB;
  const relay = await startRelay(t, { backpressure: { highWaterBytes, closeAtBytes: 512 * 1024 * KiB, pollIntervalMs: 10 } });
  const actions: string[] = [];
  relay.server.on("backpressure", ({ action }) => actions.push(action));
  const gw = await handshake(relay, { autoAck: true });
  const conn = relay.server.connection(GATEWAY) as RelayConnection;
  gw.pause();

  const filler = "x".repeat(64 * KiB);
  const receipts: Promise<DeliveryReceipt>[] = [];
  let n = 0;
  // Push until the socket's queue crosses the bound (the kernel buffers absorb the first MBs).
  while (conn.phase === "live" && n < 2000) {
    receipts.push(relay.server.sendInbound(GATEWAY, messageEvent(`${n++}:${filler}`)));
    if (n % 16 === 0) await sleep(1);
  }
  t.equal(conn.phase, "backlogged", `switched to buffered delivery after ${n} pushes`);
  // The push that found the queue above the bound was itself buffered.
  const firstBuffered = n - 1;
  const queuedAtSwitch = conn.bufferedAmount;
  for (let i = 0; i < 20; i++) receipts.push(relay.server.sendInbound(GATEWAY, messageEvent(`${n++}:${filler}`)));
  await sleep(50);
  t.equal(await relay.server.buffer.size(GATEWAY), n - firstBuffered, "later pushes wait in the delivery buffer");
  t.ok(conn.bufferedAmount <= queuedAtSwitch, "the socket queue did not grow after the switch");
  t.ok(conn.bufferedAmount < highWaterBytes + 2 * 66 * KiB, `queue bounded near the high-water mark (${conn.bufferedAmount} bytes)`);
  t.ok(conn.open);

  gw.resume();
  const all = await Promise.all(receipts);
  await gw.waitForCount((f) => f.type === "inbound", n, 10_000);
  const got = gw.frames.filter((f): f is InboundFrame => f.type === "inbound");
  t.equal(got.length, n, "every push arrived exactly once");
  t.ok(got.every((f, i) => f.event.text.startsWith(`${i}:`)), "in push order: live ones, then the replayed backlog");
  t.ok(got.slice(0, firstBuffered).every((f) => f.bufferId === undefined), "the ones written before the switch went live");
  t.ok(got.slice(firstBuffered).every((f) => typeof f.bufferId === "string"), "the rest were replayed from the buffer");
  t.ok(all.slice(0, firstBuffered).every((r) => r.mode === "live"), "live promises resolved once written");
  t.ok(all.slice(firstBuffered).every((r) => r.mode === "buffered"), "buffered promises resolved on the acks");
  t.ok(actions.includes("buffer") && actions.includes("resume"), `events: ${actions.join(",")}`);
  for (let i = 0; i < 50 && conn.phase !== "live"; i++) await sleep(10);
  t.equal(conn.phase, "live");
  t.same(await relay.server.sendInbound(GATEWAY, messageEvent("after")), { mode: "live" });
  t.equal(await relay.server.buffer.size(GATEWAY), 0);
});

t.test("a gateway whose socket takes nothing more: pushes waiting to be appended have a bound of the buffer's size (DeliveryBufferFullError, bound \"waiting\", past it)", async (t) => {
  const maxEntriesPerGateway = 50;
  const buffer = new InMemoryDeliveryBuffer({ maxEntriesPerGateway });
  const relay = await startRelay(t, { buffer, backpressure: { highWaterBytes: 1024 * KiB, closeAtBytes: 512 * 1024 * KiB, pollIntervalMs: 10 } });
  const gw = await handshake(relay, { autoAck: true });
  const conn = relay.server.connection(GATEWAY) as RelayConnection;
  gw.pause();

  // Live pushes, a few per turn so each turn's writes stay under the high-water mark, until the
  // socket's queue crosses it: the kernel's buffers are full by then, and the live writes in
  // the queue stay unsettled while the gateway does not read.
  const filler = "x".repeat(64 * KiB);
  const accepted: Array<Promise<DeliveryReceipt>> = [];
  let n = 0;
  while (conn.phase === "live" && n < 4000) {
    accepted.push(relay.server.sendInbound(GATEWAY, messageEvent(`${n++}:${filler}`)));
    if (n % 4 === 0) await sleep(1);
  }
  t.equal(conn.phase, "backlogged", `the socket stopped taking frames after ${n} pushes`);

  // Every push now waits behind those writes to be appended: at most the bound of them.
  const outcomes = { rejected: 0, other: 0 };
  const later: Array<Promise<unknown>> = [];
  for (let i = 0; i < 200; i++) {
    const push = relay.server.sendInbound(GATEWAY, messageEvent(`${n++}:small`));
    later.push(
      push.then(
        () => undefined,
        (err: unknown) => {
          if (err instanceof DeliveryBufferFullError && err.bound === "waiting") outcomes.rejected++;
          else outcomes.other++;
        },
      ),
    );
  }
  await sleep(20);
  t.ok(outcomes.rejected >= 200 - maxEntriesPerGateway - 1, `refused past the bound (${outcomes.rejected} of 200 rejected)`);
  t.equal(outcomes.other, 0);
  t.ok(conn.open, "the connection stays up");

  // Nothing accepted is lost: once the gateway reads again, the live ones land and the waiting
  // ones are buffered in their place and replayed.
  gw.resume();
  const receipts = await Promise.all(accepted);
  // The push that found the queue above the mark was buffered itself.
  t.ok(receipts.slice(0, -1).every((r) => r.mode === "live"), "the live ones resolved once written");
  await Promise.all(later);
  const delivered = 200 - outcomes.rejected;
  await gw.waitForCount((f) => f.type === "inbound", n - 200 + delivered, 20_000);
  const got = gw.frames.filter((f): f is InboundFrame => f.type === "inbound").map((f) => Number(f.event.text.split(":")[0]));
  t.same(got, [...got].sort((a, b) => a - b), "in push order");
  t.equal(new Set(got).size, got.length, "each once");
});

t.test("frames that cannot be buffered past the hard bound close the socket with 1011 overloaded", async (t) => {
  const big = "r".repeat(256 * KiB);
  const relay = await startRelay(t, {
    backpressure: { highWaterBytes: 256 * KiB, closeAtBytes: 1024 * KiB },
    handlers: { send: () => ({ success: true, message_id: big }) },
  });
  const closes: [number, string][] = [];
  const actions: string[] = [];
  relay.server.on("close", ({ code, reason }) => closes.push([code, reason]));
  relay.server.on("backpressure", ({ action }) => actions.push(action));
  const gw = await handshake(relay);
  gw.pause();
  for (let i = 0; i < 400 && closes.length === 0 && !actions.includes("close"); i++) {
    gw.outbound({ op: "send", chat_id: "c", content: "x", reply_to: null });
    if (i % 8 === 0) await sleep(2);
  }
  for (let i = 0; i < 300 && closes.length === 0; i++) await sleep(10);
  t.ok(actions.includes("close"), "the hard bound was reported");
  t.equal(closes.length, 1, "the server dropped the socket");
  t.same(closes[0]?.[0], 1006, "terminated: the non-reading peer never took the close frame");
  t.equal(relay.server.connection(GATEWAY), undefined);
  gw.resume();
  const clientSide = await gw.waitClose();
  t.not(clientSide.code, 1000, `the gateway saw an abnormal end (${clientSide.code})`);
});

t.test("keepalive: a peer that stops answering pings is closed 1011 keepalive ping timeout; a live one is kept", async (t) => {
  const relay = await startRelay(t, { keepaliveIntervalMs: 40, keepaliveTimeoutMs: 80 });
  const closes: Array<[number, string]> = [];
  relay.server.on("close", ({ code, cause }) => closes.push([code, cause]));
  const healthy = await handshake(relay);
  const dead = await relay.gateway({ autoPong: false });
  dead.hello();
  const closed = await dead.waitClose(2000);
  t.same(closed, { code: 1011, reason: "keepalive ping timeout" }, "told why, as the reference gateway's websockets tells it");
  await sleep(150);
  t.ok(healthy.isOpen, "the peer answering pings survives several intervals");
  t.same(closes, [[1011, "keepalive-timeout"]], "reported as a keepalive timeout");
});
