/**
 * Runs inbound handlers one at a time, in arrival order, off the socket reader, and accounts
 * what it holds so the reader can stop reading when it holds too much.
 *
 * The reference gateway awaits each handler inside its reader, so a handler waiting for an
 * `outbound_result` blocks the very reader that would deliver it. Here the reader only enqueues:
 * results, descriptors and acks keep flowing while a handler is slow, and deliveries still reach
 * the application strictly in the order the connector sent them.
 *
 * The queue never drops a delivery. It counts each one (and its wire bytes) from `push` until
 * its task settled; `onChange` runs whenever those totals change, which is where the client
 * decides whether the socket is read (see "Inbound backpressure" in the client's module doc).
 */
export interface QueueLoad {
  /** Deliveries accepted and not finished (the running one included). */
  deliveries: number;
  /** Their wire bytes. */
  bytes: number;
}

interface Task {
  /** A promise when the task goes on after returning (the queue waits for it); `undefined` when it has finished. */
  run: () => Promise<void> | undefined;
  bytes: number;
}

export class DeliveryQueue {
  #tasks: Task[] = [];
  #head = 0;
  #running = false;
  #deliveries = 0;
  #bytes = 0;
  #idleWaiters: Array<() => void> = [];
  readonly #onChange: () => void;

  constructor(onChange: () => void = () => {}) {
    this.#onChange = onChange;
  }

  /** Deliveries waiting for their turn (not the running one). */
  get length(): number {
    return this.#tasks.length - this.#head;
  }

  get busy(): boolean {
    return this.#running;
  }

  get load(): QueueLoad {
    return { deliveries: this.#deliveries, bytes: this.#bytes };
  }

  /**
   * `task` must not reject; a rejection is swallowed so one delivery cannot stop the queue. A task
   * that returns `undefined` has finished, and the next one starts without waiting for a promise.
   */
  push(task: () => Promise<void> | undefined, bytes = 0): void {
    this.#tasks.push({ run: task, bytes });
    this.#deliveries++;
    this.#bytes += bytes;
    this.#onChange();
    if (this.#running) return;
    this.#running = true;
    // Never start a handler inside the reader's own call stack.
    queueMicrotask(() => void this.#run());
  }

  /** Drops deliveries that have not started (the one running finishes on its own). */
  clear(): void {
    for (let i = this.#head; i < this.#tasks.length; i++) {
      this.#deliveries--;
      this.#bytes -= (this.#tasks[i] as Task).bytes;
    }
    this.#tasks = [];
    this.#head = 0;
    this.#onChange();
  }

  /** Resolves once nothing is running or queued. */
  idle(): Promise<void> {
    if (!this.#running && this.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #next(): Task | undefined {
    if (this.#head >= this.#tasks.length) {
      this.#tasks = [];
      this.#head = 0;
      return undefined;
    }
    const task = this.#tasks[this.#head] as Task;
    this.#tasks[this.#head++] = undefined as unknown as Task;
    // Compact now and then, so a long backlog is not copied on every shift.
    if (this.#head >= 1024 && this.#head * 2 >= this.#tasks.length) {
      this.#tasks = this.#tasks.slice(this.#head);
      this.#head = 0;
    }
    return task;
  }

  async #run(): Promise<void> {
    try {
      for (let task = this.#next(); task !== undefined; task = this.#next()) {
        try {
          const pending = task.run();
          if (pending !== undefined) await pending;
        } catch {
          // Tasks report their own failures; this only keeps the queue alive.
        }
        this.#deliveries--;
        this.#bytes -= task.bytes;
        this.#onChange();
      }
    } finally {
      this.#running = false;
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
