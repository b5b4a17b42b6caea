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
const GENERATION_ONLY = ["x-tolerant", "x-strict-only", "tsType", "x-dispatch"];

export function toJson(schema: TSchema): JsonObject {
  return JSON.parse(JSON.stringify(schema)) as JsonObject;
}

export function nameOf(schema: TSchema | JsonObject): string {
  const id = (schema as { $id?: unknown }).$id;
  if (typeof id !== "string") throw new Error("definition without $id");
  return id;
}

function isObject(value: Json | undefined): value is JsonObject {
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

function tolerantNode(node: JsonObject): JsonObject {
  const replacement = node["x-tolerant"];
  if (isObject(replacement)) {
    const kept: JsonObject = {};
    for (const key of ["description", "x-since", "x-removed", "default", "title"]) if (key in node) kept[key] = node[key]!;
    return { ...kept, ...replacement };
  }
  if (node.additionalProperties === false) delete node.additionalProperties;
  if (Array.isArray(node.allOf)) {
    const kept = node.allOf.filter((member) => !(isObject(member) && member["x-strict-only"] === true));
    if (kept.length === 0) delete node.allOf;
    else node.allOf = kept;
  }
  // A property with a documented receiver default need not be present.
  if (Array.isArray(node.required) && isObject(node.properties)) {
    const props = node.properties;
    node.required = node.required.filter((name) => !(typeof name === "string" && isObject(props[name]) && "default" in props[name]));
    if (node.required.length === 0) delete node.required;
  }
  return node;
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
  const transformed = mapNodes(json, (node) => {
    rewriteRef(node, refPrefix);
    if (variant === "tolerant") return tolerantNode(node);
    if (variant === "types") return typesNode(node);
    return node;
  });
  // A second pass: a parent reads its members' markers (`x-strict-only`) in the first.
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
