/**
 * The durable per-gateway delivery buffer (contract §7, `delivery:<instanceId>`).
 *
 * Inbound for a gateway that cannot take it live (flipped by `going_idle`, disconnected,
 * draining, or not reading) is appended here; on the gateway's next handshake the server
 * replays the backlog in order, each frame carrying its entry's `bufferId`, and removes an entry
 * only when the gateway answers `inbound_ack` for it.
 */
import type { InboundFrame, PassthroughForwardFrame } from "../../generated/types.js";

/** A frame that can wait in the buffer. Replayed with the entry's `bufferId` added. */
export type BufferableFrame = Omit<InboundFrame, "bufferId"> | Omit<PassthroughForwardFrame, "bufferId">;

/** One buffered, not yet acknowledged delivery. */
export interface BufferedEntry {
  /** Opaque, non-empty, at most 256 characters; sent as `bufferId` and echoed by `inbound_ack`. */
  bufferId: string;
  frame: BufferableFrame;
}

/**
 * Storage for buffered deliveries and the per-gateway "buffered-only" flag.
 *
 * Every method is async so a networked store fits without changing the server. A Redis
 * implementation maps it onto one stream per gateway:
 * - `append` → `XADD delivery:<gatewayId> * frame <json>` (the stream id is the `bufferId`);
 * - `read` → `XRANGE delivery:<gatewayId> (<after> + COUNT <limit>` (or `-` without a cursor);
 * - `ack` → `XDEL delivery:<gatewayId> <bufferId>`;
 * - `isIdle`/`setIdle` → `GET`/`SET`/`DEL idle:<gatewayId>`;
 * - `size` → `XLEN delivery:<gatewayId>`.
 *
 * Contract the server relies on:
 * - ids are unique per gateway and `read` returns entries in append order;
 * - `read` returns only entries that were not acked, strictly after the `after` cursor (an id
 *   previously returned by `read`), so a replay that starts from `undefined` yields exactly the
 *   unacknowledged tail;
 * - `ack` is idempotent; an acked entry is never returned again (exactly once after the ack);
 * - the idle flag is shared by every server node fronting the same gateways.
 */
export interface DeliveryBuffer {
  /** Appends a frame for a gateway and returns its new `bufferId`. */
  append(gatewayId: string, frame: BufferableFrame): Promise<string>;
  /** Up to `limit` unacknowledged entries after `after` (from the oldest when `undefined`), in order. */
  read(gatewayId: string, after: string | undefined, limit: number): Promise<BufferedEntry[]>;
  /** Removes an entry. Resolves `true` if it was still there. */
  ack(gatewayId: string, bufferId: string): Promise<boolean>;
  /** Whether the gateway is flipped to buffered-only (set on `going_idle`, cleared after a drain). */
  isIdle(gatewayId: string): Promise<boolean>;
  setIdle(gatewayId: string, idle: boolean): Promise<void>;
  /** Number of unacknowledged entries (metrics, tests). */
  size(gatewayId: string): Promise<number>;
  /**
   * The bound `append` enforces per gateway, if any. The server also lets at most this many of a
   * gateway's pushes wait in memory to be appended (behind a live write its socket has not
   * taken yet); without it, `DEFAULT_MAX_ENTRIES_PER_GATEWAY`.
   */
  readonly maxEntriesPerGateway?: number;
}

/**
 * The default bound on one gateway's unacknowledged entries, for the in-memory and the Redis
 * buffer alike: a gateway that stays away cannot grow the backlog without limit. Past it, pushes
 * for that gateway reject with `DeliveryBufferFullError` (`sendInbound` rejects with it; nothing
 * is dropped silently). Pass `Infinity` to lift it.
 */
export const DEFAULT_MAX_ENTRIES_PER_GATEWAY = 10_000;

/**
 * A push refused because a gateway's backlog is at a bound: `"buffer"` when the buffer holds
 * `limit` unacknowledged entries (thrown by `append`), `"waiting"` when `limit` pushes already wait
 * in the server's memory to be appended behind a live write the gateway has not read (rejected by
 * `sendInbound`). Either way nothing is dropped silently.
 */
export class DeliveryBufferFullError extends Error {
  override readonly name = "DeliveryBufferFullError";
  constructor(readonly gatewayId: string, readonly limit: number, readonly bound: "buffer" | "waiting" = "buffer") {
    super(
      bound === "buffer"
        ? `delivery buffer for gateway ${JSON.stringify(gatewayId)} is full (${limit} entries)`
        : `delivery buffer for gateway ${JSON.stringify(gatewayId)}: ${limit} pushes already wait to be appended`,
    );
  }
}

export interface InMemoryDeliveryBufferOptions {
  /** Bound on unacknowledged entries per gateway; `append` then throws `DeliveryBufferFullError`. Default 10 000 (`DEFAULT_MAX_ENTRIES_PER_GATEWAY`); `Infinity` lifts it. */
  maxEntriesPerGateway?: number;
}

interface Slot {
  seq: number;
  /** Frozen, handed out by every `read` as it is; undefined once acked. */
  entry: BufferedEntry | undefined;
}

class GatewayLog {
  slots: Slot[] = [];
  /** Index of the first slot that may still be live; everything before it is acked. */
  head = 0;
  live = 0;
  bySeq = new Map<number, Slot>();
}

/**
 * A stored entry. Its line is what the drain writes for it: the frame's JSON with this entry's
 * `bufferId` as its last member, "\n"-terminated — the text `encodeFrame({ ...frame, bufferId })`
 * gives, made once at append instead of at every replay.
 */
class StoredEntry implements BufferedEntry {
  readonly bufferId: string;
  declare readonly frame: BufferableFrame;
  readonly #line: string;
  #frame: BufferableFrame | undefined;

  static lineOf(entry: BufferedEntry): string | undefined {
    return #line in entry ? entry.#line : undefined;
  }

  // Own and enumerable like a plain entry's `frame` (spread and JSON see it), one getter for all.
  static readonly #frameProperty: PropertyDescriptor = {
    enumerable: true,
    get(this: StoredEntry): BufferableFrame {
      if (this.#frame === undefined) {
        const { bufferId: _, ...frame } = JSON.parse(this.#line) as BufferableFrame & { bufferId: string };
        this.#frame = deepFreeze(frame) as BufferableFrame;
      }
      return this.#frame;
    },
  };

  constructor(bufferId: string, json: string) {
    this.bufferId = bufferId;
    this.#line = `${json.slice(0, -1)},"bufferId":${JSON.stringify(bufferId)}}\n`;
    Object.defineProperty(this, "frame", StoredEntry.#frameProperty);
    Object.freeze(this);
  }
}

/**
 * The entry for an appended frame: stored encoded when its JSON is an object the `bufferId` can
 * be appended to (every frame the server appends); anything else (a frame carrying its own
 * `bufferId` or a `toJSON`, or a value whose JSON is not a non-empty object) as a deep-frozen
 * copy, encoded at replay.
 */
function storedEntry(bufferId: string, frame: BufferableFrame): BufferedEntry {
  const record = frame as unknown as Record<string, unknown> | null;
  if (typeof record === "object" && record !== null && !Array.isArray(record) && !Object.hasOwn(record, "bufferId") && typeof record.toJSON !== "function") {
    const json = JSON.stringify(record);
    if (json.length > 2 && json.charCodeAt(0) === OPEN_BRACE && json.charCodeAt(json.length - 1) === CLOSE_BRACE) return new StoredEntry(bufferId, json);
  }
  return Object.freeze({ bufferId, frame: deepFreeze(structuredClone(frame)) });
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** The line a replay writes for `entry`, when its buffer stored it encoded (the in-memory buffer does). */
export function storedLine(entry: BufferedEntry): string | undefined {
  return StoredEntry.lineOf(entry);
}

let removeEntry: (buffer: InMemoryDeliveryBuffer, gatewayId: string, bufferId: string) => boolean;

/**
 * The embedded default: process memory, lost on restart. Fine for a single connector process
 * and for tests; production clusters use a shared durable store. Each entry is kept as a networked
 * store keeps it, serialised: the frame's JSON (as `JSON.stringify` writes it, the text a live push
 * writes), already in the form a replay sends. `read` returns the stored entries themselves
 * (frozen); an entry's `frame` is parsed from its JSON on first use, deep-frozen.
 */
export class InMemoryDeliveryBuffer implements DeliveryBuffer {
  // `immediateAck` below reaches the private, synchronous body of `ack` through this.
  static {
    removeEntry = (buffer, gatewayId, bufferId) => buffer.#remove(gatewayId, bufferId);
  }

  readonly #logs = new Map<string, GatewayLog>();
  readonly #idle = new Set<string>();
  readonly #max: number;
  #seq = 0;

  constructor(opts: InMemoryDeliveryBufferOptions = {}) {
    const max = opts.maxEntriesPerGateway ?? DEFAULT_MAX_ENTRIES_PER_GATEWAY;
    if (!(max > 0)) throw new RangeError("InMemoryDeliveryBuffer: maxEntriesPerGateway must be positive");
    this.#max = max;
  }

  get maxEntriesPerGateway(): number {
    return this.#max;
  }

  async append(gatewayId: string, frame: BufferableFrame): Promise<string> {
    let log = this.#logs.get(gatewayId);
    if (log === undefined) {
      log = new GatewayLog();
      this.#logs.set(gatewayId, log);
    }
    if (log.live >= this.#max) throw new DeliveryBufferFullError(gatewayId, this.#max);
    const seq = ++this.#seq;
    const entry = storedEntry(String(seq), frame);
    const slot: Slot = { seq, entry };
    log.slots.push(slot);
    log.bySeq.set(seq, slot);
    log.live++;
    return entry.bufferId;
  }

  async read(gatewayId: string, after: string | undefined, limit: number): Promise<BufferedEntry[]> {
    const log = this.#logs.get(gatewayId);
    if (log === undefined || limit <= 0) return [];
    const afterSeq = after === undefined ? 0 : parseCursor(after);
    const out: BufferedEntry[] = [];
    for (let i = firstAfter(log, afterSeq); i < log.slots.length && out.length < limit; i++) {
      const entry = (log.slots[i] as Slot).entry;
      if (entry !== undefined) out.push(entry);
    }
    return out;
  }

  async ack(gatewayId: string, bufferId: string): Promise<boolean> {
    return this.#remove(gatewayId, bufferId);
  }

  #remove(gatewayId: string, bufferId: string): boolean {
    const log = this.#logs.get(gatewayId);
    const seq = Number(bufferId);
    const slot = log?.bySeq.get(seq);
    if (log === undefined || slot === undefined) return false;
    slot.entry = undefined;
    log.bySeq.delete(seq);
    log.live--;
    while (log.head < log.slots.length && (log.slots[log.head] as Slot).entry === undefined) log.head++;
    // Compact once the acked prefix dominates, keeping `read` proportional to what is left.
    if (log.head > 1024 && log.head * 2 > log.slots.length) {
      log.slots = log.slots.slice(log.head);
      log.head = 0;
    }
    if (log.live === 0) this.#logs.delete(gatewayId);
    return true;
  }

  async isIdle(gatewayId: string): Promise<boolean> {
    return this.#idle.has(gatewayId);
  }

  async setIdle(gatewayId: string, idle: boolean): Promise<void> {
    if (idle) this.#idle.add(gatewayId);
    else this.#idle.delete(gatewayId);
  }

  async size(gatewayId: string): Promise<number> {
    return this.#logs.get(gatewayId)?.live ?? 0;
  }
}

/**
 * `ack` of the in-memory buffer as a plain call, for the server's ack path: when `buffer` is an
 * `InMemoryDeliveryBuffer` whose `ack` is its own (not overridden by a subclass), the function
 * does what that `ack` does and returns what it resolves to, without a promise per ack;
 * otherwise `undefined` (the server awaits `buffer.ack`).
 */
export function immediateAck(buffer: DeliveryBuffer): ((gatewayId: string, bufferId: string) => boolean) | undefined {
  if (!(buffer instanceof InMemoryDeliveryBuffer) || buffer.ack !== InMemoryDeliveryBuffer.prototype.ack) return undefined;
  return (gatewayId, bufferId) => removeEntry(buffer, gatewayId, bufferId);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function parseCursor(after: string): number {
  const seq = Number(after);
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`InMemoryDeliveryBuffer: invalid cursor ${JSON.stringify(after)}`);
  return seq;
}

/** Binary search over the (seq-ordered) slots from `head`. */
function firstAfter(log: GatewayLog, afterSeq: number): number {
  let lo = log.head;
  let hi = log.slots.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((log.slots[mid] as Slot).seq <= afterSeq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
