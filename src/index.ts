/**
 * relay-contract: the executable contract of the Hermes relay protocol (contract_version 1).
 *
 * The root entry re-exports the whole runtime; the subpaths (`relay-contract/codec`, `/auth`,
 * `/server`, `/client`, `/conformance`) expose the same modules one job at a time.
 */
export type * from "../generated/types.js";
export {
  CONTRACT_VERSION,
  STEPS,
  LEGACY_OPS,
  REQUEST_ID_PATTERN,
  PROMPT_ID_PATTERN,
  DEFINITION_NAMES,
  GATEWAY_FRAME_DEFINITIONS,
  CONNECTOR_FRAME_DEFINITIONS,
  ACTION_DEFINITIONS,
  RESULT_DEFINITIONS,
  type DefinitionName,
  type GatewayFrameType,
  type ConnectorFrameType,
  type OpName,
} from "../generated/registry.js";
export {
  validateFrame,
  validateDefinition,
  frameDirectionOf,
  FrameValidationError,
  GATEWAY_FRAME_TYPES,
  CONNECTOR_FRAME_TYPES,
  type ValidateFrameOptions,
} from "./validation.js";
export type { FrameDirection, ValidationIssue, ValidationMode, ValidationResult } from "./validation-types.js";
export * from "./codec/index.js";
export * from "./auth/index.js";
export * from "./close-codes.js";
// The two roles. Their full surfaces live at `relay-contract/server` and `relay-contract/client`
// (both have e.g. a `CloseOptions`); the root re-exports the entry points and main types.
export {
  createRelayServer,
  InMemoryDeliveryBuffer,
  InMemoryRelayBus,
  type RelayServer,
  type RelayServerOptions,
  type RelayConnection,
  type DeliveryBuffer,
  type RelayBus,
} from "./server/index.js";
export {
  createRelayClient,
  RelayClient,
  RelayConnectError,
  RelayClientClosedError,
  normalizeRelayUrl,
  type RelayClientOptions,
  type RelayIdentity,
  type RelayResult,
} from "./client/index.js";
