/**
 * Deliberately broken peers and the one requirement each must trip (all others must hold).
 * Each is the raw (non-package) reference peer with a single fault switched on.
 */
import type { ConnectorFault } from "./raw-connector.js";
import type { GatewayFault } from "./raw-gateway.js";

export { rawGateway, type GatewayFault } from "./raw-gateway.js";
export { startRawConnector, type ConnectorFault, type RawConnector } from "./raw-connector.js";

export interface BrokenPeer<F> {
  fault: F;
  /** The requirement that must fail — and be the only one. */
  trips: string;
  what: string;
}

type GatewayProfile = "full" | "transport";
const BOTH: readonly GatewayProfile[] = ["full", "transport"];

/**
 * Every broken gateway, with the profiles it is run under. A gateway that never acks buffered
 * inbound is not run under `--profile transport`: acks are that profile's observable, so nearly
 * every check would fail.
 */
const GATEWAY_FAULTS: ReadonlyArray<BrokenPeer<GatewayFault> & { profiles: readonly GatewayProfile[] }> = [
  { fault: "no-newline", trips: "RC-FRM-001", what: "omits the trailing newline of every frame", profiles: BOTH },
  { fault: "ack-live", trips: "RC-ACK-002", what: "acks live inbound", profiles: BOTH },
  { fault: "redial-after-terminal-4401", trips: "RC-AUTH-005", what: "keeps dialing after a terminal 4401", profiles: BOTH },
  { fault: "terminal-only-after-descriptor", trips: "RC-AUTH-005", what: "re-arms its backoff when the fresh-token re-dial is refused before a descriptor", profiles: ["transport"] },
  { fault: "reuse-token", trips: "RC-AUTH-002", what: "reuses one upgrade token across dials", profiles: BOTH },
  { fault: "hello-primary-only", trips: "RC-HS-002", what: "says hello for its primary identity only", profiles: BOTH },
  { fault: "no-buffered-ack", trips: "RC-ACK-001", what: "never acks buffered inbound", profiles: ["full"] },
  { fault: "reader-ends-on-non-object", trips: "RC-FRM-006", what: "stops reading a connection on a JSON line that is not an object", profiles: BOTH },
  { fault: "plugin-command-manifest", trips: "RC-WIRE-003", what: "sends plugin commands that break the producer rules (a receiver drops them)", profiles: BOTH },
];

const gatewaysFor = (profile: GatewayProfile): ReadonlyArray<BrokenPeer<GatewayFault>> =>
  GATEWAY_FAULTS.filter((p) => p.profiles.includes(profile)).map(({ fault, trips, what }) => ({ fault, trips, what }));

/** Broken gateways under the full profile. */
export const BROKEN_GATEWAYS = gatewaysFor("full");
/** Broken gateways under `--profile transport`. */
export const BROKEN_GATEWAYS_TRANSPORT = gatewaysFor("transport");

export const BROKEN_CONNECTORS: ReadonlyArray<BrokenPeer<ConnectorFault>> = [
  { fault: "no-newline", trips: "RC-FRM-001", what: "omits the trailing newline of every frame" },
  { fault: "wrong-request-id", trips: "RC-COR-003", what: "echoes a wrong requestId when requests overlap" },
  { fault: "no-idle-ack", trips: "RC-IDLE-003", what: "never sends going_idle_ack" },
  { fault: "guild-id-only", trips: "RC-INB-001", what: "sends only guild_id where scope_id is required" },
  { fault: "invalid-descriptor", trips: "RC-DESC-001", what: "sends an invalid descriptor" },
  { fault: "accepts-wrong-signature", trips: "RC-AUTH-010", what: "accepts a token with a wrong signature" },
  { fault: "drops-interrupt", trips: "RC-INT-001", what: "never routes interrupt back as interrupt_inbound" },
  { fault: "close-4401-after-handshake", trips: "RC-AUTH-012", what: "closes a valid connection with 4401 right after the handshake" },
];
