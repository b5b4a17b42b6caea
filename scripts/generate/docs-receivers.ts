/**
 * The contract document's "What a receiver must accept" reference: per frame type, what the
 * receiver variant of its definition checks, read from the authored schema's receiver
 * annotations (`x-receiver`, `x-tolerant`, `x-drop-invalid-entries`, `x-null-as-absent`;
 * schema/annotations.ts).
 * Everything not listed is checked for its type only, and every other rule is a producer rule.
 */
import type { TSchema } from "@sinclair/typebox";
import { CONNECTOR_FRAMES, GATEWAY_FRAMES } from "../../schema/index.js";
import { isObject, nameOf, receiverNode, toJson, type Json, type JsonObject } from "./json-schemas.js";

/** Formatting helpers of the document renderer (docs.ts), passed in to keep one definition of each. */
export interface ReceiverFormat {
  code(text: string): string;
  link(name: string): string;
  typeText(node: JsonObject): string;
  constraints(node: JsonObject): string[];
}

function need(node: Json | undefined): string | undefined {
  return isObject(node) && typeof node["x-receiver"] === "string" ? node["x-receiver"] : undefined;
}

/** What a receiver checks of one value, in words. */
function valueRule(prop: JsonObject, f: ReceiverFormat): string {
  const tolerant = prop["x-tolerant"];
  if (isObject(tolerant)) {
    const parts = [tolerant.type === undefined ? "any value" : f.typeText(tolerant), ...f.constraints(tolerant)];
    return `${parts.join(", ")} (in place of the strict rule)`;
  }
  if (need(prop) === "exact") return [f.typeText(prop), ...f.constraints(prop)].join(", ");
  return f.typeText(receiverNode(prop) as JsonObject);
}

interface Row {
  path: string;
  rule: string;
}

function rows(schema: JsonObject, prefix: string, byName: Map<string, TSchema>, f: ReceiverFormat, seen: Set<string>, out: Row[]): void {
  const props = isObject(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === "string") : []);
  for (const [name, prop] of Object.entries(props)) {
    if (!isObject(prop)) continue;
    const path = `${prefix}${name}`;
    const needed = required.has(name) && need(prop) !== undefined;
    if (prop["x-drop-invalid-entries"] === true && isObject(prop.items)) {
      const item = prop.items;
      const ref = typeof item.$ref === "string" ? item.$ref : undefined;
      const entry = ref !== undefined ? `a ${f.link(ref)} as a receiver checks it` : valueRule(item, f);
      out.push({ path, rule: `${needed ? "required; " : ""}a filtered list: each entry must be ${entry}; an invalid entry is dropped and reported and the rest kept; a value that is not a list is dropped (treated as absent)` });
      if (ref !== undefined && !seen.has(ref)) {
        const target = byName.get(ref);
        if (target) rows(toJson(target), `${path}[].`, byName, f, new Set([...seen, ref]), out);
      }
      continue;
    }
    const ref = typeof prop.$ref === "string" ? prop.$ref : undefined;
    if (needed || isObject(prop["x-tolerant"]) || need(prop) === "exact") {
      out.push({ path, rule: `${needed ? "required, " : "optional, "}${valueRule(prop, f)}` });
    }
    if (ref !== undefined && !seen.has(ref)) {
      const target = byName.get(ref);
      if (target === undefined) continue;
      const json = toJson(target);
      const dispatch = json["x-dispatch"];
      if (isObject(dispatch) && isObject(dispatch.branches)) {
        for (const [tag, branch] of Object.entries(dispatch.branches)) {
          if (typeof branch !== "string") continue;
          const inner: Row[] = [];
          const branchSchema = byName.get(branch);
          if (branchSchema) rows(toJson(branchSchema), `${path}.`, byName, f, new Set([...seen, ref, branch]), inner);
          const needs = inner.filter((r) => r.rule.startsWith("required")).map((r) => f.code(r.path.slice(path.length + 1)));
          out.push({ path: `${path} (${f.code(`${String(dispatch.discriminator)}: ${tag}`)})`, rule: `required: ${needs.join(", ") || "nothing more"}; an unknown ${f.code(String(dispatch.discriminator))} is answered with a structured failure` });
        }
        continue;
      }
      rows(json, `${path}.`, byName, f, new Set([...seen, ref]), out);
    }
  }
}

export function renderReceiverRules(definitions: TSchema[], f: ReceiverFormat): string {
  const byName = new Map(definitions.map((d) => [nameOf(d), d]));
  const out: string[] = [];
  const frames: [string, TSchema, string][] = [
    ...Object.entries(GATEWAY_FRAMES).map(([type, d]) => [type, d, "G→C: the connector receives it"] as [string, TSchema, string]),
    ...Object.entries(CONNECTOR_FRAMES).map(([type, d]) => [type, d, "C→G: the gateway receives it"] as [string, TSchema, string]),
  ];
  for (const [type, schema, who] of frames) {
    const found: Row[] = [];
    rows(toJson(schema), "", byName, f, new Set([nameOf(schema)]), found);
    const body = found.filter((r) => r.path !== "type");
    out.push(`### Receiving ${f.code(type)}`, "", `${who}; definition ${f.link(nameOf(schema))}.`, "");
    if (body.length === 0) out.push("Nothing beyond the `type` tag.");
    else {
      out.push("| Field | A receiver needs |", "| --- | --- |");
      for (const r of body) out.push(`| ${r.path.startsWith("`") || r.path.includes("(") ? r.path : f.code(r.path)} | ${r.rule.replace(/\|/g, "\\|")} |`);
    }
    out.push("", "Every other field: its type, when present. Every other rule of the definition is a producer rule (an advisory for a receiver).", "");
  }
  const nullable = definitions.filter((d) => toJson(d)["x-null-as-absent"] === true).map((d) => f.link(nameOf(d)));
  if (nullable.length > 0) {
    out.push(
      "### `null` read as absent",
      "",
      `In ${nullable.join(", ")}, a receiver accepts \`null\` for every scalar property it does not require and handles the value as if the key were absent: the Python producer fills these keys from values it may not have (a \`thread_id\` outside a thread is \`None\`).`,
      "",
    );
  }
  return out.join("\n");
}
