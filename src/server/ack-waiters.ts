/**
 * Promises waiting for an `inbound_ack`, keyed by whatever identifies the delivery. A waiter
 * leaves on its ack, on its caller's abort signal, or when the owner shuts down.
 */
import { abortError } from "./errors.js";

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

export class AckWaiters {
  readonly #waiters = new Map<string, Set<Waiter>>();

  /** Resolves on `resolve(key)`; rejects on `signal` abort or `rejectAll`. */
  wait(key: string, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortError(signal));
        return;
      }
      let set = this.#waiters.get(key);
      if (set === undefined) {
        set = new Set();
        this.#waiters.set(key, set);
      }
      const waiters = set;
      const onAbort = (): void => {
        waiters.delete(waiter);
        if (waiters.size === 0) this.#waiters.delete(key);
        reject(abortError(signal as AbortSignal));
      };
      const waiter: Waiter = {
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        reject: (err) => {
          signal?.removeEventListener("abort", onAbort);
          reject(err);
        },
      };
      waiters.add(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Whether any waiter is registered (lets a caller skip building a key). */
  get empty(): boolean {
    return this.#waiters.size === 0;
  }

  resolve(key: string): void {
    const set = this.#waiters.get(key);
    if (set === undefined) return;
    this.#waiters.delete(key);
    for (const w of set) w.resolve();
  }

  rejectAll(makeError: () => Error): void {
    const all = [...this.#waiters.values()];
    this.#waiters.clear();
    for (const set of all) for (const w of set) w.reject(makeError());
  }
}
