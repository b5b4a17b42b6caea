/**
 * A minimal typed event emitter for hooks (logging, metrics). A listener that throws must not
 * break frame processing — events are often emitted while handling peer input — so listener
 * errors are turned into a process warning instead of propagating.
 */
import { EventEmitter } from "node:events";

export type EventMap<Events> = { [K in keyof Events]: unknown[] };

export class TypedEmitter<Events extends EventMap<Events>> {
  readonly #emitter = new EventEmitter({ captureRejections: false });

  constructor() {
    this.#emitter.setMaxListeners(0);
  }

  on<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    this.#emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  once<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    this.#emitter.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    this.#emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  listenerCount<K extends keyof Events & string>(event: K): number {
    return this.#emitter.listenerCount(event);
  }

  /** Returns whether anyone listened. Never throws. */
  protected emit<K extends keyof Events & string>(event: K, ...args: Events[K]): boolean {
    if (this.#emitter.listenerCount(event) === 0) return false;
    // rawListeners: `once` wrappers remove themselves when called.
    for (const listener of this.#emitter.rawListeners(event)) {
      try {
        (listener as (...a: unknown[]) => void)(...args);
      } catch (err) {
        process.emitWarning(`relay server: a "${event}" listener threw: ${err instanceof Error ? err.message : String(err)}`, {
          code: "RELAY_LISTENER_ERROR",
        });
      }
    }
    return true;
  }
}
