/**
 * Deadlines of the requests waiting on one session, served by one timer. The requests of a
 * session nearly all share one timeout, so their deadlines come in order: they queue behind
 * each other, and one timer armed for the oldest serves the whole queue. A `setTimeout` and a
 * `clearTimeout` per request would cost more than the rest of the request's bookkeeping. A
 * deadline earlier than the last one queued (a shorter timeout) gets a timer of its own.
 *
 * A deadline fires no earlier than `timeoutMs` after it was set, on the monotonic clock; while a
 * queued deadline waits, the timer keeps the process alive, as a timer per request would.
 */

/** Something with a deadline: `expire` runs once when it passes, unless `cancel` came first. */
export interface Expiring {
  expire(): void;
}

class Slot {
  done = false;
  /** Set when the slot has a timer of its own instead of a place in the queue. */
  timer: NodeJS.Timeout | undefined = undefined;

  constructor(
    readonly item: Expiring,
    readonly at: number,
  ) {}
}

export type DeadlineSlot = Slot;

/** The longest delay a Node timer takes (a longer one fires after 1 ms): a later deadline is re-armed until due. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Past this many settled slots (and more settled than waiting), the queue is compacted. */
const COMPACT_AT = 64;

export class Deadlines {
  /** Queued slots, deadlines non-decreasing; `#head` is the first not yet removed. */
  #queue: Slot[] = [];
  #head = 0;
  /** Queued slots not done yet. */
  #waiting = 0;
  #timer: NodeJS.Timeout | undefined;
  /** When `#timer` fires. */
  #timerAt = 0;
  /** Whether `#timer` holds the process open (only while a queued deadline waits). */
  #refed = false;
  readonly #onTimer = (): void => this.#fire();

  /** Starts `item`'s deadline, `ms` from now. */
  add(item: Expiring, ms: number): Slot {
    const at = performance.now() + ms;
    const slot = new Slot(item, at);
    const last = this.#queue.length > this.#head ? this.#queue[this.#queue.length - 1] : undefined;
    if (last !== undefined && at < last.at) {
      slot.timer = setTimeout(expireSlot, Math.min(ms, MAX_TIMER_MS), slot);
      return slot;
    }
    this.#queue.push(slot);
    if (this.#waiting++ === 0) {
      // The timer is still armed when its queue emptied: reused when it fires no later than this deadline.
      if (this.#timer === undefined || this.#timerAt > at) this.#arm(at);
      else if (!this.#refed) this.#timer.ref();
      this.#refed = true;
    }
    return slot;
  }

  /** The slot's item settled another way: its deadline no longer fires. */
  cancel(slot: Slot): void {
    if (slot.done) return;
    slot.done = true;
    if (slot.timer !== undefined) {
      clearTimeout(slot.timer);
      return;
    }
    if (--this.#waiting === 0) {
      // Nothing waits: drop the settled slots, and let the armed timer (which then finds
      // nothing due) not hold the process open.
      this.#queue = [];
      this.#head = 0;
      this.#timer?.unref();
      this.#refed = false;
      return;
    }
    const settled = this.#queue.length - this.#head - this.#waiting;
    if (settled > COMPACT_AT && settled > this.#waiting) this.#compact();
  }

  /** Stops the timer (the session ended; every item was settled). */
  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#refed = false;
  }

  /** Slots still queued (settled ones included until compaction): for tests. */
  get queued(): number {
    return this.#queue.length - this.#head;
  }

  #arm(at: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(this.#onTimer, Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(at - performance.now()))));
    this.#timerAt = at;
    this.#refed = true;
  }

  #fire(): void {
    this.#timer = undefined;
    this.#refed = false;
    const now = performance.now();
    const due: Slot[] = [];
    const queue = this.#queue;
    while (this.#head < queue.length) {
      const slot = queue[this.#head] as Slot;
      if (!slot.done && slot.at > now) break;
      this.#head++;
      if (!slot.done) due.push(slot);
    }
    // Expiring settles each item, which cancels its slot: counted there.
    for (const slot of due) {
      if (slot.done) continue;
      this.cancel(slot);
      slot.item.expire();
    }
    const next = this.#queue[this.#head];
    if (next !== undefined && this.#waiting > 0) this.#arm(next.at);
    else if (this.#head >= this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    }
  }

  #compact(): void {
    this.#queue = this.#queue.slice(this.#head).filter((slot) => !slot.done);
    this.#head = 0;
  }
}

function expireSlot(slot: Slot): void {
  if (slot.done) return;
  const left = slot.at - performance.now();
  if (left > 0) {
    // Only a deadline past the longest timer gets here early.
    slot.timer = setTimeout(expireSlot, Math.min(MAX_TIMER_MS, Math.ceil(left)), slot);
    return;
  }
  slot.done = true;
  slot.item.expire();
}
