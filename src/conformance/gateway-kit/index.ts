/**
 * `conformance gateway`: for each scenario, a fresh fake connector and a fresh gateway under test.
 */
import { randomBytes } from "node:crypto";
import { DEFAULT_IDENTITIES, type KitIdentity } from "../fixtures.js";
import { runKit, type KitRunOptions } from "../kit-run.js";
import type { ConformanceReport } from "../types.js";
import { GATEWAY_SCENARIOS } from "./scenarios.js";
import type { GatewayKitSettings } from "./stage.js";
import type { GatewayUnderTest } from "./launcher.js";

export { GATEWAY_SCENARIOS } from "./scenarios.js";
export { commandGateway, GATEWAY_ENV, type GatewayEnv, type GatewayUnderTest, type RunningGateway, type CommandGatewayOptions } from "./launcher.js";

export interface GatewayConformanceOptions extends KitRunOptions {
  gateway: GatewayUnderTest;
  /** Default `gw-conformance`. */
  gatewayId?: string;
  /** Default: random per run. */
  secret?: string;
  /** Default: Discord then Telegram. */
  identities?: KitIdentity[];
  /** Longest wait for something the gateway must do. Default 5000 ms. */
  stepTimeoutMs?: number;
  /** Longest wait for the first dial of each scenario (the gateway's start-up). Default 20 000 ms. */
  startTimeoutMs?: number;
  /** Window in which something must not happen. Default 1000 ms. */
  quietMs?: number;
  /** Reconnect ladder the gateway is told to use. Defaults 100 / 400 ms. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Request timeout the gateway is told to use. Default 10 000 ms. */
  requestTimeoutMs?: number;
}

export async function runGatewayConformance(opts: GatewayConformanceOptions): Promise<ConformanceReport> {
  const quietMs = opts.quietMs ?? 1000;
  const settings: GatewayKitSettings = {
    gateway: opts.gateway,
    gatewayId: opts.gatewayId ?? "gw-conformance",
    secret: opts.secret ?? randomBytes(24).toString("base64url"),
    identities: [...(opts.identities ?? DEFAULT_IDENTITIES)].map((i) => ({ ...i })),
    stepTimeoutMs: opts.stepTimeoutMs ?? 5000,
    startTimeoutMs: opts.startTimeoutMs ?? Math.max(20_000, opts.stepTimeoutMs ?? 0),
    quietMs,
    helloGapMs: Math.min(200, quietMs),
    backoffBaseMs: opts.backoffBaseMs ?? 100,
    backoffMaxMs: opts.backoffMaxMs ?? 400,
    requestTimeoutMs: opts.requestTimeoutMs ?? 10_000,
  };
  return runKit("gateway", opts.gateway.describe, GATEWAY_SCENARIOS, settings, opts);
}
