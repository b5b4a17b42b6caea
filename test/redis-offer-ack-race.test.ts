/**
 * A push offered over the Redis bus and answered `buffered` settles when its entry is acked, even
 * when the answer and the ack reach the offering node in the same read.
 *
 * Node A holds no socket for the gateway and offers the push; node B holds it and answers
 * `delivered` (buffered, with a bufferId), replays the entry, the gateway acks it, and the ack is
 * published. A subscriber that has fallen behind reading (a loaded host, or right after a Redis
 * restart while the holder drains) gets the answer and the ack in one chunk, and ioredis hands
 * them over one after the other before any promise continuation runs. The ack wait must already
 * exist when the answer is handled, or the ack goes by and `sendInbound` never settles.
 *
 * Here A's connections run through a proxy that holds what Redis sends A until both messages are
 * on the wire, then passes them on in one write. B runs `delivery: "acked"`, so its answer is
 * always `buffered`.
 */
import t from "tap";
import { Redis } from "ioredis";
import { createRelayClient } from "../src/client/index.js";
import { createRedisScaleOut, createRelayServer, type RelayServer } from "../src/server/index.js";
import { FaultProxy } from "./helpers/fault-proxy.js";
import { descriptor, messageEvent } from "./helpers/fixtures.js";
import { startRedisServer } from "./helpers/redis-server.js";
import { until as untilShared } from "./helpers/time.js";

const GW = "gw-race";
const SECRET = "s3cret-offer-ack";
const PREFIX = "oar:";
const CHANNEL = `${PREFIX}bus`;

const until = (probe: () => boolean | Promise<boolean>, what: string) => untilShared(probe, 15_000, what, 10);

const redis = await startRedisServer();
t.teardown(() => redis.stop());
const proxy = await FaultProxy.start({ host: "127.0.0.1", port: redis.port });
t.teardown(() => proxy.close());

function node(nodeId: string, redisUrl: string, delivery: "live" | "acked") {
  const scale = createRedisScaleOut({ redis: redisUrl, keyPrefix: PREFIX, connectionName: nodeId, commandTimeoutMs: 10_000 });
  const server: RelayServer = createRelayServer({
    nodeId,
    auth: { secrets: async () => [SECRET] },
    onHello: (hello) => descriptor(hello.platform),
    bus: scale.bus,
    buffer: scale.buffer,
    delivery,
    keepaliveIntervalMs: 0,
    remoteDeliveryTimeoutMs: 10_000,
  });
  return { scale, server };
}

// A reaches Redis only through the proxy; B directly.
const a = node("node-a", `redis://127.0.0.1:${proxy.port}`, "live");
const b = node("node-b", redis.url, "acked");
for (const n of [a, b]) {
  await n.scale.attach(n.server);
  t.teardown(async () => {
    await n.server.close();
    await n.scale.close();
  });
}
const { port: portB } = await b.server.listen({ host: "127.0.0.1", port: 0 });

// What goes over the bus channel, seen by a subscriber of its own.
const wire: Array<{ kind: string; origin: string; bufferId?: string; to?: string }> = [];
const spy = new Redis(redis.url);
t.teardown(() => void spy.disconnect());
spy.on("message", (_channel: string, text: string) => {
  const parsed = JSON.parse(text) as { b?: Array<{ m: (typeof wire)[number] }>; m?: (typeof wire)[number] };
  for (const entry of parsed.b ?? [parsed as { m: (typeof wire)[number] }]) wire.push(entry.m);
});
await spy.subscribe(CHANNEL);

const received: string[] = [];
const client = createRelayClient({
  url: `http://127.0.0.1:${portB}`,
  gatewayId: GW,
  secret: SECRET,
  identities: [{ platform: "telegram", botId: "bot-1" }],
  handlers: { inbound: (event) => void received.push(event.text) },
  reconnect: false,
  keepaliveIntervalMs: 0,
});
t.teardown(() => client.close());
await client.connect();
await until(() => b.server.connections().some((c) => c.phase === "live"), "B live");

t.test("an offer answered buffered settles on the ack that arrives in the same read as the answer", async (t) => {
  t.match(await a.server.sendInbound(GW, messageEvent("first")), { mode: "buffered" }, "the path works with nothing held");
  t.equal(a.scale.bus.awaitingAcks, 0);

  const links = proxy.links();
  t.equal(links.length, 3, "A's three connections (bus publisher, bus subscriber, buffer) run through the proxy");
  for (const link of links) proxy.hold(link);
  wire.length = 0;

  let outcome: { mode: string; bufferId?: string } | Error | undefined;
  a.server.sendInbound(GW, messageEvent("held")).then(
    (receipt) => (outcome = receipt),
    (err: unknown) => (outcome = err as Error),
  );
  // B answers, replays, the gateway acks, and the ack is published (by the buffer's script and by B).
  await until(() => received.includes("held"), "the gateway received the push");
  const answer = await (async () => {
    await until(() => wire.some((m) => m.kind === "delivered" && m.to === "node-a"), "B's answer on the wire");
    return wire.find((m) => m.kind === "delivered" && m.to === "node-a") as (typeof wire)[number];
  })();
  t.equal(answer.bufferId !== undefined, true, "answered buffered, with a bufferId");
  await until(() => wire.filter((m) => m.kind === "acked" && m.bufferId === answer.bufferId).length === 2, "both acks on the wire");
  t.equal(outcome, undefined, "nothing reached A yet");

  for (const link of links) proxy.release(link);
  await until(() => outcome !== undefined, "the push settled");
  t.same(outcome, { mode: "buffered", bufferId: answer.bufferId }, "settled on its ack");
  await until(() => a.scale.bus.awaitingAcks === 0, "no ack left waited on");
  t.equal(await a.scale.buffer.size(GW), 0);
});
