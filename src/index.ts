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
