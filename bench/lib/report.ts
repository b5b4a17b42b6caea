/** Judging rows against their targets, and the Markdown / JSON renderings of a run. */
import type { Environment } from "./env.js";
import { MIN_REPEATS } from "./repeat.js";
import { round } from "./stats.js";
import type { Row, Section, SectionResult, Spread, Target } from "./types.js";

export interface SectionReport {
  id: string;
  short: string;
  title: string;
  rows: Row[];
  notes: string[];
  error?: string;
  seconds: number;
}

export interface RunReport {
  command: string;
  quick: boolean;
  environment: Environment;
  sections: SectionReport[];
  seconds: number;
}

/** How many independent repeats a row's figures come from (1 when it was measured once). */
export const repeatsOf = (row: Row): number => row.repeats?.n ?? 1;

/** A target is judged on the median over the repeats; a target row measured fewer than MIN_REPEATS times is not met. */
export function judge(row: Row): Row {
  const t = row.target;
  if (t === undefined) return row;
  if (repeatsOf(row) < MIN_REPEATS) return { ...row, met: false };
  if (t.kind === "abs-max") return { ...row, met: row.subject <= t.limit };
  if (row.ratio === undefined || !Number.isFinite(row.ratio)) return { ...row, met: false };
  return { ...row, met: t.kind === "max" ? row.ratio <= t.limit : row.ratio >= t.limit };
}

export function targetLabel(t: Target | undefined): string {
  if (t === undefined) return "—";
  if (t.label !== undefined) return t.label;
  if (t.kind === "abs-max") return `< ${t.limit} ${t.unit}`;
  return `${t.kind === "max" ? "≤" : "≥"} ${t.limit}×`;
}

export function sectionReport(section: Section, result: SectionResult | undefined, error: unknown, seconds: number): SectionReport {
  const rows = (result?.rows ?? []).map(judge);
  const notes = [...(result?.notes ?? [])];
  for (const row of rows) {
    if (row.target !== undefined && repeatsOf(row) < MIN_REPEATS) {
      notes.push(`"${row.name}" has a target but was measured in ${repeatsOf(row)} repeat(s), fewer than ${MIN_REPEATS}: not judged as met.`);
    }
  }
  const report: SectionReport = { id: section.id, short: section.short, title: section.title, rows, notes, seconds: round(seconds, 1) };
  if (error !== undefined) report.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return report;
}

function fmt(value: number | undefined, unit: string): string {
  if (value === undefined || !Number.isFinite(value)) return "—";
  const abs = Math.abs(value);
  const digits = abs >= 1000 ? 0 : abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  const text = value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  return `${text} ${unit}`;
}

const ratioText = (r: number | undefined): string => (r === undefined || !Number.isFinite(r) ? "—" : `${r.toFixed(2)}×`);
const metText = (row: Row): string => (row.met === undefined ? "" : row.met ? "met" : "**not met**");

const range = (s: Spread, text: (v: number) => string): string => `${text(s.min)} – ${text(s.max)}`;

/**
 * The spread of the figure a row is judged on (its ratio, or its subject for an absolute
 * target) over the independent repeats: "min – max (n)"; "—" for a row measured once.
 */
function spreadText(row: Row): string {
  const r = row.repeats;
  if (r === undefined) return "—";
  if (row.target?.kind !== "abs-max" && r.ratio !== undefined) return `${range(r.ratio, (v) => v.toFixed(2))}× (${r.n})`;
  return `${range(r.subject, (v) => fmt(v, "").trim())} ${row.unit} (${r.n})`;
}

function tableLines(rows: readonly Row[], withSection?: Map<Row, string>): string[] {
  const head = "| measurement | baseline | subject | ratio | min – max (repeats) | target | result |";
  const sep = "| --- | ---: | ---: | ---: | ---: | --- | --- |";
  const lines = withSection ? [`| section ${head}`, `| --- ${sep}`] : [head, sep];
  for (const row of rows) {
    const cells = [
      row.name,
      fmt(row.baseline, row.unit),
      fmt(row.subject, row.unit),
      ratioText(row.ratio),
      spreadText(row),
      targetLabel(row.target),
      metText(row),
    ];
    if (withSection) cells.unshift(withSection.get(row) ?? "");
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines;
}

/** The rows marked `headline`, for the README and the top of the report. */
export function headlineLines(report: RunReport): string[] {
  const rows: Row[] = [];
  const where = new Map<Row, string>();
  for (const s of report.sections) {
    for (const row of s.rows) {
      if (!row.headline) continue;
      rows.push(row);
      where.set(row, s.short);
    }
  }
  return tableLines(rows, where);
}

export function environmentLine(env: Environment): string {
  return `Node ${env.node} (V8 ${env.v8}), ${env.cpu} × ${env.cores}, ${env.memoryGiB} GiB, ${env.os}; commit ${env.commit ?? "?"}${env.dirty ? " + local changes" : ""}; ${env.date}`;
}

export function renderMarkdown(report: RunReport): string {
  const all = report.sections.flatMap((s) => s.rows);
  const targeted = all.filter((r) => r.met !== undefined);
  const met = targeted.filter((r) => r.met).length;
  const lines = [
    "# relay-contract benchmarks — latest run",
    "",
    `\`${report.command}\`${report.quick ? " (quick mode: fewer rounds, smaller counts)" : ""} — ${Math.round(report.seconds)} s.`,
    "",
    environmentLine(report.environment),
    "",
    "Every figure is a ratio against a baseline measured in the same run: baseline and subject are interleaved and repeated, and medians are reported (the machine is shared and noisy). Baselines are written directly on `ws` + `JSON.parse` + a generated validator. A row with a target is measured in at least " +
      `${MIN_REPEATS} independent repeats (fresh processes each); its figures are the medians over the repeats, the target is judged on the median, and "min – max" is the spread of the judged figure across the repeats. Method and decisions: docs/performance.md.`,
    "",
    `**Targets met: ${met} of ${targeted.length}.**`,
    "",
    "## Headline",
    "",
    ...headlineLines(report),
    "",
  ];
  for (const s of report.sections) {
    lines.push(`## ${s.title}`, "");
    if (s.error !== undefined) lines.push("**This section failed:**", "", "```", s.error, "```", "");
    if (s.rows.length > 0) lines.push(...tableLines(s.rows), "");
    for (const note of s.notes) lines.push(`- ${note}`);
    if (s.notes.length > 0) lines.push("");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

export function renderJson(report: RunReport): string {
  const rounded = JSON.parse(
    JSON.stringify(report, (_k, v: unknown) => (typeof v === "number" && !Number.isInteger(v) ? round(v, 4) : v)),
  ) as RunReport;
  return `${JSON.stringify(rounded, null, 2)}\n`;
}
