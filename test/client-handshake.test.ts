/**
 * Client ↔ fake connector (plain `ws`): dialing, hellos, descriptors, supported_ops gating,
 * fresh tokens, outgoing validation.
 */
import t from "tap";
import { verifyUpgradeTokenSync } from "../src/auth/index.js";
import { FrameValidationError } from "../src/codec/index.js";
import { createRelayClient, LocalError, RelayConnectError, type RelayClient, type RelayClientOptions } from "../src/client/index.js";
import { FakeConnector, nextEvent, type FakeConnectorOptions } from "./helpers/fake-connector.js";
import { descriptor } from "./helpers/fixtures.js";

async function setup(
  t: { teardown(fn: () => unknown): void },
  connectorOptions: FakeConnectorOptions = {},
  clientOptions: Partial<RelayClientOptions> = {},
): Promise<{ fake: FakeConnector; client: RelayClient }> {
  const fake = await FakeConnector.start(connectorOptions);
  const client = createRelayClient({ url: fake.url, keepaliveIntervalMs: 0, ...clientOptions });
  t.teardown(async () => {
    await client.close();
    await fake.close();
  });
  return { fake, client };
}

const identities = [
  { platform: "telegram", botId: "tg-bot" },
  {
    platform: "discord",
    botId: "dc-bot",
    commandManifest: [{ name: "ask", description: "Ask the agent" }],
  },
  { platform: "slack", botId: "sl-bot" },
];

t.test("several identities: URL normalised, hellos in order, first descriptor resolves connect()", async (t) => {
  const fake = await FakeConnector.start({
    descriptorFor: (hello) => descriptor(String(hello.platform), { label: `label-${String(hello.platform)}` }),
  });
  const client = createRelayClient({ url: ` ${fake.url}/ `, identities, keepaliveIntervalMs: 0 });
  t.teardown(async () => {
    await client.close();
    await fake.close();
  });
  t.equal(client.url, `${fake.url.replace("http://", "ws://")}/relay`);

  const lastDescriptor = nextEvent(client, "descriptor", (e) => e.descriptor.platform === "slack");
  const first = await client.connect();
  t.equal(first.platform, "telegram", "connect() resolves with the first descriptor");
  t.equal(first.label, "label-telegram");
  t.equal(fake.upgrades[0]?.path, "/relay");

  const conn = await fake.waitForConnection(1);
  await conn.waitForType("hello", 3);
  t.same(
    conn.hellos.map((h) => [h.platform, h.botId]),
    [
      ["telegram", "tg-bot"],
      ["discord", "dc-bot"],
      ["slack", "sl-bot"],
    ],
  );
  t.same(conn.hellos[1]?.command_manifest, [{ name: "ask", description: "Ask the agent" }], "manifest on the discord hello");
  t.notOk("command_manifest" in (conn.hellos[0] ?? {}), "no manifest where none was given");
  t.notOk("command_manifest" in (conn.hellos[2] ?? {}));
  t.same(conn.messages.slice(0, 3).map((m) => m.endsWith("\n") && m.indexOf("\n") === m.length - 1), [true, true, true], "one newline-terminated frame per message");

  await lastDescriptor;
  t.same([...client.descriptors.keys()].sort(), ["discord", "slack", "telegram"], "descriptors kept per platform");
  t.equal(client.defaultDescriptor?.platform, "telegram", "the first is the session default");
  t.equal(client.state, "ready");
});

t.test("default identity is (relay, \"\")", async (t) => {
  const { fake, client } = await setup(t);
  await client.connect();
  const conn = await fake.waitForConnection(1);
  t.same(conn.hellos.map((h) => [h.platform, h.botId]), [["relay", ""]]);
});

t.test("a descriptor with null presentation and optional keys handshakes; nulls read as absent", async (t) => {
  // descriptor.py `CapabilityDescriptor.from_json` (hermes-agent 09ffeaec) keeps any value of the
  // keys it does not normalise, so a connector sending null there still completes the handshake.
  const nulls = { label: null, emoji: null, platform_hint: null, pii_safe: null, supports_context: null, supports_block_formatting: null };
  const { client } = await setup(t, { descriptorFor: (hello) => ({ ...descriptor(String(hello.platform)), ...nulls }) as never });
  const errors: unknown[] = [];
  client.on("protocolError", (e) => void errors.push(e));
  const got = await client.connect();
  t.equal(got.label, "", "a null label reads as empty");
  for (const key of ["emoji", "platform_hint", "pii_safe", "supports_context", "supports_block_formatting"]) {
    t.notOk(key in got, `${key}: null reads as absent`);
  }
  t.equal(got.supports_edit, descriptor("x").supports_edit, "the keys a receiver acts on are kept");
  t.same(errors, [], "nothing reported");
});

t.test("supported_ops gates ops per platform descriptor without touching the wire", async (t) => {
  const { fake, client } = await setup(
    t,
    {
      descriptorFor: (hello) =>
        hello.platform === "discord"
          ? descriptor("discord", { supported_ops: ["send", "get_chat_info", "draft", 7 as never, ""], supports_draft_streaming: true })
          : hello.platform === "slack"
            ? descriptor("slack", { supported_ops: ["draft"], supports_draft_streaming: false })
            : descriptor(String(hello.platform)),
      onOutbound: (frame) => ({ success: true, message_id: `${String(frame.platform)}:${String((frame.action as { op: string }).op)}` }),
    },
    { identities },
  );
  const allDescriptors = nextEvent(client, "descriptor", (e) => e.descriptor.platform === "slack");
  await client.connect();
  const conn = await fake.waitForConnection(1);
  await allDescriptors;

  // Session default (telegram) has no supported_ops: the legacy set.
  const legacy = await client.getChatInfo({ chat_id: "c1" });
  t.equal(legacy.success, false);
  t.match(legacy.error, LocalError.NotSupportedPrefix, "get_chat_info is not in the legacy set");
  t.notOk(legacy.ambiguous, "not ambiguous: nothing was written");
  t.ok((await client.send({ chat_id: "c1", content: "hi" })).success, "send is in the legacy set");
  t.ok((await client.typing({ chat_id: "c1" })).success);

  const info = await client.getChatInfo({ chat_id: "c1" }, { platform: "discord" });
  t.equal(info.success, true, "discord advertises get_chat_info");
  const edit = await client.edit({ chat_id: "c1", message_id: "m", content: "x" }, { platform: "discord" });
  t.equal(edit.success, false, "a non-empty list replaces the legacy set");
  t.ok((await client.draft({ chat_id: "c1", draft_id: 1, content: "d", final: false }, { platform: "discord" })).success);
  const slackDraft = await client.draft({ chat_id: "c1", draft_id: 1, content: "d", final: false }, { platform: "slack" });
  t.equal(slackDraft.success, false, "draft also needs supports_draft_streaming");

  // An unknown platform falls back to the session default for gating, and gets no botId.
  const other = await client.send({ chat_id: "c9", content: "x" }, { platform: "matrix" });
  t.equal(other.success, true);

  t.same(
    conn.outbounds.map((f) => [(f.action as { op: string }).op, f.platform ?? null, f.botId ?? null]),
    [
      ["send", null, null],
      ["typing", null, null],
      ["get_chat_info", "discord", "dc-bot"],
      ["draft", "discord", "dc-bot"],
      ["send", "matrix", null],
    ],
    "only the advertised ops reached the wire, with platform/botId",
  );
  t.equal(client.supportsOp("get_chat_info"), false);
  t.equal(client.supportsOp("get_chat_info", "discord"), true);
});

t.test("requests fail fast when not connected, and after close", async (t) => {
  const fake = await FakeConnector.start();
  const client = createRelayClient({ url: fake.url, keepaliveIntervalMs: 0 });
  t.teardown(() => fake.close());
  const before = await client.send({ chat_id: "c", content: "x" });
  t.same(before, { success: false, error: LocalError.NotConnected });
  t.equal(client.interrupt("agent:main:x"), false);
  t.equal(await client.goIdle(), false);
  await client.connect();
  await client.close();
  const after = await client.send({ chat_id: "c", content: "x" });
  t.same(after, { success: false, error: LocalError.Closed });
  t.equal(client.state, "closed");
  await t.rejects(client.connect(), { name: "RelayClientClosedError" });
  t.equal(fake.connections.length, 1);
  t.equal(fake.connections[0]?.outbounds.length, 0, "nothing written");
});

t.test("handshake timeout rejects connect()", async (t) => {
  const { fake, client } = await setup(t, { descriptorFor: () => undefined }, { handshakeTimeoutMs: 150, reconnect: false });
  const closed = nextEvent(client, "close");
  const err = await client.connect().then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof RelayConnectError);
  t.equal((err as RelayConnectError).kind, "handshake-timeout");
  t.equal((err as RelayConnectError).willRetry, false);
  const close = await closed;
  t.equal(close.cause, "handshake-timeout");
  t.equal(close.handshaked, false);
  t.equal(client.state, "disconnected");
  const conn = await fake.waitForConnection(1);
  await conn.closed;
  t.ok(conn.closeInfo, "the socket was dropped");
});

t.test("a failed first dial rejects connect() with the close code and keeps retrying", async (t) => {
  let refused = 0;
  const { fake, client } = await setup(
    t,
    {
      onConnection: (conn) => {
        if (conn.index === 0) {
          refused++;
          conn.close(4429, "Gateway already connected");
        }
      },
    },
    { backoffBaseMs: 20, random: () => 1 },
  );
  const err = (await client.connect().catch((e: unknown) => e)) as RelayConnectError;
  t.ok(err instanceof RelayConnectError);
  t.match(err.message, /4429/);
  t.equal(err.code, 4429);
  t.equal(err.willRetry, true);
  t.equal(err.retryInMs, 20);
  const hs = await nextEvent(client, "handshake");
  t.equal(hs.generation, 2);
  t.equal(refused, 1);
  t.equal(fake.connections.length, 2);
});

t.test("a fresh token on every dial", async (t) => {
  t.test("minted from gatewayId + secret", async (t) => {
    let clock = 1_800_000_000_000;
    const { fake, client } = await setup(
      t,
      { onHandshake: (conn) => conn.close(1011, "overloaded") },
      {
        gatewayId: "gw-test",
        secret: "s3cret",
        backoffBaseMs: 5,
        backoffMaxMs: 5,
        // Every read of the clock moves one second on, so consecutive mints differ.
        now: () => (clock += 1000),
      },
    );
    await client.connect();
    await fake.waitForConnection(3);
    const headers = fake.upgrades.slice(0, 3).map((u) => u.authorization);
    t.equal(new Set(headers).size, 3, "three dials, three different tokens");
    for (const header of headers) {
      t.match(header, /^Bearer [A-Za-z0-9_-]+$/);
      const token = (header as string).slice("Bearer ".length);
      const verdict = verifyUpgradeTokenSync(token, { secrets: ["s3cret"], now: clock / 1000 - 10 });
      t.ok(verdict.ok, "verifies with the secret");
      if (verdict.ok) t.equal(verdict.gatewayId, "gw-test");
    }
  });

  t.test("from the caller's async token function, called once per dial", async (t) => {
    let calls = 0;
    const { fake, client } = await setup(
      t,
      { onHandshake: (conn) => conn.close(1000) },
      {
        token: async () => `tok${++calls}`,
        backoffBaseMs: 5,
        backoffMaxMs: 5,
      },
    );
    await client.connect();
    await (await fake.waitForConnection(3)).waitForType("hello");
    t.same(
      fake.upgrades.slice(0, 3).map((u) => u.authorization),
      ["Bearer tok1", "Bearer tok2", "Bearer tok3"],
    );
    t.same(
      fake.connections.slice(0, 3).map((c) => c.hellos.length),
      [1, 1, 1],
      "every dial re-sends the hellos",
    );
  });

  t.test("no credentials: no Authorization header", async (t) => {
    const { fake, client } = await setup(t);
    await client.connect();
    t.equal(fake.upgrades[0]?.authorization, undefined);
  });

  t.test("half the credentials is a configuration error", async (t) => {
    t.throws(() => createRelayClient({ url: "ws://127.0.0.1:1", gatewayId: "gw" }), TypeError);
    t.throws(() => createRelayClient({ url: "ws://127.0.0.1:1", gatewayId: "gw", secret: "s", token: () => "x" }), TypeError);
  });
});

t.test("outgoing frames are validated strictly before the wire", async (t) => {
  const { fake, client } = await setup(t);
  await client.connect();
  const conn = await fake.waitForConnection(1);
  await t.rejects(
    client.send({ chat_id: "c", content: "x", metadata: { scope_id: 5 } as never }),
    FrameValidationError,
    "a metadata value of the wrong type is refused",
  );
  await t.rejects(client.request({ op: "send", chat_id: "c", content: "x", reply_to: null, bogus: 1 } as never), FrameValidationError);
  t.ok((await client.send({ chat_id: "c", content: "ok" })).success);
  t.equal(conn.outbounds.length, 1, "only the valid request was written");
  t.equal((conn.outbounds[0]?.action as { content: string }).content, "ok");
  // The reference's edit/typing/prompt/send_media forward `_` markers as given: valid on the wire.
  t.ok((await client.send({ chat_id: "c", content: "marked", metadata: { _stream_reply_to_message_id: "m-1" } })).success, "a `_` metadata key is sent");
  t.match(conn.outbounds[0]?.requestId, /^[0-9a-f]{32}$/, "requestId is uuid4 hex");

  t.throws(
    () => createRelayClient({ url: fake.url, identities: [{ platform: "discord", botId: "b", commandManifest: [{ name: "Bad Name", description: "x" }] }] }),
    FrameValidationError,
    "an invalid hello is a construction error",
  );
  // With validation off the client writes what it is given.
  const lax = createRelayClient({ url: fake.url, keepaliveIntervalMs: 0, validateOutgoing: false });
  t.teardown(() => lax.close());
  await lax.connect();
  await lax.send({ chat_id: "c", content: "x", metadata: { _interim_send: true } });
  const conn2 = await fake.waitForConnection(2);
  t.equal(conn2.outbounds.length, 1);
});
