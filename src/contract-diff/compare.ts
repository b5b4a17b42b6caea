/**
 * Compares two JSON Schema nodes of the same definition, keyword by keyword, and says for each
 * difference whether the new schema accepts fewer instances (narrows), more (widens), or both.
 * The vocabulary is the one the contract's bundles use (draft-07 ∩ 2020-12): type, const/enum,
 * length/number/item bounds, pattern, properties/required/additionalProperties, items, `$ref`
 * between definitions, and `allOf` members (conditional `if`/`then` rules matched by their `if`).
 * Anything else is compared as a whole: when it differs, it counts as both narrowed and widened.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type SchemaNode = { [key: string]: Json };

/** One keyword-level difference at a JSON Pointer inside a definition. */
export interface RawChange {
  /** JSON Pointer of the schema node inside the definition (`""` = the definition itself). */
  path: string;
  /** What differs (`type`, `enum`, `required:chat_id`, `property:scope_id`, `allOf[…]`, …). */
  aspect: string;
  /** The new schema rejects something the old one accepted. */
  narrows: boolean;
  /** The new schema accepts something the old one rejected. */
  widens: boolean;
  /** Consumers lose something they could read before (a field removed). */
  consumerLoss?: boolean;
  /** The same instance means something else (a changed receiver default). */
  reinterprets?: boolean;
  /** Human text: `enum: added "forum"`, `required field added`, … */
  text: string;
}

/** Keywords that describe and never validate (every `x-` keyword is one: validators ignore them). */
const ANNOTATION_NAMES = new Set(["description", "title", "examples", "$comment", "$id", "$schema"]);
const isAnnotation = (key: string) => ANNOTATION_NAMES.has(key) || key.startsWith("x-");
/** Keywords this module compares one by one; everything else is compared as a whole. */
const HANDLED = new Set([
  "type", "const", "enum", "default", "pattern", "format", "uniqueItems", "$ref", "items", "allOf",
  "properties", "required", "additionalProperties",
  "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems", "minProperties", "maxProperties", "multipleOf",
]);
const LOWER_BOUNDS = ["minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties"];
const UPPER_BOUNDS = ["maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties"];

const isNode = (value: Json | undefined): value is SchemaNode => typeof value === "object" && value !== null && !Array.isArray(value);

/** The node without annotations, recursively, with sorted keys: equal meaning → equal text. */
export function canonical(value: Json | undefined): string {
  const strip = (v: Json, dataOnly: boolean): Json => {
    if (Array.isArray(v)) return v.map((x) => strip(x, dataOnly));
    if (!isNode(v)) return v;
    const out: SchemaNode = {};
    for (const key of Object.keys(v).sort()) {
      if (!dataOnly && isAnnotation(key)) continue;
      const data = dataOnly || key === "const" || key === "enum" || key === "default";
      // Inside `properties`, keys are field names, not keywords.
      out[key] = key === "properties" && !dataOnly && isNode(v[key]) ? stripNames(v[key] as SchemaNode) : strip(v[key]!, data);
    }
    return out;
  };
  const stripNames = (props: SchemaNode): Json => Object.fromEntries(Object.keys(props).sort().map((name) => [name, strip(props[name]!, false)]));
  return value === undefined ? "undefined" : JSON.stringify(strip(value, false));
}

const show = (value: Json | undefined) => (value === undefined ? "none" : JSON.stringify(value));
const pointer = (path: string, ...segments: string[]) => path + segments.map((s) => `/${s.replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");

function typesOf(node: SchemaNode): string[] | undefined {
  const t = node.type;
  if (typeof t === "string") return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === "string");
  return undefined;
}

function valuesOf(node: SchemaNode): Json[] | undefined {
  if ("const" in node) return [node.const!];
  if (Array.isArray(node.enum)) return node.enum;
  return undefined;
}

/** Compare two bounded sets (undefined = unbounded): removed members narrow, added members widen. */
function compareSets(out: RawChange[], path: string, aspect: string, before: Json[] | undefined, after: Json[] | undefined): void {
  if (before === undefined && after === undefined) return;
  if (before === undefined) return void out.push({ path, aspect, narrows: true, widens: false, text: `${aspect} now limited to ${after!.map(show).join(", ")}` });
  if (after === undefined) return void out.push({ path, aspect, narrows: false, widens: true, text: `${aspect} no longer limited (was ${before.map(show).join(", ")})` });
  const key = (v: Json) => canonical(v);
  const afterKeys = new Set(after.map(key));
  const beforeKeys = new Set(before.map(key));
  const removed = before.filter((v) => !afterKeys.has(key(v)));
  const added = after.filter((v) => !beforeKeys.has(key(v)));
  if (removed.length === 0 && added.length === 0) return;
  const parts = [...(added.length > 0 ? [`added ${added.map(show).join(", ")}`] : []), ...(removed.length > 0 ? [`removed ${removed.map(show).join(", ")}`] : [])];
  out.push({ path, aspect, narrows: removed.length > 0, widens: added.length > 0, text: `${aspect}: ${parts.join("; ")}` });
}

function compareBound(out: RawChange[], path: string, keyword: string, before: Json | undefined, after: Json | undefined, lower: boolean): void {
  if (before === after) return;
  const b = typeof before === "number" ? before : undefined;
  const a = typeof after === "number" ? after : undefined;
  // A lower bound that rises (or appears) narrows; an upper bound that falls (or appears) narrows.
  const narrows = a !== undefined && (b === undefined || (lower ? a > b : a < b));
  out.push({ path, aspect: keyword, narrows, widens: !narrows, text: `${keyword} ${show(before)} → ${show(after)}` });
}

/** Opaque keywords: added narrows, removed widens, changed does both (containment unknown). */
function compareOpaque(out: RawChange[], path: string, keyword: string, before: Json | undefined, after: Json | undefined): void {
  if (canonical(before) === canonical(after)) return;
  if (before === undefined) return void out.push({ path, aspect: keyword, narrows: true, widens: false, text: `${keyword} added: ${show(after)}` });
  if (after === undefined) return void out.push({ path, aspect: keyword, narrows: false, widens: true, text: `${keyword} removed (was ${show(before)})` });
  out.push({ path, aspect: keyword, narrows: true, widens: true, text: `${keyword} changed: ${show(before)} → ${show(after)}` });
}

/**
 * A pattern that only gained `(?!\n)` before its final `$` rejects just one more thing (a value
 * ending in a newline, which Python's `$` would otherwise accept): a narrowing. Other changed
 * patterns cannot be compared and count as both.
 */
const NO_FINAL_NEWLINE = "(?!\\n)$";
function comparePattern(out: RawChange[], path: string, before: Json | undefined, after: Json | undefined): void {
  if (typeof before === "string" && typeof after === "string" && before !== after) {
    const plain = (p: string) => (p.endsWith(NO_FINAL_NEWLINE) ? `${p.slice(0, -NO_FINAL_NEWLINE.length)}$` : p);
    if (plain(before) === plain(after)) {
      const narrows = after.endsWith(NO_FINAL_NEWLINE);
      return void out.push({ path, aspect: "pattern", narrows, widens: !narrows, text: `pattern ${narrows ? "now rejects" : "now accepts"} a final newline: ${show(before)} → ${show(after)}` });
    }
  }
  compareOpaque(out, path, "pattern", before, after);
}

const refName = (ref: Json | undefined) => (typeof ref === "string" ? ref.replace(/^.*\//, "") : undefined);
const allows = (node: SchemaNode, name: string) => node.additionalProperties !== false || (isNode(node.properties) && name in node.properties);

function compareObject(out: RawChange[], path: string, before: SchemaNode, after: SchemaNode): void {
  const bProps = isNode(before.properties) ? before.properties : {};
  const aProps = isNode(after.properties) ? after.properties : {};
  const bReq = new Set(Array.isArray(before.required) ? (before.required as string[]) : []);
  const aReq = new Set(Array.isArray(after.required) ? (after.required as string[]) : []);
  const removed = Object.keys(bProps).filter((n) => !(n in aProps));
  const added = Object.keys(aProps).filter((n) => !(n in bProps));
  // A removed and an added field with the same schema are most likely one field renamed.
  const renamedTo = new Map<string, string>();
  for (const r of removed) {
    const match = added.find((a) => ![...renamedTo.values()].includes(a) && canonical(bProps[r]) === canonical(aProps[a]));
    if (match !== undefined) renamedTo.set(r, match);
  }
  const renamedFrom = new Map([...renamedTo].map(([r, a]) => [a, r]));
  for (const name of removed) {
    const rename = renamedTo.has(name) ? ` (renamed to ${renamedTo.get(name)}?)` : "";
    out.push({
      path: pointer(path, "properties", name),
      aspect: "property",
      narrows: !allows(after, name),
      widens: bReq.has(name) || allows(after, name),
      consumerLoss: true,
      text: `${bReq.has(name) ? "required" : "optional"} field ${name} removed${rename}`,
    });
  }
  for (const name of added) {
    const rename = renamedFrom.has(name) ? ` (renamed from ${renamedFrom.get(name)}?)` : "";
    const required = aReq.has(name);
    out.push({
      path: pointer(path, "properties", name),
      aspect: "property",
      narrows: required || allows(before, name),
      widens: !allows(before, name),
      text: `${required ? "required" : "optional"} field ${name} added${rename}`,
    });
  }
  for (const name of Object.keys(aProps)) if (name in bProps) compareNode(out, pointer(path, "properties", name), bProps[name] as SchemaNode, aProps[name] as SchemaNode);
  for (const name of aReq) if (!bReq.has(name) && name in bProps) out.push({ path, aspect: `required:${name}`, narrows: true, widens: false, text: `field ${name} now required` });
  for (const name of bReq) if (!aReq.has(name) && name in aProps) out.push({ path, aspect: `required:${name}`, narrows: false, widens: true, text: `field ${name} no longer required` });
  for (const name of aReq) if (!bReq.has(name) && !(name in bProps) && !(name in aProps)) out.push({ path, aspect: `required:${name}`, narrows: true, widens: false, text: `field ${name} now required` });
  for (const name of bReq) if (!aReq.has(name) && !(name in bProps) && !(name in aProps)) out.push({ path, aspect: `required:${name}`, narrows: false, widens: true, text: `field ${name} no longer required` });
  const bAdd = before.additionalProperties;
  const aAdd = after.additionalProperties;
  if (canonical(bAdd) !== canonical(aAdd)) {
    const closedBefore = bAdd === false;
    const closedAfter = aAdd === false;
    if (closedBefore && !closedAfter && (aAdd === undefined || aAdd === true)) out.push({ path, aspect: "additionalProperties", narrows: false, widens: true, text: "unknown fields now allowed" });
    else if (!closedBefore && closedAfter && (bAdd === undefined || bAdd === true)) out.push({ path, aspect: "additionalProperties", narrows: true, widens: false, text: "unknown fields now rejected" });
    else compareOpaque(out, path, "additionalProperties", bAdd, aAdd);
  }
}

/** The discriminating `if` of a conditional member, as text, or the whole member when it has none. */
function memberKey(member: Json): string {
  return isNode(member) && "if" in member ? `if ${canonical(member.if)}` : canonical(member);
}

/** The discriminator value an `if` selects (`{ properties: { type: { const: "x" } } }` → type, x). */
function discriminatorOf(member: Json): [string, Json] | undefined {
  if (!isNode(member) || !isNode(member.if) || !isNode(member.if.properties)) return undefined;
  const entries = Object.entries(member.if.properties);
  if (entries.length !== 1) return undefined;
  const [field, schema] = entries[0]!;
  return isNode(schema) && "const" in schema ? [field, schema.const!] : undefined;
}

/** Whether a node's own discriminator field admits the value (no bound = admits anything). */
function admits(node: SchemaNode, field: string, value: Json): boolean {
  const prop = isNode(node.properties) ? node.properties[field] : undefined;
  if (!isNode(prop)) return node.additionalProperties !== false;
  const values = valuesOf(prop);
  return values === undefined || values.some((v) => canonical(v) === canonical(value));
}

function compareAllOf(out: RawChange[], path: string, before: SchemaNode, after: SchemaNode): void {
  const bMembers = Array.isArray(before.allOf) ? before.allOf : [];
  const aMembers = Array.isArray(after.allOf) ? after.allOf : [];
  const bByKey = new Map(bMembers.map((m) => [memberKey(m), m]));
  const aByKey = new Map(aMembers.map((m) => [memberKey(m), m]));
  const label = (member: Json) => {
    const d = discriminatorOf(member);
    if (d !== undefined) return `rule for ${d[0]} = ${show(d[1])}`;
    const text = isNode(member) && typeof member.description === "string" ? member.description : canonical(member);
    return `rule ${JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}…` : text)}`;
  };
  for (const [key, member] of bByKey) {
    if (aByKey.has(key)) continue;
    // A rule for a discriminator value the new schema no longer admits goes with that value.
    const d = discriminatorOf(member);
    if (d !== undefined && !admits(after, d[0], d[1])) continue;
    out.push({ path, aspect: `allOf[${key}]`, narrows: false, widens: true, text: `${label(member)} removed` });
  }
  for (const [key, member] of aByKey) {
    const old = bByKey.get(key);
    if (old === undefined) {
      // A rule for a value the old schema did not admit only describes the new value.
      const d = discriminatorOf(member);
      if (d !== undefined && !admits(before, d[0], d[1])) continue;
      out.push({ path, aspect: `allOf[${key}]`, narrows: true, widens: false, text: `${label(member)} added` });
      continue;
    }
    if (canonical(old) === canonical(member)) continue;
    if (isNode(old) && isNode(member) && "if" in member) {
      const where = `${path}/allOf[${label(member)}]`;
      for (const branch of ["then", "else"]) {
        const b = old[branch];
        const a = member[branch];
        if (isNode(b) && isNode(a)) compareNode(out, `${where}/${branch}`, b, a);
        else compareOpaque(out, `${where}`, branch, b, a);
      }
    } else {
      compareOpaque(out, path, `allOf[${key}]`, old, member);
    }
  }
}

/** Every keyword-level difference between two schema nodes, appended to `out`. */
export function compareNode(out: RawChange[], path: string, before: SchemaNode, after: SchemaNode): void {
  // Equal up to annotations (`default` counts: it is what a receiver fills in).
  if (canonical(before) === canonical(after)) return;
  const bRef = refName(before.$ref);
  const aRef = refName(after.$ref);
  if (bRef !== aRef) {
    if (bRef === undefined || aRef === undefined) compareOpaque(out, path, "$ref", before.$ref, after.$ref);
    else out.push({ path, aspect: "$ref", narrows: true, widens: true, text: `now ${aRef} instead of ${bRef}` });
  }
  compareSets(out, path, "type", typesOf(before), typesOf(after));
  compareSets(out, path, "values", valuesOf(before), valuesOf(after));
  for (const k of LOWER_BOUNDS) compareBound(out, path, k, before[k], after[k], true);
  for (const k of UPPER_BOUNDS) compareBound(out, path, k, before[k], after[k], false);
  comparePattern(out, path, before.pattern, after.pattern);
  for (const k of ["format", "multipleOf"]) compareOpaque(out, path, k, before[k], after[k]);
  if ((before.uniqueItems === true) !== (after.uniqueItems === true)) {
    const now = after.uniqueItems === true;
    out.push({ path, aspect: "uniqueItems", narrows: now, widens: !now, text: now ? "items must now be unique" : "items may now repeat" });
  }
  if (canonical(before.default) !== canonical(after.default)) {
    out.push({ path, aspect: "default", narrows: false, widens: false, reinterprets: true, text: `receiver default ${show(before.default)} → ${show(after.default)}` });
  }
  if (isNode(before.items) && isNode(after.items)) compareNode(out, pointer(path, "items"), before.items, after.items);
  else compareOpaque(out, path, "items", before.items, after.items);
  const objectish = (n: SchemaNode) => "properties" in n || "required" in n || "additionalProperties" in n;
  if (objectish(before) || objectish(after)) compareObject(out, path, before, after);
  if ("allOf" in before || "allOf" in after) compareAllOf(out, path, before, after);
  const others = new Set([...Object.keys(before), ...Object.keys(after)].filter((k) => !HANDLED.has(k) && !isAnnotation(k)));
  for (const k of [...others].sort()) compareOpaque(out, path, k, before[k], after[k]);
}
