/**
 * The gateway delivery phase: one table of transitions, and the rules the server relies on.
 */
import t from "tap";
import { GatewayPhase, PHASE_TRANSITIONS, type PhaseEvent } from "../src/server/delivery-phase.js";
import type { DeliveryPhase } from "../src/server/index.js";

const PHASES: DeliveryPhase[] = ["awaiting-hello", "draining", "live", "backlogged", "idle"];

function reach(events: PhaseEvent[]): GatewayPhase {
  const phase = new GatewayPhase();
  for (const e of events) phase.apply(e);
  return phase;
}

t.test("every target is a phase, and a new gateway awaits its hello", async (t) => {
  for (const row of Object.values(PHASE_TRANSITIONS)) for (const to of Object.values(row)) t.ok(PHASES.includes(to as DeliveryPhase));
  t.equal(new GatewayPhase().current, "awaiting-hello");
});

t.test("the life of a gateway", async (t) => {
  const phase = reach(["handshake"]);
  t.equal(phase.current, "draining", "a handshake replays the backlog first");
  t.ok(phase.apply("drained"));
  t.equal(phase.current, "live");
  t.ok(phase.apply("congested"));
  t.equal(phase.current, "backlogged");
  t.notOk(phase.apply("drained"), "only a drain ends draining");
  t.ok(phase.apply("backlog"));
  t.equal(phase.current, "draining", "a recovered socket replays what was buffered meanwhile");
  t.ok(phase.apply("going-idle"));
  t.equal(phase.current, "idle");
  t.notOk(phase.apply("backlog"), "idle keeps everything buffered");
  t.notOk(phase.apply("sockets-gone"), "idle outlives the socket");
  t.equal(phase.current, "idle");
  t.ok(phase.apply("handshake"), "only a handshake ends idle");
  t.equal(phase.current, "draining");
  t.ok(phase.apply("sockets-gone"));
  t.equal(phase.current, "awaiting-hello");
  t.notOk(phase.apply("congested"), "only a live socket congests");
});
