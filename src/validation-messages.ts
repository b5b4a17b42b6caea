/** Readable sentences for the precompiled validators' errors (keyword + params, JSON path). */
import type { ValidationIssue } from "./validation-types.js";

/** One error as an ajv standalone validator reports it (declared here: no ajv type is exported). */
export interface RawError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  propertyName?: string;
}

export function quote(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

// Patterns end in `(?!\n)$` so Python's `re` (where `$` also matches before a final newline)
// reads them like ECMAScript; the guard is an implementation detail, not part of the rule a reader
// needs, so messages show the pattern with a plain `$`.
const PYTHON_END_GUARD = /\(\?!\\n\)\$/g;

/** A `pattern` as people read it: the regex without its Python end-of-string guard. */
export function displayPattern(pattern: string): string {
  return pattern.replace(PYTHON_END_GUARD, "$$");
}

export function describeError(error: RawError): string {
  const where = error.instancePath === "" ? "the value" : error.instancePath;
  const params = error.params;
  switch (error.keyword) {
    case "required":
      return `${where} is missing the required property ${quote(params.missingProperty)}`;
    case "additionalProperties":
      return `${where} has the unknown property ${quote(params.additionalProperty)}`;
    case "type":
      return `${where} must be of type ${Array.isArray(params.type) ? params.type.join(" or ") : String(params.type)}`;
    case "enum":
      return `${where} must be one of ${(params.allowedValues as unknown[]).map(quote).join(", ")}`;
    case "const":
      return `${where} must be ${quote(params.allowedValue)}`;
    case "pattern":
      return `${where} must match the pattern ${displayPattern(String(params.pattern))}`;
    case "minLength":
    case "maxLength":
    case "minItems":
    case "maxItems":
      return `${where} violates ${error.keyword} ${String(params.limit)}`;
    case "minimum":
    case "maximum":
      return `${where} must be ${String(params.comparison)} ${String(params.limit)}`;
    case "propertyNames":
      return `${where} has an invalid property name ${quote(params.propertyName)}`;
    case "not":
      return `${where} matches a combination its definition forbids (not)`;
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
export function toIssues(errors: RawError[] | null | undefined): ValidationIssue[] {
  const all = errors ?? [];
  const meaningful = all.filter((e) => e.keyword !== "if" && e.propertyName === undefined);
  return (meaningful.length > 0 ? meaningful : all).map((error) => ({
    path: error.instancePath,
    keyword: error.keyword,
    message: describeError(error),
  }));
}

