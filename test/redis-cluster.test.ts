/**
 * The cluster behaviours every backend must show (test/helpers/cluster-behaviours.ts), with each
 * server node on its own Redis connections (bus on pub/sub, buffer on Streams); then what only a
 * networked backend can get wrong: ordering across nodes during a drain, and an append racing
 * the holder's final re-read.
 */
import t from "tap";
import { createRedisScaleOut, type DeliveryBuffer, type RedisScaleOut, type RelayBus } from "../src/server/index.js";
import { GATEWAY, handshake, startRelay, type Relay } from "./helpers/raw-gateway.js";
import { startRedisServer } from "./helpers/redis-server.js";
import { clusterBehaviours, inboundTexts as texts } from "./helpers/cluster-behaviours.js";
import { messageEvent } from "./helpers/fixtures.js";
import { sleep, until } from "./helpers/time.js";

const redis = await startRedisServer();
t.teardown(() => redis.stop());

type Tap = Parameters<typeof startRelay>[0];
let clusters = 0;

/** Two nodes, each with its own three Redis connections, sharing one key space. */
async function cluster(t: Tap, wrapBus: (bus: RelayBus) => RelayBus = (b) => b): Promise<{ a: Relay; b: Relay; scale: RedisScaleOut[] }> {
  const keyPrefix = `c${++clusters}:`;
  const scale: RedisScaleOut[] = [];
  const node = async (nodeId: string): Promise<Relay> => {
    const s = createRedisScaleOut({ redis: redis.url, keyPrefix });
    scale.push(s);
    // Registered first, so it runs after the server's own teardown (LIFO): close the server, then Redis.
    t.teardown(() => s.close());
    const relay = await startRelay(t, { bus: wrapBus(s.bus), buffer: s.buffer, remoteDeliveryTimeoutMs: 300, nodeId });
    await s.attach(relay.server);
    return relay;
  };
  return { a: await node("node-a"), b: await node("node-b"), scale };
}

clusterBehaviours(t, {
  async cluster(t, wrapBus) {
    const { a, b, scale } = await cluster(t, wrapBus);
    return { a, b, buffers: [scale[0]!.buffer, scale[1]!.buffer] };
  },
  quietMs: 100,
  bufferId: /^\d+-\d+$/,
});

t.test("pushes from both nodes, before and during the drain, arrive once each in stream order", async (t) => {
  const { a, b, scale } = await cluster(t);
  const first = await handshake(a);
  first.send({ type: "going_idle" });
  await first.waitForType("going_idle_ack");
  await first.close();
  await until(() => a.server.connections(GATEWAY).length === 0);
  const receipts = [];
  // One at a time, so the publish order is defined: alternating nodes.
  for (let i = 0; i < 40; i++) {
    receipts.push((i % 2 ? a : b).server.sendInbound(GATEWAY, messageEvent(`e${i}`)));
    await until(async () => (await scale[0]!.buffer.size(GATEWAY)) === i + 1);
  }
  const gw = await handshake(b, { autoAck: true });
  // More arrive while the backlog drains: they queue behind it.
  for (let i = 40; i < 60; i++) receipts.push((i % 2 ? a : b).server.sendInbound(GATEWAY, messageEvent(`e${i}`)));
  await Promise.all(receipts);
  const got = texts(gw);
  t.equal(got.length, 60, "each once");
  t.equal(new Set(got).size, 60);
  t.same(got.slice(0, 40), Array.from({ length: 40 }, (_, i) => `e${i}`), "the backlog in append order");
  const ids = gw.frames.flatMap((f) => (f.type === "inbound" && f.bufferId !== undefined ? [f.bufferId] : []));
  const sorted = [...ids].sort((x, y) => {
    const [xm, xs] = x.split("-").map(Number) as [number, number];
    const [ym, ys] = y.split("-").map(Number) as [number, number];
    return xm - ym || xs - ys;
  });
  t.same(ids, sorted, "buffered deliveries in stream order");
});

t.test("an append by another node that lands during the holder's final re-read is still delivered (its kick is not lost)", async (t) => {
  // Forces the interleaving a networked store allows: node b clears the idle flag and re-reads;
  // that read sees the stream before node a's entry, but answers only after a's kick reached b.
  const keyPrefix = `race${++clusters}:`;
  const sa = createRedisScaleOut({ redis: redis.url, keyPrefix });
  const sb = createRedisScaleOut({ redis: redis.url, keyPrefix });
  t.teardown(() => Promise.all([sa.close(), sb.close()]));
  let flagCleared = false;
  let snapshotTaken!: () => void;
  const snapshot = Object.assign(new Promise<void>((r) => (snapshotTaken = r)), { done: false });
  let kickSeen!: () => void;
  const kicked = new Promise<void>((r) => (kickSeen = r));
  const bufferB: DeliveryBuffer = {
    append: (g, f) => sb.buffer.append(g, f),
    ack: (g, id) => sb.buffer.ack(g, id),
    isIdle: (g) => sb.buffer.isIdle(g),
    size: (g) => sb.buffer.size(g),
    setIdle: async (g, idle) => {
      await sb.buffer.setIdle(g, idle);
      if (!idle) flagCleared = true;
    },
    read: async (g, after, limit) => {
      const entries = await sb.buffer.read(g, after, limit);
      if (flagCleared && !snapshot.done) {
        snapshot.done = true;
        snapshotTaken();
        await Promise.race([kicked, sleep(2000)]); // bounded: a broken run fails, never hangs
      }
      return entries;
    },
  };
  let idleSeen!: () => void;
  const aSawIdle = new Promise<void>((r) => (idleSeen = r));
  const bufferA: DeliveryBuffer = {
    ...bindAll(sa.buffer),
    isIdle: async (g) => {
      const idle = await sa.buffer.isIdle(g);
      if (idle) idleSeen();
      return idle;
    },
    append: async (g, f) => {
      await snapshot;
      return sa.buffer.append(g, f);
    },
  };
  const busB: RelayBus = {
    publish: (g, m) => sb.bus.publish(g, m),
    subscribe: (handler) =>
      sb.bus.subscribe((g, m) => {
        handler(g, m);
        if (m.kind === "kick") setTimeout(kickSeen, 20);
      }),
  };
  // The scale-out's bus says when an offer reached no instance (`offer`: the gateway is held
  // nowhere yet): a push declined so is the same "a has decided to append" moment.
  const busA: RelayBus = {
    publish: (g, m) => sa.bus.publish(g, m),
    subscribe: (handler, options) => sa.bus.subscribe(handler, options),
    hold: (g, held) => sa.bus.hold(g, held),
    offer: async (g, m) => {
      const heard = await sa.bus.offer(g, m);
      if (!heard) idleSeen();
      return heard;
    },
  };
  const a = await startRelay(t, { bus: busA, buffer: bufferA, nodeId: "node-a", remoteDeliveryTimeoutMs: 300 });
  const b = await startRelay(t, { bus: busB, buffer: bufferB, nodeId: "node-b", remoteDeliveryTimeoutMs: 300 });
  await Promise.all([sa.attach(a.server), sb.attach(b.server)]);

  await sa.buffer.setIdle(GATEWAY, true);
  const pending = a.server.sendInbound(GATEWAY, messageEvent("raced"));
  await aSawIdle; // a has decided to append (no offer taken) and waits for the snapshot
  const gw = await handshake(b, { autoAck: true });
  const receipt = await Promise.race([pending, sleep(3000).then(() => undefined)]);
  t.match(receipt, { mode: "buffered" }, "delivered and acked, not left in the stream");
  t.same(texts(gw), ["raced"]);
});

type DeliveryBufferLike = Pick<DeliveryBuffer, keyof DeliveryBuffer>;
function bindAll(buffer: DeliveryBufferLike): DeliveryBuffer {
  return {
    append: (g, f) => buffer.append(g, f),
    read: (g, after, limit) => buffer.read(g, after, limit),
    ack: (g, id) => buffer.ack(g, id),
    isIdle: (g) => buffer.isIdle(g),
    setIdle: (g, idle) => buffer.setIdle(g, idle),
    size: (g) => buffer.size(g),
  };
}

t.test("a push for a gateway held by no instance is buffered at once, not after remoteDeliveryTimeoutMs", async (t) => {
  const keyPrefix = `unheld${++clusters}:`;
  const sa = createRedisScaleOut({ redis: redis.url, keyPrefix });
  const sb = createRedisScaleOut({ redis: redis.url, keyPrefix });
  t.teardown(() => Promise.all([sa.close(), sb.close()]));
  // Long enough that only the bus saying "nobody received it" can explain a prompt append.
  const a = await startRelay(t, { bus: sa.bus, buffer: sa.buffer, nodeId: "node-a", remoteDeliveryTimeoutMs: 30_000 });
  const b = await startRelay(t, { bus: sb.bus, buffer: sb.buffer, nodeId: "node-b", remoteDeliveryTimeoutMs: 30_000 });
  await Promise.all([sa.attach(a.server), sb.attach(b.server)]);

  const pending = b.server.sendInbound(GATEWAY, messageEvent("nobody-home"));
  await until(async () => (await sb.buffer.size(GATEWAY)) === 1, 5000, "appended by b");
  const gw = await handshake(a, { autoAck: true });
  t.match(await pending, { mode: "buffered" }, "delivered from the buffer and acked");
  t.same(texts(gw), ["nobody-home"]);
  await until(() => a.server.connection(GATEWAY)?.phase === "live");
  t.same(await b.server.sendInbound(GATEWAY, messageEvent("held")), { mode: "remote" }, "held now: offered and taken live");
});

t.test("a gateway goes live on an instance only once the bus delivers its offers there (hold resolved)", async (t) => {
  const keyPrefix = `hold${++clusters}:`;
  const sa = createRedisScaleOut({ redis: redis.url, keyPrefix });
  const sb = createRedisScaleOut({ redis: redis.url, keyPrefix });
  t.teardown(() => Promise.all([sa.close(), sb.close()]));
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const holds: Array<[string, boolean]> = [];
  const busA: RelayBus = {
    publish: (g, m) => sa.bus.publish(g, m),
    subscribe: (handler, options) => sa.bus.subscribe(handler, options),
    offer: (g, m) => sa.bus.offer(g, m),
    hold: async (g, held) => {
      holds.push([g, held]);
      await sa.bus.hold(g, held);
      if (held) await gate;
    },
  };
  const a = await startRelay(t, { bus: busA, buffer: sa.buffer, nodeId: "node-a", remoteDeliveryTimeoutMs: 300 });
  const b = await startRelay(t, { bus: sb.bus, buffer: sb.buffer, nodeId: "node-b", remoteDeliveryTimeoutMs: 300 });
  await Promise.all([sa.attach(a.server), sb.attach(b.server)]);

  const gw = await handshake(a, { autoAck: true });
  t.same(holds, [[GATEWAY, true]], "held from its first socket");
  await sleep(100);
  t.equal(a.server.connection(GATEWAY)?.phase, "awaiting-hello", "handshaked, but not live before the bus confirmed");
  release();
  await until(() => a.server.connection(GATEWAY)?.phase === "live");
  t.same(await b.server.sendInbound(GATEWAY, messageEvent("after")), { mode: "remote" });
  t.same(texts(gw), ["after"]);
  await gw.close();
  await until(() => holds.length === 2);
  t.same(holds[1], [GATEWAY, false], "released when its last socket closed");
});
