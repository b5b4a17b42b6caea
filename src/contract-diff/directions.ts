/**
 * Who produces and who consumes each definition of a bundle. The roots carry `x-direction`
 * (the frame unions, the HTTP bodies); every definition a root reaches through `$ref` is sent in
 * that direction too. Bundles older than the annotation fall back to the two frame unions by
 * name. A definition no root reaches (the union of both directions) takes the directions of
 * what it references.
 */
import type { Json, SchemaNode } from "./compare.js";

export type Party = "gateway" | "connector";
export type Direction = "gateway-to-connector" | "connector-to-gateway";

export interface Roles {
  producers: Party[];
  consumers: Party[];
}

const FALLBACK_ROOTS: Record<string, Direction> = { GatewayFrame: "gateway-to-connector", ConnectorFrame: "connector-to-gateway" };

function refsOf(node: Json, into: Set<string>): Set<string> {
  if (Array.isArray(node)) for (const child of node) refsOf(child, into);
  else if (typeof node === "object" && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") into.add(value.replace(/^.*\//, ""));
      else if (key !== "enum" && key !== "const" && key !== "default" && key !== "examples") refsOf(value, into);
    }
  }
  return into;
}

const isDirection = (value: Json | undefined): value is Direction => value === "gateway-to-connector" || value === "connector-to-gateway";

/** The directions each definition travels in. */
export function directionsOf(definitions: Record<string, SchemaNode>): Map<string, Set<Direction>> {
  const refs = new Map(Object.entries(definitions).map(([name, node]) => [name, refsOf(node, new Set())]));
  const annotated = Object.entries(definitions).filter(([, node]) => isDirection(node["x-direction"]));
  const roots: Array<[string, Direction]> =
    annotated.length > 0
      ? annotated.map(([name, node]) => [name, node["x-direction"] as Direction])
      : Object.entries(FALLBACK_ROOTS).filter(([name]) => name in definitions);
  const result = new Map<string, Set<Direction>>(Object.keys(definitions).map((name) => [name, new Set()]));
  for (const [root, direction] of roots) {
    const stack = [root];
    while (stack.length > 0) {
      const name = stack.pop()!;
      const seen = result.get(name);
      if (seen === undefined || seen.has(direction)) continue;
      seen.add(direction);
      stack.push(...(refs.get(name) ?? []));
    }
  }
  for (const [name, directions] of result) {
    if (directions.size > 0) continue;
    for (const target of refs.get(name) ?? []) for (const d of result.get(target) ?? []) directions.add(d);
  }
  return result;
}

/** Producers and consumers for a set of directions; unknown direction means either side. */
export function rolesOf(directions: Set<Direction> | undefined): Roles {
  const producers = new Set<Party>();
  const consumers = new Set<Party>();
  const all = directions === undefined || directions.size === 0 ? new Set<Direction>(["gateway-to-connector", "connector-to-gateway"]) : directions;
  for (const d of all) {
    producers.add(d === "gateway-to-connector" ? "gateway" : "connector");
    consumers.add(d === "gateway-to-connector" ? "connector" : "gateway");
  }
  const order = (s: Set<Party>) => (["gateway", "connector"] as const).filter((p) => s.has(p));
  return { producers: order(producers), consumers: order(consumers) };
}
