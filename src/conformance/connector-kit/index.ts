/**
 * `conformance connector`: the kit acts as a gateway against a running connector.
 */
import { randomBytes } from "node:crypto";
import { DEFAULT_IDENTITIES, type KitIdentity } from "../fixtures.js";
import { buildReport } from "../report.js";
import { runScenarios } from "../runner.js";
import type { ConformanceReport, ScenarioResult } from "../types.js";
import { CONNECTOR_SCENARIOS } from "./scenarios.js";
import type { ConnectorKitSettings } from "./stage.js";

export { CONNECTOR_SCENARIOS } from "./scenarios.js";

export interface ConnectorConformanceOptions {
  /** Connector base URL or its `/relay` URL (`http(s)` is mapped to `ws(s)`). */
  url: string;
  gatewayId: string;
  secret: string;
  /** Identities the kit says hello for. Default: Discord then Telegram. */
  identities?: KitIdentity[];
  /** Longest wait for something the connector must do. Default 5000 ms. */
  stepTimeoutMs?: number;
  /** Window in which something must not happen. Default 1000 ms. */
  quietMs?: number;
  /** Default 60 000 ms. */
  scenarioTimeoutMs?: number;
  scenarios?: readonly string[];
  expectedFailures?: { ids: readonly string[]; file?: string };
  strict?: boolean;
  log?: (line: string) => void;
  onScenarioEnd?: (result: ScenarioResult) => void;
}

/** The reference's dial-URL normalisation (wire-protocol.md §1.1). */
export function normalizeRelayUrl(url: string): string {
  let out = url.trim();
  if (out.startsWith("https://")) out = `wss://${out.slice(8)}`;
  else if (out.startsWith("http://")) out = `ws://${out.slice(7)}`;
  out = out.replace(/\/+$/, "");
  return out.endsWith("/relay") ? out : `${out}/relay`;
}

export async function runConnectorConformance(opts: ConnectorConformanceOptions): Promise<ConformanceReport> {
  const settings: ConnectorKitSettings = {
    url: normalizeRelayUrl(opts.url),
    gatewayId: opts.gatewayId,
    secret: opts.secret,
    identities: [...(opts.identities ?? DEFAULT_IDENTITIES)].map((i) => ({ ...i })),
    stepTimeoutMs: opts.stepTimeoutMs ?? 5000,
    quietMs: opts.quietMs ?? 1000,
    runTag: `kit-${randomBytes(4).toString("hex")}`,
  };
  if (settings.identities.length === 0) throw new RangeError("conformance connector: at least one identity is required");
  const unknown = (opts.scenarios ?? []).filter((id) => !CONNECTOR_SCENARIOS.some((s) => s.id === id));
  if (unknown.length > 0) throw new RangeError(`unknown connector scenario(s): ${unknown.join(", ")}`);
  const started = new Date();
  const results = await runScenarios(CONNECTOR_SCENARIOS, settings, {
    scenarioTimeoutMs: opts.scenarioTimeoutMs ?? 60_000,
    ...(opts.scenarios !== undefined && { only: opts.scenarios }),
    ...(opts.log !== undefined && { log: opts.log }),
    ...(opts.onScenarioEnd !== undefined && { onScenarioEnd: opts.onScenarioEnd }),
  });
  return buildReport({
    role: "connector",
    target: settings.url,
    startedAt: started,
    durationMs: Date.now() - started.getTime(),
    scenarios: results,
    ...(opts.expectedFailures !== undefined && { expectedFailures: opts.expectedFailures }),
    ...(opts.strict !== undefined && { strict: opts.strict }),
  });
}
