/**
 * The durable delivery buffer on Redis Streams (contract §7): one stream per gateway,
 * the stream entry id is the `bufferId`, and the going-idle flag is a key every instance reads.
 *
 * - `append` → `XADD delivery:{gw} * f <json>`; with a bound, a script checks `XLEN` and adds in
 *   one step, so instances appending concurrently can never overshoot it. Stream ids only grow,
 *   so one stream per gateway is one total order, whichever instance appends.
 * - `read` → `XRANGE delivery:{gw} (<after> + COUNT <limit>` (`-` without a cursor): the entries
 *   still there are exactly the unacknowledged ones.
 * - `ack` → `XDEL`: an acked entry is gone, so no instance can ever replay it again.
 * - `isIdle` / `setIdle` → `EXISTS` / `SET` / `DEL idle:{gw}`; `size` → `XLEN`.
 *
 * Durability is Redis's: run it with AOF (`appendonly yes`, `appendfsync everysec` or `always`)
 * or an acked-by-Redis entry can still be lost in a Redis crash.
 */
import type { BufferableFrame, BufferedEntry, DeliveryBuffer } from "../delivery-buffer.js";
import { DEFAULT_MAX_ENTRIES_PER_GATEWAY, DeliveryBufferFullError } from "../delivery-buffer.js";
import { DEFAULT_KEY_PREFIX, RedisLink } from "./connection.js";
import type { RedisConnectionOptions } from "./options.js";
import { relayKeys, type RelayKeys } from "./keys.js";

export interface RedisDeliveryBufferOptions extends RedisConnectionOptions {
  /** Bound on unacknowledged entries per gateway; `append` then rejects with `DeliveryBufferFullError`. Default 10 000 (`DEFAULT_MAX_ENTRIES_PER_GATEWAY`); `Infinity` lifts it. */
  maxEntriesPerGateway?: number;
  /**
   * The relay bus channel (`RedisRelayBus.channel`): `ack` then publishes the bus's `acked`
   * message from the same script as the `XDEL`, so it goes out exactly when the ack became
   * durable — even if the instance that took the ack dies right after, the instances waiting for
   * it (their `sendInbound` promises) hear of it. `createRedisScaleOut` sets it. Default: none.
   */
  ackChannel?: string;
}

/** `origin` of the `acked` messages the buffer publishes (not a node id, so every node takes them). */
export const ACK_ORIGIN = "redis-delivery-buffer";

/** The field holding the frame's JSON in each stream entry. */
const FIELD = "f";
const STREAM_ID = /^\d{1,20}-\d{1,20}$/;
const FULL = "RELAY_BUFFER_FULL";

// Bound check and add in one step (KEYS[1] stream; ARGV[1] frame JSON, ARGV[2] bound).
const APPEND_BOUNDED = `
if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[2]) then
  return redis.error_reply('${FULL}')
end
return redis.call('XADD', KEYS[1], '*', '${FIELD}', ARGV[1])
`;

// Remove and, if it was there, announce it on the bus in the same step (KEYS[1] stream; ARGV[1]
// id, ARGV[2] channel, ARGV[3] gateway id, ARGV[4] origin).
const ACK_AND_PUBLISH = `
local removed = redis.call('XDEL', KEYS[1], ARGV[1])
if removed == 1 then
  redis.call('PUBLISH', ARGV[2], cjson.encode({g = ARGV[3], m = {kind = 'acked', origin = ARGV[4], bufferId = ARGV[1]}}))
end
return removed
`;

type StreamEntry = [id: string, fields: string[]];

export class RedisDeliveryBuffer implements DeliveryBuffer {
  readonly #link: RedisLink;
  readonly #keys: RelayKeys;
  readonly #max: number;
  readonly #onError: RedisConnectionOptions["onError"];
  readonly #ackChannel: string | undefined;

  constructor(opts: RedisDeliveryBufferOptions) {
    const max = opts.maxEntriesPerGateway ?? DEFAULT_MAX_ENTRIES_PER_GATEWAY;
    if (!(max > 0)) throw new RangeError("RedisDeliveryBuffer: maxEntriesPerGateway must be positive");
    this.#max = max;
    this.#keys = relayKeys(opts.keyPrefix ?? DEFAULT_KEY_PREFIX);
    this.#onError = opts.onError;
    this.#link = new RedisLink(opts, "buffer");
    // Defined commands run as EVALSHA and fall back to EVAL after a restart emptied the script cache.
    if (Number.isFinite(max)) this.#link.client.defineCommand("relayAppendBounded", { numberOfKeys: 1, lua: APPEND_BOUNDED });
    this.#ackChannel = opts.ackChannel;
    if (this.#ackChannel !== undefined) this.#link.client.defineCommand("relayAckAndPublish", { numberOfKeys: 1, lua: ACK_AND_PUBLISH });
  }

  get maxEntriesPerGateway(): number {
    return this.#max;
  }

  /** Called with each entry this instance appended (the scale-out tracks them until acked). */
  onAppended: ((gatewayId: string, bufferId: string) => void) | undefined;

  /** Resolves once connected (rejects after the connect timeout). */
  ready(): Promise<void> {
    return this.#link.ready();
  }

  /** Which of these entries are still in the gateway's stream (not acked yet). */
  async stillBuffered(gatewayId: string, bufferIds: readonly string[]): Promise<Set<string>> {
    const key = this.#keys.delivery(gatewayId);
    const ids = bufferIds.filter((id) => STREAM_ID.test(id));
    if (ids.length === 0) return new Set();
    const replies = await this.#link.run("buffer.stillBuffered", async (c) => {
      const pipeline = c.pipeline();
      for (const id of ids) pipeline.xrange(key, id, id);
      return (await pipeline.exec()) ?? [];
    });
    const present = new Set<string>();
    replies.forEach(([err, entries], i) => {
      if (err !== null) throw err;
      if ((entries as StreamEntry[]).length > 0) present.add(ids[i] as string);
    });
    return present;
  }

  async append(gatewayId: string, frame: BufferableFrame): Promise<string> {
    const key = this.#keys.delivery(gatewayId);
    const json = JSON.stringify(frame);
    let id: string;
    if (!Number.isFinite(this.#max)) {
      id = (await this.#link.run("buffer.append", (c) => c.xadd(key, "*", FIELD, json))) as string;
    } else {
      try {
        id = await this.#link.run("buffer.append", (c) =>
          (c as unknown as { relayAppendBounded(key: string, json: string, max: number): Promise<string> }).relayAppendBounded(key, json, this.#max),
        );
      } catch (err) {
        // Redis prefixes a script's error reply ("ERR RELAY_BUFFER_FULL").
        if (err instanceof Error && err.name === "ReplyError" && err.message.includes(FULL)) throw new DeliveryBufferFullError(gatewayId, this.#max);
        throw err;
      }
    }
    this.onAppended?.(gatewayId, id);
    return id;
  }

  async read(gatewayId: string, after: string | undefined, limit: number): Promise<BufferedEntry[]> {
    if (limit <= 0) return [];
    if (after !== undefined && !STREAM_ID.test(after)) throw new RangeError(`RedisDeliveryBuffer: invalid cursor ${JSON.stringify(after)}`);
    const key = this.#keys.delivery(gatewayId);
    const out: BufferedEntry[] = [];
    let start = after === undefined ? "-" : `(${after}`;
    // Loops only past entries it cannot decode (written by something else): they are skipped.
    while (out.length < limit) {
      const want = limit - out.length;
      const entries = (await this.#link.run("buffer.read", (c) => c.xrange(key, start, "+", "COUNT", want))) as StreamEntry[];
      for (const [id, fields] of entries) {
        const frame = decodeEntry(fields);
        if (frame === undefined) this.#onError?.(new Error(`stream ${key} entry ${id}: not a buffered frame; skipped`), "buffer.read");
        else out.push({ bufferId: id, frame });
      }
      if (entries.length < want) break;
      start = `(${(entries[entries.length - 1] as StreamEntry)[0]}`;
    }
    return out;
  }

  async ack(gatewayId: string, bufferId: string): Promise<boolean> {
    // Never sent to Redis as an id unless it is one: XDEL would answer an error.
    if (typeof bufferId !== "string" || !STREAM_ID.test(bufferId)) return false;
    const key = this.#keys.delivery(gatewayId);
    const channel = this.#ackChannel;
    if (channel === undefined) return (await this.#link.run("buffer.ack", (c) => c.xdel(key, bufferId))) === 1;
    type WithScript = { relayAckAndPublish(key: string, id: string, channel: string, gatewayId: string, origin: string): Promise<number> };
    return (await this.#link.run("buffer.ack", (c) => (c as unknown as WithScript).relayAckAndPublish(key, bufferId, channel, gatewayId, ACK_ORIGIN))) === 1;
  }

  async isIdle(gatewayId: string): Promise<boolean> {
    const key = this.#keys.idle(gatewayId);
    return (await this.#link.run("buffer.isIdle", (c) => c.exists(key))) === 1;
  }

  async setIdle(gatewayId: string, idle: boolean): Promise<void> {
    const key = this.#keys.idle(gatewayId);
    await this.#link.run<unknown>("buffer.setIdle", (c) => (idle ? c.set(key, "1") : c.del(key)));
  }

  async size(gatewayId: string): Promise<number> {
    const key = this.#keys.delivery(gatewayId);
    return this.#link.run("buffer.size", (c) => c.xlen(key));
  }

  /** Closes the connection (QUIT). */
  close(): Promise<void> {
    return this.#link.close();
  }
}

function decodeEntry(fields: string[]): BufferableFrame | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] !== FIELD) continue;
    try {
      const value = JSON.parse(fields[i + 1] as string) as { type?: unknown } | null;
      if (value !== null && typeof value === "object" && (value.type === "inbound" || value.type === "passthrough_forward")) return value as BufferableFrame;
    } catch {
      // Not JSON: reported by the caller.
    }
    return undefined;
  }
  return undefined;
}
