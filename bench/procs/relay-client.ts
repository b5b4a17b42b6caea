/**
 * Subject gateway: `createRelayClient` with defaults (strict validation of what it sends,
 * tolerant checks of what it receives, handlers off the reader, acks after the handler).
 */
import type { MessageEvent, SendAction } from "../../generated/types.js";
import { createRelayClient, type RelayClient } from "../../src/client/index.js";
import { config, now, serve } from "./rpc.js";
import { sendAction, type ProcConfig } from "./common.js";

const cfg = config<ProcConfig>();
const { op: _op, ...sendFields } = sendAction(cfg.root) as unknown as SendAction;

let client: RelayClient | undefined;
let received = 0;
let expected = Number.POSITIVE_INFINITY;
let onAllReceived: (() => void) | undefined;
/** message ids of deliveries since `expect`, in handler order (the replay section's exactly-once/in-order checks). */
let order: number[] = [];
let record = false;

function onInbound(event: MessageEvent): void {
  if (record) order.push(Number(String(event.message_id).slice(2)));
  if (++received >= expected) onAllReceived?.();
}

serve(
  {
    async connect(args) {
      await client?.close();
      client = createRelayClient({
        url: `http://127.0.0.1:${Number(args.port)}`,
        gatewayId: String(args.gatewayId),
        secret: String(args.secret),
        identities: [{ platform: "discord", botId: "1122334455667788990" }],
        handlers: { inbound: onInbound },
        reconnect: false,
        coalesceAcks: args.coalesceAcks !== false, // the replay section measures the batched path
      });
      await client.connect();
      return {};
    },
    async close() {
      await client?.close();
      client = undefined;
      return {};
    },
    async roundtrip(args) {
      const c = client as RelayClient;
      const latencies: number[] = [];
      for (let i = 0; i < Number(args.count); i++) {
        const t0 = now();
        const result = await c.send(sendFields);
        if (!result.success) throw new Error(`send failed: ${JSON.stringify(result)}`);
        latencies.push((now() - t0) * 1000);
      }
      return { latencies };
    },
    async pipelined(args) {
      const c = client as RelayClient;
      const count = Number(args.count);
      let next = 0;
      let failed = 0;
      const t0 = now();
      const lane = async (): Promise<void> => {
        while (next++ < count) if (!(await c.send(sendFields)).success) failed++;
      };
      await Promise.all(Array.from({ length: Number(args.inflight) }, lane));
      if (failed > 0) throw new Error(`${failed} requests failed`);
      return { ms: now() - t0 };
    },
    expect(args) {
      received = 0;
      expected = Number(args.count);
      record = args.record === true;
      order = [];
      return {};
    },
    received() {
      if (received >= expected) return {};
      return new Promise((resolve) => {
        onAllReceived = () => {
          onAllReceived = undefined;
          resolve({});
        };
      });
    },
    /** Exactly once and in order: the recorded ids are 0, 1, …, n-1. */
    checkOrder(args) {
      const n = Number(args.count);
      let firstBad = -1;
      for (let i = 0; i < Math.max(n, order.length); i++) {
        if (order[i] !== i) {
          firstBad = i;
          break;
        }
      }
      return { ok: firstBad === -1 && order.length === n, delivered: order.length, firstBad };
    },
    stats: () => ({ received }),
  },
  {},
  async () => {
    await client?.close();
  },
);
