/**
 * The gateway of the push-flood section: `createRelayClient` with its defaults and an inbound
 * handler that takes `delayMs` per delivery (awaits a timer, as one awaiting a platform call
 * would). While sampling, it records its own RSS and heap every 10 ms and how far its inbound
 * backlog (the delivery queue the client bounds) grew.
 */
import { createRelayClient, type RelayClient } from "../../src/client/index.js";
import { config, serve } from "./rpc.js";
import { setTimeout as sleep } from "node:timers/promises";
import { settledMemory, type ProcConfig } from "./common.js";

config<ProcConfig>();

let client: RelayClient | undefined;
let handled = 0;
let delayMs = 20;
let sampler: NodeJS.Timeout | undefined;
let peak = { rss: 0, heapUsed: 0, deliveries: 0, bytes: 0, pausedSamples: 0, samples: 0 };

function sample(): void {
  const rss = process.memoryUsage.rss();
  const { heapUsed } = process.memoryUsage();
  const backlog = client?.inboundBacklog;
  peak.samples++;
  if (rss > peak.rss) peak.rss = rss;
  if (heapUsed > peak.heapUsed) peak.heapUsed = heapUsed;
  if (backlog !== undefined) {
    if (backlog.deliveries > peak.deliveries) peak.deliveries = backlog.deliveries;
    if (backlog.bytes > peak.bytes) peak.bytes = backlog.bytes;
    if (backlog.readingPaused) peak.pausedSamples++;
  }
}

serve(
  {
    async connect(args) {
      delayMs = Number(args.delayMs ?? 20);
      client = createRelayClient({
        url: `http://127.0.0.1:${Number(args.port)}`,
        gatewayId: String(args.gatewayId),
        secret: String(args.secret),
        identities: [{ platform: "discord", botId: "1122334455667788990" }],
        handlers: {
          inbound: async () => {
            await sleep(delayMs);
            handled++;
          },
        },
        reconnect: false,
        keepaliveIntervalMs: 0,
      });
      await client.connect();
      return {};
    },
    /** Waits until `count` deliveries were handled in all. */
    async handled(args) {
      while (handled < Number(args.count)) await sleep(5);
      return { handled };
    },
    /** The settled memory of the connected, idle gateway. */
    idle: () => settledMemory(),
    sampleStart() {
      peak = { rss: 0, heapUsed: 0, deliveries: 0, bytes: 0, pausedSamples: 0, samples: 0 };
      handled = 0;
      sample();
      sampler = setInterval(sample, 10);
      return {};
    },
    sampleStop() {
      clearInterval(sampler);
      sample();
      return { ...peak, handled };
    },
  },
  {},
  async () => {
    clearInterval(sampler);
    await client?.close();
  },
);
