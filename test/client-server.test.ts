/**
 * The client against the package's own connector helper (`createRelayServer`), end to end: real
 * bearer verification, descriptors from `onHello`, outbound handlers, the server's delivery
 * buffer with going_idle / drain / inbound_ack, revocation with 4401. Every behaviour runs twice:
 * over WebSockets on 127.0.0.1, and over the in-memory link (`createMemoryLink` feeding the
 * server's `adopt()`), which must not change a single outcome.
 * The same behaviours are tested against plain-`ws` fakes in the other client-*.test.ts files.
 */
import t, { type Test } from "tap";
import type { CapabilityDescriptor, HelloFrame } from "../generated/types.js";
import { parseBearer, verifyUpgradeToken } from "../src/auth/index.js";
import { createMemoryLink, createRelayClient, LocalError, type Dialer, type RelayClient, type RelayClientOptions } from "../src/client/index.js";
import { createRelayServer, type RelayServer, type RelayServerOptions } from "../src/server/index.js";
import { nextEvent, record } from "./helpers/fake-connector.js";
import { descriptor, messageEvent } from "./helpers/fixtures.js";
import { sleep, until } from "./helpers/time.js";

const GATEWAY = "gw-e2e";
const SECRET = "e2e-secret";

/** Discord advertises a narrow op list; every other platform gets the legacy set. */
function describe(hello: Pick<HelloFrame, "platform">): CapabilityDescriptor {
  return descriptor(hello.platform, hello.platform === "discord" ? { supported_ops: ["send", "get_chat_info"] } : {});
}

interface Setup {
  server: RelayServer;
  client: RelayClient;
  /** Inbound/ack frames the server received, as "type:bufferId". */
  acks: string[];
  revokedSecret: { value: boolean };
}

type Via = "ws" | "memory";

/**
 * Links clients to `server` in memory, authenticating each dial as its WebSocket endpoint does:
 * a bad bearer gets a link that is closed with 4401 ("expired" or "unauthorized") before any
 * frame is read.
 */
function memoryLink(server: RelayServer, secrets: (id: string) => string[] | undefined): Dialer {
  return createMemoryLink(async (end, dial): Promise<true> => {
    const token = parseBearer(dial.authorization);
    const verdict = token === undefined ? undefined : await verifyUpgradeToken(token, { secrets });
    if (verdict?.ok !== true) {
      end.attach({ message: () => {}, close: () => {} });
      queueMicrotask(() => end.close(4401, verdict?.ok === false && verdict.reason === "expired" ? "expired" : "unauthorized"));
      return true;
    }
    const binding = server.adopt(end, { gatewayId: verdict.gatewayId });
    end.attach({
      message: (data) => binding.receive(data),
      close: (code, reason) => binding.closed(code, reason),
    });
    return true;
  });
}

async function setupVia(
  via: Via,
  t: { teardown(fn: () => unknown): void },
  serverOptions: Partial<RelayServerOptions> = {},
  clientOptions: Partial<RelayClientOptions> = {},
): Promise<Setup> {
  const revokedSecret = { value: false };
  const secrets = (id: string): string[] | undefined => (id === GATEWAY && !revokedSecret.value ? [SECRET] : undefined);
  const server = createRelayServer({
    auth: { secrets },
    onHello: (hello) => describe(hello),
    keepaliveIntervalMs: 0,
    ...serverOptions,
  });
  const address = via === "ws" ? await server.listen({ host: "127.0.0.1", port: 0 }) : { port: 1 };
  const acks: string[] = [];
  server.on("frameIn", ({ frame }) => {
    if (frame.type === "inbound_ack") acks.push(frame.bufferId);
  });
  const client = createRelayClient({
    url: `http://127.0.0.1:${address.port}`,
    gatewayId: GATEWAY,
    secret: SECRET,
    keepaliveIntervalMs: 0,
    backoffBaseMs: 20,
    random: () => 1,
    ...(via === "memory" && { dialer: memoryLink(server, secrets) }),
    ...clientOptions,
  });
  t.teardown(async () => {
    await client.close();
    await server.close({ drainMs: 500 });
  });
  return { server, client, acks, revokedSecret };
}

for (const via of ["ws", "memory"] as const) {
  t.test(`over ${via}`, async (t) => suite(t, via));
}

function suite(t: Test, via: Via): void {
  const setup = (...args: Parameters<typeof setupVia> extends [Via, ...infer Rest] ? Rest : never): Promise<Setup> => setupVia(via, ...args);

  t.test("the transport under test is the one named", async (t) => {
    const { server, client } = await setup(t);
    const seen: string[] = [];
    server.on("authenticated", () => seen.push("ws"));
    server.on("adopted", () => seen.push("memory"));
    await client.connect();
    t.same(seen, [via]);
  });

  const identities = [
    { platform: "telegram", botId: "tg" },
    { platform: "discord", botId: "dc" },
  ];

  t.test("handshake with several identities, per-platform gating, out-of-order results", async (t) => {
    const order: string[] = [];
    const { server, client } = await setup(
      t,
      {
        handlers: {
          send: async (action, ctx) => {
            // Later requests answer first.
            await sleep(action.content === "first" ? 80 : 10);
            order.push(action.content);
            return {
              success: true,
              message_id: `${ctx.identity.platform}/${ctx.identity.botId}/${action.content}`,
            };
          },
          get_chat_info: (action) => ({
            success: true,
            chat_info: { name: `name-${action.chat_id}`, type: "group" },
          }),
        },
      },
      { identities },
    );
    const discordSeen = nextEvent(client, "descriptor", (e) => e.descriptor.platform === "discord");
    const first = await client.connect();
    t.equal(first.platform, "telegram");
    await discordSeen;
    t.same(
      server.connection(GATEWAY)?.identities,
      [
        { platform: "telegram", botId: "tg" },
        { platform: "discord", botId: "dc" },
      ],
      "the server saw both hellos, in order",
    );

    const [a, b] = await Promise.all([
      client.send({ chat_id: "c", content: "first" }),
      client.send({ chat_id: "c", content: "second" }, { platform: "discord" }),
    ]);
    t.same(order, ["second", "first"], "answered out of order");
    t.equal(a.message_id, "telegram/tg/first");
    t.equal(b.message_id, "discord/dc/second", "platform and botId reached the server's identity resolution");

    const legacy = await client.getChatInfo({ chat_id: "x" });
    t.match(legacy.error, LocalError.NotSupportedPrefix, "telegram advertises nothing: legacy set");
    const info = await client.getChatInfo({ chat_id: "x" }, { platform: "discord" });
    t.same(info.chat_info, { name: "name-x", type: "group" });
  });

  t.test("timeout and late result; connection lost with requests pending", async (t) => {
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    const { server, client } = await setup(t, {
      handlers: {
        send: async (action) => {
          if (action.content === "late") await sleep(150);
          if (action.content === "hang") await hold;
          return { success: true, message_id: action.content };
        },
      },
    });
    t.teardown(() => release());
    await client.connect();
    const protocolErrors = record(client, "protocolError");
    t.same(await client.send({ chat_id: "c", content: "late" }, { timeoutMs: 50 }), { success: false, error: LocalError.TimedOut, ambiguous: true });
    await until(() => protocolErrors.length > 0);
    t.same(
      protocolErrors.map((e) => e.error.code),
      ["unmatched_result"],
      "the late result arrived and was ignored",
    );
    t.equal((await client.send({ chat_id: "c", content: "ok" })).message_id, "ok");

    const pending = [client.send({ chat_id: "c", content: "hang" }), client.send({ chat_id: "c", content: "hang" })];
    await sleep(30);
    server.connection(GATEWAY)?.close(1011, "overloaded");
    for (const r of await Promise.all(pending))
      t.same(r, {
        success: false,
        error: LocalError.ConnectionLost,
        ambiguous: true,
      });
  });

  t.test("live inbound is not acked; a buffered replay is acked after the handler; a failing handler is not", async (t) => {
    const handled: string[] = [];
    let gateOpen!: () => void;
    const gate = new Promise<void>((resolve) => (gateOpen = resolve));
    const { server, client, acks } = await setup(
      t,
      {
        replay: { ackTimeoutMs: 60_000 },
        handlers: { send: () => ({ success: true, message_id: "m" }) },
      },
      {
        dormantRedialMs: 20,
        handlers: {
          inbound: async (event, ctx) => {
            handled.push(`${event.text}:${ctx.bufferId === undefined ? "live" : "buffered"}`);
            if (event.text === "fails") throw new Error("handler failed");
            if (event.text === "slow") await gate;
          },
        },
      },
    );
    await client.connect();
    const live = await server.sendInbound(GATEWAY, messageEvent("live") as never);
    t.equal(live.mode, "live");
    await until(() => handled.length === 1);
    await sleep(30);
    t.same(handled, ["live:live"]);
    t.same(acks, [], "live delivery never acked");

    // Go dormant: the server buffers while the gateway is away and drains on the new handshake.
    t.equal(await client.goDormant(2000), true);
    const slow = server.sendInbound(GATEWAY, messageEvent("slow") as never);
    const fails = server.sendInbound(GATEWAY, messageEvent("fails") as never);
    void fails.catch(() => undefined);
    await nextEvent(client, "handshake");
    await until(() => handled.length === 2);
    await sleep(30);
    t.same(handled, ["live:live", "slow:buffered"], "replayed with bufferId");
    t.same(acks, [], "no ack while the handler runs");
    // Results still flow while the handler is blocked.
    t.same(await client.send({ chat_id: "c", content: "meanwhile" }), {
      success: true,
      message_id: "m",
    });
    gateOpen();
    const receipt = await slow;
    t.equal(receipt.mode, "buffered");
    t.equal(acks.length, 1, "acked once the handler resolved");
    t.equal(acks[0], receipt.bufferId);
    await until(() => handled.length === 3);
    await sleep(50);
    t.same(handled, ["live:live", "slow:buffered", "fails:buffered"]);
    t.equal(acks.length, 1, "the failed delivery was not acked");
  });

  t.test("passthrough bytes and interrupt_inbound from the server", async (t) => {
    const bodies: Buffer[] = [];
    const interrupts: string[] = [];
    const { server, client } = await setup(
      t,
      {},
      {
        handlers: {
          passthroughForward: (req) => void bodies.push(req.body),
          interruptInbound: (i) => void interrupts.push(`${i.session_key}|${i.chat_id}`),
        },
      },
    );
    await client.connect();
    const bytes = Buffer.from([1, 2, 0xff, 0x0a]);
    await server.sendPassthrough(GATEWAY, {
      platform: "discord",
      botId: "b",
      method: "POST",
      path: "/i",
      headers: [["a", "b"]],
      bodyB64: bytes.toString("base64"),
    });
    t.equal(
      await server.sendInterruptInbound(GATEWAY, {
        session_key: "agent:main:x",
        chat_id: "c",
      }),
      true,
    );
    await until(() => bodies.length === 1 && interrupts.length === 1);
    t.ok(bodies[0]?.equals(bytes));
    t.same(interrupts, ["agent:main:x|c"]);
  });

  t.test("going idle against the server", async (t) => {
    const { server, client } = await setup(t);
    const idled = new Promise((resolve) => server.once("goingIdle", resolve));
    await client.connect();
    t.equal(await client.goIdle(2000), true);
    await idled;
    t.equal(server.connection(GATEWAY)?.phase, "idle");
  });

  t.test("a server that drops right after each handshake: the ladder climbs", async (t) => {
    const { server, client } = await setup(t);
    server.on("handshake", ({ connection }) => connection.close(1011, "overloaded"));
    const closes = record(client, "close");
    await client.connect();
    while (closes.length < 3) await nextEvent(client, "close");
    t.same(
      closes.slice(0, 3).map((c) => c.retryInMs),
      [20, 40, 80],
    );
  });

  t.test("fresh token per dial, verified by the server", { skip: via === "memory" && "the upgrade request exists only over ws" }, async (t) => {
    let skew = 0;
    // Each mint reads a clock one second further on, so every dial's token differs.
    const { server, client } = await setup(t, {}, { backoffBaseMs: 5, now: () => Date.now() + (skew += 1000) });
    const headers: Array<string | undefined> = [];
    server.on("authenticated", ({ request }) => headers.push(request.headers.authorization));
    await client.connect();
    server.connection(GATEWAY)?.close(1011, "overloaded");
    await nextEvent(client, "handshake");
    t.equal(headers.length, 2, "both dials authenticated by the server");
    t.not(headers[0], headers[1], "with different tokens");
  });

  t.test("4401: wrong secret before a handshake is retryable; revocation after one is terminal", async (t) => {
    t.test("pre-handshake", async (t) => {
      const { client } = await setup(t, {}, { secret: "wrong" });
      const err = await client.connect().catch((e: unknown) => e);
      t.match(err, {
        name: "RelayConnectError",
        code: 4401,
        reason: "unauthorized",
        revoked: false,
        willRetry: true,
      });
      await nextEvent(client, "close");
      t.equal(client.state, "backoff", "still retrying");
    });

    t.test("post-handshake revoke: immediate fresh-token re-dial, refused again: revoked", async (t) => {
      const { server, client, revokedSecret } = await setup(t, {}, { backoffBaseMs: 10_000 });
      await client.connect();
      const revoked = nextEvent(client, "revoked");
      const closes = record(client, "close");
      revokedSecret.value = true;
      await server.revoke(GATEWAY);
      const ev = await revoked;
      t.same([ev.code, ev.reason], [4401, "unauthorized"]);
      t.same(
        closes.map((c) => [c.authRetry, c.retryInMs ?? null]),
        [
          [true, 0],
          [false, null],
        ],
      );
      t.equal(client.state, "revoked");
    });

    t.test("post-handshake revoke while the secret is still valid: the fresh-token re-dial succeeds", async (t) => {
      const { server, client } = await setup(t, {}, { backoffBaseMs: 10_000 });
      await client.connect();
      await server.revoke(GATEWAY);
      const hs = await nextEvent(client, "handshake");
      t.equal(hs.generation, 2);
      t.equal(client.state, "ready");
    });

    t.test('"expired" on the re-dial is not terminal', async (t) => {
      let past = false;
      const { server, client } = await setup(
        t,
        {},
        {
          now: () => (past ? Date.now() - 3_600_000 : Date.now()),
          tokenTtlSeconds: 60,
        },
      );
      await client.connect();
      const closes = record(client, "close");
      past = true;
      await server.revoke(GATEWAY);
      const expired = await nextEvent(client, "close", (c) => c.reason === "expired");
      t.equal(expired.willRetry, true);
      past = false;
      await nextEvent(client, "handshake");
      t.same(
        closes.map((c) => c.reason),
        ["unauthorized", "expired"],
      );
      t.equal(client.state, "ready");
    });
  });
}
