/**
 * `supported_ops` gating (contract §16): an absent or empty list means the legacy
 * set; otherwise the list is the whole set. New ops never fail open.
 */
import { LEGACY_OPS, type OpName } from "../../generated/registry.js";
import type { CapabilityDescriptor } from "../../generated/types.js";

const LEGACY: ReadonlySet<string> = new Set(LEGACY_OPS);

/** The cleaned list: a non-array counts as `[]`; non-string and empty entries are dropped. */
export function cleanSupportedOps(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.filter((op): op is string => typeof op === "string" && op.length > 0);
}

interface CachedOps {
  /** The list's entries when the set was built: a list changed in place since then is rebuilt. */
  readonly snapshot: readonly unknown[];
  readonly ops: ReadonlySet<string>;
}

/**
 * The set is built once per `supported_ops` array, not per request: gating runs on every request,
 * and building a set each time would be a visible share of a gateway's time. Descriptors are handed to callers, who could edit the list in place, so a hit is
 * checked entry by entry against the snapshot — no allocation, and never a stale answer.
 */
const cache = new WeakMap<readonly unknown[], CachedOps>();

function sameEntries(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The ops a descriptor allows (the legacy set when it lists none, or when there is no descriptor). */
export function supportedOpsOf(descriptor: CapabilityDescriptor | undefined): ReadonlySet<string> {
  const list: unknown = descriptor?.supported_ops;
  if (!Array.isArray(list)) return LEGACY;
  const hit = cache.get(list);
  if (hit !== undefined && sameEntries(hit.snapshot, list)) return hit.ops;
  const listed = cleanSupportedOps(list);
  const ops = listed.length > 0 ? new Set(listed) : LEGACY;
  cache.set(list, { snapshot: [...list], ops });
  return ops;
}

export function isOpSupported(op: OpName | string, descriptor: CapabilityDescriptor | undefined): boolean {
  if (!supportedOpsOf(descriptor).has(op)) return false;
  // The reference gateway also requires the native-streaming flag before it drafts.
  if (op === "draft") return descriptor?.supports_draft_streaming === true;
  return true;
}
