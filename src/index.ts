/**
 * relay-contract: the executable contract of the Hermes relay protocol (contract_version 1).
 *
 * The root entry is the contract itself: types, validation, codec, upgrade-token auth and close
 * codes. The roles live at `relay-contract/server` (connector) and `relay-contract/client`
 * (gateway), and the kit at `relay-contract/conformance`, so that validating a frame does not
 * load `ws` or either role.
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
export { checkFrameRules, promptToken, MAX_PROMPT_TOKEN_BYTES } from "./frame-rules.js";
export * from "./codec/index.js";
export * from "./auth/index.js";
export * from "./close-codes.js";
