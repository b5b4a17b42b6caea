/**
 * `conformance connector`: the kit acts as a gateway against a running connector.
 */
import { randomBytes } from "node:crypto";
import { DEFAULT_IDENTITIES, type KitIdentity } from "../fixtures.js";
import { runKit, type KitRunOptions } from "../kit-run.js";
import { normalizeRelayUrl } from "../../client/url.js";
import type { ConformanceReport } from "../types.js";
import { CONNECTOR_SCENARIOS } from "./scenarios.js";
import type { ConnectorKitSettings } from "./stage.js";

export { CONNECTOR_SCENARIOS } from "./scenarios.js";

export interface ConnectorConformanceOptions extends KitRunOptions {
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
}

/** The reference's dial-URL normalisation (contract §3), the same function the client dials with. */
export { normalizeRelayUrl };

export async function runConnectorConformance(opts: ConnectorConformanceOptions): Promise<ConformanceReport> {
  const settings: ConnectorKitSettings = {
    url: normalizeRelayUrl(opts.url),
    gatewayId: opts.gatewayId,
    secret: opts.secret,
    identities: [...(opts.identities ?? DEFAULT_IDENTITIES)].map((i) => ({ ...i })),
    stepTimeoutMs: opts.stepTimeoutMs ?? 5000,
    quietMs: opts.quietMs ?? 1000,
    runTag: `kit-${randomBytes(4).toString("hex")}`,
    learnt: {},
  };
  if (settings.identities.length === 0) throw new RangeError("conformance connector: at least one identity is required");
  let parsed: URL | undefined;
  try {
    parsed = new URL(settings.url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== "ws:" && parsed.protocol !== "wss:")) {
    throw new RangeError(`conformance connector: invalid connector URL ${JSON.stringify(opts.url)} (expected ws(s):// or http(s):// HOST:PORT)`);
  }
  return runKit("connector", settings.url, CONNECTOR_SCENARIOS, settings, opts);
}
