/**
 * Issue 8: Redis restarted (killed with SIGKILL, started again on the same port and AOF
 * directory) while three connector instances in their own processes deliver live to a gateway.
 *
 * The documented recovery (docs/scale-out.md, "Redis outage"), asserted here:
 * - no instance crashes, and the gateway's socket to its instance stays up;
 * - the instance holding the gateway keeps delivering its own pushes live (that path never
 *   touches Redis);
 * - a push on another instance fails fast with `RedisUnavailableError` while Redis is down — no
 *   other error, and none hangs;
 * - ioredis reconnects, each instance's bus resubscribes (reported, and visible in PUBSUB
 *   NUMSUB), and cross-instance delivery works again;
 * - what was durable before the crash (a backlog, the idle flip) is still there and drains;
 * - every push that reported success reached the gateway.
 */
import t from "tap";
import { Redis } from "ioredis";
import { createRelayClient } from "../src/client/index.js";
import { NODE_SECRET, startLoadBalancer, startRedisNode, type PushRecord, type RedisNode } from "./helpers/redis-node.js";
import { startRedisServer } from "./helpers/redis-server.js";
import { sleep, until as untilShared } from "./helpers/time.js";

const GW = "gw-live";
const GW_IDLE = "gw-away";
const PREFIX = "rr:";

const redis = await startRedisServer();
t.teardown(() => redis.stop());
const raw = new Redis(redis.url, { retryStrategy: () => 50 });
raw.on("error", () => undefined);
t.teardown(() => void raw.disconnect());
const lb = await startLoadBalancer();
t.teardown(() => lb.close());
const nodes = await Promise.all(["node-a", "node-b", "node-c"].map((name) => startRedisNode({ name, redisUrl: redis.url, keyPrefix: PREFIX, commandTimeoutMs: 1000 })));
t.teardown(() => Promise.all(nodes.map((n) => n.stop())));
const [A, B, C] = nodes as [RedisNode, RedisNode, RedisNode];

/** Redis (and the node processes) answer more slowly: a longer wait, polled less often. */
const until = (probe: () => boolean | Promise<boolean>, timeoutMs = 10_000, what?: string) => untilShared(probe, timeoutMs, what, 10);

const received: Array<{ text: string; bufferId: string | undefined }> = [];
const client = createRelayClient({
  url: lb.url,
  gatewayId: GW,
  secret: NODE_SECRET,
  identities: [{ platform: "telegram", botId: "bot-1" }],
  handlers: { inbound: (event, ctx) => void received.push({ text: event.text, bufferId: ctx.bufferId }) },
  backoffBaseMs: 20,
  backoffMaxMs: 100,
  keepaliveIntervalMs: 0,
});
t.teardown(() => client.close());
const generations: number[] = [];
client.on("handshake", (e) => generations.push(e.generation));

t.test("Redis restarted during live delivery: no crash, fail fast while down, resubscribe and resume after", async (t) => {
  lb.setTarget(B.port);
  await client.connect();
  await until(async () => (await B.call<Array<{ phase: string }>>("connections")).some((c) => c.phase === "live"));

  // A gateway that went idle before the crash, with a backlog published on C.
  await raw.set(`${PREFIX}idle:{${GW_IDLE}}`, "1");
  const backlog: string[] = [];
  for (let i = 0; i < 5; i++) backlog.push((await C.call<PushRecord>("push", { text: `away-${i}`, gatewayId: GW_IDLE })).appendedAs as string);

  await A.call("startPushing", { prefix: "a", gatewayId: GW, intervalMs: 10 });
  await B.call("startPushing", { prefix: "b", gatewayId: GW, intervalMs: 10 });
  await until(() => received.filter((r) => r.text.startsWith("a-")).length >= 10 && received.filter((r) => r.text.startsWith("b-")).length >= 10);

  const eventsBefore = nodes.map((n) => n.events.length);
  const receivedBefore = received.length;
  await redis.kill("SIGKILL");
  await sleep(500); // an outage of half a second, pushes continuing on A and B
  const duringOutage = received.slice(receivedBefore).map((r) => r.text);
  await redis.restart();

  for (const [i, n] of nodes.entries()) await n.waitForEvent((e) => e.type === "resubscribed", 10_000, eventsBefore[i]);
  t.pass("each instance reported its bus resubscribed");
  t.same(await raw.pubsub("NUMSUB", `${PREFIX}bus`), [`${PREFIX}bus`, 3], "three subscribers again");
  await sleep(300); // pushes continuing after the recovery
  const [fromA, fromB] = await Promise.all([A.call<PushRecord[]>("stopPushing", { settleMs: 10_000 }, 20_000), B.call<PushRecord[]>("stopPushing", { settleMs: 10_000 }, 20_000)]);
  t.same([...fromA, ...fromB].filter((r) => r.status === "pending"), [], "every push settled");

  for (const n of nodes) t.equal(await n.call("ping"), "pong", `${n.name} alive`);
  t.same(generations.length, 1, "the gateway's socket to B stayed up throughout", {
    events: B.events.filter((e) => ["close", "drainStart", "drainEnd", "handlerError"].includes(e.type)),
  });

  t.ok(duringOutage.some((text) => text.startsWith("b-")), "B's own pushes kept arriving live during the outage");
  t.same(fromB.filter((r) => r.status !== "ok"), [], "none of B's pushes failed");
  t.ok(fromB.every((r) => r.mode === "live" || r.mode === "buffered"), "B: live (or from its buffer)");

  const failedA = fromA.filter((r) => r.status === "error");
  t.ok(failedA.length > 0, `${failedA.length} of A's ${fromA.length} pushes failed during the outage`);
  t.same([...new Set(failedA.map((r) => `${r.error?.name} ${r.error?.code}`))], ["RedisUnavailableError REDIS_UNAVAILABLE"], "only with RedisUnavailableError");
  const firstFail = fromA.indexOf(failedA[0] as PushRecord);
  const lastFail = fromA.lastIndexOf(failedA.at(-1) as PushRecord);
  t.ok(fromA.slice(0, firstFail).some((r) => r.mode === "remote"), "before the outage A's pushes went to B over the bus");
  const recovered = fromA.slice(lastFail + 1);
  t.ok(recovered.length > 0 && recovered.every((r) => r.status === "ok"), `after it, all ${recovered.length} of A's pushes succeeded`);
  // Taken by B over the bus: live, or into the buffer by B (B may still be draining after its resubscribe kick).
  t.ok(recovered.some((r) => r.mode === "remote" || (r.mode === "buffered" && r.appendedAs === undefined)), "some answered by B over the bus");
  await until(async () => (await B.call<Array<{ phase: string }>>("connections")).every((c) => c.phase === "live"), 10_000, "B live");
  t.match(await A.call<PushRecord>("push", { text: "a-final", gatewayId: GW }), { status: "ok", mode: "remote" }, "once B is live, A's push is written live by B again");

  await sleep(200);
  const texts = new Set(received.map((r) => r.text));
  const lost = [...fromA, ...fromB].filter((r) => r.status === "ok" && !texts.has(r.text)).map((r) => r.text);
  t.same(lost, [], "every push that reported success was delivered");

  for (const n of nodes) {
    const errors = n.events.filter((e) => e.type === "handlerError");
    t.same([...new Set(errors.map((e) => e.name))].filter((name) => name !== "RedisUnavailableError"), [], `${n.name}: only Redis-unavailable errors reported`);
  }

  // The backlog from before the crash survived (AOF) and drains to its gateway on any instance.
  const away: Array<{ text: string; bufferId: string | undefined }> = [];
  const g2 = createRelayClient({
    url: A.url,
    gatewayId: GW_IDLE,
    secret: NODE_SECRET,
    identities: [{ platform: "telegram", botId: "bot-2" }],
    handlers: { inbound: (event, ctx) => void away.push({ text: event.text, bufferId: ctx.bufferId }) },
    reconnect: false,
    keepaliveIntervalMs: 0,
  });
  t.teardown(() => g2.close());
  await g2.connect();
  await until(() => away.length === 5);
  t.same(away, backlog.map((bufferId, i) => ({ text: `away-${i}`, bufferId })));
  const receipts = await C.call<PushRecord[]>("receipts", { prefix: "away-", wait: true });
  t.ok(receipts.every((r) => r.status === "ok" && r.mode === "buffered"), "C's promises from before the crash resolved by the ack taken on A");
  await until(async () => (await raw.exists(`${PREFIX}idle:{${GW_IDLE}}`)) === 0, 5000, "the flip cleared after the drain");
  t.equal(await raw.xlen(`${PREFIX}delivery:{${GW_IDLE}}`), 0);
});
