/**
 * Key and channel names. Both keys of a gateway share the hash tag `{<gatewayId>}`, so they live
 * in one slot and a script touching both also runs on Redis Cluster.
 */
export interface RelayKeys {
  /** The gateway's delivery stream (`delivery:<gatewayId>` of contract §7). */
  delivery(gatewayId: string): string;
  /** Present while the gateway is flipped to buffered-only. */
  idle(gatewayId: string): string;
  /** The relay bus channel. */
  readonly bus: string;
}

export function relayKeys(prefix: string): RelayKeys {
  return {
    delivery: (gatewayId) => `${prefix}delivery:{${gatewayId}}`,
    idle: (gatewayId) => `${prefix}idle:{${gatewayId}}`,
    bus: `${prefix}bus`,
  };
}
