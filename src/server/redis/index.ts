/**
 * Multi-instance connector on Redis (docs/scale-out.md): the relay bus on pub/sub and the durable
 * delivery buffer on Streams. ioredis is loaded only when one of these connects from a URL.
 */
export { RedisDeliveryBuffer, ACK_ORIGIN } from "./redis-delivery-buffer.js";
export type { RedisDeliveryBufferOptions } from "./redis-delivery-buffer.js";
export { RedisRelayBus, RECOVERY_ORIGIN } from "./redis-relay-bus.js";
export type { RedisRelayBusOptions, BusAttachable, AttachOptions } from "./redis-relay-bus.js";
export { createRedisScaleOut } from "./scale-out.js";
export type { RedisScaleOut, RedisScaleOutOptions } from "./scale-out.js";
export { RedisUnavailableError } from "./errors.js";
export type { RedisClient, RedisConnectionSource, RedisConnectionOptions } from "./options.js";
