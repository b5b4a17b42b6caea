/**
 * One Redis connection as the scale-out uses it: opened from a URL (ioredis loaded on first use,
 * so importing the server helper never loads it) or taken from a caller's factory, and failing
 * fast. A command issued while the connection is down rejects at once with
 * `RedisUnavailableError` instead of waiting in ioredis's offline queue: the server then
 * rejects the push (or closes the draining socket) and the caller decides, rather than holding
 * frames in process memory that a crash would lose. Only the very first connect is waited for.
 */
import { createRequire } from "node:module";
import type { Redis, RedisOptions } from "ioredis";
import { RedisUnavailableError } from "./errors.js";
import type { RedisConnectionOptions } from "./options.js";

export type { RedisConnectionOptions, RedisConnectionSource } from "./options.js";

export const DEFAULT_KEY_PREFIX = "relay:";

type IoredisModule = { Redis: new (url: string, options: RedisOptions) => Redis };
let ioredis: IoredisModule | undefined;

/**
 * ioredis is an optional peer dependency: required lazily (CommonJS), so the in-memory server
 * never needs it, and named in the error when it is not installed.
 */
export function loadIoredis(require: (id: string) => unknown = createRequire(import.meta.url)): IoredisModule {
  if (ioredis !== undefined) return ioredis;
  try {
    ioredis = require("ioredis") as IoredisModule;
  } catch (err) {
    if ((err as { code?: unknown }).code !== "MODULE_NOT_FOUND") throw err;
    throw new Error('relay-contract: the Redis scale-out needs the optional peer dependency "ioredis"; install it with `npm install ioredis` (version 5)', { cause: err });
  }
  return ioredis;
}

/** Reply errors are Redis answering (wrong type, script error): not an outage. */
function isReplyError(err: unknown): boolean {
  return err instanceof Error && err.name === "ReplyError";
}

export class RedisLink {
  readonly client: Redis;
  readonly #role: string;
  readonly #connectTimeoutMs: number;
  #everReady = false;
  #closed = false;
  /** One wait shared by every caller (a listener pair per caller would pile up on a busy start). */
  #waiting: Promise<void> | undefined;

  constructor(opts: RedisConnectionOptions, role: string, extra: RedisOptions = {}) {
    this.#role = role;
    this.#connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
    if (typeof opts.redis === "string") {
      const { Redis: Client } = loadIoredis();
      this.client = new Client(opts.redis, {
        commandTimeout: opts.commandTimeoutMs ?? 5_000,
        ...(opts.connectionName !== undefined && { connectionName: `${opts.connectionName}:${role}` }),
        ...(opts.redisOptions as RedisOptions | undefined),
        ...extra,
      });
    } else if (typeof opts.redis === "function") {
      // The public type is structural (no ioredis in the declarations); the factory returns ioredis.
      this.client = opts.redis() as unknown as Redis;
    } else {
      throw new TypeError("redis scale-out: `redis` must be a URL or a connection factory");
    }
    const onError = opts.onError;
    // Without a listener ioredis prints every reconnect failure; errors are reported, never thrown.
    this.client.on("error", (err: Error) => onError?.(err, `redis.${role}`));
    this.client.on("ready", () => (this.#everReady = true));
    if (this.client.status === "ready") this.#everReady = true;
    if (this.client.status === "wait") this.client.connect().catch(() => undefined);
  }

  get status(): string {
    return this.client.status;
  }

  /** Resolves when the connection is ready; rejects after the connect timeout or once closed. */
  ready(): Promise<void> {
    if (this.client.status === "ready") return Promise.resolve();
    if (this.#closed || this.client.status === "end") return Promise.reject(new RedisUnavailableError(`${this.#role}.connect`, this.client.status));
    this.#waiting ??= this.#waitReady(this.#connectTimeoutMs).finally(() => (this.#waiting = undefined));
    return this.#waiting;
  }

  #waitReady(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (err?: Error): void => {
        clearTimeout(timer);
        this.client.off("ready", onReady);
        this.client.off("end", onEnd);
        if (err) reject(err);
        else resolve();
      };
      const onReady = (): void => done();
      const onEnd = (): void => done(new RedisUnavailableError(`${this.#role}.connect`, "end"));
      const timer = setTimeout(() => done(new RedisUnavailableError(`${this.#role}.connect`, this.client.status)), timeoutMs);
      this.client.on("ready", onReady);
      this.client.on("end", onEnd);
    });
  }

  /** Runs one operation, failing fast while disconnected; outage errors become `RedisUnavailableError`. */
  async run<T>(operation: string, fn: (client: Redis) => Promise<T>): Promise<T> {
    if (this.client.status !== "ready") {
      // Before the first ready (start-up) an operation waits for it; after that, never.
      if (this.#everReady || this.#closed) throw new RedisUnavailableError(operation, this.client.status);
      await this.ready().catch((cause: unknown) => {
        throw new RedisUnavailableError(operation, this.client.status, { cause });
      });
    }
    try {
      return await fn(this.client);
    } catch (err) {
      if (isReplyError(err)) throw err;
      throw new RedisUnavailableError(operation, this.client.status, { cause: err });
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.client.status === "end") return;
    const ended = new Promise<void>((resolve) => this.client.once("end", () => resolve()));
    if (this.client.status !== "ready") {
      this.client.disconnect();
    } else {
      // QUIT lets replies in flight arrive; a server that does not answer is simply dropped.
      const timer = setTimeout(() => this.client.disconnect(), 1000);
      this.client.quit().catch(() => this.client.disconnect()).finally(() => clearTimeout(timer));
    }
    await ended;
  }
}
