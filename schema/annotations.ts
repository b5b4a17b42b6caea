/**
 * Annotation helpers for the authored schemas.
 *
 * Every definition and property carries `description` and `x-since` (the protocol step that
 * introduced it). Two more keywords steer generation and are stripped from the shipped JSON:
 * - `x-tolerant`: the schema a *receiver* applies instead of this one (open enums, relaxed ids);
 * - `x-strict-only`: an `allOf` member that only the strict (producer) variant enforces.
 * Both drafts ignore unknown `x-` keywords, so the annotations that stay are harmless to Python.
 */
import { Type, type TSchema, type TObject, type TProperties, type SchemaOptions } from "@sinclair/typebox";

/**
 * End of string for `pattern`, the same in ECMAScript and Python: Python's `re` lets `$` match
 * before a final "\n" too (so `"…\n"` would pass a Python validator and fail ajv); the
 * lookahead rules that out, and is a no-op in ECMAScript, where `$` already means the end.
 */
export const END = "(?!\\n)$";

/** The additive steps of contract_version 1 (wire-protocol.md §0). */
export const STEPS = ["P3", "V-mid", "V-late", "V-latest", "V-sidecar"] as const;
export type Step = (typeof STEPS)[number];

/** The contract version every definition belongs to; evolution inside it is additive only. */
export const CONTRACT_VERSION = 1;

/**
 * Who sends a message: `x-direction` on each root (the frame unions, the HTTP bodies). Nested
 * definitions take the direction of the roots that reach them, so change reports can say who
 * produces and who consumes each definition.
 */
export type Direction = "gateway-to-connector" | "connector-to-gateway";
export const sentBy = (direction: Direction) => ({ "x-direction": direction });

export interface FieldExtras extends SchemaOptions {
  /** Replacement schema for tolerant receivers. */
  "x-tolerant"?: Record<string, unknown>;
  /** The step that removed the field (still accepted, no longer produced). */
  "x-removed"?: Step;
}

/** Options for one property: the step that introduced it and what it means. */
export function since(step: Step, description: string, extras: FieldExtras = {}): SchemaOptions {
  return { description, "x-since": step, ...extras };
}

/** A named, strict object definition: `$id`, `title`, `description`, unknown properties rejected. */
export function definition<P extends TProperties>(
  name: string,
  step: Step,
  description: string,
  properties: P,
  extras: SchemaOptions = {},
): TObject<P> {
  return Type.Object(properties, {
    $id: name,
    title: name,
    description,
    "x-since": step,
    additionalProperties: false,
    ...extras,
  });
}

/** `string | null` as a JSON Schema type array (both drafts; clearer errors than anyOf). */
export function nullableString(options: SchemaOptions) {
  return Type.Unsafe<string | null>({ type: ["string", "null"], ...options });
}

/** A const string property (`type` and `op` discriminators). */
export function tag<T extends string>(value: T, step: Step, description: string) {
  return Type.Literal(value, since(step, description));
}

export type { TSchema };
