/**
 * Independent repeats of a measurement. One run of a socket benchmark is one set of processes,
 * one JIT history, one placement of the processes on the cores and one stretch of the host's
 * load; a single run can land anywhere in the spread those make. A row with a target is therefore
 * measured in at least `MIN_REPEATS` independent repeats (fresh child processes each, in the
 * sections that use them) and judged on the median; min and max show how far a single run moves.
 */
import { median } from "./stats.js";
import type { BenchContext, Row, RowRepeats, Spread } from "./types.js";

/** Fewest repeats a row with a target is judged on (the report flags a row measured fewer times). */
export const MIN_REPEATS = 3;

/** Repeats of a section's targeted measurements: `MIN_REPEATS` in quick mode, `full` otherwise. */
export function repeatCount(ctx: BenchContext, full = 5): number {
  return ctx.quick ? MIN_REPEATS : Math.max(MIN_REPEATS, full);
}

export function spreadOf(values: readonly number[]): Spread {
  const finite = values.filter((v) => Number.isFinite(v));
  return {
    n: finite.length,
    median: median(finite),
    min: finite.length === 0 ? Number.NaN : Math.min(...finite),
    max: finite.length === 0 ? Number.NaN : Math.max(...finite),
    values: [...finite],
  };
}

/**
 * Merges the rows of several repeats of one measurement: rows match by name (a row a repeat did
 * not produce simply has fewer values); baseline, subject and ratio become the medians over the
 * repeats, with their spread in `repeats`, and each repeat's `details` is kept in order.
 */
export function mergeRepeats(runs: ReadonlyArray<readonly Row[]>): Row[] {
  const byName = new Map<string, Row[]>();
  for (const rows of runs) {
    for (const row of rows) {
      const list = byName.get(row.name);
      if (list === undefined) byName.set(row.name, [row]);
      else list.push(row);
    }
  }
  const merged: Row[] = [];
  for (const rows of byName.values()) {
    const first = rows[0] as Row;
    if (rows.length === 1) {
      merged.push(first);
      continue;
    }
    const pick = (f: (r: Row) => number | undefined): number[] => rows.map(f).filter((v): v is number => v !== undefined);
    const baselines = pick((r) => r.baseline);
    const ratios = pick((r) => r.ratio);
    const repeats: RowRepeats = { n: rows.length, subject: spreadOf(pick((r) => r.subject)) };
    if (baselines.length > 0) repeats.baseline = spreadOf(baselines);
    if (ratios.length > 0) repeats.ratio = spreadOf(ratios);
    const row: Row = { ...first, subject: repeats.subject.median, repeats };
    if (repeats.baseline !== undefined) row.baseline = repeats.baseline.median;
    if (repeats.ratio !== undefined) row.ratio = repeats.ratio.median;
    const details = rows.map((r) => r.details).filter((d) => d !== undefined);
    if (details.length > 0) row.details = { perRepeat: details };
    else delete row.details;
    merged.push(row);
  }
  return merged;
}

/**
 * Runs `once` `n` times, one after the other (repeat index 0 … n-1), and merges the rows. A
 * section measures what has no target in repeat 0 only, if it wants to save time.
 */
export async function repeated(ctx: BenchContext, what: string, n: number, once: (repeat: number) => Promise<Row[]>): Promise<Row[]> {
  const runs: Row[][] = [];
  for (let i = 0; i < n; i++) {
    ctx.log(`${what}: repeat ${i + 1}/${n}`);
    runs.push(await once(i));
  }
  return mergeRepeats(runs);
}
