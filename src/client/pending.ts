/**
 * Requests written and waiting for their `outbound_result`, keyed by `requestId`
 * (contract §5). Each entry settles exactly once: by its result, its timeout, its
 * connection ending, an abort, or the client closing — whichever comes first; the rest are no-ops,
 * which is how a late result for a timed-out id ends up ignored.
 */
import { Deadlines, type DeadlineSlot, type Expiring } from "./deadlines.js";
import { timedOut, type RelayResult } from "./results.js";

export type Outcome = { result: RelayResult } | { error: unknown };

/**
 * One waiting request: the promise's settle functions, its deadline and abort listener as
 * fields, rather than a settle closure per request capturing them: with many requests in flight,
 * one object each is the smaller footprint.
 */
export class PendingRequest implements Expiring {
  deadline: DeadlineSlot | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;
  /** The table it waits in (set by `add`). */
  table: PendingRequests | undefined = undefined;

  constructor(
    readonly requestId: string,
    /** Connection generation the frame was written on. */
    readonly generation: number,
    readonly resolve: (result: RelayResult) => void,
    readonly reject: (error: unknown) => void,
    readonly signal: AbortSignal | undefined,
  ) {}

  /** The deadline passed. */
  expire(): void {
    this.table?.settle(this.requestId, { result: timedOut() });
  }

  /** Stops the deadline and the abort listener; the caller then resolves or rejects. */
  release(deadlines: Deadlines): void {
    if (this.deadline !== undefined) deadlines.cancel(this.deadline);
    if (this.onAbort !== undefined) this.signal?.removeEventListener("abort", this.onAbort);
  }

  finish(outcome: Outcome): void {
    if ("result" in outcome) this.resolve(outcome.result);
    else this.reject(outcome.error);
  }
}

type Entry = PendingRequest;

export class PendingRequests {
  readonly #entries = new Map<string, Entry>();
  readonly #deadlines = new Deadlines();
  #drainWaiters: Array<() => void> = [];
  readonly #onChange: () => void;

  /** `onChange` runs after an entry was added or settled. */
  constructor(onChange: () => void = () => {}) {
    this.#onChange = onChange;
  }

  get size(): number {
    return this.#entries.size;
  }

  has(requestId: string): boolean {
    return this.#entries.has(requestId);
  }

  /** Registers a request, timed out after `timeoutMs` (none when not finite); it settles once, after the entry was removed. */
  add(entry: PendingRequest, timeoutMs: number): PendingRequest {
    const { requestId } = entry;
    if (this.#entries.has(requestId)) throw new Error(`duplicate requestId ${requestId}`);
    this.#entries.set(requestId, entry);
    entry.table = this;
    if (Number.isFinite(timeoutMs)) entry.deadline = this.#deadlines.add(entry, timeoutMs);
    this.#onChange();
    return entry;
  }

  /** Settles one request; false when the id is unknown or already settled. */
  settle(requestId: string, outcome: Outcome): boolean {
    const entry = this.#take(requestId);
    if (entry === undefined) return false;
    entry.finish(outcome);
    this.#notifyIfDrained();
    return true;
  }

  /** `settle` with a result, without an outcome object (the path every answered request takes). */
  resolve(requestId: string, result: RelayResult): boolean {
    const entry = this.#take(requestId);
    if (entry === undefined) return false;
    entry.resolve(result);
    this.#notifyIfDrained();
    return true;
  }

  /** Removes the request and releases its deadline and abort listener. */
  #take(requestId: string): Entry | undefined {
    const entry = this.#entries.get(requestId);
    if (entry === undefined) return undefined;
    this.#entries.delete(requestId);
    entry.release(this.#deadlines);
    return entry;
  }

  settleAll(outcome: () => Outcome): number {
    const all = [...this.#entries.values()];
    this.#entries.clear();
    for (const entry of all) {
      entry.release(this.#deadlines);
      entry.finish(outcome());
    }
    this.#deadlines.stop();
    this.#notifyIfDrained();
    return all.length;
  }

  /** Resolves when the table is empty, or after `ms`. */
  drained(ms: number): Promise<void> {
    if (this.#entries.size === 0 || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#drainWaiters.push(done);
    });
  }

  #notifyIfDrained(): void {
    this.#onChange();
    if (this.#entries.size !== 0 || this.#drainWaiters.length === 0) return;
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const w of waiters) w();
  }
}
