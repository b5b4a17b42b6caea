/**
 * Replaying a gateway's backlog on its connection (contract §7): entries go out in
 * buffer order, each with its `bufferId`, at most `window` unacknowledged at a time; an entry
 * leaves the buffer only through `inbound_ack` (handled by the server, which then calls
 * `acked`). The drain ends when the buffer has nothing after its cursor, nothing is in flight
 * and no append is pending — then, and only then, live delivery may resume.
 *
 * The shared idle flag is cleared before a final re-read: an append that raced the clear is
 * either seen by that read or, landing later, finds the flag cleared and asks for another pass.
 */
import type { ConnectorFrame } from "../../generated/types.js";
import { encodeFrame } from "../codec/index.js";
import { storedLine, type DeliveryBuffer, type BufferedEntry } from "./delivery-buffer.js";

export interface DrainTarget {
  readonly open: boolean;
  readonly bufferedAmount: number;
  /**
   * Whether `writeFrames` needs the frame objects (someone observes the frames written); when
   * `false`, the drain passes only the encoded message, with an empty `frames`. Default: needed.
   */
  readonly reportsFrames?: boolean;
  /** `encoded`: the frames already encoded as one message (each line "\n"-terminated). */
  writeFrames(frames: readonly ConnectorFrame[], encoded?: string): Promise<void>;
}

export interface DrainOptions {
  buffer: DeliveryBuffer;
  gatewayId: string;
  target: DrainTarget;
  window: number;
  framesPerMessage: number;
  /** Largest message the drain builds when batching, in bytes. */
  maxMessageBytes: number;
  ackTimeoutMs: number;
  highWaterBytes: number;
  pollIntervalMs: number;
  /** Appends for this gateway that started but have not finished. */
  pendingAppends: () => number;
  /** Each replayed `bufferId`, before it is written (acks are accepted for these). */
  onSent: (bufferId: string) => void;
  onAckTimeout: (bufferId: string) => void;
  onInvalidEntry: (entry: BufferedEntry, why: string) => void;
}

const MAX_BUFFER_ID_LENGTH = 256;

export class Drain {
  readonly #options: DrainOptions;
  /**
   * Replayed and not acked: `bufferId` → when its ack is due. A Map keeps insertion order, and
   * every entry gets the same timeout, so the first entry is always the next one due: one timer
   * per drain, re-armed for that entry, serves the whole window (a timer per frame would be
   * created and cancelled for every replayed frame).
   */
  readonly #inFlight = new Map<string, number>();
  #deadline: NodeJS.Timeout | undefined;
  #cursor: string | undefined;
  #exhausted = false;
  /** Counts `appended()` calls: a read that started before one cannot prove the buffer exhausted. */
  #appends = 0;
  #flagCleared = false;
  #aborted = false;
  #wake: (() => void) | undefined;
  replayed = 0;
  ackCount = 0;

  constructor(opts: DrainOptions) {
    this.#options = opts;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  /** New entries may have been appended after the cursor. */
  appended(): void {
    this.#appends++;
    this.#exhausted = false;
    this.#signal();
  }

  /** Called once the ack is durable. Returns whether the entry was in flight here. */
  acked(bufferId: string): boolean {
    if (!this.#inFlight.delete(bufferId)) return false;
    if (this.#inFlight.size === 0) this.#disarm();
    this.ackCount++;
    this.#signal();
    return true;
  }

  abort(): void {
    this.#aborted = true;
    this.#disarm();
    this.#inFlight.clear();
    this.#signal();
  }

  /** Arms the deadline timer for the oldest entry in flight, unless it is armed already. */
  #arm(): void {
    if (this.#deadline !== undefined) return;
    const first = this.#inFlight.values().next();
    if (first.done === true) return;
    this.#deadline = setTimeout(this.#expire, Math.max(0, first.value - performance.now()));
  }

  #disarm(): void {
    if (this.#deadline === undefined) return;
    clearTimeout(this.#deadline);
    this.#deadline = undefined;
  }

  /** Entries whose ack is overdue stop holding the drain (they stay buffered); the timer moves on. */
  readonly #expire = (): void => {
    this.#deadline = undefined;
    const now = performance.now();
    let expired = false;
    for (const [id, due] of this.#inFlight) {
      if (due > now) break;
      this.#inFlight.delete(id);
      this.#options.onAckTimeout(id);
      expired = true;
    }
    this.#arm();
    if (expired) this.#signal();
  };

  /** Resolves `true` when the backlog is delivered and acked, `false` when aborted. */
  async run(): Promise<boolean> {
    const options = this.#options;
    while (!this.#aborted) {
      if (!options.target.open) {
        // Nothing in flight can be acked on a closed target: their timers go with the drain.
        this.abort();
        return false;
      }
      if (!this.#exhausted && this.#inFlight.size < options.window) {
        if (options.target.bufferedAmount > options.highWaterBytes) {
          await this.#sleep(options.pollIntervalMs);
          continue;
        }
        const appends = this.#appends;
        const entries = await options.buffer.read(options.gatewayId, this.#cursor, options.window - this.#inFlight.size);
        if (this.#aborted) return false;
        // An append announced while the read was in flight may not be in its answer: read again.
        if (entries.length === 0) this.#exhausted = this.#appends === appends;
        else this.#send(entries);
        continue;
      }
      if (this.#exhausted && this.#inFlight.size === 0 && options.pendingAppends() === 0) {
        if (this.#flagCleared) return true;
        await options.buffer.setIdle(options.gatewayId, false);
        this.#flagCleared = true;
        this.#exhausted = false;
        continue;
      }
      await this.#waitForSignal();
    }
    return false;
  }

  #send(entries: BufferedEntry[]): void {
    const options = this.#options;
    const lines: string[] = [];
    // Frame objects only for a target that reports them: the wire needs the lines alone, and an
    // entry the buffer stored encoded has its line ready.
    const frames: ConnectorFrame[] | undefined = options.target.reportsFrames === false ? undefined : [];
    const due = performance.now() + options.ackTimeoutMs;
    for (const entry of entries) {
      this.#cursor = entry.bufferId;
      const id = entry.bufferId;
      if (typeof id !== "string" || id.length === 0 || id.length > MAX_BUFFER_ID_LENGTH) {
        options.onInvalidEntry(entry, "bufferId must be a non-empty string of at most 256 characters");
        continue;
      }
      // A bufferId sent again (a store that returned it twice) is due from its latest send.
      this.#inFlight.delete(id);
      this.#inFlight.set(id, due);
      options.onSent(id);
      const stored = storedLine(entry);
      if (stored !== undefined && frames === undefined) {
        lines.push(stored);
        continue;
      }
      const frame = { ...entry.frame, bufferId: id } as ConnectorFrame;
      lines.push(stored ?? encodeFrame(frame));
      frames?.push(frame);
    }
    this.#arm();
    this.replayed += lines.length;
    for (const group of batches(lines, frames, options.framesPerMessage, options.maxMessageBytes)) {
      // A failed write means the socket is gone; the server aborts this drain on close.
      options.target.writeFrames(group.frames, group.message).catch(() => undefined);
    }
  }

  #signal(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #waitForSignal(): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (this.#wake === done) this.#wake = undefined;
        resolve();
      }, ms);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.#wake = done;
    });
  }
}

/**
 * Groups of at most `perMessage` lines whose message stays under `maxBytes` (a single larger line
 * goes alone), each with its message and, when given, its frames.
 *
 * A group's UTF-8 size is counted as an upper bound, 3 bytes per UTF-16 unit, until that bound
 * could pass `maxBytes`; only then is the message measured, and its lines from there on. Measuring
 * scans the whole string, and a group of a few dozen frames is far below the bound: the groups
 * are the ones exact counting gives, without a scan of every frame.
 */
function batches(lines: string[], frames: ConnectorFrame[] | undefined, perMessage: number, maxBytes: number): Array<{ frames: ConnectorFrame[]; message: string }> {
  const out: Array<{ frames: ConnectorFrame[]; message: string }> = [];
  let start = 0;
  let count = 0;
  let message = "";
  /** `message`'s UTF-8 bytes: exact when `exact`, else at least that. */
  let bytes = 0;
  let exact = false;
  const close = (end: number): void => {
    out.push({ frames: frames === undefined ? [] : frames.slice(start, end), message });
    start = end;
    count = 0;
    message = "";
    bytes = 0;
    exact = false;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    let size = exact ? Buffer.byteLength(line, "utf8") : 3 * line.length;
    if (!exact && count > 0 && count < perMessage && bytes + size > maxBytes) {
      bytes = Buffer.byteLength(message, "utf8");
      size = Buffer.byteLength(line, "utf8");
      exact = true;
    }
    if (count > 0 && (count >= perMessage || bytes + size > maxBytes)) close(i);
    count++;
    message += line;
    bytes += size;
  }
  if (count > 0) close(lines.length);
  return out;
}
