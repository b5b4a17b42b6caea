/**
 * The in-memory link (src/transport/memory.ts) keeps what the protocol cores rely on from a
 * WebSocket: whole messages in order, a close ordered behind earlier messages, reading that can
 * be paused (the sender's bufferedAmount then grows), 1009 above the dialler's maxPayload, a
 * refused dial reported like a refused upgrade. The client's inbound backpressure works over it.
 */
import t from "tap";
import { createMemoryLink, createRelayClient, MemoryEnd, type TransportEnd, type TransportEvents } from "../src/client/index.js";
import { descriptor, messageEvent } from "./helpers/fixtures.js";
import { sleep, until } from "./helpers/time.js";

function recorder(): { events: TransportEvents; log: string[]; ended: Promise<TransportEnd> } {
  const log: string[] = [];
  let end!: (e: TransportEnd) => void;
  const ended = new Promise<TransportEnd>((resolve) => (end = resolve));
  return {
    log,
    ended,
    events: {
      open: () => log.push("open"),
      message: (data) => log.push(`message:${String(data)}`),
      unresponsive: () => log.push("unresponsive"),
      close: (e) => {
        log.push(`close:${e.code}`);
        end(e);
      },
    },
  };
}

t.test("a pair: ordered whole messages, pause and bufferedAmount, close behind the messages", async (t) => {
  const [a, b] = MemoryEnd.pair();
  const got: string[] = [];
  const closed: Array<[string, number, string]> = [];
  a.attach({ message: () => {}, close: (code, reason) => closed.push(["a", code, reason]) });
  b.attach({ message: (data) => got.push(data), close: (code, reason) => closed.push(["b", code, reason]) });
  b.pause();
  a.send("one\n", () => {});
  a.send("two\n", () => {});
  await sleep(20);
  t.same(got, [], "nothing taken while paused");
  t.equal(a.bufferedAmount, 8, "the sender sees what waits");
  a.close(1000, "bye");
  t.equal(a.open, false, "a closing end no longer sends");
  b.resume();
  await until(() => closed.length === 2);
  t.same(got, ["one\n", "two\n"], "in order, whole");
  t.same(closed.sort(), [
    ["a", 1000, "bye"],
    ["b", 1000, "bye"],
  ]);
  t.equal(a.bufferedAmount, 0);
});

t.test("terminate drops both ends at once with 1006", async (t) => {
  const [a, b] = MemoryEnd.pair();
  const closed: number[] = [];
  a.attach({ message: () => {}, close: (code) => closed.push(code) });
  b.attach({ message: () => {}, close: (code) => closed.push(code) });
  b.terminate();
  await until(() => closed.length === 2);
  t.same(closed, [1006, 1006]);
});

t.test("the dialer: refused dials report their status (401 as 4401), maxPayload closes with 1009", async (t) => {
  const refused = recorder();
  createMemoryLink(() => 401)({ url: "ws://memory/relay", maxPayload: 10, perMessageDeflate: false }, refused.events);
  t.match(await refused.ended, { code: 4401, reason: "unauthorized", httpStatus: 401, opened: false });

  const other = recorder();
  createMemoryLink(() => 503)({ url: "ws://memory/relay", maxPayload: 10, perMessageDeflate: false }, other.events);
  t.match(await other.ended, { code: 1006, httpStatus: 503, opened: false });

  let far!: MemoryEnd;
  const big = recorder();
  createMemoryLink((end) => {
    far = end;
    end.attach({ message: () => {}, close: () => {} });
    return true;
  })({ url: "ws://memory/relay", maxPayload: 10, perMessageDeflate: false }, big.events);
  await until(() => big.log.includes("open"));
  far.send("short\n", () => {});
  far.send("x".repeat(11), () => {});
  t.match(await big.ended, { code: 1009, opened: true });
  t.same(big.log, ["open", "message:short\n", "close:1009"]);
});

t.test("the client's inbound backpressure over the link: the far end's bufferedAmount grows, nothing is lost", async (t) => {
  let far!: MemoryEnd;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const seen: string[] = [];
  const client = createRelayClient({
    url: "ws://memory",
    keepaliveIntervalMs: 0,
    maxQueuedDeliveries: 4,
    dialer: createMemoryLink((end) => {
      far = end;
      end.attach({
        message: (data) => {
          for (const line of data.split("\n")) {
            if (line !== "" && JSON.parse(line).type === "hello") end.send(JSON.stringify({ type: "descriptor", descriptor: descriptor("relay") }) + "\n", () => {});
          }
        },
        close: () => {},
      });
      return true;
    }),
    handlers: {
      inbound: async (event) => {
        seen.push(event.message_id ?? "");
        if (seen.length === 1) await gate;
      },
    },
  });
  t.teardown(() => client.close());
  await client.connect();
  for (let i = 0; i < 100; i++) far.send(JSON.stringify({ type: "inbound", event: { ...messageEvent("m"), message_id: String(i) } }) + "\n", () => {});
  await until(() => client.inboundBacklog.readingPaused);
  await sleep(30);
  t.ok(client.inboundBacklog.deliveries <= 6, `backlog bounded (${client.inboundBacklog.deliveries})`);
  t.ok(far.bufferedAmount > 0, `the far end holds the rest (${far.bufferedAmount} bytes)`);
  release();
  await until(() => seen.length === 100);
  t.same(seen, Array.from({ length: 100 }, (_, i) => String(i)));
  t.equal(far.bufferedAmount, 0);
});
