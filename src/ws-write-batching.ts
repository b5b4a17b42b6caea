/**
 * One system call for a turn's writes to a socket. On this project's machines a `writev` on a
 * loopback socket costs tens of microseconds and was ~40 % of both roles' CPU in bench/ §2, one
 * per WebSocket message. The first write of a turn corks the socket and the next tick uncorks it,
 * so the messages written meanwhile leave together. Each stays its own WebSocket message on the
 * wire (nothing about framing changes); only the system call that carries them is shared, and
 * it happens before the event loop moves on, so no write waits for I/O or a timer.
 */
import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";

const corked = new WeakSet<Duplex>();

function uncork(socket: Duplex): void {
  corked.delete(socket);
  socket.uncork();
}

/** Call before `ws.send`. `ws` keeps its socket in `_socket` (no public accessor; stable since ws 1). */
export function batchWritesThisTick(ws: WebSocket): void {
  const socket = (ws as unknown as { _socket?: Duplex | null })._socket;
  if (socket == null || corked.has(socket) || socket.destroyed) return;
  corked.add(socket);
  socket.cork();
  process.nextTick(uncork, socket);
}
