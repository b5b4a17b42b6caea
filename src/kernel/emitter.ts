/**
 * The typed event emitter of both roles. Each event carries one payload object (a named
 * interface per event), `on()` and `once()` return the function that removes that listener, and
 * a listener that throws — or returns a promise that rejects — never reaches the caller of
 * `emit`: events fire while peer input is being processed, so application code must not be able
 * to break a socket reader, a reconnect loop or a delivery. Such errors become one process
 * warning, code `RELAY_LISTENER_ERROR`.
 */

export type Listener<T> = (payload: T) => void;

/** The listening half of an emitter: what both roles expose (`RelayClient`, `RelayServer`). */
export interface RelayEventSource<Events extends object> {
  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void;
  /** Adds a listener that runs at most once; returns the function that removes it. */
  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void;
  /** Removes one registration of `listener` (also one added with `once`). */
  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void;
  listenerCount<K extends keyof Events>(event: K): number;
}

/** The warning code of a listener's error. */
const LISTENER_ERROR_WARNING = "RELAY_LISTENER_ERROR";
/** The warning code of a listener that declares more than the one payload parameter. */
const LISTENER_ARITY_WARNING = "RELAY_LISTENER_ARITY";

interface Entry {
  readonly listener: Listener<never>;
  readonly once: boolean;
}

export class TypedEmitter<Events extends object> implements RelayEventSource<Events> {
  // Arrays replaced on change, never mutated: `emit` walks the one it read.
  readonly #listeners = new Map<keyof Events, readonly Entry[]>();

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    return this.#add(event, { listener: listener as Listener<never>, once: false });
  }

  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    return this.#add(event, { listener: listener as Listener<never>, once: true });
  }

  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    const entries = this.#listeners.get(event);
    const entry = entries?.find((e) => e.listener === listener);
    if (entry !== undefined) this.#remove(event, entry);
  }

  listenerCount<K extends keyof Events>(event: K): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  /** Calls every listener of `event` in the order added; returns whether there was any. Never throws. */
  emit<K extends keyof Events>(event: K, payload: Events[K]): boolean {
    const entries = this.#listeners.get(event);
    if (entries === undefined) return false;
    for (const entry of entries) {
      if (entry.once) this.#remove(event, entry);
      try {
        const returned = (entry.listener as Listener<Events[K]>)(payload) as unknown;
        if (isThenable(returned)) returned.then(undefined, (err: unknown) => warn(event, err));
      } catch (err) {
        warn(event, err);
      }
    }
    return true;
  }

  #add<K extends keyof Events>(event: K, entry: Entry): () => void {
    // Every event passes one payload object; a listener declaring more parameters was written for
    // positional arguments and would silently read `undefined`, so it is reported once.
    if (entry.listener.length > 1) warnPositional(event);
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), entry]);
    return () => this.#remove(event, entry);
  }

  #remove<K extends keyof Events>(event: K, entry: Entry): void {
    const entries = this.#listeners.get(event);
    if (entries === undefined || !entries.includes(entry)) return;
    const rest = entries.filter((e) => e !== entry);
    if (rest.length === 0) this.#listeners.delete(event);
    else this.#listeners.set(event, rest);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === "object" || typeof value === "function") && typeof (value as { then?: unknown }).then === "function";
}

function warn(event: PropertyKey, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  process.emitWarning(`relay: a "${String(event)}" listener threw: ${message}`, {
    code: LISTENER_ERROR_WARNING,
    ...(err instanceof Error && err.stack !== undefined && { detail: err.stack }),
  });
}

const warnedPositional = new Set<PropertyKey>();

function warnPositional(event: PropertyKey): void {
  if (warnedPositional.has(event)) return;
  warnedPositional.add(event);
  process.emitWarning(`relay: a "${String(event)}" listener declares more than one parameter, but every event passes one payload object (e.g. ({ connection, code, reason }) => …)`, {
    code: LISTENER_ARITY_WARNING,
  });
}
