/**
 * Annotation helpers for the authored schemas.
 *
 * Every definition and property carries `description` and `x-since` (the protocol step that
 * introduced it). The authored schema is the *producer* contract (the strict variant). The
 * *receiver* variant (tolerant) is generated from it by one rule, the receiver principle: a
 * receiver checks only what it needs to act — the types of the fields it reads and the presence
 * of the fields without which it cannot act. Every other rule (patterns, lengths, item counts,
 * enums, bounds, unknown properties, cross-field rules, the other `required`s) is producer-only:
 * a receiver accepts a value that breaks it and reports it as an advisory. These keywords say
 * where a receiver needs more, and are stripped from the shipped JSON:
 * - `x-receiver: "required"`: a receiver cannot act without this property (it stays required);
 *   on an `allOf`/`anyOf`/`oneOf` member: the receiver enforces that member too;
 * - `x-receiver: "exact"`: a receiver needs this value exactly as constrained (every keyword kept);
 * - `x-tolerant`: the schema a receiver applies instead of this one (a value the reference coerces);
 * - `x-drop-invalid-entries`: on an array, a receiver drops entries that fail the item schema's
 *   receiver variant one by one and keeps the rest (the array's items are not checked as a whole);
 * - `x-null-as-absent`: on an object definition, a receiver accepts `null` for every scalar property it
 *   does not require and treats it as absent: the Python producer fills such keys from values it
 *   may not have (`{"thread_id": source.thread_id}` is `None` outside a thread).
 * Both drafts ignore unknown `x-` keywords, so the annotations that stay are harmless to Python.
 */
import { Type, type TSchema, type TObject, type TProperties, type SchemaOptions } from "@sinclair/typebox";

/**
 * End of string for `pattern`, the same in ECMAScript and Python: Python's `re` lets `$` match
 * before a final "\n" too (so `"…\n"` would pass a Python validator and fail ajv); the
 * lookahead rules that out, and is a no-op in ECMAScript, where `$` already means the end.
 */
export const END = "(?!\\n)$";

/** The additive steps of contract_version 1 (contract §13). */
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

/** What a receiver needs of a property (see the module comment). */
export type ReceiverNeed = "required" | "exact";

export interface FieldExtras extends SchemaOptions {
  /** Replacement schema for tolerant receivers. */
  "x-tolerant"?: Record<string, unknown>;
  /** A receiver cannot act without this property (`required`) or needs it exactly (`exact`). */
  "x-receiver"?: ReceiverNeed;
  /** On an array: a receiver drops invalid entries individually. */
  "x-drop-invalid-entries"?: true;
  /** The step that removed the field (still accepted, no longer produced). */
  "x-removed"?: Step;
}

/** Definition option: a receiver reads `null` in any property it does not require as absent. */
export const NULL_AS_ABSENT = { "x-null-as-absent": true } as const;

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

/** A const string property (`type` and `op` discriminators): a receiver dispatches on it. */
export function tag<T extends string>(value: T, step: Step, description: string) {
  return Type.Literal(value, since(step, description, { "x-receiver": "exact" }));
}

export type { TSchema };
