/**
 * Checks both gateway profiles make the same way.
 */
import type { Conn, Stage } from "./stage.js";

/** RC-PING-001: a WebSocket ping comes back as a pong with the same payload. */
export async function checkPong(stage: Stage, conn: Conn): Promise<boolean> {
  const payload = `relay-conformance-${Date.now().toString(36)}`;
  const ok = await conn.peer.ping(payload, stage.step);
  return stage.ctx.check("RC-PING-001", `${conn.label}: a WebSocket ping is answered with a pong carrying its payload`, ok, conn.peer.open ? `no pong within ${stage.step} ms` : "the connection closed");
}

/**
 * RC-AUTH-005: after the terminal 4401, no dial comes within the terminal window (several
 * seconds: longer than a first backoff step, so a reconnect loop that a racing close re-armed
 * shows up). A dial that does come is refused again, so it cannot hide the next one.
 */
export async function checkNoDialAfterTerminal(stage: Stage, what: string): Promise<boolean> {
  const window = stage.kit.terminalWindowMs;
  const started = Date.now();
  const dial = await stage.connector.nextDial(window);
  dial?.peer?.close(4401, "unauthorized");
  const late = dial === undefined ? "" : `the gateway dialed again ${Math.max(0, dial.at - started)} ms into the window`;
  return stage.ctx.check("RC-AUTH-005", `no dial in the ${window} ms after ${what}`, dial === undefined, late);
}
