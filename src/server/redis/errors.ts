/**
 * The one error the Redis scale-out adds: Redis cannot be reached right now. Anything a caller
 * would do about it (retry later, answer the platform with a retryable failure) depends on
 * telling it apart from a rejected frame or a full buffer, hence its own class and `code`.
 */
export class RedisUnavailableError extends Error {
  override readonly name = "RedisUnavailableError";
  readonly code = "REDIS_UNAVAILABLE";
  constructor(
    /** The buffer or bus operation that could not run, e.g. `buffer.append`, `bus.publish`. */
    readonly operation: string,
    /** The connection's state when it failed (ioredis status: `reconnecting`, `end`, …). */
    readonly status: string,
    options?: { cause?: unknown },
  ) {
    super(`redis unavailable (${status}): ${operation} not done`, options);
  }
}
