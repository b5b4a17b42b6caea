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

/**
 * Messages per shared system call when the turn answers the peer: past this many, the batch is
 * written at once and a new one begins, so the peer starts on the first answers while this side
 * is still producing the rest. Without the bound, a burst answered by a burst (many requests in
 * flight) settles into lockstep — each end writes everything it has in one call, then waits idle
 * while the other works through it — and the two ends never run at the same time, even with a
 * core each. Sixteen keeps 94 % of the system-call saving.
 */
export const MAX_ANSWERS_PER_WRITE = 16;

/**
 * `bytesRead` of each socket when its last batch began: a number, so a socket between batches
 * holds no object of its own.
 */
const readAtBatch = new WeakMap<Duplex, number>();

/**
 * The batches open this turn: socket → messages the current batch may still take, or `UNBOUNDED`.
 * Entries leave when the socket is uncorked on the next tick.
 */
const openBatches = new Map<Duplex, number>();
const UNBOUNDED = -1;

function uncork(socket: Duplex): void {
  if (!openBatches.delete(socket)) return;
  socket.uncork();
}

const bytesReadOf = (socket: Duplex): number => (socket as { bytesRead?: number }).bytesRead ?? 0;

/**
 * One system call for a turn's writes to a socket: a `writev` on loopback costs tens of
 * microseconds, one per WebSocket message otherwise. The first write of a turn corks the socket
 * and the next tick uncorks it, so the messages written meanwhile leave together. Each stays its
 * own WebSocket message on the wire (framing is unchanged); only the system call is shared, and
 * it happens before the event loop moves on, so no write waits for I/O or a timer. Call before
 * each `ws.send`.
 *
 * A batch that begins after the peer sent something (answers, acks) holds at most
 * `MAX_ANSWERS_PER_WRITE` messages; one that only produces (a push loop, nothing received) is
 * bounded by the turn alone — the peer is busy reading then, and fewer, larger writes cost both
 * ends less per byte.
 */
export function batchWritesThisTick(ws: WebSocket): void {
  const socket = socketOf(ws);
  if (socket === undefined || socket.destroyed) return;
  const room = openBatches.get(socket);
  if (room === undefined) {
    const read = bytesReadOf(socket);
    openBatches.set(socket, read !== (readAtBatch.get(socket) ?? 0) ? MAX_ANSWERS_PER_WRITE - 1 : UNBOUNDED);
    readAtBatch.set(socket, read);
    socket.cork();
    process.nextTick(uncork, socket);
    return;
  }
  if (room === UNBOUNDED) return;
  if (room > 0) {
    openBatches.set(socket, room - 1);
    return;
  }
  // The batch is full: write it now and start the next one (still uncorked on the next tick).
  openBatches.set(socket, MAX_ANSWERS_PER_WRITE - 1);
  socket.uncork();
  socket.cork();
}
