/**
 * Issue 8: three connector instances (createRelayServer on the Redis bus and buffer), each in its
 * own process, one real redis-server, and one gateway (createRelayClient) behind a TCP balancer
 * that the test points at one instance or another. Runs as one sequence, each step starting from
 * where the previous left the gateway.
 */
import t from "tap";
import { Redis } from "ioredis";
import type { InterruptInboundFrame } from "../generated/types.js";
import { createRelayClient, type RelayClient } from "../src/client/index.js";
import { NODE_SECRET, startLoadBalancer, startRedisNode, type PushRecord, type RedisNode, type RedisNodeConfig } from "./helpers/redis-node.js";
import { startRedisServer } from "./helpers/redis-server.js";
import { sleep, until as untilShared } from "./helpers/time.js";

const GW = "gw-main";
const GW2 = "gw-second";
const SESSION_ON_GW2 = "agent:main:telegram:dm:42";
const PREFIX = "so:";

const redis = await startRedisServer();
t.teardown(() => redis.stop());
const raw = new Redis(redis.url);
t.teardown(() => void raw.disconnect());
const lb = await startLoadBalancer();
t.teardown(() => lb.close());

const nodeConfig = (name: string): RedisNodeConfig => ({
  name,
  redisUrl: redis.url,
  keyPrefix: PREFIX,
  sessions: { [SESSION_ON_GW2]: { gatewayId: GW2, chat_id: "42" } },
  replay: { window: 64 },
});
const nodes: RedisNode[] = [];
async function node(name: string): Promise<RedisNode> {
  const n = await startRedisNode(nodeConfig(name));
  nodes.push(n);
  return n;
}
t.teardown(() => Promise.all(nodes.map((n) => n.stop())));
const [A, B, C0] = await Promise.all([node("node-a"), node("node-b"), node("node-c")]);
let C = C0 as RedisNode;

/** Redis (and the node processes) answer more slowly: a longer wait, polled less often. */
const until = (probe: () => boolean | Promise<boolean>, timeoutMs = 10_000, what?: string) => untilShared(probe, timeoutMs, what, 10);

// ── the gateway ──────────────────────────────────────────────────────────────
interface Delivery {
  text: string;
  bufferId: string | undefined;
  generation: number;
}
const deliveries: Delivery[] = [];
const interrupts: InterruptInboundFrame[] = [];
let handlerDelayMs = 0;
let onDelivery: ((count: number) => void) | undefined;
const client: RelayClient = createRelayClient({
  url: lb.url,
  gatewayId: GW,
  secret: NODE_SECRET,
  identities: [{ platform: "telegram", botId: "bot-1" }],
  handlers: {
    inbound: async (event, ctx) => {
      deliveries.push({ text: event.text, bufferId: ctx.bufferId, generation: ctx.generation });
      onDelivery?.(deliveries.length);
      if (handlerDelayMs > 0) await sleep(handlerDelayMs);
    },
    interruptInbound: (frame) => void interrupts.push(frame),
  },
  backoffBaseMs: 20,
  backoffMaxMs: 100,
  dormantRedialMs: 20,
  keepaliveIntervalMs: 0,
});
t.teardown(() => client.close());
let generation = 0;
client.on("handshake", (e) => (generation = e.generation));
const closes: Array<{ code: number; handshaked: boolean }> = [];
client.on("close", (e) => closes.push({ code: e.code, handshaked: e.handshaked }));

/** Other gateways, closed at the end. */
const gateways: RelayClient[] = [];
const second: InterruptInboundFrame[] = [];
t.teardown(() => Promise.all(gateways.map((g) => g.close())));

const deliveryKey = `${PREFIX}delivery:{${GW}}`;
const idleKey = `${PREFIX}idle:{${GW}}`;

/** Waits until `holder` has the gateway handshaked and live, and no other instance has it. */
async function liveOn(holder: RedisNode, gatewayId = GW): Promise<void> {
  await until(
    async () => {
      const all = await Promise.all(nodes.filter((n) => n.alive).map(async (n) => [n, await n.call<Array<{ gatewayId: string; phase: string }>>("connections")] as const));
      return all.every(([n, conns]) => {
        const mine = conns.filter((c) => c.gatewayId === gatewayId);
        return n === holder ? mine.length === 1 && mine[0]?.phase === "live" : mine.length === 0;
      });
    },
    10_000,
    `${gatewayId} live on ${holder.name}`,
  );
}

/** Moves the gateway: new dials go to `to`, the current connection is cut, and it re-dials there. */
async function moveTo(to: RedisNode): Promise<void> {
  const before = generation;
  lb.setTarget(to.port);
  lb.dropAll();
  await until(() => generation > before, 10_000, "re-handshake");
  await liveOn(to);
}

/** Going idle on the current instance with no instance to re-dial into: the gateway is away. */
async function goAway(t: Tap): Promise<void> {
  lb.setTarget(undefined);
  t.equal(await client.goDormant(5000), true, "going_idle acked");
  await until(async () => (await Promise.all(nodes.filter((n) => n.alive).map((n) => n.call<unknown[]>("connections")))).every((c) => c.length === 0), 5000, "no socket anywhere");
  t.equal(await raw.exists(idleKey), 1, "the idle flip is in Redis, shared by all instances");
}

/** `count` pushes round-robin over `on`, one at a time (so there is one publish order); each is appended, none goes live. */
async function publishWhileAway(prefix: string, count: number, on: RedisNode[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const rec = await (on[i % on.length] as RedisNode).call<PushRecord>("push", { text: `${prefix}-${i}`, gatewayId: GW });
    if (rec.appendedAs === undefined) throw new Error(`push ${i} was not buffered: ${JSON.stringify(rec)}`);
    ids.push(rec.appendedAs);
  }
  return ids;
}

type Tap = Pick<typeof t, "equal">;
const streamIds = async (): Promise<string[]> => (await raw.xrange(deliveryKey, "-", "+")).map(([id]) => id);
const cmpId = (x: string, y: string): number => {
  const [xm, xs] = x.split("-").map(Number) as [number, number];
  const [ym, ys] = y.split("-").map(Number) as [number, number];
  return xm - ym || xs - ys;
};

// ── the sequence ─────────────────────────────────────────────────────────────

t.test("an inbound published on instance A reaches the gateway connected to B", async (t) => {
  lb.setTarget(B.port);
  await client.connect();
  await liveOn(B);
  const rec = await A.call<PushRecord>("push", { text: "a-to-b", gatewayId: GW });
  t.match(rec, { status: "ok", mode: "remote" }, "written live by B");
  await until(() => deliveries.some((d) => d.text === "a-to-b"));
  t.same(deliveries, [{ text: "a-to-b", bufferId: undefined, generation }], "live: no bufferId");
});

t.test("the gateway reconnects to C and still receives, from every instance", async (t) => {
  await moveTo(C);
  const from = deliveries.length;
  const recs = [await A.call<PushRecord>("push", { text: "c-from-a", gatewayId: GW }), await B.call<PushRecord>("push", { text: "c-from-b", gatewayId: GW }), await C.call<PushRecord>("push", { text: "c-from-c", gatewayId: GW })];
  t.same(recs.map((r) => [r.status, r.mode]), [["ok", "remote"], ["ok", "remote"], ["ok", "live"]]);
  await until(() => deliveries.length === from + 3);
  t.same(deliveries.slice(from).map((d) => [d.text, d.bufferId]), [["c-from-a", undefined], ["c-from-b", undefined], ["c-from-c", undefined]]);
});

t.test("going idle on B, 1,000 events published across A, B and C while idle, reconnect to A: all delivered once, in order", async (t) => {
  await moveTo(B);
  await goAway(t);
  const from = deliveries.length;
  const ids = await publishWhileAway("idle", 1000, [A, B, C]);
  t.equal(await raw.xlen(deliveryKey), 1000, "1,000 entries in the gateway's stream");
  t.same([...ids].sort(cmpId), ids, "stream order is publish order, across instances");
  t.equal(deliveries.length, from, "nothing delivered while idle");

  const drained = A.waitForEvent((e) => e.type === "drainEnd" && e.gatewayId === GW && e.replayed === 1000);
  lb.setTarget(A.port);
  await until(() => deliveries.length >= from + 1000, 20_000, "1,000 deliveries");
  const got = deliveries.slice(from);
  t.same(got.map((d) => d.text), Array.from({ length: 1000 }, (_, i) => `idle-${i}`), "each once, in publish order");
  t.same(got.map((d) => d.bufferId), ids, "each carrying its stream entry id as bufferId");
  t.match(await drained, { replayed: 1000, acked: 1000, aborted: false }, "drained by A");

  const receipts = (await Promise.all([A, B, C].map((n) => n.call<PushRecord[]>("receipts", { prefix: "idle-", wait: true })))).flat();
  t.equal(receipts.length, 1000);
  t.ok(receipts.every((r) => r.status === "ok" && r.mode === "buffered" && r.bufferId === r.appendedAs), "every publisher's promise resolved by the ack, taken on A");
  t.equal(await raw.xlen(deliveryKey), 0, "all acked");
  t.equal(await raw.exists(idleKey), 0, "the flip cleared after the drain");
  await liveOn(A);
  await sleep(100);
  t.equal(deliveries.length, from + 1000, "no late duplicates");
});

t.test("the draining instance killed with SIGKILL mid-drain: exactly the unacked tail is redelivered, nothing acked twice", async (t) => {
  await goAway(t);
  const ids = await publishWhileAway("kill", 600, [A, B, C]);
  const from = deliveries.length;

  // C drains; the gateway takes 3 ms per event, and C dies after the 150th delivery.
  handlerDelayMs = 3;
  let killed: Promise<void> | undefined;
  onDelivery = (n) => {
    if (n === from + 150) killed = C.kill("SIGKILL");
  };
  const idleGeneration = generation;
  lb.setTarget(C.port);
  await until(() => generation > idleGeneration, 10_000, "handshake on C");
  const genC = generation;
  await until(() => killed !== undefined, 10_000, "150 deliveries");
  await killed;
  onDelivery = undefined;
  // Whatever C had sent to Redis before it died has been applied once its connections are gone.
  await until(async () => !String(await raw.client("LIST")).includes("name=node-c:"), 5000, "C's Redis connections closed");
  const tail = await streamIds();
  const acked = ids.filter((id) => !tail.includes(id));
  t.ok(acked.length >= 100 && tail.length > 0, `mid-drain: ${acked.length} acked, ${tail.length} left`);
  t.same(tail, ids.slice(acked.length), "what is left is a tail: acks happen in order");

  const redialled = generation;
  lb.setTarget(B.port);
  await until(() => generation > redialled, 10_000, "re-handshake on B");
  await until(() => deliveries.filter((d) => d.generation > genC).length >= tail.length, 20_000, "the tail");
  await liveOn(B);
  handlerDelayMs = 0;
  await sleep(100);

  const fromC = deliveries.slice(from).filter((d) => d.generation === genC);
  const after = deliveries.slice(from).filter((d) => d.generation > genC);
  t.same(fromC.map((d) => d.bufferId), ids.slice(0, fromC.length), "before the kill: a prefix of the backlog, in order");
  t.same(after.map((d) => d.bufferId), tail, "after the kill: exactly the unacked tail, in order, each once");
  t.notOk(after.some((d) => acked.includes(d.bufferId as string)), "no entry acked before the kill delivered again");
  const redelivered = after.filter((d) => fromC.some((c) => c.bufferId === d.bufferId));
  t.ok(redelivered.length > 0, `${redelivered.length} in flight (delivered, not acked) when C died: redelivered`);
  t.same(new Set(deliveries.slice(from).map((d) => d.text)), new Set(Array.from({ length: 600 }, (_, i) => `kill-${i}`)), "every event delivered");
  t.equal(await raw.xlen(deliveryKey), 0);
  const receipts = (await Promise.all([A, B].map((n) => n.call<PushRecord[]>("receipts", { prefix: "kill-", wait: true })))).flat();
  t.equal(receipts.length, 400);
  t.ok(receipts.every((r) => r.status === "ok" && r.mode === "buffered"), "the surviving publishers' promises resolved");

  C = await node("node-c2");
});

t.test("an interrupt from a gateway reaches the instance holding the session it names", async (t) => {
  // A second gateway, running the session, connected straight to C; the main one is on B.
  const g2 = createRelayClient({
    url: C.url,
    gatewayId: GW2,
    secret: NODE_SECRET,
    identities: [{ platform: "telegram", botId: "bot-2" }],
    handlers: { interruptInbound: (frame) => void second.push(frame) },
    reconnect: false,
    keepaliveIntervalMs: 0,
  });
  gateways.push(g2);
  await g2.connect();
  await liveOn(C, GW2);
  await liveOn(B);

  t.equal(client.interrupt(SESSION_ON_GW2, "user said stop"), true);
  const routed = await B.waitForEvent((e) => e.type === "interrupt" && e.session_key === SESSION_ON_GW2);
  t.match(routed, { from: GW, to: GW2, delivered: true }, "B resolved the session to the second gateway and the bus carried it");
  await until(() => second.length === 1);
  t.same(second, [{ type: "interrupt_inbound", session_key: SESSION_ON_GW2, chat_id: "42" }], "received where the session runs (via C)");
  t.same(interrupts, [], "not echoed to the interrupting gateway");

  // A session of its own comes back to it.
  t.equal(client.interrupt("own-session", null), true);
  await until(() => interrupts.length === 1);
  t.equal(interrupts[0]?.session_key, "own-session");
});

t.test("revoke on any instance closes that gateway's socket wherever it is (4401)", async (t) => {
  await liveOn(B);
  const revoked = new Promise<{ code: number }>((resolve) => client.on("revoked", (e) => resolve(e)));
  const fromEvent = B.events.length;
  const fromClose = closes.length;
  t.equal(await A.call<number>("revoke", { gatewayId: GW }), 0, "no socket on A itself");
  const closedOnB = await B.waitForEvent((e) => e.type === "close" && e.gatewayId === GW, 5000, fromEvent);
  t.equal(closedOnB.code, 4401, "B closed it with 4401");
  await until(() => closes.slice(fromClose).some((c) => c.code === 4401 && c.handshaked), 5000, "the gateway's close event");
  t.pass("the gateway saw 4401 after its handshake");
  t.match(await revoked, { code: 4401 }, "its fresh-token re-dial is refused too: terminal");
  t.equal(client.state, "revoked");
  for (const n of [A, B, C]) t.same((await n.call<Array<{ gatewayId: string }>>("connections")).filter((c) => c.gatewayId === GW), [], `${n.name}: no socket left`);
  t.same((await C.call<Array<{ gatewayId: string }>>("connections")).map((c) => c.gatewayId), [GW2], "other gateways untouched");
});
