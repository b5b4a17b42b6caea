/**
 * Per-entry dropping: the lists a receiver filters (`x-drop-invalid-entries` in schema/, listed
 * per frame type in the generated registry) lose their invalid entries one by one, so one bad
 * entry never sinks the frame. A value that is not a list is removed (the reference treats it as
 * absent). The input is never mutated: the objects on the way to a changed list are copied.
 */
import * as compiled from "../generated/validators.js";
import { DROPPABLE_LISTS } from "../generated/registry.js";
import type { ValidationIssue } from "./validation-types.js";
import { describeError, type RawError } from "./validation-messages.js";

interface EntryValidator {
  (data: unknown): boolean;
  errors?: RawError[] | null;
}

const validators = compiled as unknown as Record<string, EntryValidator>;
// Each entry validator resolved once: a keyed read of the module namespace per list per frame
// costs more than checking an empty list.
const LISTS = new Map<string, readonly { path: readonly string[]; validate: EntryValidator }[]>(
  Object.entries(DROPPABLE_LISTS).map(([type, lists]) => [type, lists.map(({ path, entry }) => ({ path, validate: validators[entry] as EntryValidator }))]),
);

type JsonObject = Record<string, unknown>;
const isRecord = (value: unknown): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);

const pointer = (parts: readonly (string | number)[]) => parts.map((p) => `/${String(p).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");

/** `frame` with invalid entries removed, and one issue per removal; `frame` itself when nothing changed. */
export function dropInvalidEntries(type: string, frame: JsonObject): { value: JsonObject; dropped: ValidationIssue[] | undefined } {
  const lists = LISTS.get(type);
  if (lists === undefined) return { value: frame, dropped: undefined };
  let value = frame;
  let dropped: ValidationIssue[] | undefined;
  for (const { path, validate } of lists) {
    // Nearly every frame has only valid entries: settle that without allocating, and copy
    // nothing. The walk below, which builds the copies, runs only for a list to filter.
    if (allValid(value, path, validate)) continue;
    const parents: JsonObject[] = [value];
    let node: unknown = value;
    for (const key of path.slice(0, -1)) {
      node = (node as JsonObject)[key];
      if (!isRecord(node)) break;
      parents.push(node);
    }
    if (parents.length !== path.length) continue;
    const owner = parents[parents.length - 1] as JsonObject;
    const last = path[path.length - 1] as string;
    if (!Object.hasOwn(owner, last)) continue;
    const list = owner[last];
    let kept: unknown[] | undefined;
    const issues: ValidationIssue[] = [];
    if (!Array.isArray(list)) {
      issues.push({ path: pointer(path), keyword: "type", message: `${pointer(path)} is not a list: dropped (treated as absent)` });
    } else {
      list.forEach((item, i) => {
        if (validate(item)) return;
        const first = validate.errors?.[0];
        const where = pointer([...path, i]);
        const why = first === undefined ? "it is invalid" : describeError({ ...first, instancePath: `${where}${first.instancePath}` });
        issues.push({ path: where, keyword: first?.keyword ?? "entry", message: `${where} dropped: ${why}` });
      });
      if (issues.length === 0) continue;
      kept = list.filter((item) => validate(item));
    }
    (dropped ??= []).push(...issues);
    // Copy the path down to the list's owner, then replace (or remove) the list.
    const copies = parents.map((p) => ({ ...p }));
    for (let i = 0; i < copies.length - 1; i++) (copies[i] as JsonObject)[path[i] as string] = copies[i + 1];
    const copiedOwner = copies[copies.length - 1] as JsonObject;
    if (kept === undefined) delete copiedOwner[last];
    else copiedOwner[last] = kept;
    value = copies[0] as JsonObject;
  }
  return { value, dropped };
}

/** True when the list at `path` is absent (or its parent is not an object) or is a list of valid entries. */
function allValid(frame: JsonObject, path: readonly string[], validate: EntryValidator): boolean {
  let owner: JsonObject = frame;
  const last = path.length - 1;
  for (let i = 0; i < last; i++) {
    const node = owner[path[i] as string];
    if (!isRecord(node)) return true;
    owner = node;
  }
  if (!Object.hasOwn(owner, path[last] as string)) return true;
  const list = owner[path[last] as string];
  if (!Array.isArray(list)) return false;
  for (let i = 0; i < list.length; i++) if (!validate(list[i])) return false;
  return true;
}
