/**
 * The shapes every benchmark section shares. A section measures a subject against a baseline run
 * in the same invocation and reports ratios; the runner renders every section the same way, so a
 * new section is a new file plus one line in `sections/index.ts`. A row with a target is measured
 * in independent repeats (lib/repeat.ts) and judged on their median.
 */

/** How a ratio is judged: `max` — at most `limit` (costs); `min` — at least `limit` (rates). */
export interface RatioTarget {
  kind: "max" | "min";
  limit: number;
  /** Shown in the table, e.g. "≤ 1.5×". Defaults from kind/limit. */
  label?: string;
}

/** An absolute bound, for the one target that is not a ratio (start-up time). */
export interface AbsoluteTarget {
  kind: "abs-max";
  limit: number;
  unit: string;
  label?: string;
}

export type Target = RatioTarget | AbsoluteTarget;

/** One line of the results table. */
export interface Row {
  /** What was measured, e.g. "decode + validate, inbound 660 B, strict". */
  name: string;
  /** Unit of `baseline` and `subject`, e.g. "ns/frame", "frames/s", "µs". */
  unit: string;
  /** What the baseline is, in a few words (shown in the details). */
  baselineLabel?: string;
  baseline?: number;
  subject: number;
  /**
   * subject / baseline, the median of the per-round ratios when the rounds were paired (each
   * round runs baseline and subject back to back), else the ratio of the medians.
   */
  ratio?: number;
  target?: Target;
  /** Filled by the runner from `target`. */
  met?: boolean;
  /** Shown in the table's headline (README) when set. */
  headline?: boolean;
  /**
   * Set when the row was measured in independent repeats (lib/repeat.ts): the spread of each
   * figure across them. `baseline`, `subject` and `ratio` above are then the medians.
   */
  repeats?: RowRepeats;
  /** Free-form extras kept in the JSON (per-round samples, spreads, configuration). */
  details?: Record<string, unknown>;
}

/** Median, min and max of one figure over independent repeats, and the values themselves. */
export interface Spread {
  n: number;
  median: number;
  min: number;
  max: number;
  values: number[];
}

export interface RowRepeats {
  n: number;
  baseline?: Spread;
  subject: Spread;
  ratio?: Spread;
}

export interface SectionResult {
  rows: Row[];
  /** Sentences for the report under the section's table (method, caveats, decisions). */
  notes?: string[];
}

export interface BenchContext {
  quick: boolean;
  /** Repository root. */
  root: string;
  /** Where the transpiled runtime and child-process entry points live (see lib/build.ts). */
  build: BuildInfo;
  log(message: string): void;
}

export interface BuildInfo {
  /** Directory mirroring the repository layout, holding plain `.js`. */
  dir: string;
  /** Absolute path of a built module, from its repository path (`src/validation.ts` → `.../src/validation.js`). */
  path(repoPath: string): string;
}

export interface Section {
  /** Stable key, used by `--only` and in the JSON. */
  id: string;
  /** What it measures, in a few words: the section column of the headline table (e.g. "loopback"). */
  short: string;
  title: string;
  run(ctx: BenchContext): Promise<SectionResult>;
}
