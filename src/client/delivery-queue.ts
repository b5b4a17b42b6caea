/**
 * Runs inbound handlers one at a time, in arrival order, off the socket reader.
 *
 * The reference gateway awaits each handler inside its reader, so a handler waiting for an
 * `outbound_result` blocks the very reader that would deliver it (§4.3, §7.8). Here the reader
 * only enqueues: results, descriptors and acks keep flowing while a handler is slow, and
 * deliveries still reach the application strictly in the order the connector sent them.
 */
export class DeliveryQueue {
  #tasks: Array<() => Promise<void>> = [];
  #running = false;
  #idleWaiters: Array<() => void> = [];

  get length(): number {
    return this.#tasks.length;
  }

  get busy(): boolean {
    return this.#running;
  }

  /** `task` must not reject; a rejection is swallowed so one delivery cannot stop the queue. */
  push(task: () => Promise<void>): void {
    this.#tasks.push(task);
    if (this.#running) return;
    this.#running = true;
    // Never start a handler inside the reader's own call stack.
    queueMicrotask(() => void this.#run());
  }

  /** Drops deliveries that have not started (the one running finishes on its own). */
  clear(): void {
    this.#tasks = [];
  }

  /** Resolves once nothing is running or queued. */
  idle(): Promise<void> {
    if (!this.#running && this.#tasks.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async #run(): Promise<void> {
    try {
      for (let task = this.#tasks.shift(); task !== undefined; task = this.#tasks.shift()) {
        try {
          await task();
        } catch {
          // Tasks report their own failures; this only keeps the queue alive.
        }
      }
    } finally {
      this.#running = false;
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
