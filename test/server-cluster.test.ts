/**
 * Server helper, several nodes sharing one relay bus and one delivery buffer (the in-memory
 * implementations shared in-process), through the cluster behaviours every backend must show
 * (test/helpers/cluster-behaviours.ts).
 */
import t from "tap";
import { InMemoryDeliveryBuffer, InMemoryRelayBus, type RelayBus } from "../src/server/index.js";
import { clusterBehaviours } from "./helpers/cluster-behaviours.js";
import { startRelay } from "./helpers/raw-gateway.js";

clusterBehaviours(t, {
  async cluster(t, wrapBus = (bus: RelayBus) => bus) {
    const buffer = new InMemoryDeliveryBuffer();
    const common = { bus: wrapBus(new InMemoryRelayBus()), buffer, remoteDeliveryTimeoutMs: 150 };
    const a = await startRelay(t, { ...common, nodeId: "node-a" });
    const b = await startRelay(t, { ...common, nodeId: "node-b" });
    return { a, b, buffers: [buffer, buffer] };
  },
  quietMs: 30,
  bufferId: /^\d+$/,
});
