/**
 * Server helper, pushes (wire-protocol.md §3.3, §3.4, §3.9–3.11, §4.4, §4.5): live delivery,
 * going idle (flip, then ack), buffering, ack-gated replay on the next handshake, exactly once
 * after an ack, live resuming behind the backlog.
 */
import t from "tap";
import type { InboundFrame, PassthroughForward } from "../generated/types.js";
import { FrameValidationError } from "../src/codec/index.js";
import {
  ConnectionClosedError,
  InMemoryDeliveryBuffer,
  ServerClosedError,
  type BufferableFrame,
  type DeliveryBuffer,
  type DeliveryReceipt,
} from "../src/server/index.js";
import { GATEWAY, handshake, startRelay, type RawGateway, type Relay } from "./helpers/raw-gateway.js";
import { messageEvent } from "./helpers/fixtures.js";
import { sleep, until } from "./helpers/time.js";

const texts = (gw: RawGateway, from = 0): string[] =>
  gw.frames.slice(from).flatMap((f) => (f.type === "inbound" ? [f.event.text] : []));
const inbound = (gw: RawGateway): InboundFrame[] => gw.frames.filter((f): f is InboundFrame => f.type === "inbound");

/** A push nobody awaits (it rejects with ServerClosedError if the test ends first). */
function fire(relay: Relay, text: string): void {
  relay.server.sendInbound(GATEWAY, messageEvent(text)).catch(() => undefined);
}

/** going_idle → going_idle_ack → close, as a dormant gateway does (§4.5). */
async function goDormant(relay: Relay, gw: RawGateway): Promise<void> {
  gw.send({ type: "going_idle" });
  await gw.waitForType("going_idle_ack");
  await gw.close();
  await until(() => relay.server.connections(GATEWAY).length === 0);
}

t.test("live delivery: written without bufferId, resolves when written", async (t) => {
  const relay = await startRelay(t);
  const gw = await handshake(relay);
  t.same(await relay.server.sendInbound(GATEWAY, messageEvent("one")), { mode: "live" });
  const conn = relay.server.connection(GATEWAY);
  t.ok(conn);
  t.same(await conn?.sendInbound(messageEvent("two")), { mode: "live" });
  t.same(await relay.server.sendInbound(conn!, messageEvent("three")), { mode: "live" });
  const forward: PassthroughForward = { platform: "discord", botId: "d", method: "POST", path: "/interactions", headers: [["a", "b"]], bodyB64: "e30=" };
  t.same(await relay.server.sendPassthrough(GATEWAY, forward), { mode: "live" });
  await gw.waitForType("passthrough_forward");
  t.same(texts(gw), ["one", "two", "three"]);
  t.notOk(gw.frames.some((f) => "bufferId" in f), "live frames carry no bufferId");
  t.equal(conn?.phase, "live");
  t.same(gw.decodeErrors, []);
});

t.test("an invalid event is refused before anything is written or buffered", async (t) => {
  const relay = await startRelay(t);
  const gw = await handshake(relay);
  await t.rejects(relay.server.sendInbound(GATEWAY, { text: "x" } as never), FrameValidationError);
  await t.rejects(relay.server.sendInbound("gw-absent", { text: "x" } as never), FrameValidationError);
  t.equal(await relay.server.buffer.size("gw-absent"), 0);
  await sleep(20);
  t.equal(inbound(gw).length, 0);
});

t.test("explicit bufferId on a connection resolves on its inbound_ack", async (t) => {
  const relay = await startRelay(t);
  const gw = await handshake(relay);
  const conn = relay.server.connection(GATEWAY)!;
  let settled: DeliveryReceipt | undefined;
  const pending = conn.sendInbound(messageEvent("own"), { bufferId: "own-7" }).then((r) => (settled = r));
  const frame = await gw.waitForType("inbound");
  t.equal(frame.bufferId, "own-7");
  await sleep(30);
  t.equal(settled, undefined, "not resolved before the ack");
  gw.ack("own-7");
  await pending;
  t.same(settled, { mode: "buffered", bufferId: "own-7" });

  const orphan = t.rejects(
    conn.sendPassthrough({ platform: "discord", botId: "d", method: "POST", path: "/", headers: [], bodyB64: "" }, { bufferId: "p-1" }),
    ConnectionClosedError,
    "the connection closed before the ack",
  );
  await gw.waitForType("passthrough_forward");
  await gw.close();
  await orphan;
});

t.test("going_idle: the flip happens before going_idle_ack; a concurrent push is buffered, never lost", async (t) => {
  const inner = new InMemoryDeliveryBuffer();
  const order: string[] = [];
  let relay: Relay | undefined;
  const pushes: Promise<DeliveryReceipt>[] = [];
  // A store whose flip is slow and during which the platform pushes a message.
  const buffer: DeliveryBuffer = {
    append: (g, f) => inner.append(g, f),
    read: (g, a, l) => inner.read(g, a, l),
    ack: (g, id) => inner.ack(g, id),
    isIdle: (g) => inner.isIdle(g),
    size: (g) => inner.size(g),
    async setIdle(g, idle) {
      order.push(`setIdle(${idle})`);
      if (idle) {
        pushes.push(relay!.server.sendInbound(GATEWAY, messageEvent("during-flip")));
        await sleep(30);
        pushes.push(relay!.server.sendInbound(GATEWAY, messageEvent("still-flipping")));
      }
      await inner.setIdle(g, idle);
      order.push(`flipped(${idle})`);
    },
  };
  relay = await startRelay(t, { buffer });
  relay.server.on("frameOut", ({ frame: f }) => {
    if (f.type === "going_idle_ack") order.push("ack written");
  });
  const gw = await handshake(relay);
  pushes.push(relay.server.sendInbound(GATEWAY, messageEvent("before")));
  gw.send({ type: "going_idle" });
  await gw.waitForType("going_idle_ack");
  pushes.push(relay.server.sendInbound(GATEWAY, messageEvent("after")));
  await sleep(50);

  t.same(order.slice(-3), ["setIdle(true)", "flipped(true)", "ack written"], "flip completes before the ack is written");
  const ackIndex = gw.frames.findIndex((f) => f.type === "going_idle_ack");
  t.same(texts(gw), ["before"], "only the push that preceded going_idle went out live");
  t.ok(gw.frames.slice(ackIndex + 1).every((f) => f.type !== "inbound"), "nothing live after the ack");
  t.equal(await inner.size(GATEWAY), 3, "during-flip, still-flipping and after are buffered");
  t.equal(await inner.isIdle(GATEWAY), true);
  t.equal(relay.server.connection(GATEWAY)?.phase, "idle");

  await gw.close();
  const next = await handshake(relay, { autoAck: true });
  await next.waitForCount((f) => f.type === "inbound", 3);
  t.same(texts(next), ["during-flip", "still-flipping", "after"]);
  const receipts = await Promise.all(pushes);
  t.same(
    receipts.map((r) => r.mode),
    ["live", "buffered", "buffered", "buffered"],
    "before: live; during-flip, still-flipping, after: buffered and acked",
  );
  t.equal(await inner.isIdle(GATEWAY), false, "the flip is cleared by the drain");
});

t.test("a backlog of 1,000 events is delivered exactly once, in order, after going idle and reconnecting", async (t) => {
  const relay = await startRelay(t, { replay: { window: 64 } });
  const drains: unknown[] = [];
  relay.server.on("drainEnd", ({ replayed, acked, aborted }) => drains.push({ replayed, acked, aborted }));
  const first = await handshake(relay);
  await goDormant(relay, first);

  const N = 1000;
  const receipts: Promise<DeliveryReceipt>[] = [];
  for (let i = 0; i < N; i++) receipts.push(relay.server.sendInbound(GATEWAY, messageEvent(`e${i}`)));
  await sleep(10);
  t.equal(await relay.server.buffer.size(GATEWAY), N, "all buffered while dormant");

  let maxUnacked = 0;
  const gw = await relay.gateway();
  // Ack each frame a little later, counting how many are in flight at once.
  const pendingAcks: string[] = [];
  const ackTimer = setInterval(() => {
    const unacked = pendingAcks.length;
    maxUnacked = Math.max(maxUnacked, unacked);
    for (const id of pendingAcks.splice(0, 16)) gw.ack(id);
  }, 1);
  t.teardown(() => clearInterval(ackTimer));
  const seen = new Set<string>();
  gw.ws.on("message", () => {
    for (const f of inbound(gw)) {
      if (f.bufferId !== undefined && !seen.has(f.bufferId)) {
        seen.add(f.bufferId);
        pendingAcks.push(f.bufferId);
      }
    }
  });
  gw.hello();
  const results = await Promise.all(receipts);
  clearInterval(ackTimer);

  const got = inbound(gw);
  t.equal(got.length, N, "exactly N frames, no duplicate");
  t.same(got.map((f) => f.event.text), Array.from({ length: N }, (_, i) => `e${i}`), "in push order");
  t.equal(new Set(got.map((f) => f.bufferId)).size, N, "distinct bufferIds");
  t.ok(results.every((r, i) => r.mode === "buffered" && r.bufferId === got[i]?.bufferId), "each promise resolved by its own ack");
  t.ok(maxUnacked <= 64, `never more than the window unacked (max ${maxUnacked})`);
  await until(() => relay.server.connection(GATEWAY)?.phase === "live");
  t.equal(await relay.server.buffer.size(GATEWAY), 0);
  t.equal(await relay.server.buffer.isIdle(GATEWAY), false);

  t.same(await relay.server.sendInbound(GATEWAY, messageEvent("live-after")), { mode: "live" }, "live delivery resumed");
  await gw.waitFor((f) => f.type === "inbound" && f.event.text === "live-after");
  t.equal(inbound(gw).at(-1)?.bufferId, undefined);
  t.same(gw.decodeErrors, []);

  // A later connection gets nothing again: acked entries never redeliver.
  await gw.close();
  const again = await handshake(relay);
  await sleep(50);
  t.equal(inbound(again).length, 0, "nothing replayed after every entry was acked");
  t.same(drains.at(-1), { replayed: 0, acked: 0, aborted: false });
});

t.test("a gateway dying mid-drain gets exactly the unacked tail again", async (t) => {
  const relay = await startRelay(t, { replay: { window: 64 } });
  const first = await handshake(relay);
  await goDormant(relay, first);
  for (let i = 0; i < 10; i++) fire(relay, `e${i}`);
  await sleep(10);

  const second = await relay.gateway();
  second.hello();
  const all = await second.waitForCount((f) => f.type === "inbound", 10);
  for (const f of all.slice(0, 4)) second.ack((f as InboundFrame).bufferId!);
  await sleep(30);
  await second.close();
  t.equal(await relay.server.buffer.size(GATEWAY), 6);

  const third = await handshake(relay, { autoAck: true });
  await third.waitForCount((f) => f.type === "inbound", 6);
  await sleep(30);
  t.same(texts(third), ["e4", "e5", "e6", "e7", "e8", "e9"], "the acked head is never redelivered");
  await until(() => relay.server.connection(GATEWAY)?.phase === "live");
});

t.test("pushes arriving during a drain queue behind the backlog", async (t) => {
  const relay = await startRelay(t, { replay: { window: 2 } });
  const first = await handshake(relay);
  await goDormant(relay, first);
  for (let i = 0; i < 5; i++) fire(relay, `old${i}`);
  await sleep(10);

  const gw = await relay.gateway();
  gw.hello();
  await gw.waitForCount((f) => f.type === "inbound", 2);
  await sleep(30);
  t.equal(inbound(gw).length, 2, "the window holds the drain at 2 unacked");
  t.equal(relay.server.connection(GATEWAY)?.phase, "draining");
  const live = relay.server.sendInbound(GATEWAY, messageEvent("new0"));
  gw.autoAck = true;
  for (const f of inbound(gw)) gw.ack(f.bufferId!);
  t.same((await live).mode, "buffered", "a push during the drain is appended, not sent ahead");
  await gw.waitForCount((f) => f.type === "inbound", 6);
  t.same(texts(gw), ["old0", "old1", "old2", "old3", "old4", "new0"]);
  await until(() => relay.server.connection(GATEWAY)?.phase === "live");
  t.same(await relay.server.sendInbound(GATEWAY, messageEvent("new1")), { mode: "live" });
  await gw.waitForCount((f) => f.type === "inbound", 7);
  t.same(texts(gw).slice(-2), ["new0", "new1"]);
});

t.test("replay batching: several newline-terminated frames per message", async (t) => {
  const relay = await startRelay(t, { replay: { window: 64, framesPerMessage: 8 } });
  const first = await handshake(relay);
  await goDormant(relay, first);
  for (let i = 0; i < 20; i++) fire(relay, `b${i}`);
  await sleep(10);
  const gw = await handshake(relay, { autoAck: true });
  await gw.waitForCount((f) => f.type === "inbound", 20);
  t.same(texts(gw), Array.from({ length: 20 }, (_, i) => `b${i}`));
  const replayMessages = gw.messages.filter((m) => m.includes('"bufferId"'));
  t.same(replayMessages.map((m) => m.split("\n").length - 1), [8, 8, 4], "8 + 8 + 4 frames per message");
  t.ok(replayMessages.every((m) => m.endsWith("\n")));
});

t.test("an entry never acked stops holding the drain after ackTimeoutMs and stays buffered", async (t) => {
  const relay = await startRelay(t, { replay: { window: 4, ackTimeoutMs: 100 } });
  const first = await handshake(relay);
  await goDormant(relay, first);
  const receipts = [0, 1, 2].map((i) => relay.server.sendInbound(GATEWAY, messageEvent(`x${i}`)));
  await sleep(10);
  const gw = await relay.gateway();
  gw.hello();
  const frames = (await gw.waitForCount((f) => f.type === "inbound", 3)) as InboundFrame[];
  gw.ack(frames[0]!.bufferId!);
  gw.ack(frames[2]!.bufferId!);
  gw.ack("not-a-buffer-id"); // ignored
  await until(() => relay.server.connection(GATEWAY)?.phase === "live");
  t.equal(await relay.server.buffer.size(GATEWAY), 1, "x1 is still buffered");
  t.same(await relay.server.sendInbound(GATEWAY, messageEvent("live")), { mode: "live" });
  t.same((await receipts[0]!).mode, "buffered");
  t.same((await receipts[2]!).mode, "buffered");
  await gw.close();
  const next = await handshake(relay, { autoAck: true });
  await next.waitForType("inbound");
  t.same(texts(next), ["x1"], "redelivered on the next handshake");
  t.same((await receipts[1]!).mode, "buffered", "its promise resolved with the later ack");
});

t.test("a gateway never connected gets its pushes at its first handshake", async (t) => {
  const relay = await startRelay(t);
  const r = relay.server.sendInbound(GATEWAY, messageEvent("early"));
  await sleep(10);
  t.equal(await relay.server.buffer.size(GATEWAY), 1);
  const gw = await relay.gateway({ autoAck: true });
  await sleep(30);
  t.equal(inbound(gw).length, 0, "not before the hello");
  t.equal(relay.server.connections(GATEWAY)[0]?.phase, "awaiting-hello");
  gw.hello();
  t.same((await r).mode, "buffered");
  t.same(texts(gw), ["early"]);
});

t.test("interrupt_inbound is live only, and onInterrupt can route it to another gateway", async (t) => {
  const relay = await startRelay(t, {
    auth: { secrets: ["s"] },
    onInterrupt: async (frame) => {
      await relay.server.sendInterruptInbound("gw-runner", { session_key: frame.session_key, chat_id: "c9" });
    },
  });
  t.equal(await relay.server.sendInterruptInbound("gw-runner", { session_key: "k", chat_id: "c" }), false, "nobody connected: not written, not buffered");
  t.equal(await relay.server.buffer.size("gw-runner"), 0);
  const runner = await handshake(relay, { gatewayId: "gw-runner", secret: "s" });
  const asker = await handshake(relay, { gatewayId: "gw-asker", secret: "s" });
  asker.send({ type: "interrupt", session_key: "agent:main:telegram:dm:c9", reason: null });
  const got = await runner.waitForType("interrupt_inbound");
  t.same(got, { type: "interrupt_inbound", session_key: "agent:main:telegram:dm:c9", chat_id: "c9" });
  t.equal(asker.frames.filter((f) => f.type === "interrupt_inbound").length, 0);
});

t.test("shutdown: pushes are buffered, waiters are released with ServerClosedError", async (t) => {
  const relay = await startRelay(t);
  const first = await handshake(relay);
  await goDormant(relay, first);
  const waiting = relay.server.sendInbound(GATEWAY, messageEvent("pending"));
  await sleep(10);
  await relay.server.close({ drainMs: 200 });
  await t.rejects(waiting, ServerClosedError);
  await t.rejects(relay.server.sendInbound(GATEWAY, messageEvent("late")), ServerClosedError);
  t.equal(await relay.server.buffer.size(GATEWAY), 2, "both stay in the buffer for the next connector");
});

t.test("an aborted wait leaves the entry buffered", async (t) => {
  const relay = await startRelay(t);
  const controller = new AbortController();
  const p = relay.server.sendInbound(GATEWAY, messageEvent("a"), { signal: controller.signal });
  await sleep(10);
  controller.abort();
  await t.rejects(p, { name: "AbortError" });
  t.equal(await relay.server.buffer.size(GATEWAY), 1);
});

t.test("the buffered frame is a copy: mutating the event afterwards changes nothing", async (t) => {
  const relay = await startRelay(t);
  const event = messageEvent("original");
  relay.server.sendInbound(GATEWAY, event).catch(() => undefined);
  await sleep(10);
  await sleep(5);
  event.text = "mutated";
  const [entry] = await relay.server.buffer.read(GATEWAY, undefined, 10);
  t.equal((entry?.frame as BufferableFrame & { event: { text: string } }).event.text, "original");
});

t.test("a gateway that stays connected after going_idle_ack (its wait expired) is closed so it re-dials and drains", async (t) => {
  const relay = await startRelay(t, { idleCloseAfterMs: 100 });
  const gw = await handshake(relay);
  gw.send({ type: "going_idle" });
  await gw.waitForType("going_idle_ack");
  const pending = relay.server.sendInbound(GATEWAY, messageEvent("while-flipped"));
  const started = Date.now();
  t.same(await gw.waitClose(), { code: 1000, reason: "" }, "closed by the connector");
  t.ok(Date.now() - started >= 50, "after the grace, not at once");
  t.same(texts(gw), [], "nothing went out live on the flipped socket");
  const next = await handshake(relay, { autoAck: true });
  t.same((await pending).mode, "buffered");
  t.same(texts(next), ["while-flipped"]);
  await sleep(150);
  t.ok(next.isOpen, "a socket that handshakes again is not closed");
});


t.test("a gateway that closes after going_idle without waiting for the ack ends up buffered; its backlog replays on the next handshake", async (t) => {
  // The reference gateway's shutdown waits for going_idle_ack only for a bounded time and then
  // closes anyway (hermes-agent gateway/relay/ws_transport.py, go_idle: "the caller closes
  // anyway"; commit 00067189), so the close may come before the ack was written or seen.
  const relay = await startRelay(t);
  const first = await handshake(relay);
  first.send({ type: "going_idle" });
  await first.close();
  await until(() => relay.server.connections(GATEWAY).length === 0);
  t.notOk(first.frames.some((f) => f.type === "going_idle_ack"), "the ack was never seen by the gateway");
  const receipt = relay.server.sendInbound(GATEWAY, messageEvent("after-close"));
  let size = 0;
  for (let i = 0; i < 500 && size === 0; i++) {
    size = await relay.server.buffer.size(GATEWAY);
    if (size === 0) await sleep(10);
  }
  t.equal(size, 1, "a push after the close is buffered, not lost");
  const gw = await relay.gateway();
  gw.hello();
  const replayed = await gw.waitForType("inbound");
  t.equal(replayed.type === "inbound" ? replayed.event.text : undefined, "after-close");
  t.ok(replayed.bufferId, "replayed with a bufferId");
  gw.ack(String(replayed.bufferId));
  t.equal((await receipt).mode, "buffered", "the receipt says buffered once the replay is acked");
});

t.test("replay batching: a message stays within the gateway's 1 MiB, measured in UTF-8 bytes", async (t) => {
  const relay = await startRelay(t, { replay: { window: 1024, framesPerMessage: 64 } });
  const first = await handshake(relay);
  await goDormant(relay, first);
  // The text goes out twice (it is also in `message_id`). 100,000 × "é": 2 UTF-8 bytes per UTF-16
  // unit, so two frames (~800 KB) fit in one message although 3 bytes per unit would not;
  // 5,000 × "€" (3 bytes per unit) packs by its real size too.
  for (let i = 0; i < 5; i++) fire(relay, `${i}${"é".repeat(100_000)}`);
  for (let i = 0; i < 120; i++) fire(relay, `${i}${"€".repeat(5_000)}`);
  await until(async () => (await relay.server.buffer.size(GATEWAY)) === 125, 20_000, "125 entries buffered");
  const gw = await handshake(relay, { autoAck: true });
  await gw.waitForCount((f) => f.type === "inbound", 125);
  const replayMessages = gw.messages.filter((m) => m.includes('"bufferId"'));
  const sizes = replayMessages.map((m) => Buffer.byteLength(m, "utf8"));
  t.ok(sizes.every((s) => s <= 1_048_576), `every message ≤ 1 MiB (${Math.max(...sizes)} bytes)`);
  const counts = replayMessages.map((m) => m.split("\n").length - 1);
  t.same(counts.slice(0, 2), [2, 2], "two 400 KB frames per message");
  // Packed greedily by real size: each message but the last is full (64 frames) or would pass
  // 1 MiB with the next frame.
  for (let i = 0; i + 1 < replayMessages.length; i++) {
    const next = `${(replayMessages[i + 1] as string).split("\n")[0]}\n`;
    t.ok(counts[i] === 64 || (sizes[i] as number) + Buffer.byteLength(next, "utf8") > 1_048_576, `message ${i} (${counts[i]} frames, ${sizes[i]} bytes) is full`);
  }
  t.ok(counts[3]! > 11 && counts[3]! < 64, `30 KB frames packed by their UTF-8 size (${counts.join(" ")} frames per message)`);
});

t.test("acks written as the reference gateway writes them (json.dumps spacing, escapes) drain the backlog like compact ones", async (t) => {
  const relay = await startRelay(t, { replay: { window: 64, framesPerMessage: 8 } });
  const first = await handshake(relay);
  await goDormant(relay, first);
  for (let i = 0; i < 24; i++) fire(relay, `p${i}`);
  await until(async () => (await relay.server.buffer.size(GATEWAY)) === 24);
  const gw = await handshake(relay);
  const got = (await gw.waitForCount((f) => f.type === "inbound", 24)) as InboundFrame[];
  const ids = got.map((f) => f.bufferId!);
  // One message: Python's default json.dumps form, the same id escaped, compact, and an ack
  // behind a CRLF — every form a receiver accepts, several of them for the same entry.
  const escaped = (id: string): string => [...id].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");
  const lines = ids.map((id, i) =>
    i % 4 === 0 ? `{"type": "inbound_ack", "bufferId": "${id}"}` : i % 4 === 1 ? `{"type": "inbound_ack", "bufferId": "${escaped(id)}"}` : i % 4 === 2 ? `{"type":"inbound_ack","bufferId":"${id}"}` : `{"bufferId":"${id}","type":"inbound_ack"}\r`,
  );
  gw.sendRaw(`${lines.join("\n")}\n{"type": "inbound_ack", "bufferId": "${ids[0]}"}\n`);
  await until(async () => (await relay.server.buffer.size(GATEWAY)) === 0);
  await until(() => relay.server.connection(GATEWAY)?.phase === "live");
  t.same(gw.decodeErrors, []);
});

t.test("a buffer whose ack is overridden is asked for every ack; a failing ack is reported and the entry stays", async (t) => {
  class CountingBuffer extends InMemoryDeliveryBuffer {
    acks: string[] = [];
    failing = false;
    override async ack(gatewayId: string, bufferId: string): Promise<boolean> {
      this.acks.push(bufferId);
      if (this.failing) throw new Error("store down");
      return super.ack(gatewayId, bufferId);
    }
  }
  const buffer = new CountingBuffer();
  const relay = await startRelay(t, { buffer, replay: { window: 64, framesPerMessage: 4 } });
  const errors: Array<{ where: string; message: string }> = [];
  relay.server.on("handlerError", ({ where, error }) => errors.push({ where, message: (error as Error).message }));
  const first = await handshake(relay);
  await goDormant(relay, first);
  for (let i = 0; i < 10; i++) fire(relay, `c${i}`);
  await until(async () => (await buffer.size(GATEWAY)) === 10);
  const gw = await handshake(relay);
  const got = (await gw.waitForCount((f) => f.type === "inbound", 10)) as InboundFrame[];
  for (const f of got.slice(0, 8)) gw.ack(f.bufferId!);
  await until(async () => (await buffer.size(GATEWAY)) === 2);
  t.same(buffer.acks, got.slice(0, 8).map((f) => f.bufferId), "the override saw each ack");
  buffer.failing = true;
  for (const f of got.slice(8)) gw.ack(f.bufferId!);
  await until(() => errors.length === 2);
  t.same(errors, [{ where: "buffer.ack", message: "store down" }, { where: "buffer.ack", message: "store down" }]);
  t.equal(await buffer.size(GATEWAY), 2, "nothing removed by a failed ack");
});
