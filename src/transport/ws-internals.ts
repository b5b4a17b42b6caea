/**
 * The two places this package relies on `ws` beyond its documented API, kept in one module so a
 * `ws` upgrade that changes them fails one test (`test/ws-internals.test.ts`) instead of quietly
 * costing throughput or misreporting close codes.
 *
 * - `socketOf`: `ws` keeps its `net.Socket` in `_socket` (no public accessor, stable since ws 1).
 * - `closeCodeOfWsError`: `ws` tags the errors of frames it refuses with the close code it sends
 *   (a symbol described "status-code"), then drops the connection without waiting for the echo,
 *   so its close event only says 1006.
 */
import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";

export function socketOf(ws: WebSocket): Duplex | undefined {
  return (ws as unknown as { _socket?: Duplex | null })._socket ?? undefined;
}

export function closeCodeOfWsError(err: Error): number | undefined {
  const key = Object.getOwnPropertySymbols(err).find((sym) => sym.description === "status-code");
  const code = key === undefined ? undefined : (err as unknown as Record<symbol, unknown>)[key];
  return typeof code === "number" ? code : undefined;
}

const corked = new WeakSet<Duplex>();

function uncork(socket: Duplex): void {
  corked.delete(socket);
  socket.uncork();
}

/**
 * One system call for a turn's writes to a socket: a `writev` on loopback costs tens of
 * microseconds, one per WebSocket message otherwise. The first write of a turn corks the socket
 * and the next tick uncorks it, so the messages written meanwhile leave together. Each stays its
 * own WebSocket message on the wire (framing is unchanged); only the system call is shared, and
 * it happens before the event loop moves on, so no write waits for I/O or a timer. Call before
 * `ws.send`.
 */
export function batchWritesThisTick(ws: WebSocket): void {
  const socket = socketOf(ws);
  if (socket === undefined || corked.has(socket) || socket.destroyed) return;
  corked.add(socket);
  socket.cork();
  process.nextTick(uncork, socket);
}
