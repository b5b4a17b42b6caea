/**
 * Steps and checks both gateway profiles make the same way.
 */
import { sleep } from "../wire.js";
import type { Conn, Stage } from "./stage.js";

/** One frame as a line of the wire. */
export const line = (frame: object): string => JSON.stringify(frame) + "\n";

/** Writes `text` cut into three WebSocket messages, a moment apart (a frame split across messages). */
export async function sendInThreeMessages(stage: Stage, conn: Conn, text: string): Promise<void> {
  const cuts = [Math.floor(text.length / 3), Math.floor((2 * text.length) / 3)];
  conn.peer.sendRaw(text.slice(0, cuts[0]));
  await sleep(20, stage.ctx.signal);
  conn.peer.sendRaw(text.slice(cuts[0], cuts[1]));
  await sleep(20, stage.ctx.signal);
  conn.peer.sendRaw(text.slice(cuts[1]));
}

/** Writes blank lines, a line that is not JSON and a truncated object: a receiver skips each. */
export function sendGarbageLines(conn: Conn): void {
  conn.peer.sendRaw("\n   \n");
  conn.peer.sendRaw("this is not json\n");
  conn.peer.sendRaw('{"type":"inbound","event":\n');
}

/** Writes JSON lines that are not objects; the reference gateway's reader ends on these (RC-FRM-006), so a scenario sends them last. */
export function sendNonObjectLines(conn: Conn): void {
  conn.peer.sendRaw('[1,2,3]\n42\n"inbound"\nnull\n');
}

/** Writes a frame type from the future, and two gateway frame types echoed back: a receiver ignores each. */
export function sendUnknownFrameTypes(conn: Conn): void {
  conn.peer.sendRaw(line({ type: "x_future_frame", payload: { a: 1 } }));
  conn.peer.sendRaw(line({ type: "hello", platform: "discord", botId: "echoed" }) + line({ type: "going_idle" }));
}

/** Lets a wall-clock second pass: tokens carry whole seconds, so a token minted after it must differ. */
export async function crossSecond(stage: Stage): Promise<void> {
  await sleep(1000 - (Date.now() % 1000) + 30, stage.ctx.signal);
}

/**
 * RC-REC-001, RC-AUTH-002: closes `first` with 1011 once a second has passed, then checks the
 * re-dial comes, re-sends the same hellos and carries a freshly minted token. Returns the re-dial.
 */
export async function checkRedialAfterUnexpectedClose(stage: Stage, first: Conn): Promise<Conn | undefined> {
  const { ctx } = stage;
  await crossSecond(stage);
  first.peer.close(1011, "overloaded");
  const second = await stage.accept("re-dial after 1011");
  ctx.check("RC-REC-001", "re-dials after an unexpected close (1011)", second !== undefined, stage.why(`no re-dial within ${stage.step} ms`));
  if (second === undefined) return undefined;
  ctx.check("RC-REC-001", "re-sends the same hellos on the new connection", JSON.stringify(second.hellos) === JSON.stringify(first.hellos), `first ${first.hellos.join(", ")}; then ${second.hellos.join(", ") || "none"}`);
  ctx.check(
    "RC-AUTH-002",
    "the re-dial carries a freshly minted token",
    second.dial.token !== undefined && second.dial.token !== first.dial.token && (second.dial.exp ?? 0) > (first.dial.exp ?? 0),
    second.dial.token === first.dial.token ? "the same token as the previous dial (minted once, reused)" : `exp ${second.dial.exp} is not after ${first.dial.exp}`,
  );
  return second;
}

/** RC-PING-001: a WebSocket ping comes back as a pong with the same payload. */
export async function checkPong(stage: Stage, conn: Conn): Promise<boolean> {
  const payload = `relay-conformance-${Date.now().toString(36)}`;
  const ok = await conn.peer.ping(payload, stage.step);
  return stage.ctx.check("RC-PING-001", `${conn.label}: a WebSocket ping is answered with a pong carrying its payload`, ok, conn.peer.open ? `no pong within ${stage.step} ms` : "the connection closed");
}

/** RC-ACK-001: after `waitMs` for late acks, no buffered delivery on `conn` was acked twice. */
export async function checkNoDuplicateAcks(stage: Stage, conn: Conn, waitMs: number): Promise<boolean> {
  await sleep(waitMs, stage.ctx.signal);
  const all = conn.peer.frames.filter((f) => f.type === "inbound_ack").map((f) => String(f.frame.bufferId));
  const dupes = all.filter((id, i) => all.indexOf(id) !== i);
  return stage.ctx.check("RC-ACK-001", "no buffered delivery is acked twice", dupes.length === 0, `acked more than once: ${[...new Set(dupes)].join(", ")}`);
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
