/** Reads a V8 `.cpuprofile` and lists where the time went: self time by function, and by file. */
import { readFileSync } from "node:fs";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileLine {
  share: number;
  label: string;
}

function shortUrl(url: string): string {
  if (url === "") return "";
  const m = /(?:relay-contract-bench-[^/]+|work\/main)\/(.*)$/.exec(url);
  if (m) return m[1] as string;
  const nm = /node_modules\/(.*)$/.exec(url);
  if (nm) return nm[1] as string;
  return url.replace(/^node:/, "node:");
}

/** Self time of one or several profiles (e.g. the measured parts of a run), summed. */
export function summarize(files: string | string[], top = 25): { total: number; byFunction: ProfileLine[]; byFile: ProfileLine[]; idle: number } {
  const self: Array<[CallFrame, number]> = [];
  for (const file of Array.isArray(files) ? files : [files]) {
    const p = JSON.parse(readFileSync(file, "utf8")) as Profile;
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const perNode = new Map<number, number>();
    p.samples.forEach((id, i) => perNode.set(id, (perNode.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
    for (const [id, t] of perNode) self.push([(byId.get(id) as ProfileNode).callFrame, t]);
  }
  let total = 0;
  let idle = 0;
  const fn = new Map<string, number>();
  const fl = new Map<string, number>();
  for (const [cf, t] of self) {
    if (cf.functionName === "(idle)") {
      idle += t;
      continue;
    }
    // The in-process inspector session answering Profiler.stop (bench/procs/rpc.ts), not the workload.
    if (cf.functionName === "dispatch" && cf.url === "") continue;
    total += t;
    const url = shortUrl(cf.url);
    const label = `${cf.functionName || "(anonymous)"}${url ? ` ${url}:${cf.lineNumber + 1}` : ""}`;
    fn.set(label, (fn.get(label) ?? 0) + t);
    const fileKey = url || cf.functionName;
    fl.set(fileKey, (fl.get(fileKey) ?? 0) + t);
  }
  const lines = (m: Map<string, number>): ProfileLine[] =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([label, t]) => ({ share: t / total, label }));
  return { total: total / 1000, byFunction: lines(fn), byFile: lines(fl), idle: idle / 1000 };
}

export function formatSummary(name: string, s: ReturnType<typeof summarize>): string {
  const out = [`### ${name}: ${Math.round(s.total)} ms on CPU (${Math.round(s.idle)} ms idle)`, "", "self time by function:"];
  for (const l of s.byFunction) out.push(`  ${(l.share * 100).toFixed(1).padStart(5)}%  ${l.label}`);
  out.push("", "self time by file:");
  for (const l of s.byFile.slice(0, 15)) out.push(`  ${(l.share * 100).toFixed(1).padStart(5)}%  ${l.label}`);
  return out.join("\n");
}

