/**
 * `conformance gateway`: for each scenario, a fresh fake connector and a fresh gateway under test.
 */
import { randomBytes } from "node:crypto";
import { DEFAULT_IDENTITIES, type KitIdentity } from "../fixtures.js";
import { referenceGatewayEnv } from "./launcher.js";
import { runKit, type KitRunOptions } from "../kit-run.js";
import type { ConformanceReport } from "../types.js";
import { GATEWAY_SCENARIOS } from "./scenarios.js";
import type { GatewayKitSettings, GatewayProfile, GatewayScenario } from "./stage.js";
import type { GatewayUnderTest } from "./launcher.js";
import { GATEWAY_TRANSPORT_SCENARIOS, TRANSPORT_UNTESTED_REASONS } from "./transport-scenarios.js";

export { GATEWAY_SCENARIOS } from "./scenarios.js";
export { GATEWAY_TRANSPORT_SCENARIOS } from "./transport-scenarios.js";
export type { GatewayProfile } from "./stage.js";
export {
  commandGateway,
  referenceGatewayEnv,
  GATEWAY_ENV,
  REFERENCE_GATEWAY_ENV,
  type GatewayEnv,
  type GatewayUnderTest,
  type RunningGateway,
  type CommandGatewayOptions,
} from "./launcher.js";

/** The scenarios of a profile. */
export function gatewayScenarios(profile: GatewayProfile = "full"): readonly GatewayScenario[] {
  return profile === "transport" ? GATEWAY_TRANSPORT_SCENARIOS : GATEWAY_SCENARIOS;
}

export interface GatewayConformanceOptions extends KitRunOptions {
  gateway: GatewayUnderTest;
  /**
   * `full` (default): the gateway behaves as the conformance agent. `transport`: any gateway —
   * only checks that need no cooperation from its agent; the others are reported untested.
   */
  profile?: GatewayProfile;
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
  /**
   * How long the kit watches for a dial after a terminal 4401. Default 3000 ms (at least twice
   * the backoff cap): longer than the reference gateway's first reconnect delay (1 s), so a
   * reconnect loop re-armed by a race shows up.
   */
  terminalWindowMs?: number;
}

export async function runGatewayConformance(opts: GatewayConformanceOptions): Promise<ConformanceReport> {
  const quietMs = opts.quietMs ?? 1000;
  const profile = opts.profile ?? "full";
  if (profile !== "full" && profile !== "transport") throw new RangeError(`unknown profile ${JSON.stringify(profile)}: full or transport`);
  const backoffMaxMs = opts.backoffMaxMs ?? 400;
  const settings: GatewayKitSettings = {
    profile,
    gateway: opts.gateway,
    gatewayId: opts.gatewayId ?? "gw-conformance",
    secret: opts.secret ?? randomBytes(24).toString("base64url"),
    identities: [...(opts.identities ?? DEFAULT_IDENTITIES)].map((i) => ({ ...i })),
    stepTimeoutMs: opts.stepTimeoutMs ?? 5000,
    startTimeoutMs: opts.startTimeoutMs ?? Math.max(20_000, opts.stepTimeoutMs ?? 0),
    quietMs,
    helloGapMs: Math.min(200, quietMs),
    backoffBaseMs: opts.backoffBaseMs ?? 100,
    backoffMaxMs,
    requestTimeoutMs: opts.requestTimeoutMs ?? 10_000,
    terminalWindowMs: opts.terminalWindowMs ?? Math.max(3000, backoffMaxMs * 2),
  };
  // Fails early (a usage error) when the identities cannot be expressed as the reference's variables.
  referenceGatewayEnv({ url: "ws://127.0.0.1", gatewayId: settings.gatewayId, secret: settings.secret, identities: settings.identities });
  return runKit(
    "gateway",
    opts.gateway.describe,
    gatewayScenarios(profile),
    settings,
    opts,
    profile === "transport" ? { name: profile, untestedReasons: TRANSPORT_UNTESTED_REASONS } : { name: profile },
  );
}
