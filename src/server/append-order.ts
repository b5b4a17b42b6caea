/**
 * One gateway's pushes in the order they were decided, for everything that may still end up in
 * the delivery buffer. A live write is not known to have landed until its socket write completes;
 * if it fails (the socket dropped) the push must be buffered where it was decided — before the
 * pushes buffered after it while the socket was congested — or the replay would deliver them out
 * of order. So appends are issued strictly in decision order: an append waits until every live
 * write decided before it has settled, and a failed live write is appended in its own place.
 *
 * Appends are issued in that order without waiting for each other (the buffer keeps call order:
 * the in-memory buffer appends synchronously, a networked one pipelines on one connection).
 *
 * While a live write stays unsettled (a gateway that stopped reading: the kernel's buffers are
 * full and the socket's queue holds the write), the appends decided after it wait here, in
 * memory, where the buffer's own bound cannot see them. So at most `maxWaiting` appends wait; one
 * more is refused at once (`full()`), as the buffer refuses an append past its bound.
 */
import type { BufferableFrame } from "./delivery-buffer.js";

const PENDING = 0;
const WRITTEN = 1;
const FAILED = 2;

interface Slot {
  frame: BufferableFrame;
  /** Live writes only: PENDING until the write settles. Appends are FAILED from the start (they go to the buffer). */
  state: typeof PENDING | typeof WRITTEN | typeof FAILED;
  resolve?: (bufferId: string) => void;
  reject?: (err: unknown) => void;
  /** Made by `append` (counted in `waiting` until issued). */
  queued?: true;
}

export class AppendOrder {
  readonly #append: (frame: BufferableFrame) => Promise<string>;
  readonly #onIdle: () => void;
  readonly #maxWaiting: number;
  readonly #full: () => Error;
  #queue: Slot[] = [];
  #head = 0;
  /** Appends queued and not issued yet (behind an unsettled live write). */
  #waiting = 0;

  /**
   * `append` writes to the buffer; `onIdle` runs whenever nothing is waiting any more; an append
   * past `maxWaiting` waiting ones rejects with `full()`.
   */
  constructor(append: (frame: BufferableFrame) => Promise<string>, onIdle: () => void, maxWaiting: number, full: () => Error) {
    this.#append = append;
    this.#onIdle = onIdle;
    this.#maxWaiting = maxWaiting;
    this.#full = full;
  }

  /** Nothing decided is still unsettled or waiting to be appended. */
  get idle(): boolean {
    return this.#head === this.#queue.length;
  }

  /**
   * A push handed to the socket. Resolves `undefined` once written, or — if the write fails —
   * with the `bufferId` it was appended under, in its original place.
   */
  live(frame: BufferableFrame, written: Promise<void>): Promise<string | undefined> {
    const slot: Slot = { frame, state: PENDING };
    this.#queue.push(slot);
    return written.then(
      () => {
        slot.state = WRITTEN;
        this.#pump();
        return undefined;
      },
      () =>
        new Promise<string>((resolve, reject) => {
          slot.state = FAILED;
          slot.resolve = resolve;
          slot.reject = reject;
          this.#pump();
        }),
    );
  }

  /** Appends after every earlier decision has been settled (and, if it failed live, appended). */
  append(frame: BufferableFrame): Promise<string> {
    if (this.#waiting >= this.#maxWaiting) return Promise.reject(this.#full());
    return new Promise<string>((resolve, reject) => {
      this.#queue.push({ frame, state: FAILED, resolve, reject, queued: true });
      this.#waiting++;
      this.#pump();
    });
  }

  #pump(): void {
    const queue = this.#queue;
    while (this.#head < queue.length) {
      const slot = queue[this.#head] as Slot;
      if (slot.state === PENDING) break;
      this.#head++;
      if (slot.queued === true) this.#waiting--;
      if (slot.state === FAILED) {
        let appended: Promise<string>;
        try {
          appended = this.#append(slot.frame);
        } catch (err) {
          appended = Promise.reject(err);
        }
        appended.then(slot.resolve, slot.reject);
      }
    }
    if (this.#head === queue.length) {
      this.#queue = [];
      this.#head = 0;
      this.#onIdle();
    } else if (this.#head > 1024 && this.#head * 2 > queue.length) {
      this.#queue = queue.slice(this.#head);
      this.#head = 0;
    }
  }
}
