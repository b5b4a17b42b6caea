/**
 * `x-null-as-absent` at run time: the Python producer fills some keys from values it may not
 * have (`{"thread_id": source.thread_id}` is `None` outside a thread), and a receiver reads such
 * a `null` as the key being absent. Which keys those are comes from the schema through the
 * generated registry (`NULL_AS_ABSENT`), never from a list written here.
 */
import { NULL_AS_ABSENT } from "../generated/registry.js";

export type NullAsAbsentDefinition = keyof typeof NULL_AS_ABSENT;

const RULES = new Map(
  Object.entries(NULL_AS_ABSENT).map(([name, rule]) => [name, { nullable: new Set<string>(rule.nullable), declared: new Set<string>(rule.declared) }]),
);

/** Whether a receiver reads `null` in `key` of a `definition` object as the key being absent. */
export function readsNullAsAbsent(definition: NullAsAbsentDefinition, key: string): boolean {
  const rule = RULES.get(definition);
  return rule !== undefined && (rule.nullable.has(key) || !rule.declared.has(key));
}

/**
 * `value` without the keys whose `null` reads as absent (a declared key outside the schema's
 * list keeps its `null`; an undeclared key's `null` reads as absent). The same object when
 * nothing is removed, so the common case allocates nothing.
 */
export function withoutAbsentNulls<T extends object>(value: T, definition: NullAsAbsentDefinition): T {
  let kept: Record<string, unknown> | undefined;
  for (const key in value) {
    if (!Object.hasOwn(value, key) || (value as Record<string, unknown>)[key] !== null || !readsNullAsAbsent(definition, key)) continue;
    kept ??= { ...(value as Record<string, unknown>) };
    delete kept[key];
  }
  return (kept ?? value) as T;
}
