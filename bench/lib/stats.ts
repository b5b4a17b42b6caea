/** Small, dependency-free statistics for noisy, interleaved measurements. */

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

/**
 * Median of subject[i] / baseline[i]: each round ran both back to back, so a ratio within a round
 * cancels most of the drift a shared machine adds between rounds.
 */
export function pairedRatio(baseline: readonly number[], subject: readonly number[]): number {
  const n = Math.min(baseline.length, subject.length);
  const ratios: number[] = [];
  for (let i = 0; i < n; i++) ratios.push((subject[i] as number) / (baseline[i] as number));
  return median(ratios);
}

/** A row's figures from paired rounds: the median of each arm and the median per-round ratio. */
export function pairedFigures(baseline: readonly number[], subject: readonly number[]): { baseline: number; subject: number; ratio: number } {
  return { baseline: median(baseline), subject: median(subject), ratio: pairedRatio(baseline, subject) };
}

/** Half the interquartile range relative to the median: a rough "±" for the report. */
export function spread(values: readonly number[]): number {
  const m = median(values);
  return m === 0 ? 0 : (quantile(values, 0.75) - quantile(values, 0.25)) / 2 / m;
}

export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
