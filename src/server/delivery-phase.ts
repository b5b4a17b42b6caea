/**
 * Where a gateway's pushes go on this node — its delivery phase — and every way it changes, in
 * one table. The router reports what happened (`handshake`, `congested`, …); the table says what
 * the phase becomes, or that the event does not apply in the current phase.
 *
 * - `awaiting-hello`: no handshaked socket here; pushes are buffered.
 * - `draining`: the backlog is being replayed on the current socket; new pushes queue behind it.
 * - `live`: pushes are written to the socket (or, in acked delivery, appended and drained at once).
 * - `backlogged`: the socket's queue is above its high-water mark; pushes are buffered until it
 *   drains below half of it.
 * - `idle`: flipped by `going_idle`; pushes are buffered until the gateway's next handshake.
 */
import type { DeliveryPhase } from "./types.js";

export type PhaseEvent =
  /** A socket of the gateway completed its (first) handshake: its backlog is replayed. */
  | "handshake"
  /** Entries may wait in the buffer (an append, a kick from another node, the current socket changed, a congested socket drained): replay them. */
  | "backlog"
  /** The replay finished on the current socket with nothing left. */
  | "drained"
  /** The current socket's queue crossed the high-water mark. */
  | "congested"
  /** The gateway said `going_idle`. */
  | "going-idle"
  /** The last handshaked socket of the gateway closed. */
  | "sockets-gone";

type Table = Readonly<Record<PhaseEvent, Readonly<Partial<Record<DeliveryPhase, DeliveryPhase>>>>>;

const ANY = (to: DeliveryPhase): Partial<Record<DeliveryPhase, DeliveryPhase>> => ({
  "awaiting-hello": to,
  draining: to,
  live: to,
  backlogged: to,
  idle: to,
});

/** from → to, per event; a phase missing from an event's row ignores that event. */
export const PHASE_TRANSITIONS: Table = Object.freeze({
  // A new handshake ends any flip, including `idle`.
  handshake: ANY("draining"),
  // Only a handshake ends `idle`: a gateway that went idle keeps everything buffered.
  backlog: { "awaiting-hello": "draining", draining: "draining", live: "draining", backlogged: "draining" },
  drained: { draining: "live" },
  congested: { live: "backlogged" },
  "going-idle": ANY("idle"),
  // `idle` is sticky: the flip outlives the socket.
  "sockets-gone": { "awaiting-hello": "awaiting-hello", draining: "awaiting-hello", live: "awaiting-hello", backlogged: "awaiting-hello" },
});

export class GatewayPhase {
  #phase: DeliveryPhase = "awaiting-hello";

  get current(): DeliveryPhase {
    return this.#phase;
  }

  /** The phase `event` leads to from the current one, or `undefined` when it does not apply. */
  next(event: PhaseEvent): DeliveryPhase | undefined {
    return PHASE_TRANSITIONS[event][this.#phase];
  }

  /** Applies `event`; returns whether it applied. */
  apply(event: PhaseEvent): boolean {
    const to = this.next(event);
    if (to === undefined) return false;
    this.#phase = to;
    return true;
  }
}
