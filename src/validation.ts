/**
 * Validation against the generated, precompiled validators.
 *
 * Frames are dispatched on `type` to exactly one validator (and `outbound` on `op` inside it),
 * so the cost does not grow with the number of frame types, and an error names the real path.
 */
import * as compiled from "../generated/validators.js";
import {
  CONNECTOR_FRAME_DEFINITIONS,
  GATEWAY_FRAME_DEFINITIONS,
  type DefinitionName,
} from "../generated/registry.js";
import type { RelayFrame } from "../generated/types.js";
import type { FrameDirection, ValidationIssue, ValidationMode, ValidationResult } from "./validation-types.js";
import { checkFrameRules } from "./frame-rules.js";
import { quote, toIssues, type RawError } from "./validation-messages.js";
import { dropInvalidEntries } from "./entry-dropping.js";
import { reportValidator } from "./validation-report.js";

export type { FrameDirection, ValidationIssue, ValidationMode, ValidationResult } from "./validation-types.js";

/** The shape of an ajv standalone validator, declared here so no ajv type is exported. */
interface CompiledValidator {
  (data: unknown): boolean;
  errors?: RawError[] | null;
}

const validators = compiled as unknown as Record<string, CompiledValidator>;

/**
 * Resolved once per definition: building the export name and reading the module namespace on
 * every frame would cost more than validating a small frame.
 */
const resolved = { strict: new Map<string, CompiledValidator>(), tolerant: new Map<string, CompiledValidator>() };

function validatorFor(mode: ValidationMode, definition: string): CompiledValidator {
  const cache = mode === "strict" ? resolved.strict : mode === "tolerant" ? resolved.tolerant : undefined;
  let fn = cache?.get(definition);
  if (fn === undefined) {
    fn = validators[`${mode}_${definition}`];
    if (!fn) throw new Error(`no generated validator for ${definition}`);
    cache?.set(definition, fn);
  }
  return fn;
}

const GATEWAY_TYPES = new Map<string, string>(Object.entries(GATEWAY_FRAME_DEFINITIONS));
const CONNECTOR_TYPES = new Map<string, string>(Object.entries(CONNECTOR_FRAME_DEFINITIONS));

/** Which way a known frame type travels; `undefined` for a type the contract does not define. */
export function frameDirectionOf(type: string): FrameDirection | undefined {
  if (GATEWAY_TYPES.has(type)) return "gateway-to-connector";
  if (CONNECTOR_TYPES.has(type)) return "connector-to-gateway";
  return undefined;
}

export const GATEWAY_FRAME_TYPES: readonly string[] = Object.freeze([...GATEWAY_TYPES.keys()]);
export const CONNECTOR_FRAME_TYPES: readonly string[] = Object.freeze([...CONNECTOR_TYPES.keys()]);

/** The mode of `validateDefinition`: positional, or `{ mode }` like `validateFrame`'s options. */
function modeOf(mode: unknown): ValidationMode {
  const value = mode !== null && typeof mode === "object" ? (mode as { mode?: unknown }).mode : mode;
  if (value === undefined) return "strict";
  if (value === "strict" || value === "tolerant") return value;
  throw new TypeError(`validateDefinition: mode must be "strict" or "tolerant" (or { mode }), got ${quote(value)}`);
}

/**
 * Validate a value against one named definition of the contract. `mode` (default `strict`) is a
 * string or `{ mode }`; anything else throws a `TypeError`.
 */
export function validateDefinition<T = unknown>(
  definition: DefinitionName,
  value: unknown,
  mode: ValidationMode | { mode?: ValidationMode } = "strict",
): ValidationResult<T> {
  const validate = validatorFor(modeOf(mode), definition);
  if (validate(value)) return { ok: true, value: value as T };
  return { ok: false, issues: toIssues(validate.errors) };
}

function fail(path: string, keyword: string, message: string): { ok: false; issues: ValidationIssue[] } {
  return { ok: false, issues: [{ path, keyword, message }] };
}

export interface ValidateFrameOptions {
  /** Default `strict`: the exact contract. Receivers use `tolerant`. */
  mode?: ValidationMode;
  /** Only accept frame types travelling this way. */
  direction?: FrameDirection;
  /**
   * Report every problem, not only the first; in tolerant mode also list the producer rules an
   * accepted frame breaks (`advisories`). For tools (`relay-contract validate`, the conformance
   * kit): it loads a second set of validators and costs more per frame than the receive path.
   */
  report?: boolean;
}

type JsonObject = Record<string, unknown>;

function isUnder(path: string, prefixes: readonly ValidationIssue[] | undefined): boolean {
  return prefixes !== undefined && prefixes.some((p) => path === p.path || path.startsWith(`${p.path}/`));
}

/** Every error of `value` against `definition` (the reporting validators), plus the cross-field rules in strict mode. */
function reportIssues(definition: string, value: unknown, mode: ValidationMode): ValidationIssue[] {
  const validate = reportValidator(mode, definition);
  const issues = validate(value) ? [] : toIssues(validate.errors);
  if (mode === "strict" && issues.length === 0) issues.push(...checkFrameRules(value as { type: string }));
  return issues;
}

/**
 * Validate one decoded frame, dispatching on its `type`. In tolerant mode (a receiver) a frame
 * of a type this side does not act on is accepted and `ignored`, and the invalid entries of the
 * lists a receiver filters are removed from `value` and listed in `dropped`.
 */
export function validateFrame(value: unknown, options: ValidateFrameOptions = {}): ValidationResult<RelayFrame> {
  const mode = options.mode ?? "strict";
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail("", "type", "a frame must be a JSON object");
  }
  const type = (value as { type?: unknown }).type;
  if (type === undefined) return fail("", "required", 'the frame is missing the required property "type"');
  if (typeof type !== "string") return fail("/type", "type", "/type must be of type string");
  const definition =
    options.direction === "connector-to-gateway"
      ? CONNECTOR_TYPES.get(type)
      : options.direction === "gateway-to-connector"
        ? GATEWAY_TYPES.get(type)
        : (GATEWAY_TYPES.get(type) ?? CONNECTOR_TYPES.get(type));
  if (!definition) {
    const known = frameDirectionOf(type);
    // A receiver ignores what it does not act on: unknown types, and its own types echoed back.
    if (mode === "tolerant") {
      return { ok: true, value: value as RelayFrame, ignored: known ? `ignored: ${quote(type)} is a ${known} frame type` : "ignored: unknown type" };
    }
    const why = known ? `is a ${known} frame type, not ${options.direction}` : "is not a frame type of contract_version 1";
    return fail("/type", "enum", `/type ${quote(type)} ${why}`);
  }
  if (options.report === true) return reportFrame(definition, type, value as JsonObject, mode);
  const result = validateDefinition<RelayFrame>(definition as DefinitionName, value, mode);
  if (!result.ok) return result;
  if (mode === "tolerant") {
    const { value: kept, dropped } = dropInvalidEntries(type, value as JsonObject);
    return dropped === undefined ? result : { ok: true, value: kept as unknown as RelayFrame, dropped };
  }
  const issues = checkFrameRules(result.value);
  return issues.length === 0 ? result : { ok: false, issues };
}

function reportFrame(definition: string, type: string, value: JsonObject, mode: ValidationMode): ValidationResult<RelayFrame> {
  const issues = reportIssues(definition, value, mode);
  if (issues.length > 0) return { ok: false, issues };
  if (mode === "strict") return { ok: true, value: value as unknown as RelayFrame };
  const { value: kept, dropped } = dropInvalidEntries(type, value);
  // Producer rules broken inside a dropped entry are already reported by the drop.
  const advisories = reportIssues(definition, value, "strict").filter((issue) => !isUnder(issue.path, dropped));
  return {
    ok: true,
    value: kept as unknown as RelayFrame,
    ...(dropped !== undefined && { dropped }),
    ...(advisories.length > 0 && { advisories }),
  };
}

/** Throwing form for producers: a frame about to be sent must be valid. */
export class FrameValidationError extends Error {
  readonly issues: ValidationIssue[];
  constructor(issues: ValidationIssue[], what = "frame") {
    const first = issues[0];
    super(`invalid ${what}: ${first ? first.message : "unknown reason"}`);
    this.name = "FrameValidationError";
    this.issues = issues;
  }
}
