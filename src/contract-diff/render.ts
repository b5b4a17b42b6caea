/** The two forms of a contract diff report: for people (grouped by definition) and JSON. */
import type { ContractDiff, Impact, VersionInfo } from "./diff.js";

const IMPACT_TEXT: Record<Impact, string> = {
  "breaking-for-producers": "BREAKING for producers",
  "breaking-for-consumers": "BREAKING for consumers",
  "breaking-for-producers-and-consumers": "BREAKING for both",
  additive: "additive",
};

const version = (v: VersionInfo) => `${v.source} (contract_version ${v.contractVersion ?? "unknown"})`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function renderDiffJson(diff: ContractDiff): string {
  return `${JSON.stringify(diff, null, 2)}\n`;
}

export function renderDiffHuman(diff: ContractDiff): string {
  const lines = [`relay-contract diff: ${version(diff.old)} → ${version(diff.new)}`];
  for (const [side, v] of [["old", diff.old], ["new", diff.new]] as const) {
    if (v.tolerantDerived) lines.push(`  (the ${side} version has no tolerant bundle: its receivers are taken to accept unknown fields)`);
  }
  const { breakingForProducers: p, breakingForConsumers: c, additive: a } = diff.summary;
  if (diff.changes.length === 0) return `${lines.join("\n")}\nno changes\n`;
  lines.push(
    diff.breaking
      ? `BREAKING: ${plural(p, "change")} break${p === 1 ? "s" : ""} producers, ${plural(c, "change")} break${c === 1 ? "s" : ""} consumers; ${a} additive`
      : `compatible: ${plural(a, "additive change")}, none breaking`,
  );
  const width = Math.max(...diff.changes.map((ch) => IMPACT_TEXT[ch.impact].length));
  let current = "";
  for (const ch of diff.changes) {
    if (ch.definition !== current) {
      current = ch.definition;
      lines.push("", `${ch.definition} — produced by ${ch.producers.join(" and ")}, consumed by ${ch.consumers.join(" and ")}`);
    }
    lines.push(`  ${IMPACT_TEXT[ch.impact].padEnd(width)}  ${ch.path || "/"}  ${ch.change}`);
  }
  return `${lines.join("\n")}\n`;
}
