/**
 * Interleaved rounds: every round runs each arm once, back to back, and the order rotates from
 * round to round, so no arm always goes first (warmer caches, a quieter moment) and every arm sees
 * the same stretch of the machine's load. Per-round samples, in arm order.
 */
export async function interleaveArms<T>(rounds: number, arms: ReadonlyArray<() => Promise<T>>): Promise<T[][]> {
  const out = arms.map(() => [] as T[]);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < arms.length; k++) {
      const a = (r + k) % arms.length;
      (out[a] as T[]).push(await (arms[a] as () => Promise<T>)());
    }
  }
  return out;
}

/** Two arms, baseline and subject (who goes first alternates). */
export async function interleave<T>(rounds: number, baseline: () => Promise<T>, subject: () => Promise<T>): Promise<{ baseline: T[]; subject: T[] }> {
  const [b, s] = (await interleaveArms(rounds, [baseline, subject])) as [T[], T[]];
  return { baseline: b, subject: s };
}
