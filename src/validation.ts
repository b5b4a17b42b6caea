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

export type { FrameDirection, ValidationIssue, ValidationMode, ValidationResult } from "./validation-types.js";

/** The shape of an ajv standalone validator, declared here so no ajv type is exported. */
interface CompiledValidator {
  (data: unknown): boolean;
  errors?: RawError[] | null;
}
interface RawError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  propertyName?: string;
}

const validators = compiled as unknown as Record<string, CompiledValidator>;

/**
 * Resolved once per definition: building the export name and reading the module namespace on
 * every frame cost more than validating a small frame (bench/, decode + validate).
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

function quote(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function describe(error: RawError): string {
  const where = error.instancePath === "" ? "the value" : error.instancePath;
  const p = error.params;
  switch (error.keyword) {
    case "required":
      return `${where} is missing the required property ${quote(p.missingProperty)}`;
    case "additionalProperties":
      return `${where} has the unknown property ${quote(p.additionalProperty)}`;
    case "type":
      return `${where} must be of type ${Array.isArray(p.type) ? p.type.join(" or ") : String(p.type)}`;
    case "enum":
      return `${where} must be one of ${(p.allowedValues as unknown[]).map(quote).join(", ")}`;
    case "const":
      return `${where} must be ${quote(p.allowedValue)}`;
    case "pattern":
      return `${where} must match the pattern ${String(p.pattern)}`;
    case "minLength":
    case "maxLength":
    case "minItems":
    case "maxItems":
      return `${where} violates ${error.keyword} ${String(p.limit)}`;
    case "minimum":
    case "maximum":
      return `${where} must be ${String(p.comparison)} ${String(p.limit)}`;
    case "propertyNames":
      return `${where} has an invalid property name ${quote(p.propertyName)}`;
    case "oneOf":
    case "anyOf":
      return `${where} must match exactly the alternatives its definition allows (${error.keyword})`;
    default:
      return `${where} violates ${error.keyword}`;
  }
}

/**
 * ajv reports the failing branch of an `if`/`then` before the `if` itself, and the detail of a
 * `propertyNames` failure before the `propertyNames` error: keep the errors that name the problem.
 */
function toIssues(errors: RawError[] | null | undefined): ValidationIssue[] {
  const all = errors ?? [];
  const meaningful = all.filter((e) => e.keyword !== "if" && e.propertyName === undefined);
  return (meaningful.length > 0 ? meaningful : all).map((error) => ({
    path: error.instancePath,
    keyword: error.keyword,
    message: describe(error),
  }));
}

/** Validate a value against one named definition of the contract. */
export function validateDefinition<T = unknown>(
  definition: DefinitionName,
  value: unknown,
  mode: ValidationMode = "strict",
): ValidationResult<T> {
  const validate = validatorFor(mode, definition);
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
}

/** Validate one decoded frame, dispatching on its `type`. */
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
    const why = known ? `is a ${known} frame type, not ${options.direction}` : "is not a frame type of contract_version 1";
    return fail("/type", "enum", `/type ${quote(type)} ${why}`);
  }
  const result = validateDefinition<RelayFrame>(definition as DefinitionName, value, mode);
  if (!result.ok || mode !== "strict") return result;
  const issues = checkFrameRules(result.value);
  return issues.length === 0 ? result : { ok: false, issues };
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
