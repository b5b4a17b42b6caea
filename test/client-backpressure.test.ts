/**
 * The client under an overloaded or hostile connector, over real sockets: the delivery queue is
 * bounded and stops the socket being read (so TCP backpressure reaches the connector) without
 * dropping anything; a handler awaiting its own request never wedges; keepalive does not mistake
 * a paused reader for a dead link; the WebSocket message limit and compression defaults; the
 * descriptor table holds only hello'd platforms.
 */
import t from "tap";
import { connectedClient, nextEvent, record } from "./helpers/fake-connector.js";
import { descriptor, messageEvent } from "./helpers/fixtures.js";
import { sleep, until } from "./helpers/time.js";

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const PAD = "x".repeat(4000);

/** Resolves once `value()` stayed the same for `quietMs`. */
async function settled(value: () => number, quietMs = 300, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = value();
  let since = Date.now();
  while (Date.now() < deadline) {
    await sleep(50);
    const now = value();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return now;
    }
  }
  return value();
}

t.test("a slow handler stops the client reading: the connector's buffer fills, nothing is dropped, order holds", async (t) => {
  const first = gate();
  const seen: number[] = [];
  const { client, conn } = await connectedClient(
    t,
    {},
    {
      maxQueuedDeliveries: 8,
      handlers: {
        inbound: async (event) => {
          seen.push(Number(event.message_id));
          if (seen.length === 1) await first.promise;
        },
      },
    },
  );
  const total = 8192; // 4 KB each: 32 MB, far more than loopback socket buffers hold
  for (let i = 0; i < total; i++) conn.inbound({ ...messageEvent(PAD), message_id: String(i) });
  await until(() => seen.length === 1);
  const unsent = await settled(() => conn.ws.bufferedAmount);
  t.ok(unsent > 8 * 1024 * 1024, `the connector holds what the gateway did not read (${unsent} bytes unsent)`);
  const backlog = client.inboundBacklog;
  t.ok(backlog.readingPaused, "reading is paused");
  // What one socket read brings in past the bound is accepted, never more.
  t.ok(backlog.deliveries <= 8 + 32, `backlog bounded (${backlog.deliveries} deliveries, ${backlog.bytes} bytes)`);

  first.open();
  await until(() => seen.length === total, 60_000);
  t.same(seen, Array.from({ length: total }, (_, i) => i), "every delivery, in order");
  await until(() => !client.inboundBacklog.readingPaused && client.inboundBacklog.deliveries === 0);
  t.equal(client.inboundBacklog.bytes, 0, "accounting returns to zero");
});

t.test("the byte bound pauses reading too", async (t) => {
  const first = gate();
  let handled = 0;
  const { client, conn } = await connectedClient(
    t,
    {},
    {
      maxQueuedBytes: 64 * 1024,
      handlers: {
        inbound: async () => {
          if (++handled === 1) await first.promise;
        },
      },
    },
  );
  const total = 4096;
  for (let i = 0; i < total; i++) conn.inbound({ ...messageEvent(PAD), message_id: String(i) });
  await until(() => handled === 1);
  await settled(() => conn.ws.bufferedAmount);
  const backlog = client.inboundBacklog;
  t.ok(backlog.readingPaused, "paused");
  t.ok(backlog.bytes <= 64 * 1024 + 128 * 1024, `bytes bounded (${backlog.bytes})`);
  first.open();
  await until(() => handled === total, 60_000);
  t.pass("all delivered");
});

t.test("a handler awaiting its own request while the queue is over its bound gets its result", async (t) => {
  const seen: number[] = [];
  let result: unknown;
  const { client, conn } = await connectedClient(
    t,
    {
      // The result goes out behind 50 more deliveries: the client must read past them.
      onOutbound: (_frame, c) => {
        for (let i = 10; i < 60; i++) c.inbound({ ...messageEvent(PAD), message_id: String(i) });
        return { success: true, message_id: "r1" };
      },
    },
    {
      maxQueuedDeliveries: 2,
      requestTimeoutMs: 60_000,
      handlers: {
        inbound: async (event) => {
          seen.push(Number(event.message_id));
          if (seen.length === 1) {
            await until(() => client.inboundBacklog.readingPaused, 10_000);
            result = await client.send({ chat_id: "c1", content: "from the handler" });
          }
        },
      },
    },
  );
  for (let i = 0; i < 10; i++) conn.inbound({ ...messageEvent(PAD), message_id: String(i) });
  await until(() => seen.length === 60, 30_000);
  t.match(result, { success: true, message_id: "r1" }, "the result reached the handler");
  t.same(seen, Array.from({ length: 60 }, (_, i) => i), "every delivery, in order");
});

t.test("past the byte bound a request awaited by a handler ends by its timeout, then the backlog drains", async (t) => {
  const seen: number[] = [];
  let result: unknown;
  const { client, conn } = await connectedClient(
    t,
    {
      onOutbound: (_frame, c) => {
        for (let i = 100; i < 400; i++) c.inbound({ ...messageEvent(PAD), message_id: String(i) });
        return { success: true, message_id: "late" };
      },
    },
    {
      maxQueuedBytes: 32 * 1024,
      requestTimeoutMs: 500,
      handlers: {
        inbound: async (event) => {
          seen.push(Number(event.message_id));
          if (seen.length === 1) result = await client.send({ chat_id: "c1", content: "x" });
        },
      },
    },
  );
  const unmatched = record(client, "protocolError");
  for (let i = 0; i < 100; i++) conn.inbound({ ...messageEvent(PAD), message_id: String(i) });
  await until(() => seen.length === 400, 30_000);
  t.match(result, { success: false, ambiguous: true }, "the request timed out instead of wedging the queue");
  t.same(seen, [...Array.from({ length: 100 }, (_, i) => i), ...Array.from({ length: 300 }, (_, i) => 100 + i)], "nothing lost, in order");
  await until(() => unmatched.some((e) => e.error.code === "unmatched_result"));
  t.pass("the late result is reported as unmatched");
});

t.test("keepalive does not end a connection whose reader is paused", async (t) => {
  const first = gate();
  let handled = 0;
  const { client, conn } = await connectedClient(
    t,
    {},
    {
      keepaliveIntervalMs: 50,
      keepaliveTimeoutMs: 500,
      maxQueuedDeliveries: 1,
      handlers: {
        inbound: async () => {
          if (++handled === 1) await first.promise;
        },
      },
    },
  );
  const closes = record(client, "close");
  // Little enough to sit in socket buffers: once reading resumes, the pongs are not far behind.
  for (let i = 0; i < 64; i++) conn.inbound({ ...messageEvent(PAD), message_id: String(i) });
  await until(() => client.inboundBacklog.readingPaused);
  await sleep(1500);
  t.same(closes, [], "no keepalive-timeout while paused");
  first.open();
  await until(() => handled === 64, 30_000);
  t.same(closes, [], "still connected");
  t.equal(client.state, "ready");
});

t.test("maxPayload: a message above 1 MiB closes with 1009 by default; the option raises it", async (t) => {
  const lines = Array.from({ length: 300 }, (_, i) => JSON.stringify({ type: "inbound", event: { ...messageEvent(PAD), message_id: String(i) } }) + "\n").join("");
  t.ok(lines.length > 1024 * 1024, "one message over 1 MiB, every line under it");

  await t.test("default", async (t) => {
    const { client, conn } = await connectedClient(t, {}, { reconnect: false, handlers: { inbound: () => {} } });
    const close = nextEvent(client, "close");
    conn.sendRaw(lines);
    t.equal((await conn.closed).code, 1009, "the connector sees 1009");
    t.equal((await close).code, 1009, "the client reports 1009");
  });

  await t.test("raised", async (t) => {
    let handled = 0;
    const { client, conn } = await connectedClient(t, {}, { maxPayload: 4 * 1024 * 1024, handlers: { inbound: () => void handled++ } });
    conn.sendRaw(lines);
    await until(() => handled === 300, 10_000);
    t.equal(client.state, "ready");
  });
});

t.test("permessage-deflate is not offered unless asked for", async (t) => {
  const off = await connectedClient(t);
  t.equal(off.conn.upgrade.headers["sec-websocket-extensions"], undefined, "not offered by default");
  const on = await connectedClient(t, {}, { perMessageDeflate: true });
  t.match(on.conn.upgrade.headers["sec-websocket-extensions"], /permessage-deflate/, "offered when enabled");
});

t.test("descriptors are kept only for hello'd platforms; the rest are reported", async (t) => {
  const { client, conn } = await connectedClient(t, {}, { identities: [{ platform: "telegram", botId: "b1" }] });
  const errors = record(client, "protocolError");
  for (let i = 0; i < 500; i++) conn.send({ type: "descriptor", descriptor: descriptor(`p${i}`) });
  conn.send({ type: "descriptor", descriptor: descriptor("telegram", { label: "again" }) });
  await until(() => client.descriptors.get("telegram")?.label === "again");
  t.same([...client.descriptors.keys()], ["telegram"], "only the hello'd platform is kept");
  t.equal(errors.filter((e) => e.error.code === "unexpected_descriptor").length, 500, "each stray descriptor reported");
  t.match(errors[0], { error: { code: "unexpected_descriptor", frameType: "descriptor" } });
});

t.test("the first descriptor is the session default whatever its platform", async (t) => {
  const { client } = await connectedClient(t, { descriptorFor: () => descriptor("discord") });
  t.equal(client.defaultDescriptor?.platform, "discord", "the answer to the first hello is kept");
});
