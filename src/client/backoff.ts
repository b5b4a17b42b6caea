/**
 * The V-latest reconnect ladder (contract §12).
 *
 * Attempt n (1-based) waits a uniform random time in [d/2, d] with d = min(base·2^(n−1), max);
 * base ≤ 0 or max ≤ 0 disables the wait. The attempt counter outlives individual connections:
 * only a connection that stayed up for the stable time resets it, so a connector that accepts
 * and then immediately drops still pushes the gateway up the ladder.
 */

export interface BackoffOptions {
  /** Delay ceiling of attempt 1, in ms. */
  baseMs: number;
  /** Cap of the ceiling, in ms. */
  maxMs: number;
  /** Uniform in [0, 1). Injected so tests can pin the jitter. */
  random: () => number;
}

/** Upper bound d of attempt `attempt` (1-based). */
export function backoffCeilingMs(attempt: number, baseMs: number, maxMs: number): number {
  if (!(baseMs > 0) || !(maxMs > 0) || attempt < 1) return 0;
  // 2^(n−1) overflows to Infinity for huge n; min() then returns the cap, which is the intent.
  return Math.min(baseMs * 2 ** (attempt - 1), maxMs);
}

/** The jittered delay of attempt `attempt`: uniform in [d/2, d]. */
export function backoffDelayMs(attempt: number, opts: BackoffOptions): number {
  const d = backoffCeilingMs(attempt, opts.baseMs, opts.maxMs);
  if (d === 0) return 0;
  let r = opts.random();
  // A misbehaving random source must not produce a negative or runaway delay.
  if (!Number.isFinite(r) || r < 0) r = 0;
  if (r > 1) r = 1;
  return d / 2 + r * (d / 2);
}

/** The persistent attempt counter and its two transitions. */
export class ReconnectLadder {
  #attempt = 0;
  readonly #opts: BackoffOptions;

  constructor(opts: BackoffOptions) {
    this.#opts = opts;
  }

  /** Failed attempts since the last reset (0 = at the bottom of the ladder). */
  get attempt(): number {
    return this.#attempt;
  }

  /** Counts one more failed attempt and returns its delay in ms. */
  next(): number {
    this.#attempt += 1;
    return backoffDelayMs(this.#attempt, this.#opts);
  }

  /** A connection stayed up for the stable time. */
  reset(): void {
    this.#attempt = 0;
  }
}
