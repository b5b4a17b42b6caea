/**
 * The gateway of the cross-instance section: `createRelayClient` with defaults, noting
 * when each delivery's handler ran (the shared monotonic clock of `now()`), by message number.
 */
import type { MessageEvent } from "../../generated/types.js";
import { createRelayClient, type RelayClient } from "../../src/client/index.js";
import { config, now, serve } from "./rpc.js";
import type { ProcConfig } from "./common.js";

config<ProcConfig>();

let client: RelayClient | undefined;
let received = 0;
let expected = Number.POSITIVE_INFINITY;
let onAll: (() => void) | undefined;
let arrivals: number[] = [];

function onInbound(event: MessageEvent): void {
  arrivals[Number(String(event.message_id).slice(2))] = now();
  if (++received >= expected) onAll?.();
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
        keepaliveIntervalMs: 0,
      });
      await client.connect();
      return {};
    },
    expect(args) {
      received = 0;
      expected = Number(args.count);
      arrivals = [];
      return {};
    },
    received() {
      if (received >= expected) return {};
      return new Promise((resolve) => {
        onAll = () => {
          onAll = undefined;
          resolve({});
        };
      });
    },
    arrivals: () => ({ arrivals }),
  },
  {},
  async () => {
    await client?.close();
  },
);
