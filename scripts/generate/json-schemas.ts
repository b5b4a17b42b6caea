/**
 * Turns the authored TypeBox definitions into the shipped JSON Schema variants.
 *
 * - strict: exactly the contract (producers, contract tests);
 * - tolerant: what receivers accept (unknown properties, open enums, receiver defaults);
 * - types: the input of json-schema-to-typescript (value-only constraints removed, `tsType` kept).
 *
 * Everything is plain draft-07 that 2020-12 reads the same way: `definitions` + `#/definitions`
 * refs, no tuple `items`, no `dependencies`, nothing beside a `$ref` but annotations.
 */
import type { TSchema } from "@sinclair/typebox";
import { CONTRACT_VERSION } from "../../schema/annotations.js";

export const SCHEMA_DIALECT = "http://json-schema.org/draft-07/schema#";
export const ID_BASE = "https://hermes-relay.dev/relay-contract/v1/";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
export type Variant = "strict" | "tolerant" | "types";

/** Keywords that steer generation and never ship. */
const GENERATION_ONLY = ["x-tolerant", "x-strict-only", "x-receiver", "x-drop-invalid-entries", "x-null-as-absent", "tsType", "x-dispatch"];

export function toJson(schema: TSchema): JsonObject {
  return JSON.parse(JSON.stringify(schema)) as JsonObject;
}

export function nameOf(schema: TSchema | JsonObject): string {
  const id = (schema as { $id?: unknown }).$id;
  if (typeof id !== "string") throw new Error("definition without $id");
  return id;
}

/** A JSON object (not null, not an array). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Deep map over schema nodes (objects), children first. */
function mapNodes(node: Json, fn: (node: JsonObject) => JsonObject): Json {
  if (Array.isArray(node)) return node.map((child) => mapNodes(child, fn));
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    // `properties`/`definitions` map names to schemas; `enum`/`const`/`default`/`examples` are data.
    if (key === "enum" || key === "const" || key === "default" || key === "examples") out[key] = value;
    else out[key] = mapNodes(value, fn);
  }
  return fn(out);
}

function rewriteRef(node: JsonObject, refPrefix: string): JsonObject {
  const ref = node.$ref;
  if (typeof ref === "string" && !ref.startsWith("#")) node.$ref = `${refPrefix}${ref}`;
  return node;
}

/** Kept on every node of the receiver variant: structure, types, tags and annotations. */
const RECEIVER_KEYWORDS = new Set(["type", "const", "$ref", "title", "description", "default", "examples", "x-since", "x-removed", "x-direction", "tsType", "x-dispatch"]);
const ANNOTATION_KEYS = ["description", "x-since", "x-removed", "default", "title", "examples"];

function receiverNeed(node: Json | undefined): "required" | "exact" | undefined {
  if (!isObject(node)) return undefined;
  const need = node["x-receiver"];
  return need === "required" || need === "exact" ? need : undefined;
}

/**
 * The properties of an `x-null-as-absent` object whose `null` a receiver reads as absent: the
 * scalar ones it neither needs exactly (e.g. a secret, even when optional) nor requires. Empty
 * for an object without the mark. The receiver schema widens exactly these to accept `null`, and
 * the registry lists them for the runtime.
 */
export function nullAsAbsentProperties(node: JsonObject): string[] {
  if (node["x-null-as-absent"] !== true || !isObject(node.properties)) return [];
  const required = new Set(Array.isArray(node.required) ? node.required : []);
  return Object.entries(node.properties)
    .filter(([name, schema]) => {
      const needed = receiverNeed(schema) === "exact" || (required.has(name) && receiverNeed(schema) !== undefined);
      const kept = receiverNode(schema);
      return !needed && isObject(kept) && typeof kept.type === "string";
    })
    .map(([name]) => name);
}

/**
 * The receiver principle (schema/annotations.ts), applied to one authored node: keep the types
 * and the structure, keep what `x-receiver` marks, drop every other (producer-only) rule.
 * Top-down, so a subtree a receiver needs exactly is kept whole.
 */
export function receiverNode(node: Json): Json {
  if (Array.isArray(node)) return node.map(receiverNode);
  if (!isObject(node)) return node;
  const replacement = node["x-tolerant"];
  if (isObject(replacement)) {
    const kept: JsonObject = {};
    for (const key of ANNOTATION_KEYS) if (key in node) kept[key] = node[key]!;
    return { ...kept, ...replacement };
  }
  if (receiverNeed(node) === "exact") return node;
  if (node["x-drop-invalid-entries"] === true) {
    // A list a receiver filters: any value passes here; the receiver drops each invalid entry
    // (and a value that is not a list) and reports it (src/receive.ts).
    const kept: JsonObject = {};
    for (const key of ANNOTATION_KEYS) if (key in node) kept[key] = node[key]!;
    return kept;
  }
  const out: JsonObject = {};
  const props = isObject(node.properties) ? node.properties : undefined;
  for (const [key, value] of Object.entries(node)) {
    if (RECEIVER_KEYWORDS.has(key)) out[key] = value;
    else if (key === "properties" && node["x-null-as-absent"] === true) {
      // `null` in a scalar property the receiver does not require reads as absent: its type
      // widens to a type list (a widening the compatibility gate reads as additive).
      const nullable = new Set(nullAsAbsentProperties(node));
      out[key] = Object.fromEntries(
        Object.entries(value as JsonObject).map(([name, schema]) => {
          const kept = receiverNode(schema);
          if (!nullable.has(name) || !isObject(kept) || typeof kept.type !== "string") return [name, kept];
          return [name, { ...kept, type: [kept.type, "null"] }];
        }),
      );
    } else if (key === "properties" || key === "definitions") {
      out[key] = Object.fromEntries(Object.entries(value as JsonObject).map(([name, schema]) => [name, receiverNode(schema)]));
    } else if (key === "items") {
      out.items = receiverNode(value);
    } else if (key === "additionalProperties") {
      if (isObject(value)) out.additionalProperties = receiverNode(value);
    } else if (key === "required" && Array.isArray(value)) {
      const needed = value.filter((name) => typeof name === "string" && receiverNeed(props?.[name]) !== undefined);
      if (needed.length > 0) out.required = needed;
    } else if ((key === "allOf" || key === "anyOf" || key === "oneOf") && Array.isArray(value)) {
      const needed = value.filter((member) => receiverNeed(member) !== undefined);
      if (needed.length > 0) out[key] = needed;
    }
    // Anything else (pattern, lengths, item counts, enum, bounds, uniqueItems, propertyNames,
    // not, additionalProperties: false, …) is a producer rule: an advisory for a receiver.
  }
  return out;
}

function typesNode(node: JsonObject): JsonObject {
  // A `$ref` with sibling annotations makes json-schema-to-typescript emit a copy of the
  // referenced type (`MessageEvent1`, …); a bare `$ref` reuses the named one.
  if (typeof node.$ref === "string") return { $ref: node.$ref };
  // Cross-field rules are values, not types: json-schema-to-typescript would turn them into
  // meaningless intersections.
  if (isObject(node.properties) && typeof node.tsType !== "string") {
    delete node.allOf;
    delete node.anyOf;
    delete node.oneOf;
    delete node.not;
  }
  if (typeof node.tsType === "string") {
    for (const key of ["allOf", "properties", "required", "type"]) delete node[key];
  }
  return node;
}

function stripGenerationKeywords(node: JsonObject, variant: Variant): JsonObject {
  for (const key of GENERATION_ONLY) {
    if (variant === "types" && key === "tsType") continue;
    delete node[key];
  }
  return node;
}

/** One definition in one variant, refs pointing at `refPrefix + Name`, without `$id`. */
export function variantOf(schema: TSchema, variant: Variant, refPrefix = "#/definitions/"): JsonObject {
  const json = toJson(schema);
  delete json.$id;
  const source = variant === "tolerant" ? (receiverNode(json) as JsonObject) : json;
  const transformed = mapNodes(source, (node) => {
    rewriteRef(node, refPrefix);
    if (variant === "types") return typesNode(node);
    return node;
  });
  // A second pass: the first reads the markers (`x-receiver`, …) this one strips.
  return mapNodes(transformed, (node) => stripGenerationKeywords(node, variant)) as JsonObject;
}

/** Names a definition's `$ref`s reach, transitively (including itself). */
export function closureOf(name: string, byName: Map<string, TSchema>): string[] {
  const seen = new Set<string>();
  const visit = (current: string) => {
    if (seen.has(current)) return;
    const schema = byName.get(current);
    if (!schema) throw new Error(`unknown $ref target ${current}`);
    seen.add(current);
    JSON.stringify(schema, (key, value) => {
      if (key === "$ref" && typeof value === "string" && !value.startsWith("#")) visit(value);
      return value;
    });
  };
  visit(name);
  return [...seen];
}

export interface SchemaSet {
  /** Per-definition self-contained strict files, keyed by name. */
  files: Map<string, JsonObject>;
  strictBundle: JsonObject;
  tolerantBundle: JsonObject;
  typesBundle: JsonObject;
}

function bundle(id: string, title: string, description: string, definitions: TSchema[], variant: Variant): JsonObject {
  return {
    $schema: SCHEMA_DIALECT,
    $id: `${ID_BASE}${id}`,
    title,
    description,
    "x-contract-version": CONTRACT_VERSION,
    definitions: Object.fromEntries(definitions.map((d) => [nameOf(d), variantOf(d, variant)])),
  };
}

export function buildSchemaSet(definitions: TSchema[]): SchemaSet {
  const byName = new Map(definitions.map((d) => [nameOf(d), d]));
  if (byName.size !== definitions.length) throw new Error("duplicate definition name");
  const files = new Map<string, JsonObject>();
  for (const definition of definitions) {
    const name = nameOf(definition);
    const { title, description, ...rest } = variantOf(definition, "strict");
    const deps = closureOf(name, byName).filter((n) => n !== name);
    const file: JsonObject = { $schema: SCHEMA_DIALECT, $id: `${ID_BASE}${name}.json`, title: title!, description: description!, ...rest };
    if (deps.length > 0) file.definitions = Object.fromEntries(deps.sort().map((n) => [n, variantOf(byName.get(n)!, "strict")]));
    files.set(name, file);
  }
  return {
    files,
    strictBundle: bundle("bundle.json", "RelayContract", `Every definition of the Hermes relay contract (contract_version ${CONTRACT_VERSION}), strict: what producers send and contract tests check.`, definitions, "strict"),
    tolerantBundle: bundle("bundle.tolerant.json", "RelayContractTolerant", `Every definition of the Hermes relay contract (contract_version ${CONTRACT_VERSION}), tolerant: what receivers must accept (unknown properties, open enum values, fields with receiver defaults may be missing).`, definitions, "tolerant"),
    typesBundle: bundle("types.json", "RelayContractTypes", "Input of json-schema-to-typescript.", definitions, "types"),
  };
}

/** One list a receiver filters entry by entry, reached from a frame by `path` (property names). */
export interface DroppableList {
  frameType: string;
  path: string[];
  /** Export name of the entry validator (the receiver variant of the item schema). */
  entry: string;
  /** The receiver variant of the item schema, refs pointing at `refPrefix + Name`. */
  itemSchema: JsonObject;
}

/**
 * Every `x-drop-invalid-entries` list reachable from a frame through object properties and
 * `$ref`s (lists are not descended into), with its path from the frame root.
 */
export function droppableLists(frames: Record<string, TSchema>, byName: Map<string, TSchema>, refPrefix: string): DroppableList[] {
  const out: DroppableList[] = [];
  const visit = (frameType: string, schema: JsonObject, owner: string, path: string[], seen: Set<string>) => {
    const props = isObject(schema.properties) ? schema.properties : {};
    for (const [name, prop] of Object.entries(props)) {
      if (!isObject(prop)) continue;
      if (prop["x-drop-invalid-entries"] === true && isObject(prop.items)) {
        const item = mapNodes(receiverNode(prop.items), (node) => rewriteRef(node, refPrefix)) as JsonObject;
        const itemSchema = mapNodes(item, (node) => stripGenerationKeywords(node, "tolerant")) as JsonObject;
        out.push({ frameType, path: [...path, name], entry: `entry_${owner}_${name}`, itemSchema });
        continue;
      }
      const ref = prop.$ref;
      if (typeof ref === "string" && !seen.has(ref)) {
        const target = byName.get(ref);
        if (target) visit(frameType, toJson(target), ref, [...path, name], new Set([...seen, ref]));
      }
    }
  };
  for (const [frameType, schema] of Object.entries(frames)) visit(frameType, toJson(schema), nameOf(schema), [], new Set([nameOf(schema)]));
  return out;
}
