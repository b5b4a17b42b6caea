/**
 * The public options of the Redis scale-out. ioredis is an optional peer dependency, so these
 * declarations do not name its types: a connection is described by the members the scale-out
 * relies on (an ioredis `Redis` has them), and `redisOptions` is passed to ioredis unchanged.
 */

/**
 * A Redis connection from ioredis (`new Redis(…)`), seen through the members the scale-out
 * needs to watch and close it; commands are sent through ioredis itself.
 */
export interface RedisClient {
  /** ioredis connection state: `wait`, `connecting`, `ready`, `reconnecting`, `end`, … */
  readonly status: string;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
  connect(): Promise<unknown>;
  quit(): Promise<unknown>;
}

/**
 * Where connections come from: a `redis://` / `rediss://` URL, or a factory returning a new
 * ioredis client on each call (the bus needs two). Connections made either way belong to the
 * object that made them and are closed by its `close()`.
 */
export type RedisConnectionSource = string | (() => RedisClient);

export interface RedisConnectionOptions {
  redis: RedisConnectionSource;
  /** ioredis options (`RedisOptions`) for connections opened from a URL (ignored with a factory). */
  redisOptions?: object;
  /**
   * Names the connections (`CLIENT SETNAME <name>:<role>`) for `CLIENT LIST`; URL only. No
   * spaces. Default: none.
   */
  connectionName?: string;
  /** Prefix of every key and channel. Default `relay:`. */
  keyPrefix?: string;
  /** How long the first connect may take before operations reject. Default 10 000. */
  connectTimeoutMs?: number;
  /**
   * A command sent but not answered within this long rejects with `RedisUnavailableError` (it
   * may still have run: at-least-once). URL only. Default 5 000.
   */
  commandTimeoutMs?: number;
  /** Connection errors and skipped bus messages or buffer entries; default: ignored. */
  onError?: (error: Error, where: string) => void;
}
