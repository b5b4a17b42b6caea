/**
 * Bounded chaos, loopback only: several gateways (this package's client) reach one connector
 * (this package's server) through a fault-injecting TCP proxy that stalls, resets and black-holes
 * their connections at random (seeded), while the connector pushes to every gateway and every
 * gateway sends requests throughout. Then the faults stop, everything settles, and:
 *
 * - nothing acknowledged is lost: every push whose `sendInbound` resolved as buffered (acked by
 *   the gateway) reached that gateway's handler; with `delivery: "acked"` every push does;
 * - one order per gateway: first deliveries are in push order, and within one connection every
 *   delivery is in push order;
 * - duplicates only where at-least-once allows them: a push seen twice was a buffered delivery
 *   seen again on a later connection, with the same `bufferId` (a replay of an unacked entry);
 * - every request settles (a result, or one of the client's transport failures);
 * - RSS stays bounded.
 *
 * One gateway handles its deliveries slowly, so the client's inbound backpressure stops reading
 * and the connector's own backpressure (buffering past its high-water mark) takes over.
 * `CHAOS_SECONDS` sets the fault phase of each mode (default 12).
 */
import tap from "tap";
import type { MessageEvent } from "../generated/types.js";
import { createRelayClient, LocalError, type RelayClient } from "../src/client/index.js";
import { createRelayServer, type DeliveryReceipt } from "../src/server/index.js";
import { FaultProxy } from "./helpers/fault-proxy.js";
import { descriptor, messageEvent } from "./helpers/fixtures.js";
import { sleep } from "./helpers/time.js";

const SECONDS = Number(process.env.CHAOS_SECONDS ?? 12);
const GATEWAYS = 4;
const MiB = 1_048_576;
/** The client's own results for a request the transport could not carry (never on the wire). */
const isTransportFailure = (error: string | undefined): boolean =>
  error === LocalError.NotConnected ||
  error === LocalError.TimedOut ||
  error === LocalError.ConnectionLost ||
  (error?.startsWith(LocalError.SendFailedPrefix) ?? false);

/** mulberry32: a small seeded PRNG, so a failing schedule can be replayed with its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** A wait that does not keep the process alive. */
function deadline(ms: number): Promise<void> {
  return sleep(ms, undefined, { ref: false });
}

interface Delivery {
  seq: number;
  generation: number;
  bufferId: string | undefined;
}

interface Outcome {
  pushes: number;
  resolvedLive: number;
  resolvedBuffered: number;
  rejected: number;
  lostLive: number;
  duplicates: number;
  requests: number;
  requestSuccesses: number;
  requestTransportFailures: number;
  maxRssMiB: number;
  rssGrowthMiB: number;
  faults: FaultProxy["counts"];
  reconnects: number;
}

async function chaos(t: Pick<typeof tap, "ok" | "equal" | "fail" | "same">, delivery: "live" | "acked", seed: number): Promise<Outcome> {
  const random = prng(seed);
  const secrets = new Map(Array.from({ length: GATEWAYS }, (_, i) => [`gw-${i}`, `secret-${i}`]));
  const server = createRelayServer({
    auth: { secrets: (id: string) => (secrets.has(id) ? [secrets.get(id) as string] : undefined) },
    onHello: (hello) => descriptor(hello.platform),
    handlers: { send: async () => ({ success: true, message_id: "m" }) },
    delivery,
    keepaliveIntervalMs: 1_000,
    keepaliveTimeoutMs: 2_000,
    // No ack times out within the run: a delivery repeated on one connection would be a bug.
    replay: { ackTimeoutMs: 120_000 },
    backpressure: { highWaterBytes: 64 * 1024, pollIntervalMs: 10 },
  });
  const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
  const proxy = await FaultProxy.start({ host: "127.0.0.1", port });

  const seen = new Map<string, Delivery[]>();
  const clients: RelayClient[] = [];
  let reconnects = 0;
  for (let i = 0; i < GATEWAYS; i++) {
    const gatewayId = `gw-${i}`;
    const log: Delivery[] = [];
    seen.set(gatewayId, log);
    const slow = i === 0;
    const client = createRelayClient({
      url: `http://127.0.0.1:${proxy.port}`,
      gatewayId,
      secret: secrets.get(gatewayId) as string,
      identities: [{ platform: "telegram", botId: `bot-${i}` }],
      backoffBaseMs: 50,
      backoffMaxMs: 500,
      keepaliveIntervalMs: 500,
      keepaliveTimeoutMs: 1_500,
      handshakeTimeoutMs: 3_000,
      requestTimeoutMs: 3_000,
      // Small, so the slow gateway's queue fills and reading stops.
      maxQueuedDeliveries: 16,
      handlers: {
        inbound: async (event, ctx) => {
          log.push({ seq: Number(event.text), generation: ctx.generation, bufferId: ctx.bufferId });
          if (slow) await sleep(random() < 0.5 ? 0 : 3);
        },
      },
    });
    client.on("handshake", () => reconnects++);
    client.on("protocolError", (e) => t.fail(`${gatewayId} protocol error: ${JSON.stringify(e)}`));
    clients.push(client);
  }
  await Promise.all(clients.map((c) => c.connect()));
  reconnects = 0;

  const pushes = new Map<string, Array<{ seq: number; receipt?: DeliveryReceipt; error?: unknown }>>();
  const pending: Promise<unknown>[] = [];
  const requests: Promise<{ success: boolean; error?: string }>[] = [];
  const rss: number[] = [];
  const sample = setInterval(() => rss.push(process.memoryUsage().rss), 250);
  const baseline = process.memoryUsage().rss;

  let running = true;
  const pushLoop = async (): Promise<void> => {
    const next = new Map<string, number>();
    while (running) {
      for (const gatewayId of secrets.keys()) {
        const seq = next.get(gatewayId) ?? 0;
        next.set(gatewayId, seq + 1);
        const record: { seq: number; receipt?: DeliveryReceipt; error?: unknown } = { seq };
        let list = pushes.get(gatewayId);
        if (list === undefined) pushes.set(gatewayId, (list = []));
        list.push(record);
        const event: MessageEvent = { ...messageEvent(String(seq)), message_id: `${gatewayId}-${seq}` };
        pending.push(
          server.sendInbound(gatewayId, event).then(
            (receipt) => void (record.receipt = receipt),
            (error: unknown) => void (record.error = error),
          ),
        );
      }
      await sleep(4);
    }
  };
  const requestLoop = async (): Promise<void> => {
    while (running) {
      for (const client of clients) requests.push(client.send({ chat_id: "c", content: "hi" }) as Promise<{ success: boolean; error?: string }>);
      await sleep(25);
    }
  };
  const faultLoop = async (): Promise<void> => {
    while (running) {
      await sleep(150 + random() * 450);
      const links = proxy.links();
      const link = links[Math.floor(random() * links.length)];
      if (link === undefined) continue;
      const roll = random();
      if (roll < 0.5) proxy.stall(link, 100 + random() * 1_900);
      else if (roll < 0.8) proxy.reset(link);
      else proxy.blackhole(link);
    }
  };

  const loops = [pushLoop(), requestLoop(), faultLoop()];
  await sleep(SECONDS * 1_000);
  running = false;
  await Promise.all(loops);

  // Settle: the faults stopped; black holes are found by keepalive, gateways re-dial and drain.
  const settled = await Promise.race([Promise.all(pending).then(() => true), deadline(60_000).then(() => false)]);
  const requestResults = await Promise.race([Promise.all(requests), deadline(30_000).then(() => undefined)]);
  clearInterval(sample);
  t.ok(settled, "every push settled once the faults stopped");
  t.ok(requestResults !== undefined, "every request settled");

  let resolvedLive = 0;
  let resolvedBuffered = 0;
  let rejected = 0;
  let lostLive = 0;
  let duplicates = 0;
  for (const [gatewayId, list] of pushes) {
    const log = seen.get(gatewayId) as Delivery[];
    const firstSeen = new Map<number, Delivery>();
    let lastFirst = -1;
    const lastInGeneration = new Map<number, number>();
    let orderBroken = 0;
    let badDuplicates = 0;
    for (const d of log) {
      const before = lastInGeneration.get(d.generation) ?? -1;
      if (d.seq <= before) orderBroken++;
      lastInGeneration.set(d.generation, d.seq);
      const first = firstSeen.get(d.seq);
      if (first === undefined) {
        if (d.seq <= lastFirst) orderBroken++;
        lastFirst = d.seq;
        firstSeen.set(d.seq, d);
        continue;
      }
      duplicates++;
      // At least once allows exactly this: a buffered entry replayed on a later connection.
      if (first.bufferId === undefined || first.bufferId !== d.bufferId || d.generation <= first.generation) badDuplicates++;
    }
    t.equal(orderBroken, 0, `${gatewayId}: one order (${log.length} deliveries, ${firstSeen.size} distinct)`);
    t.equal(badDuplicates, 0, `${gatewayId}: duplicates only as replays of unacked buffered entries on a later connection`);
    let lostAcked = 0;
    for (const p of list) {
      if (p.error !== undefined) rejected++;
      else if (p.receipt?.mode === "buffered") {
        resolvedBuffered++;
        if (!firstSeen.has(p.seq)) lostAcked++;
      } else if (p.receipt?.mode === "live") {
        resolvedLive++;
        if (!firstSeen.has(p.seq)) lostLive++;
      }
    }
    t.equal(lostAcked, 0, `${gatewayId}: nothing acked is lost`);
  }
  t.equal(rejected, 0, "no push rejected");
  if (delivery === "acked") t.equal(resolvedLive, 0, "acked mode never resolves a push as live");

  const outcomes = requestResults ?? [];
  const successes = outcomes.filter((r) => r.success).length;
  const transport = outcomes.filter((r) => !r.success && isTransportFailure(r.error)).length;
  const other = outcomes.filter((r) => !r.success && !isTransportFailure(r.error)).map((r) => r.error);
  t.same(other, [], "a request either succeeds or ends with a transport failure of the client");

  const maxRss = Math.max(...rss, baseline);
  t.ok(maxRss - baseline < 256 * MiB, `RSS bounded: ${((maxRss - baseline) / MiB).toFixed(0)} MiB above the start`);

  await Promise.all(clients.map((c) => c.close()));
  await proxy.close();
  await server.close({ drainMs: 1_000 });
  return {
    pushes: [...pushes.values()].reduce((n, l) => n + l.length, 0),
    resolvedLive,
    resolvedBuffered,
    rejected,
    lostLive,
    duplicates,
    requests: outcomes.length,
    requestSuccesses: successes,
    requestTransportFailures: transport,
    maxRssMiB: Math.round(maxRss / MiB),
    rssGrowthMiB: Math.round((maxRss - baseline) / MiB),
    faults: { ...proxy.counts },
    reconnects,
  };
}

const t = tap;
const MODES = [["acked", 0xc0ffee], ["live", 0xbadcafe]] as const;
const PER_MODE_TIMEOUT_MS = (SECONDS + 120) * 1_000;
// The runner's per-file timeout (package.json) is shorter than the modes' worst case on a loaded
// machine; the root test tells the runner how long this file may take.
t.setTimeout(MODES.length * PER_MODE_TIMEOUT_MS + 30_000);
for (const [delivery, seed] of MODES) {
  t.test(`chaos, delivery "${delivery}" (seed ${seed.toString(16)}, ${SECONDS} s of faults)`, { timeout: PER_MODE_TIMEOUT_MS }, async (t) => {
    const outcome = await chaos(t, delivery, seed);
    t.comment(`chaos figures (${delivery}): ${JSON.stringify(outcome)}`);
  });
}
