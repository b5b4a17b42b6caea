/**
 * relay-contract/conformance: proves that a peer — in any language — speaks the relay contract.
 *
 * - `runGatewayConformance({ gateway, profile })`: the kit plays the connector. For every
 *   scenario it starts a fake connector on 127.0.0.1 and the gateway under test (a command, or
 *   an in-process factory) with the reference gateway's variables (GATEWAY_RELAY_URL,
 *   GATEWAY_RELAY_ID, GATEWAY_RELAY_SECRET, GATEWAY_RELAY_PLATFORMS, GATEWAY_RELAY_BOT_IDS) and
 *   the kit's own:
 *     RELAY_URL                 connector base URL (ws://127.0.0.1:PORT); dial `${RELAY_URL}/relay`
 *     RELAY_GATEWAY_ID          gateway id for the §3 bearer
 *     RELAY_SECRET              secret for the §3 bearer (mint a fresh token per dial)
 *     RELAY_IDENTITIES          JSON [{"platform","botId"}…]: one hello each, in order
 *     RELAY_SCENARIO            scenario id (informational)
 *     RELAY_PROFILE             full or transport (informational)
 *     RELAY_BACKOFF_BASE_MS     reconnect ladder base, also the dormant re-dial delay
 *     RELAY_BACKOFF_MAX_MS      reconnect ladder cap
 *     RELAY_REQUEST_TIMEOUT_MS  outbound result (and going_idle_ack) timeout
 *   The `full` profile (default) expects the "conformance agent" behaviour: inbound text T →
 *   send "echo: T" to the chat, then edit the sent message to "edited: T"; "/stop KEY" →
 *   interrupt KEY; "/idle" → going_idle, then close normally after the ack and re-dial;
 *   interrupt_inbound → send "interrupted: KEY" to its chat_id; passthrough_forward → send
 *   "passthrough: BODY" to chat "passthrough"; buffered deliveries acked after their handler
 *   returned. The `transport` profile judges any gateway by what its transport does anyway
 *   (acks of buffered deliveries, dials) and reports the agent's requirements untested.
 *   docs/conformance.md has the details.
 * - `runConnectorConformance({ url, gatewayId, secret })`: the kit plays the gateway against a
 *   running connector that fronts the "loopback platform" (docs/conformance.md).
 *
 * Every frame the peer sends is validated against the strict schema (one check per scenario
 * and requirement, naming each invalid frame). Reports render as text, JSON or JUnit XML; an
 * expected-failures list makes a run pass only when exactly the listed requirements fail.
 */
export {
  REQUIREMENTS,
  requirementById,
  requirementsFor,
  renderRequirementTable,
  type Requirement,
  type RequirementLevel,
  type RequirementRole,
  type PeerRole,
} from "./requirements.js";
export type {
  Check,
  CheckStatus,
  ScenarioResult,
  RequirementResult,
  RequirementStatus,
  ConformanceReport,
  ExpectedFailuresOutcome,
} from "./types.js";
export { runScenarios, type Scenario, type ScenarioContext, type RunOptions } from "./runner.js";
export { buildReport, isBlockingFailure, type BuildReportOptions } from "./report.js";
export { renderHuman, renderJson, renderJunit, summaryLine, type HumanRenderOptions } from "./render.js";
export {
  parseExpectedFailures,
  loadExpectedFailures,
  compareExpectedFailures,
  ExpectedFailuresError,
} from "./expected-failures.js";
export {
  runGatewayConformance,
  commandGateway,
  gatewayScenarios,
  referenceGatewayEnv,
  GATEWAY_SCENARIOS,
  GATEWAY_TRANSPORT_SCENARIOS,
  GATEWAY_ENV,
  REFERENCE_GATEWAY_ENV,
  type GatewayProfile,
  type GatewayConformanceOptions,
  type GatewayEnv,
  type GatewayUnderTest,
  type RunningGateway,
  type CommandGatewayOptions,
} from "./gateway-kit/index.js";
export {
  DEFAULT_IDENTITIES,
  ALL_OPS,
  COMMAND_MANIFEST,
  descriptorFor,
  sourceFor,
  textEvent,
  passthroughFor,
  sampleAction,
  newRequestId,
  type KitIdentity,
} from "./fixtures.js";
export {
  runConnectorConformance,
  normalizeRelayUrl,
  CONNECTOR_SCENARIOS,
  type ConnectorConformanceOptions,
} from "./connector-kit/index.js";
export {
  startLoopbackConnector,
  type LoopbackConnector,
  type LoopbackConnectorOptions,
} from "./agents/loopback-connector.js";
export { startGatewayAgent, packageClientGateway, type AgentOptions } from "./agents/gateway-agent.js";
