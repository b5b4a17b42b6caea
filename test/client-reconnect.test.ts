/**
 * Reconnect ladder, 4401 rules, keepalive, going idle / dormant — against fake connectors on
 * plain `ws` (wire-protocol.md §1.3, §1.5, §1.6, §4.5, §4.6). Jitter is pinned with `random`.
 */
import t from "tap";
import { createRelayClient, RelayConnectError, type CloseEvent, type RelayClient, type RelayClientOptions } from "../src/client/index.js";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { wsDialer } from "../src/transport/ws-dialer.js";
import type { Dialer } from "../src/transport/types.js";
import { FakeConnector, nextEvent, record, type FakeConnectorOptions } from "./helpers/fake-connector.js";
import { messageEvent } from "./helpers/fixtures.js";
import { sleep } from "./helpers/time.js";

async function start(
  t: { teardown(fn: () => unknown): void },
  connectorOptions: FakeConnectorOptions,
  clientOptions: Partial<RelayClientOptions> = {},
): Promise<{ fake: FakeConnector; client: RelayClient }> {
  const fake = await FakeConnector.start(connectorOptions);
  const client = createRelayClient({ url: fake.url, keepaliveIntervalMs: 0, backoffBaseMs: 20, backoffMaxMs: 1000, random: () => 1, ...clientOptions });
  t.teardown(async () => {
    await client.close();
    await fake.close();
  });
  return { fake, client };
}

/** Waits until `n` close events were seen. */
async function closes(client: RelayClient, seen: CloseEvent[], n: number, timeoutMs = 3000): Promise<CloseEvent[]> {
  const deadline = Date.now() + timeoutMs;
  while (seen.length < n) {
    if (Date.now() > deadline) throw new Error(`only ${seen.length} of ${n} closes`);
    await nextEvent(client, "close", () => true, deadline - Date.now());
  }
  return seen;
}

t.test("a connector that drops right after each handshake climbs the ladder", async (t) => {
  t.test("jitter pinned to the upper bound: d = base·2^(n−1)", async (t) => {
    const { fake, client } = await start(t, { onHandshake: (conn) => conn.close(1011, "overloaded") });
    const seen = record(client, "close");
    const dialTimes: number[] = [];
    const closeTimes: number[] = [];
    client.on("connecting", () => dialTimes.push(Date.now()));
    client.on("close", () => closeTimes.push(Date.now()));
    await client.connect();
    await closes(client, seen, 4);
    await (await fake.waitForConnection(5)).waitForType("hello");
    t.same(
      seen.slice(0, 4).map((e) => [e.retryInMs, e.attempt, e.handshaked, e.code]),
      [
        [20, 1, true, 1011],
        [40, 2, true, 1011],
        [80, 3, true, 1011],
        [160, 4, true, 1011],
      ],
      "a short connection counts as a failed attempt: 1, 2, 4, 8 × base",
    );
    for (let i = 0; i < 4; i++) {
      const waited = (dialTimes[i + 1] as number) - (closeTimes[i] as number);
      // Timers count from the event loop's cached clock, which lags the wall clock by however long
      // the current turn has run: on a loaded machine a timer can fire that much early by Date.now.
      t.ok(waited >= (seen[i]?.retryInMs as number) - 15, `dial ${i + 2} waited its delay (${waited} ms)`);
    }
    t.same(
      fake.connections.slice(0, 5).map((c) => c.hellos.length),
      [1, 1, 1, 1, 1],
      "every dial re-sends the hellos",
    );
  });

  t.test("jitter pinned to the lower bound: d/2, and the cap", async (t) => {
    const { client } = await start(t, { onHandshake: (conn) => conn.close(1000) }, { random: () => 0, backoffBaseMs: 20, backoffMaxMs: 50 });
    const seen = record(client, "close");
    await client.connect();
    await closes(client, seen, 4);
    t.same(
      seen.slice(0, 4).map((e) => e.retryInMs),
      [10, 20, 25, 25],
    );
  });

  t.test("jitter is uniform in [d/2, d]", async (t) => {
    const { client } = await start(t, { onHandshake: (conn) => conn.close(1000) }, { random: () => 0.5, backoffBaseMs: 40 });
    const seen = record(client, "close");
    await client.connect();
    await closes(client, seen, 2);
    t.same(
      seen.slice(0, 2).map((e) => e.retryInMs),
      [30, 60],
    );
  });

  t.test("failed dials (nothing listening) climb the same ladder", async (t) => {
    const fake = await FakeConnector.start({});
    const url = fake.url;
    await fake.close();
    const client = createRelayClient({ url, keepaliveIntervalMs: 0, backoffBaseMs: 10, random: () => 1 });
    t.teardown(() => client.close());
    const seen = record(client, "close");
    await t.rejects(client.connect(), RelayConnectError);
    await closes(client, seen, 3);
    t.same(
      seen.slice(0, 3).map((e) => [e.cause, e.retryInMs]),
      [
        ["dial-error", 10],
        ["dial-error", 20],
        ["dial-error", 40],
      ],
    );
  });
});

t.test("a connection that stayed up for the stable time resets the ladder", async (t) => {
  let clock = 0;
  const { fake, client } = await start(
    t,
    {
      onHandshake: (conn) => {
        // Connections 1, 2 and 4 drop at once; connection 3 lives 200 (fake) seconds.
        if (conn.index === 2) {
          setTimeout(() => {
            clock += 200_000;
            conn.close(1011, "overloaded");
          }, 30);
        } else if (conn.index !== 4) {
          conn.close(1011, "overloaded");
        }
      },
    },
    { stableConnectionMs: 60_000, now: () => clock },
  );
  const seen = record(client, "close");
  await client.connect();
  await closes(client, seen, 4);
  t.same(
    seen.map((e) => [e.retryInMs, e.attempt]),
    [
      [20, 1],
      [40, 2],
      [20, 1],
      [40, 2],
    ],
    "the long connection's end is attempt 1 again, and the ladder climbs from there",
  );
  await nextEvent(client, "handshake", (e) => e.generation === 5);
  t.equal(fake.connections.length, 5);
});

t.test("the stable time is measured on the real clock by default", async (t) => {
  const { client } = await start(
    t,
    {
      onHandshake: (conn) => {
        const hold = conn.index === 2 ? 150 : 0;
        setTimeout(() => conn.close(1011, "overloaded"), hold);
      },
    },
    { stableConnectionMs: 100 },
  );
  const seen = record(client, "close");
  await client.connect();
  await closes(client, seen, 4);
  t.same(
    seen.slice(0, 4).map((e) => e.retryInMs),
    [20, 40, 20, 40],
  );
});

t.test("4401 before any handshake is retryable through the ladder", async (t) => {
  let calls = 0;
  const { fake, client } = await start(
    t,
    {
      // First upgrade refused with HTTP 401, second accepted then closed 4401 before a descriptor.
      authorize: (u) => (u.index === 0 ? 401 : true),
      descriptorFor: (hello, conn) => (conn.index === 0 ? (conn.close(4401, "unauthorized"), undefined) : { contract_version: 1, platform: String(hello.platform), label: "x", max_message_length: 1, supports_draft_streaming: false, supports_edit: false, supports_threads: false, markdown_dialect: "plain", len_unit: "chars" }),
    },
    { token: () => `t${++calls}` },
  );
  const seen = record(client, "close");
  const revoked = record(client, "revoked");
  const err = (await client.connect().catch((e: unknown) => e)) as RelayConnectError;
  t.equal(err.code, 4401);
  t.equal(err.revoked, false);
  t.equal(err.willRetry, true);
  await nextEvent(client, "handshake");
  t.same(
    seen.map((e) => [e.code, e.reason, e.cause, e.httpStatus ?? null, e.authRetry, e.retryInMs]),
    [
      [4401, "unauthorized", "upgrade-refused", 401, false, 20],
      [4401, "unauthorized", "socket", null, false, 40],
    ],
    "ordinary backoff, no fresh-token shortcut, no revocation",
  );
  t.same(revoked, []);
  t.equal(client.state, "ready");
  t.same(fake.upgrades.map((u) => u.authorization), ["Bearer t1", "Bearer t2", "Bearer t3"]);
});

t.test("4401 after a handshake: one immediate fresh-token re-dial, then terminal", async (t) => {
  for (const where of ["upgrade", "after-descriptor"] as const) {
    t.test(`second 4401 ${where === "upgrade" ? "at the upgrade" : "after its descriptor"}`, async (t) => {
      let calls = 0;
      const { fake, client } = await start(
        t,
        {
          authorize: (u) => (where === "upgrade" && u.index === 1 ? 401 : true),
          onHandshake: (conn) => conn.close(4401, "unauthorized"),
        },
        { token: () => `tok${++calls}`, backoffBaseMs: 5000 },
      );
      const seen = record(client, "close");
      const connecting = record(client, "connecting");
      const revokedP = nextEvent(client, "revoked");
      const waiter = client.connect();
      await waiter;
      const revoked = await revokedP;
      t.same([revoked.code, revoked.reason], [4401, "unauthorized"]);
      t.same(
        seen.map((e) => [e.code, e.authRetry, e.retryInMs ?? null, e.willRetry]),
        [
          [4401, true, 0, true],
          [4401, false, null, false],
        ],
        "the first is re-dialed at once (not after the 5 s ladder), the second is final",
      );
      t.same(connecting.map((c) => c.authRetry), [false, true], "the second dial is the fresh-token retry");
      t.same(fake.upgrades.map((u) => u.authorization), ["Bearer tok1", "Bearer tok2"], "with a fresh token");
      t.equal(client.state, "revoked");
      await t.rejects(client.connect(), { name: "RelayConnectError", revoked: true });
      await sleep(100);
      t.equal(fake.upgrades.length, 2, "no more dials");
      t.same(await client.send({ chat_id: "c", content: "x" }), { success: false, error: "relay transport not connected" });
    });
  }
});

t.test("4401 after a handshake, and the fresh-token connection is fine: not terminal", async (t) => {
  const { fake, client } = await start(t, {
    onHandshake: (conn) => {
      if (conn.index === 0) conn.close(4401, "unauthorized");
      // Connection 1 (the retry) lives; later dropped by the test without a 4401.
    },
  });
  const seen = record(client, "close");
  await client.connect();
  await nextEvent(client, "handshake", (e) => e.generation === 2);
  t.equal(client.state, "ready");
  (await fake.waitForConnection(2)).close(4401, "unauthorized");
  // The retry connection's own 4401 is terminal by generation, even after its descriptor.
  await nextEvent(client, "revoked");
  t.same(seen.map((e) => e.authRetry), [true, false]);
});

t.test("the retry marker is consumed: a later connection's 4401 is provisional again", async (t) => {
  const { fake, client } = await start(t, {
    onHandshake: (conn) => {
      if (conn.index === 0) conn.close(4401, "unauthorized");
      if (conn.index === 1) conn.close(1011, "overloaded");
      if (conn.index === 2) conn.close(4401, "unauthorized");
    },
  });
  const seen = record(client, "close");
  const revoked = record(client, "revoked");
  await client.connect();
  await nextEvent(client, "handshake", (e) => e.generation === 4);
  t.same(
    seen.map((e) => [e.code, e.authRetry, e.retryInMs]),
    [
      [4401, true, 0],
      [1011, false, 20],
      [4401, true, 0],
    ],
    "a non-auth failure of the retry hands over to the ladder; the next 4401 gets its own retry",
  );
  t.same(revoked, []);
  t.equal(fake.connections.length, 4);
});

t.test("a network failure between a provisional 4401 and the fresh-token dial keeps the marker", async (t) => {
  // ws_transport.py `_dial_and_start` (hermes-agent 00067189): the fresh-token marker is consumed
  // only when a dial's token reaches an auth outcome (upgrade accepted, or 4401), "so a network
  // blip cannot un-mark the real fresh-token dial".
  const refused = await new Promise<string>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(`ws://127.0.0.1:${port}/relay`));
    });
  });
  let dials = 0;
  // The second dial goes to a port nothing listens on: a real connection refusal.
  const dialer: Dialer = (request, events) => wsDialer(++dials === 2 ? { ...request, url: refused } : request, events);
  const { fake, client } = await start(t, { onHandshake: (conn) => conn.close(4401, "unauthorized") }, { dialer, secret: "s3cret", gatewayId: "gw" });
  const seen = record(client, "close");
  const connecting = record(client, "connecting");
  const revokedP = nextEvent(client, "revoked");
  await client.connect();
  await revokedP;
  t.same(
    seen.map((e) => [e.code === 4401 ? 4401 : "network", e.cause, e.authRetry, e.willRetry]),
    [
      [4401, "socket", true, true],
      ["network", "dial-error", true, true],
      [4401, "socket", false, false],
    ],
    "the refused dial leaves the marker; the next 4401 is the fresh token's refusal",
  );
  t.same(connecting.map((c) => c.authRetry), [false, true, true], "both dials after the first carry the marker");
  t.equal(client.state, "revoked", "terminal: the lifecycle has no dial from revoked");
  t.equal(dials, 3, "no extra dial before latching");
  t.equal(fake.upgrades.length, 2);
});

t.test('4401 "expired" is never terminal', async (t) => {
  t.test("after a handshake: ordinary backoff, no fresh-token shortcut", async (t) => {
    const { client } = await start(t, { onHandshake: (conn) => conn.index < 3 && conn.close(4401, "expired") });
    const seen = record(client, "close");
    const revoked = record(client, "revoked");
    await client.connect();
    await nextEvent(client, "handshake", (e) => e.generation === 4);
    t.same(
      seen.map((e) => [e.reason, e.authRetry, e.retryInMs]),
      [
        ["expired", false, 20],
        ["expired", false, 40],
        ["expired", false, 80],
      ],
    );
    t.same(revoked, []);
  });

  t.test("on the fresh-token connection: back to the ladder", async (t) => {
    const { client } = await start(t, {
      onHandshake: (conn) => {
        if (conn.index === 0) conn.close(4401, "unauthorized");
        if (conn.index === 1) conn.close(4401, "expired");
      },
    });
    const seen = record(client, "close");
    const revoked = record(client, "revoked");
    await client.connect();
    await nextEvent(client, "handshake", (e) => e.generation === 3);
    t.same(
      seen.map((e) => [e.reason, e.authRetry, e.retryInMs]),
      [
        ["unauthorized", true, 0],
        ["expired", false, 20],
      ],
    );
    t.same(revoked, []);
    t.equal(client.state, "ready");
  });
});

t.test("keepalive: pings, and an unanswered ping ends the connection", async (t) => {
  t.test("answered pings keep the connection", async (t) => {
    // Deadline well above a loaded machine's pong delay, wait well above the deadline: a client
    // that ignored pongs would drop the connection within the wait.
    const { fake, client } = await start(t, {}, { keepaliveIntervalMs: 20, keepaliveTimeoutMs: 150 });
    await client.connect();
    const conn = await fake.waitForConnection(1);
    let pings = 0;
    conn.ws.on("ping", () => pings++);
    const seen = record(client, "close");
    await sleep(450);
    t.ok(pings >= 5, `pinged (${pings})`);
    t.same(seen, [], "no close while pongs come back");
  });

  t.test("no pong: closed 1011 keepalive ping timeout and re-dialed", async (t) => {
    const { fake, client } = await start(t, { autoPong: false }, { keepaliveIntervalMs: 20, keepaliveTimeoutMs: 40 });
    const closing = nextEvent(client, "close");
    await client.connect();
    const conn = await fake.waitForConnection(1);
    const peerSaw = new Promise<[number, string]>((resolve) => conn.ws.once("close", (code: number, reason: Buffer) => resolve([code, reason.toString()])));
    const close = await closing;
    t.equal(close.cause, "keepalive-timeout");
    t.equal(close.reason, "keepalive ping timeout");
    t.equal(close.willRetry, true);
    t.same(await peerSaw, [1011, "keepalive ping timeout"], "the connector is told why, as the reference gateway's websockets tells it");
    await fake.waitForConnection(2);
  });
});

t.test("goIdle: keeps serving until going_idle_ack, then resolves true", async (t) => {
  const texts: string[] = [];
  const { fake, client } = await start(t, { ackIdle: false }, { handlers: { inbound: (e) => void texts.push(e.text) } });
  await client.connect();
  const conn = await fake.waitForConnection(1);
  let settled = false;
  const idle = client.goIdle(2000).then((acked) => {
    settled = true;
    return acked;
  });
  await conn.waitForType("going_idle");
  t.strictSame(conn.frames.find((f) => f.type === "going_idle"), { type: "going_idle" });
  conn.inbound(messageEvent("before-ack"));
  t.ok((await client.send({ chat_id: "c", content: "while idling" })).success, "requests still served");
  t.same(texts, ["before-ack"], "inbound still delivered");
  t.notOk(settled, "not resolved before the ack");
  conn.send({ type: "going_idle_ack" });
  t.equal(await idle, true);
  t.equal(client.state, "ready", "going idle does not close");
});

t.test("goIdle without an ack resolves false and leaves the connection up", async (t) => {
  const { client } = await start(t, { ackIdle: false });
  await client.connect();
  t.equal(await client.goIdle(60), false);
  t.equal(await client.goDormant(60), false, "goDormant closes only after an ack");
  t.equal(client.state, "ready");
});

t.test("goDormant: normal close after the ack, re-dial on the dormant cadence without consuming an attempt, backlog drained", async (t) => {
  const acks: string[] = [];
  const { fake, client } = await start(
    t,
    {
      onHandshake: (conn) => {
        // The second connection is the re-dial: the connector drains its buffer to it.
        if (conn.index === 1) conn.inbound(messageEvent("buffered while dormant"), "buf-d1");
      },
    },
    { dormantRedialMs: 50, handlers: { inbound: (e, ctx) => void acks.push(`${e.text}/${ctx.bufferId}`) } },
  );
  await client.connect();
  const conn = await fake.waitForConnection(1);
  const closeP = nextEvent(client, "close");
  t.equal(await client.goDormant(2000), true);
  const close = await closeP;
  t.same([close.cause, close.code, close.retryInMs, close.attempt, close.willRetry], ["dormant", 1000, 50, 0, true]);
  t.equal((await conn.closed).code, 1000, "the gateway closed normally");
  const conn2 = await fake.waitForConnection(2);
  await conn2.waitForType("inbound_ack");
  t.same(conn2.acks, ["buf-d1"]);
  t.same(acks, ["buffered while dormant/buf-d1"]);
  t.equal(client.attempt, 0, "no attempt consumed");
});

t.test("reconnect: false stops after the first unexpected close; connect() dials again", async (t) => {
  const { fake, client } = await start(t, {}, { reconnect: false });
  await client.connect();
  const closeP = nextEvent(client, "close");
  (await fake.waitForConnection(1)).close(1011, "overloaded");
  const close = await closeP;
  t.equal(close.willRetry, false);
  t.equal(client.state, "disconnected");
  await sleep(60);
  t.equal(fake.connections.length, 1);
  await client.connect();
  t.equal(fake.connections.length, 2);
});
