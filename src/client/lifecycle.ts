/**
 * The client's lifecycle as data: which event moves which state where, and what each state
 * allows. The supervisor changes state only through `transition`, and `request()`, `goIdle()`
 * and `connect()` ask `allows`, so the table is the whole story (the reconnect table of the
 * contract document is checked against it, with `nextStepAfter`, in test/client-lifecycle.test.ts).
 */
import type { RelayClientState } from "./events.js";
import type { NextStep } from "./reconnect-policy.js";

export type LifecycleEvent =
  /** `connect()` starts a dial. */
  | "connect"
  /** The backoff delay elapsed: the next dial starts. */
  | "redial"
  /** The transport opened; hellos are written. */
  | "open"
  /** The first descriptor arrived. */
  | "handshake"
  /** The connection ended and another dial is scheduled. */
  | "retry"
  /** The connection ended and reconnecting is off. */
  | "stop"
  /** The connection ended with a terminal 4401. */
  | "revoke"
  /** `close()`. */
  | "close";

const ENDS = { retry: "backoff", stop: "disconnected", revoke: "revoked", close: "closed" } as const;

export const TRANSITIONS: Readonly<Record<RelayClientState, Readonly<Partial<Record<LifecycleEvent, RelayClientState>>>>> = {
  idle: { connect: "connecting", close: "closed" },
  connecting: { open: "handshaking", ...ENDS },
  handshaking: { handshake: "ready", ...ENDS },
  ready: ENDS,
  backoff: { redial: "connecting", close: "closed" },
  disconnected: { connect: "connecting", close: "closed" },
  revoked: { close: "closed" },
  closed: {},
};

export type Capability =
  /** `request()` / `interrupt()` write a frame; `goIdle()` asks for `going_idle_ack`. */
  | "write"
  /** `connect()` starts a dial. */
  | "dial"
  /** `connect()` waits for the dial under way. */
  | "await-dial";

const ALLOWS: Readonly<Record<RelayClientState, ReadonlySet<Capability>>> = {
  idle: new Set(["dial"]),
  connecting: new Set(["await-dial"]),
  handshaking: new Set(["await-dial"]),
  ready: new Set(["write"]),
  backoff: new Set(["await-dial"]),
  disconnected: new Set(["dial"]),
  revoked: new Set(),
  closed: new Set(),
};

export function allows(state: RelayClientState, capability: Capability): boolean {
  return ALLOWS[state].has(capability);
}

/** The next state, or `undefined` when `event` does not apply in `state` (it is then ignored). */
export function transition(state: RelayClientState, event: LifecycleEvent): RelayClientState | undefined {
  return TRANSITIONS[state][event];
}

/** Which lifecycle event a connection's end is, given the reconnect decision. */
export function endEvent(step: NextStep, reconnect: boolean): "retry" | "stop" | "revoke" {
  if (step.kind === "terminal") return "revoke";
  return reconnect ? "retry" : "stop";
}
