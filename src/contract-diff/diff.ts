/**
 * Classifies every change between two versions of the contract by who it breaks.
 *
 * A contract version has two schemas per definition: the strict one (what producers send) and
 * the tolerant one (what receivers accept). With O/N the old/new versions:
 * - a change of the strict schema that narrows it (a new required field, a narrowed type, enum,
 *   pattern or length, a removed field, op or frame) breaks **producers**: what they send today
 *   no longer conforms; so does a changed receiver default (the same frame means something else);
 * - a change that widens it breaks **consumers** only when receivers of O would reject what
 *   producers of N may now send (the widening is outside O's tolerant schema); a new optional
 *   field or a new enum value that O's receivers already tolerate is **additive**;
 * - a removed field breaks consumers too: they no longer receive what they read;
 * - a change of the tolerant schema alone is a receiver change: widening it is additive, and
 *   narrowing it breaks producers only when N's receivers reject what O's producers may send.
 */
import { compareNode, type RawChange, type SchemaNode } from "./compare.js";
import { directionsOf, rolesOf, type Party } from "./directions.js";

/** One version of the contract: its definitions, strict and tolerant. */
export interface ContractSnapshot {
  /** Where it was read from (a path), for reports. */
  source: string;
  contractVersion: number | undefined;
  strict: Record<string, SchemaNode>;
  tolerant: Record<string, SchemaNode>;
  /** The tolerant schemas were not shipped with it and were derived (unknown fields allowed). */
  tolerantDerived: boolean;
}

export type Impact = "breaking-for-producers" | "breaking-for-consumers" | "breaking-for-producers-and-consumers" | "additive";

export interface ContractChange {
  definition: string;
  /** Where in the definition (JSON Pointer; `allOf[rule …]` names a conditional rule). */
  path: string;
  change: string;
  impact: Impact;
  /** Who sends this definition and who receives it. */
  producers: Party[];
  consumers: Party[];
  /** Whether the change is in the producer rules (strict) or only in what receivers accept. */
  schema: "strict" | "tolerant";
}

export interface VersionInfo {
  source: string;
  contractVersion: number | undefined;
  /** Its receivers were taken to accept unknown fields, for want of a tolerant bundle. */
  tolerantDerived: boolean;
}

export interface ContractDiff {
  old: VersionInfo;
  new: VersionInfo;
  breaking: boolean;
  summary: { breakingForProducers: number; breakingForConsumers: number; additive: number };
  changes: ContractChange[];
}

const impactOf = (producers: boolean, consumers: boolean): Impact =>
  producers && consumers ? "breaking-for-producers-and-consumers" : producers ? "breaking-for-producers" : consumers ? "breaking-for-consumers" : "additive";

const keyOf = (c: RawChange) => `${c.path}#${c.aspect}`;

function compare(before: SchemaNode, after: SchemaNode): RawChange[] {
  const out: RawChange[] = [];
  compareNode(out, "", before, after);
  return out;
}

interface Classified {
  path: string;
  change: string;
  producers: boolean;
  consumers: boolean;
  schema: "strict" | "tolerant";
}

function classifyDefinition(name: string, old: ContractSnapshot, next: ContractSnapshot): Classified[] {
  const oStrict = old.strict[name]!;
  const nStrict = next.strict[name]!;
  const oTolerant = old.tolerant[name] ?? oStrict;
  const nTolerant = next.tolerant[name] ?? nStrict;
  // Where the new producer rules accept what the old receivers reject. Compared node by node:
  // a constraint may be expressed by different keywords on the two sides (a tolerant length
  // range against a strict pattern), so a widening breaks consumers when the old receivers'
  // schema of that node, or of a node inside it, rejects something the new rules accept.
  const rejectedByOldReceivers = compare(oTolerant, nStrict).filter((c) => c.widens).map((c) => c.path);
  const oldReceiversReject = (path: string) => rejectedByOldReceivers.some((p) => p === path || p.startsWith(`${path}/`));
  const out: Classified[] = [];
  const seen = new Set<string>();
  for (const c of compare(oStrict, nStrict)) {
    seen.add(keyOf(c));
    out.push({
      path: c.path,
      change: c.text,
      producers: c.narrows || c.reinterprets === true,
      consumers: (c.widens && oldReceiversReject(c.path)) || c.consumerLoss === true,
      schema: "strict",
    });
  }
  // Receiver-only changes: breaking only when new receivers reject what old producers may send.
  const rejectsOldProducers = new Set(compare(oStrict, nTolerant).filter((c) => c.narrows).map(keyOf));
  for (const c of compare(oTolerant, nTolerant)) {
    if (seen.has(keyOf(c))) continue;
    seen.add(keyOf(c));
    out.push({ path: c.path, change: `receivers: ${c.text}`, producers: c.narrows && rejectsOldProducers.has(keyOf(c)), consumers: false, schema: "tolerant" });
  }
  return out;
}

/** Every change from `old` to `next`, classified; `breaking` when any change breaks a side. */
export function diffContracts(old: ContractSnapshot, next: ContractSnapshot): ContractDiff {
  const oldDirections = directionsOf(old.strict);
  const newDirections = directionsOf(next.strict);
  const names = [...Object.keys(next.strict), ...Object.keys(old.strict).filter((n) => !(n in next.strict))];
  const changes: ContractChange[] = [];
  for (const name of names) {
    const roles = rolesOf(name in next.strict ? newDirections.get(name) : oldDirections.get(name));
    const push = (c: Classified) => changes.push({ definition: name, path: c.path, change: c.change, impact: impactOf(c.producers, c.consumers), ...roles, schema: c.schema });
    if (!(name in old.strict)) push({ path: "", change: "definition added", producers: false, consumers: false, schema: "strict" });
    else if (!(name in next.strict)) push({ path: "", change: "definition removed", producers: true, consumers: true, schema: "strict" });
    else for (const c of classifyDefinition(name, old, next)) push(c);
  }
  const count = (test: (i: Impact) => boolean) => changes.filter((c) => test(c.impact)).length;
  const summary = {
    breakingForProducers: count((i) => i === "breaking-for-producers" || i === "breaking-for-producers-and-consumers"),
    breakingForConsumers: count((i) => i === "breaking-for-consumers" || i === "breaking-for-producers-and-consumers"),
    additive: count((i) => i === "additive"),
  };
  return {
    old: { source: old.source, contractVersion: old.contractVersion, tolerantDerived: old.tolerantDerived },
    new: { source: next.source, contractVersion: next.contractVersion, tolerantDerived: next.tolerantDerived },
    breaking: summary.breakingForProducers + summary.breakingForConsumers > 0,
    summary,
    changes,
  };
}
