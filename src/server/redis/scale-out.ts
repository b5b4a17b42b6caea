/**
 * Both halves of the Redis scale-out from one set of options, and the start-up order that makes
 * them safe: `attach(server)` waits for the buffer's connection and the bus subscription and wires
 * the after-reconnect drain kicks; `listen()` after it.
 *
 *     const redis = createRedisScaleOut({ redis: process.env.REDIS_URL! });
 *     const server = createRelayServer({ auth, onHello, bus: redis.bus, buffer: redis.buffer });
 *     await redis.attach(server);   // subscribe before serve
 *     await server.listen({ port: 8080 });
 *     …
 *     await server.close();
 *     await redis.close();
 */
import { RedisDeliveryBuffer, type RedisDeliveryBufferOptions } from "./redis-delivery-buffer.js";
import { RedisRelayBus, type BusAttachable, type RedisRelayBusOptions } from "./redis-relay-bus.js";

export type RedisScaleOutOptions = RedisDeliveryBufferOptions & RedisRelayBusOptions;

export interface RedisScaleOut {
  readonly bus: RedisRelayBus;
  readonly buffer: RedisDeliveryBuffer;
  /**
   * Resolves when both are connected and the bus is subscribed. After each resubscribe: kicks the
   * server's drains and delivers the `acked` messages it missed (RedisRelayBus.attach).
   */
  attach(server: BusAttachable): Promise<void>;
  /** Closes the three connections (buffer, bus publisher, bus subscriber). Close the server first. */
  close(): Promise<void>;
}

export function createRedisScaleOut(opts: RedisScaleOutOptions): RedisScaleOut {
  const bus = new RedisRelayBus(opts);
  const buffer = new RedisDeliveryBuffer({ ...opts, ackChannel: opts.ackChannel ?? bus.channel });
  // Entries appended here are waited on here until acked (see RedisRelayBus.attach).
  buffer.onAppended = (gatewayId, bufferId) => bus.expectAck(gatewayId, bufferId);
  return {
    bus,
    buffer,
    async attach(server) {
      bus.attach(server, { whenReady: () => buffer.ready(), stillBuffered: (g, ids) => buffer.stillBuffered(g, ids) });
      await Promise.all([buffer.ready(), bus.ready()]);
    },
    async close() {
      await Promise.all([bus.close(), buffer.close()]);
    },
  };
}
