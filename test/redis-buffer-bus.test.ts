/**
 * RedisDeliveryBuffer and RedisRelayBus against a real redis-server (test/helpers/redis-server.ts):
 * the DeliveryBuffer contract the server relies on (order, cursor, exactly the unacked tail, ack
 * idempotence, shared idle flag, bound), the bus (every subscriber, malformed messages, contained
 * handler errors), and what happens across a Redis restart: fail fast while down, data kept
 * (AOF), the bus resubscribes and kicks the attached server's gateways.
 */
import t from "tap";
import { spawnSync } from "node:child_process";
import { Redis } from "ioredis";
import type { BufferableFrame, BusMessage } from "../src/server/index.js";
import { ACK_ORIGIN, createRedisScaleOut, DEFAULT_MAX_ENTRIES_PER_GATEWAY, DeliveryBufferFullError, RedisDeliveryBuffer, RedisRelayBus, RedisUnavailableError, RECOVERY_ORIGIN } from "../src/server/index.js";
import { startRedisServer } from "./helpers/redis-server.js";
import { messageEvent } from "./helpers/fixtures.js";
import { sleep, until as untilShared } from "./helpers/time.js";

const redis = await startRedisServer();
t.teardown(() => redis.stop());

const frame = (text: string): BufferableFrame => ({ type: "inbound", event: messageEvent(text) });
const textOf = (f: BufferableFrame): string => (f.type === "inbound" ? f.event.text : "");
let prefixes = 0;
/** A fresh key space per test, so tests never see each other's data. */
const prefix = (): string => `t${++prefixes}:`;

/** Redis (and the node processes) answer more slowly: a longer wait, polled less often. */
const until = (probe: () => boolean | Promise<boolean>, timeoutMs = 5000, what?: string) => untilShared(probe, timeoutMs, what, 10);

function buffer(tt: Tap, opts: Partial<ConstructorParameters<typeof RedisDeliveryBuffer>[0]> = {}): RedisDeliveryBuffer {
  const b = new RedisDeliveryBuffer({ redis: redis.url, keyPrefix: prefix(), ...opts });
  tt.teardown(() => b.close());
  return b;
}
type Tap = { teardown(fn: () => unknown): void };

t.test("buffer: append order, cursor reads, exactly the unacked tail, idempotent ack", async (t) => {
  const b = buffer(t);
  const ids: string[] = [];
  for (const text of ["a", "b", "c", "d", "e"]) ids.push(await b.append("gw", frame(text)));
  t.equal(new Set(ids).size, 5, "distinct ids");
  t.ok(ids.every((id) => /^\d+-\d+$/.test(id)), "stream ids");
  t.equal(await b.size("gw"), 5);

  const first = await b.read("gw", undefined, 2);
  t.same(first.map((e) => textOf(e.frame)), ["a", "b"]);
  t.same(first.map((e) => e.bufferId), ids.slice(0, 2));
  const next = await b.read("gw", first[1]?.bufferId, 10);
  t.same(next.map((e) => textOf(e.frame)), ["c", "d", "e"], "strictly after the cursor");

  t.equal(await b.ack("gw", ids[1] as string), true);
  t.equal(await b.ack("gw", ids[1] as string), false, "idempotent");
  t.equal(await b.ack("gw", ids[3] as string), true);
  t.same((await b.read("gw", undefined, 10)).map((e) => textOf(e.frame)), ["a", "c", "e"], "a replay from the start is exactly the unacked tail");
  t.same((await b.read("gw", ids[1], 10)).map((e) => textOf(e.frame)), ["c", "e"], "a cursor on an acked entry still works");
  t.equal(await b.size("gw"), 3);
  t.same(await b.read("other", undefined, 10), [], "per gateway");
  t.same(await b.read("gw", undefined, 0), []);

  t.equal(await b.ack("gw", "not-an-id"), false, "a peer's junk bufferId never reaches Redis");
  t.equal(await b.ack("gw", "1-1"), false);
  await t.rejects(b.read("gw", "1-1 junk", 1), RangeError);
  const after = await b.append("gw", frame("f"));
  t.ok(after > (ids[4] as string) || after.length > (ids[4] as string).length, "ids only grow");
});

t.test("buffer: stored as data (a later mutation does not leak in), with the frame intact", async (t) => {
  const b = buffer(t);
  const f = frame("orig");
  await b.append("gw", f);
  (f as { event: { text: string } }).event.text = "mutated";
  const [entry] = await b.read("gw", undefined, 1);
  t.same(entry?.frame, frame("orig"));
  await b.append("gw", { type: "passthrough_forward", forward: { kind: "discord_interaction", body: "{}", headers: {} } } as unknown as BufferableFrame);
  const all = await b.read("gw", undefined, 5);
  t.equal(all[1]?.frame.type, "passthrough_forward");
});

t.test("buffer: the idle flag is shared between instances", async (t) => {
  const keyPrefix = prefix();
  const one = buffer(t, { keyPrefix });
  const two = buffer(t, { keyPrefix });
  t.equal(await two.isIdle("gw"), false);
  await one.setIdle("gw", true);
  t.equal(await two.isIdle("gw"), true);
  t.equal(await two.isIdle("gw-other"), false);
  await two.setIdle("gw", false);
  t.equal(await one.isIdle("gw"), false);
  // Entries appended through either are one stream, in one order.
  await one.append("gw", frame("1"));
  await two.append("gw", frame("2"));
  await one.append("gw", frame("3"));
  t.same((await two.read("gw", undefined, 10)).map((e) => textOf(e.frame)), ["1", "2", "3"]);
});

t.test("buffer: the bound is checked and applied in one step, across instances", async (t) => {
  const keyPrefix = prefix();
  const one = buffer(t, { keyPrefix, maxEntriesPerGateway: 10 });
  const two = buffer(t, { keyPrefix, maxEntriesPerGateway: 10 });
  const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => (i % 2 ? one : two).append("gw", frame(String(i)))));
  const ok = results.filter((r) => r.status === "fulfilled").length;
  t.equal(ok, 10, "never more than the bound, however the appends interleave");
  for (const r of results) if (r.status === "rejected") t.type(r.reason, DeliveryBufferFullError);
  t.equal(await one.size("gw"), 10);
  const [head] = await one.read("gw", undefined, 1);
  await one.ack("gw", head?.bufferId as string);
  await two.append("gw", frame("room again"));
  t.equal(await one.size("gw"), 10);
});

t.test("buffer: bounded by default (10 000 per gateway), like the in-memory buffer", async (t) => {
  const one = buffer(t, { keyPrefix: prefix() });
  const results = await Promise.allSettled(Array.from({ length: DEFAULT_MAX_ENTRIES_PER_GATEWAY + 1 }, (_, i) => one.append("gw", frame(String(i)))));
  t.equal(results.filter((r) => r.status === "fulfilled").length, DEFAULT_MAX_ENTRIES_PER_GATEWAY);
  const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  t.equal(rejected.length, 1);
  t.type(rejected[0]?.reason, DeliveryBufferFullError);
  t.equal(await one.size("gw"), DEFAULT_MAX_ENTRIES_PER_GATEWAY);
});

t.test("buffer: an entry that is not a buffered frame is skipped and reported, the rest still read", async (t) => {
  const keyPrefix = prefix();
  const errors: string[] = [];
  const b = buffer(t, { keyPrefix, onError: (err) => errors.push(err.message) });
  const raw = new Redis(redis.url);
  t.teardown(() => raw.quit());
  await b.append("gw", frame("ok-1"));
  await raw.xadd(`${keyPrefix}delivery:{gw}`, "*", "f", "{not json");
  await raw.xadd(`${keyPrefix}delivery:{gw}`, "*", "f", JSON.stringify({ type: "outbound_result" }));
  await b.append("gw", frame("ok-2"));
  const entries = await b.read("gw", undefined, 2);
  t.same(entries.map((e) => textOf(e.frame)), ["ok-1", "ok-2"], "limit counts usable entries");
  t.equal(errors.length, 2);
  t.match(errors[0], /not a buffered frame/);
});

t.test("buffer with ackChannel: the acked bus message goes out from the XDEL script, once, only when the entry was there", async (t) => {
  const keyPrefix = prefix();
  const channel = `${keyPrefix}bus`;
  const b = buffer(t, { keyPrefix, ackChannel: channel });
  const bus = new RedisRelayBus({ redis: redis.url, keyPrefix });
  t.teardown(() => bus.close());
  const got: Array<[string, BusMessage]> = [];
  await bus.subscribe((g, m) => got.push([g, m]));
  const id = await b.append("gw", frame("x"));
  t.equal(await b.ack("gw", id), true);
  t.equal(await b.ack("gw", id), false);
  t.equal(await b.ack("gw", "1-0"), false);
  await until(() => got.length >= 1);
  await sleep(50);
  t.same(got, [["gw", { kind: "acked", origin: ACK_ORIGIN, bufferId: id }]], "exactly one, in the bus's own format");
});

t.test("bus: every subscriber gets each message (the publisher included); malformed ones are skipped", async (t) => {
  const keyPrefix = prefix();
  const errors: string[] = [];
  const a = new RedisRelayBus({ redis: redis.url, keyPrefix, onError: (e, where) => errors.push(`${where}: ${e.message}`) });
  const b = new RedisRelayBus({ redis: redis.url, keyPrefix });
  t.teardown(() => Promise.all([a.close(), b.close()]));
  const gotA: Array<[string, BusMessage]> = [];
  const gotB: Array<[string, BusMessage]> = [];
  await a.subscribe((g, m) => gotA.push([g, m]));
  const unsubscribeB = await b.subscribe((g, m) => gotB.push([g, m]));
  // A handler that throws does not stop the others, nor the bus.
  await a.subscribe(() => {
    throw new Error("boom");
  });

  const kick: BusMessage = { kind: "kick", origin: "node-a" };
  await a.publish("gw-1", kick);
  await until(() => gotA.length === 1 && gotB.length === 1);
  t.same(gotA[0], ["gw-1", kick]);
  t.same(gotB[0], ["gw-1", kick]);
  t.ok(errors.some((e) => e.startsWith("bus.handler: boom")), "the throw is reported");

  const raw = new Redis(redis.url);
  t.teardown(() => raw.quit());
  for (const junk of ["not json", "null", "{}", JSON.stringify({ g: 1, m: kick }), JSON.stringify({ g: "gw", m: { kind: "nope", origin: "x" } }), JSON.stringify({ g: "gw", m: { kind: "deliver", origin: "x", id: "1" } }), JSON.stringify({ g: "gw", m: { kind: "revoke", origin: "x" } })]) {
    await raw.publish(`${keyPrefix}bus`, junk);
  }
  const revoke: BusMessage = { kind: "revoke", origin: "node-b", reason: "unauthorized" };
  await b.publish("gw-2", revoke);
  await until(() => gotA.length === 2 && gotB.length === 2);
  t.same(gotA[1], ["gw-2", revoke], "only the well-formed message got through, in order");
  t.equal(errors.filter((e) => e.startsWith("bus.message")).length, 7);

  await unsubscribeB();
  await a.publish("gw-3", kick);
  await until(() => gotA.length === 3);
  await sleep(50);
  t.equal(gotB.length, 2, "unsubscribed");
});

t.test("bus: subscribe resolves only once the subscription is live (subscribe before serve)", async (t) => {
  const keyPrefix = prefix();
  const raw = new Redis(redis.url);
  t.teardown(() => raw.quit());
  const bus = new RedisRelayBus({ redis: redis.url, keyPrefix });
  t.teardown(() => bus.close());
  const got: BusMessage[] = [];
  await bus.subscribe((_g, m) => got.push(m));
  // Published by someone else right after: must arrive.
  t.equal(await raw.publish(`${keyPrefix}bus`, JSON.stringify({ g: "gw", m: { kind: "kick", origin: "x" } })), 1, "one subscriber when subscribe resolved");
  await until(() => got.length === 1);
  t.pass("received");
});

t.test("a factory supplies the connections; close() quits them", async (t) => {
  const made: Redis[] = [];
  const factory = (): Redis => {
    const c = new Redis(redis.url, { lazyConnect: true });
    made.push(c);
    return c;
  };
  const keyPrefix = prefix();
  const bus = new RedisRelayBus({ redis: factory, keyPrefix });
  const buf = new RedisDeliveryBuffer({ redis: factory, keyPrefix });
  t.equal(made.length, 3, "publisher, subscriber, buffer");
  await bus.ready();
  await buf.append("gw", frame("x"));
  t.equal(await buf.size("gw"), 1);
  await Promise.all([bus.close(), buf.close()]);
  t.ok(made.every((c) => c.status === "end"));
  await t.rejects(buf.size("gw"), RedisUnavailableError, "closed: fails, does not hang");
  t.throws(() => new RedisRelayBus({ redis: 42 as never }), TypeError);
});

t.test("Redis restart: fail fast while down, data kept, the bus resubscribes and kicks the attached server's gateways", async (t) => {
  const keyPrefix = prefix();
  const b = buffer(t, { keyPrefix });
  const bus = new RedisRelayBus({ redis: redis.url, keyPrefix, redisOptions: { retryStrategy: () => 50 } });
  t.teardown(() => bus.close());
  const got: Array<[string, BusMessage]> = [];
  await bus.subscribe((g, m) => got.push([g, m]));
  bus.attach({ connections: () => [{ gatewayId: "gw-x" }, { gatewayId: "gw-y" }, { gatewayId: "gw-x" }] });
  let resubscribed = 0;
  bus.onResubscribed(() => resubscribed++);

  const kept = await b.append("gw", frame("before"));
  await b.setIdle("gw", true);
  await redis.kill("SIGKILL");
  // Until the connection has noticed (a probe sent before that waits for the reconnect: raced).
  await until(() => Promise.race([b.size("gw").then(() => false, (e: unknown) => e instanceof RedisUnavailableError), sleep(100).then(() => false)]));

  const started = Date.now();
  const err = await b.append("gw", frame("during")).then(() => undefined, (e: unknown) => e);
  t.type(err, RedisUnavailableError, "append while down rejects");
  t.equal((err as RedisUnavailableError).code, "REDIS_UNAVAILABLE");
  t.equal((err as RedisUnavailableError).operation, "buffer.append");
  await t.rejects(bus.publish("gw", { kind: "kick", origin: "n" }), RedisUnavailableError, "publish while down rejects");
  await t.rejects(b.isIdle("gw"), RedisUnavailableError);
  t.ok(Date.now() - started < 1000, "at once, not after the 5 s command timeout");

  await redis.restart();
  await until(async () => resubscribed === 1);
  t.same(
    got.filter(([, m]) => m.origin === RECOVERY_ORIGIN).map(([g, m]) => [g, m.kind]),
    [
      ["gw-x", "kick"],
      ["gw-y", "kick"],
    ],
    "one local kick per gateway the attached server holds",
  );
  await until(() => b.size("gw").then(() => true, () => false));
  t.same((await b.read("gw", undefined, 10)).map((e) => [e.bufferId, textOf(e.frame)]), [[kept, "before"]], "the entry survived (AOF); the failed append left nothing");
  t.equal(await b.isIdle("gw"), true, "the idle flag survived");
  // The publisher reconnects on its own schedule (fail fast until then): retried until it took one.
  await until(() => bus.publish("gw-z", { kind: "kick", origin: "n" }).then(() => true, () => false));
  await until(() => got.some(([g]) => g === "gw-z"));
  t.pass("the bus carries messages again");
});

t.test("importing the server helper does not load ioredis; connecting from a URL does", async (t) => {
  const script = `
    import { createRequire } from "node:module";
    const cache = createRequire(import.meta.url).cache;
    const loaded = () => Object.keys(cache).some((k) => k.includes("/node_modules/ioredis/"));
    const server = await import("./src/server/index.ts");
    const before = loaded();
    const buffer = new server.RedisDeliveryBuffer({ redis: ${JSON.stringify(redis.url)} });
    const after = loaded();
    await buffer.close();
    console.log(JSON.stringify([before, after]));
  `;
  const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8" });
  t.equal(run.status, 0, run.stderr);
  t.same(JSON.parse(run.stdout), [false, true]);
});

t.test("an acked published while an instance's subscriber was away is recovered after it resubscribes", async (t) => {
  const keyPrefix = prefix();
  const x = createRedisScaleOut({ redis: redis.url, keyPrefix, connectionName: "inst-x", redisOptions: { retryStrategy: () => 200 } });
  const y = createRedisScaleOut({ redis: redis.url, keyPrefix });
  t.teardown(() => Promise.all([x.close(), y.close()]));
  const got: Array<[string, BusMessage]> = [];
  await x.bus.subscribe((g, m) => got.push([g, m]));
  await x.attach({ nodeId: "node-x", connections: () => [] });
  await y.bus.ready();

  const waited = await x.buffer.append("gw", frame("mine"));
  const other = await y.buffer.append("gw", frame("not mine"));
  t.equal(x.bus.awaitingAcks, 1, "x waits on the entry it appended");
  // Another instance answered x's offer by buffering it: x waits on that one too.
  const answered = await y.buffer.append("gw", frame("answered"));
  await y.bus.publish("gw", { kind: "delivered", origin: "node-y", to: "node-x", id: "offer-1", mode: "buffered", bufferId: answered });
  await until(() => x.bus.awaitingAcks === 2);

  // x's subscriber drops; the acks (and their bus messages) happen while it is away.
  const admin = new Redis(redis.url);
  t.teardown(() => admin.quit());
  const list = String(await admin.client("LIST"));
  const subId = /id=(\d+) [^\n]*name=inst-x:bus-sub/.exec(list)?.[1];
  t.ok(subId, "x's subscriber connection found");
  await admin.client("KILL", "ID", subId as string);
  t.equal(await y.buffer.ack("gw", waited), true);
  t.equal(await y.buffer.ack("gw", answered), true);
  t.notOk(got.some(([, m]) => m.kind === "acked"), "x heard nothing");

  await until(() => got.filter(([, m]) => m.kind === "acked").length === 2, 5000);
  t.same(
    got.filter(([, m]) => m.kind === "acked").map(([g, m]) => [g, m]),
    [
      ["gw", { kind: "acked", origin: RECOVERY_ORIGIN, bufferId: waited }],
      ["gw", { kind: "acked", origin: RECOVERY_ORIGIN, bufferId: answered }],
    ],
    "delivered locally after the resubscribe, for exactly the entries x waited on and that are gone",
  );
  t.equal(x.bus.awaitingAcks, 0);
  t.equal(await y.buffer.size("gw"), 1, `${other} is still buffered and was not announced`);
});

t.test("when an instance's publisher comes back, it kicks the gateways it still awaits acks from", async (t) => {
  const keyPrefix = prefix();
  const x = createRedisScaleOut({ redis: redis.url, keyPrefix, connectionName: "inst-p", redisOptions: { retryStrategy: () => 100 } });
  const y = createRedisScaleOut({ redis: redis.url, keyPrefix });
  t.teardown(() => Promise.all([x.close(), y.close()]));
  await x.attach({ nodeId: "node-x", connections: () => [] });
  const seen: Array<[string, BusMessage]> = [];
  await y.bus.subscribe((g, m) => seen.push([g, m]));
  await x.buffer.append("gw-waiting", frame("w"));
  const admin = new Redis(redis.url);
  t.teardown(() => admin.quit());
  const pubId = /id=(\d+) [^\n]*name=inst-p:bus-pub/.exec(String(await admin.client("LIST")))?.[1];
  t.ok(pubId, "x's publisher connection found");
  await admin.client("KILL", "ID", pubId as string);
  await until(() => seen.some(([, m]) => m.kind === "kick"), 5000);
  t.same(seen, [["gw-waiting", { kind: "kick", origin: RECOVERY_ORIGIN }]], "one kick, for the gateway with an unacked entry appended by x");
});

t.test("an acked that arrives before the delivered answer it settles is delivered again once awaited", async (t) => {
  const keyPrefix = prefix();
  const x = createRedisScaleOut({ redis: redis.url, keyPrefix });
  const y = createRedisScaleOut({ redis: redis.url, keyPrefix });
  t.teardown(() => Promise.all([x.close(), y.close()]));
  await x.attach({ nodeId: "node-x", connections: () => [] });
  await y.bus.ready();
  const got: BusMessage[] = [];
  await x.bus.subscribe((_g, m) => got.push(m));
  // On one connection, in this order: what two connections may deliver in either order.
  await y.bus.publish("gw", { kind: "acked", origin: "node-y", bufferId: "5-0" });
  await y.bus.publish("gw", { kind: "delivered", origin: "node-y", to: "node-x", id: "o1", mode: "buffered", bufferId: "5-0" });
  await until(() => got.length === 3);
  t.same(got.map((m) => [m.kind, m.origin]), [["acked", "node-y"], ["delivered", "node-y"], ["acked", RECOVERY_ORIGIN]], "the ack is repeated after the answer");
  t.equal(x.bus.awaitingAcks, 0, "nothing left waiting");
  // An answer addressed to another node is not this instance's business.
  await y.bus.publish("gw", { kind: "acked", origin: "node-y", bufferId: "6-0" });
  await y.bus.publish("gw", { kind: "delivered", origin: "node-y", to: "node-z", id: "o2", mode: "buffered", bufferId: "6-0" });
  await until(() => got.length === 5);
  await sleep(50);
  t.equal(got.length, 5);
});

/** Everything published on a channel, as Redis delivered it (one string per Redis message). */
async function tap(tt: Tap, channel: string): Promise<string[]> {
  const raw = new Redis(redis.url);
  tt.teardown(() => raw.quit());
  const seen: string[] = [];
  raw.on("message", (_c: string, text: string) => seen.push(text));
  await raw.subscribe(channel);
  return seen;
}

t.test("bus: the messages of one turn leave in one PUBLISH, in order; each arrives on its own", async (t) => {
  const keyPrefix = prefix();
  const wire = await tap(t, `${keyPrefix}bus`);
  const a = new RedisRelayBus({ redis: redis.url, keyPrefix });
  const b = new RedisRelayBus({ redis: redis.url, keyPrefix });
  t.teardown(() => Promise.all([a.close(), b.close()]));
  const got: Array<[string, BusMessage]> = [];
  await b.subscribe((g, m) => got.push([g, m]));

  const sent: Array<[string, BusMessage]> = [];
  for (let i = 0; i < 50; i++) sent.push([`gw-${i % 3}`, { kind: "acked", origin: "node-a", bufferId: `${i}-0` }]);
  await Promise.all(sent.map(([g, m]) => a.publish(g, m)));
  await until(() => got.length === 50);
  t.same(got, sent, "every message, in publish order");
  await until(() => wire.length >= 1);
  await sleep(50);
  t.equal(wire.length, 1, "one Redis message for the turn");
  t.same(Object.keys(JSON.parse(wire[0] as string)), ["b"], "a batch: {b: […]}");

  // A turn's worth past the batch size leaves in several PUBLISHes, still in order.
  const big: Array<[string, BusMessage]> = [];
  const payload = "x".repeat(2000);
  for (let i = 0; i < 400; i++) big.push(["gw", { kind: "deliver", origin: "node-a", id: `o-${i}`, frame: frame(`${i}:${payload}`) }]);
  got.length = 0;
  await Promise.all(big.map(([g, m]) => a.publish(g, m)));
  await until(() => got.length === 400);
  t.same(got.map(([, m]) => (m.kind === "deliver" ? m.id : "")), big.map(([, m]) => (m.kind === "deliver" ? m.id : "")), "order kept across batches");
  // ~840 KB of messages: at least four batches of at most 256 KiB.
  await until(() => wire.length >= 1 + 4);
  t.pass(`split by size (${wire.length - 1} PUBLISHes)`);
});

t.test("bus: one bad entry in a batch costs only itself", async (t) => {
  const keyPrefix = prefix();
  const errors: string[] = [];
  const bus = new RedisRelayBus({ redis: redis.url, keyPrefix, onError: (e, where) => errors.push(`${where}: ${e.message}`) });
  t.teardown(() => bus.close());
  const got: BusMessage[] = [];
  await bus.subscribe((_g, m) => got.push(m));
  const raw = new Redis(redis.url);
  t.teardown(() => raw.quit());
  const kick = (origin: string): BusMessage => ({ kind: "kick", origin });
  await raw.publish(`${keyPrefix}bus`, JSON.stringify({ b: [{ g: "gw", m: kick("x1") }, { g: 7, m: kick("x2") }, null, { g: "gw", m: { kind: "nope" } }, { g: "gw", m: kick("x3") }] }));
  await until(() => got.length === 2);
  t.same(got, [kick("x1"), kick("x3")]);
  t.equal(errors.filter((e) => e.startsWith("bus.message")).length, 3, "each bad entry reported");
});

t.test("bus: an offer reaches only the instances holding its gateway, in one PUBLISH per turn, and says when none does", async (t) => {
  const keyPrefix = prefix();
  // Watched with MONITOR: a subscriber would count as an instance holding the gateway.
  const base = new Redis(redis.url);
  const monitor = await base.monitor();
  t.teardown(() => (monitor.disconnect(), base.disconnect()));
  const offersWire: string[] = [];
  monitor.on("monitor", (_time: string, args: string[]) => {
    if (args[0]?.toLowerCase() === "publish" && args[1] === `${keyPrefix}bus:offers:gw`) offersWire.push(args[2] as string);
  });
  const a = new RedisRelayBus({ redis: redis.url, keyPrefix });
  const holder = new RedisRelayBus({ redis: redis.url, keyPrefix, connectionName: "holder", redisOptions: { retryStrategy: () => 100 } });
  const bystander = new RedisRelayBus({ redis: redis.url, keyPrefix });
  t.teardown(() => Promise.all([a.close(), holder.close(), bystander.close()]));
  const got: Array<[string, BusMessage]> = [];
  const seenElsewhere: BusMessage[] = [];
  await holder.subscribe((g, m) => got.push([g, m]), { ignoreOrigin: "node-h" });
  await bystander.subscribe((_g, m) => seenElsewhere.push(m), { ignoreOrigin: "node-x" });
  const offer = (id: string): Extract<BusMessage, { kind: "deliver" }> => ({ kind: "deliver", origin: "node-a", id, frame: frame(id) });
  const kick: BusMessage = { kind: "kick", origin: "node-a" };
  const ids = (): string[] => got.map(([g, m]) => `${g}:${m.kind === "deliver" ? m.id : m.kind}`);

  t.equal(await a.offer("gw", offer("0")), false, "held nowhere: nobody received it");
  await until(() => offersWire.length === 1);
  offersWire.length = 0;

  await holder.hold("gw", true);
  t.same(await Promise.all([a.offer("gw", offer("1")), a.publish("gw", kick), a.offer("gw", offer("2")), a.offer("gw-other", offer("3"))]), [true, undefined, true, false]);
  await until(() => got.length === 3);
  t.same(ids(), ["gw:1", "gw:2", "gw:kick"], "the holder gets the gateway's offers (in order) and the bus channel's messages");
  await until(() => offersWire.length >= 1);
  await sleep(50);
  t.equal(offersWire.length, 1, "the turn's offers for the gateway in one PUBLISH");
  t.same(seenElsewhere, [kick], "an instance that does not hold the gateway never reads its offers");

  // Holds are counted: the channel stays subscribed until the last one is released.
  await holder.hold("gw", true);
  await holder.hold("gw", false);
  t.equal(await a.offer("gw", offer("4")), true, "still held once");

  // The subscription comes back with the connection.
  const admin = new Redis(redis.url);
  t.teardown(() => admin.quit());
  const resubscribed = new Promise<void>((resolve) => holder.onResubscribed(resolve));
  const subId = /id=(\d+) [^\n]*name=holder:bus-sub/.exec(String(await admin.client("LIST")))?.[1];
  await admin.client("KILL", "ID", subId as string);
  await resubscribed;
  got.length = 0;
  t.equal(await a.offer("gw", offer("5")), true, "held again after the reconnect");
  await until(() => got.length === 1);
  t.same(ids(), ["gw:5"]);

  await holder.hold("gw", false);
  t.equal(await a.offer("gw", offer("6")), false, "released: nobody receives the gateway's offers");
});

t.test("bus: a batch of offers from an origin every handler ignores is skipped undecoded; other buses decode it", async (t) => {
  const keyPrefix = prefix();
  const errorsA: string[] = [];
  const errorsB: string[] = [];
  const a = new RedisRelayBus({ redis: redis.url, keyPrefix, onError: (e, where) => errorsA.push(`${where}: ${e.message}`) });
  const b = new RedisRelayBus({ redis: redis.url, keyPrefix, onError: (e, where) => errorsB.push(`${where}: ${e.message}`) });
  t.teardown(() => Promise.all([a.close(), b.close()]));
  const gotA: BusMessage[] = [];
  const gotB: BusMessage[] = [];
  await a.subscribe((_g, m) => gotA.push(m), { ignoreOrigin: "node-a" });
  await b.subscribe((_g, m) => gotB.push(m), { ignoreOrigin: "node-b" });

  const offers: BusMessage[] = [1, 2, 3].map((i) => ({ kind: "deliver", origin: "node-a", id: `o${i}`, frame: frame(`f${i}`) }));
  await Promise.all(offers.map((m) => a.publish("gw", m)));
  const answer: BusMessage = { kind: "delivered", origin: "node-b", to: "node-a", id: "o1", mode: "live" };
  await b.publish("gw", answer);
  await until(() => gotB.length === 3 && gotA.length === 1);
  t.same(gotB, offers, "the other node gets the offers");
  t.same(gotA, [answer], "the offering node gets the answer, not its own offers");

  // What proves the skip is by prefix, before decoding: a payload that only looks like node-a's
  // offers, followed by garbage, is silently dropped by a (all its handlers ignore node-a) and
  // reported as not JSON by b.
  const raw = new Redis(redis.url);
  t.teardown(() => raw.quit());
  await raw.publish(`${keyPrefix}bus`, '{"o":"node-a","b":[ not json');
  await until(() => errorsB.length === 1);
  await sleep(50);
  t.same(errorsA, [], "skipped undecoded");
  t.match(errorsB[0], /not JSON/);

  // An `acked` is never in a skipped batch: the bus itself tracks acks of every origin.
  a.expectAck("gw", "9-0");
  t.equal(a.awaitingAcks, 1);
  await Promise.all([a.publish("gw", { kind: "kick", origin: "node-a" }), a.publish("gw", { kind: "acked", origin: "node-a", bufferId: "9-0" })]);
  await until(() => a.awaitingAcks === 0);
  t.pass("its own acked, published with its own kick, was read");

  // A handler that does not ignore node-a makes a decode every batch again.
  const all: BusMessage[] = [];
  await a.subscribe((_g, m) => all.push(m));
  await a.publish("gw", offers[0] as BusMessage);
  await until(() => all.length === 1);
  t.same(all, [offers[0]]);
  t.equal(gotA.length, 1, "still not passed to the handler that ignores its own origin");
});
