/**
 * `supported_ops` gating (wire-protocol.md §3.2, §7.6): an absent or empty list means the legacy
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

/** The ops a descriptor allows (the legacy set when it lists none, or when there is no descriptor). */
export function supportedOpsOf(descriptor: CapabilityDescriptor | undefined): ReadonlySet<string> {
  const listed = cleanSupportedOps(descriptor?.supported_ops);
  return listed.length > 0 ? new Set(listed) : LEGACY;
}

export function isOpSupported(op: OpName | string, descriptor: CapabilityDescriptor | undefined): boolean {
  if (!supportedOpsOf(descriptor).has(op)) return false;
  // The reference gateway also requires the native-streaming flag before it drafts.
  if (op === "draft") return descriptor?.supports_draft_streaming === true;
  return true;
}
