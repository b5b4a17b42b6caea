/**
 * In-process timing of small operations, interleaved: every round runs every variant once (in a
 * rotating order), so baseline and subject see the same machine state, and a round's ratio is
 * taken between neighbours. Runs inside a child process (bench/procs/decode.ts), never in the
 * runner, so nothing else shares the JIT or the heap.
 *
 * Batches are timed in process CPU time (user + system), not wall time: on a shared machine a
 * batch that is descheduled half way would otherwise count the other tenant's work. Short
 * batches, many rounds, and the median of per-round ratios do the rest.
 */

export interface Variant {
  name: string;
  /** One operation; return something derived from the result so it is not optimised away. */
  op: () => unknown;
}

export interface MicroOptions {
  rounds: number;
  /** Wall time per variant per round. */
  batchMs: number;
  warmupMs: number;
}

export type MicroSamples = Record<string, number[]>; // variant → ns/op per round

let sink = 0;
function consume(value: unknown): void {
  // Cheap, but depends on the value: the JIT cannot drop the work that produced it.
  if (value === sink) sink++;
}

/** Nanoseconds of CPU this process spent on `iterations` calls. */
function timeBatch(op: () => unknown, iterations: number): number {
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i++) consume(op());
  const used = process.cpuUsage(start);
  return (used.user + used.system) * 1000;
}

function calibrate(op: () => unknown, targetMs: number): number {
  let n = 64;
  for (;;) {
    const ns = timeBatch(op, n);
    if (ns > 2e6 || n > 1e8) return Math.max(16, Math.round((n * targetMs * 1e6) / ns));
    n *= 4;
  }
}

export function measure(variants: readonly Variant[], opts: MicroOptions): MicroSamples {
  const iterations = new Map<string, number>();
  for (const v of variants) {
    const warm = calibrate(v.op, opts.warmupMs);
    timeBatch(v.op, warm);
    iterations.set(v.name, calibrate(v.op, opts.batchMs));
  }
  const samples: MicroSamples = Object.fromEntries(variants.map((v) => [v.name, [] as number[]]));
  for (let r = 0; r < opts.rounds; r++) {
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(k + r) % variants.length] as Variant;
      const n = iterations.get(v.name) as number;
      (samples[v.name] as number[]).push(timeBatch(v.op, n) / n);
    }
  }
  return samples;
}
