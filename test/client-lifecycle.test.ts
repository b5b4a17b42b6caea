/**
 * The client's lifecycle table (src/client/lifecycle.ts) with `nextStepAfter` says what the
 * contract document's reconnect table says, row by row, and what the close-code table's
 * "client retries" column says for each code; and the table itself is closed: every state can
 * be closed, only `ready` writes, and the final states stay final.
 */
import t from "tap";
import { readFileSync } from "node:fs";
import { allows, endEvent, transition, TRANSITIONS } from "../src/client/lifecycle.js";
import { nextStepAfter, type ConnectionEnd } from "../src/client/index.js";
import { CLOSE_CODES } from "../src/close-codes.js";
import type { RelayClientState } from "../src/client/index.js";

const doc = readFileSync(new URL("../docs/relay-connector-contract.md", import.meta.url), "utf8");

/** The rows of the table that follows `heading` in the document. */
function tableAfter(text: string, heading: string): string[][] {
  const start = text.indexOf(heading);
  if (start === -1) throw new Error(`"${heading}" not found in the contract document`);
  const lines = text.slice(start).split("\n");
  const first = lines.findIndex((l) => l.startsWith("|"));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(
      line
        .split("|")
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  }
  return rows;
}

const STABLE = 60_000;
const base: ConnectionEnd = { code: 1006, reason: "", authRetry: false, everHandshaked: true, dormant: false, upMs: 1000, stableMs: STABLE };

/** Each row of the document as a connection end (`undefined`: the gateway closed it itself). */
const SCENARIOS: Record<string, ConnectionEnd | undefined> = {
  "by the gateway's own `disconnect()`": undefined,
  "with any code but 4401, up < 60 s": { ...base, code: 1011 },
  "with any code but 4401, up ≥ 60 s": { ...base, code: 1011, upMs: STABLE },
  "after `go_dormant()`": { ...base, code: 1000, dormant: true },
  "with 4401, before any handshake": { ...base, code: 4401, reason: "unauthorized", everHandshaked: false, upMs: undefined },
  'with 4401 "expired"': { ...base, code: 4401, reason: "expired" },
  "with 4401 after a handshake": { ...base, code: 4401, reason: "unauthorized" },
  'with 4401 (not "expired") on that fresh-token connection': { ...base, code: 4401, reason: "unauthorized", authRetry: true },
};

t.test("the contract's reconnect table is what the client does", async (t) => {
  const rows = tableAfter(doc, "What the gateway does when a connection ends");
  t.same(rows.map((r) => r[0]).sort(), Object.keys(SCENARIOS).sort(), "every row has a scenario here, and every scenario a row");
  const kinds = new Set<string>();
  for (const [label, next, counted] of rows as Array<[string, string, string]>) {
    const end = SCENARIOS[label];
    if (end === undefined) {
      t.equal(next, "stop", `${label}: stops`);
      t.equal(transition("ready", "close"), "closed", `${label}: the client's close() is final`);
      t.equal(counted, "no");
      continue;
    }
    const step = nextStepAfter(end);
    kinds.add(step.kind);
    const state = transition("ready", endEvent(step, true));
    const expected: Record<string, { state: RelayClientState; kind: string }> = {
      "re-dial after the ladder's delay": { state: "backoff", kind: "backoff" },
      "re-dial after the dormant cadence (1 s)": { state: "backoff", kind: "dormant" },
      "re-dial at once, with a fresh token": { state: "backoff", kind: "auth-retry" },
      "stop: revoked": { state: "revoked", kind: "terminal" },
    };
    const want = expected[next];
    if (want === undefined) {
      t.fail(`${label}: unknown "Next" ${JSON.stringify(next)}`);
      continue;
    }
    t.same({ state, kind: step.kind }, want, `${label}: ${next}`);
    const countedNow = step.kind === "backoff" ? (step.resetLadder ? "reset, then yes" : "yes") : "no";
    t.equal(countedNow, counted, `${label}: counted on the ladder: ${counted}`);
  }
  t.same([...kinds].sort(), ["auth-retry", "backoff", "dormant", "terminal"], "every decision of nextStepAfter appears in the document");
});

t.test("the transition table is closed", async (t) => {
  const states = Object.keys(TRANSITIONS) as RelayClientState[];
  for (const state of states) {
    if (state !== "closed") t.equal(transition(state, "close"), "closed", `${state}: close() is always possible`);
    t.equal(allows(state, "write"), state === "ready", `${state}: ${state === "ready" ? "writes" : "does not write"}`);
    for (const next of Object.values(TRANSITIONS[state])) t.ok(states.includes(next), `${state} → ${next} is a state`);
  }
  t.same(TRANSITIONS.closed, {}, "closed is final");
  t.same(Object.values(TRANSITIONS.revoked), ["closed"], "revoked only closes");
  t.equal(endEvent({ kind: "backoff", resetLadder: false }, false), "stop", "with reconnect off an end stops");
  t.equal(transition("ready", "stop"), "disconnected");
  t.equal(transition("disconnected", "connect"), "connecting", "connect() dials again after a stop");
});

t.test("the close-code table's retry column is what nextStepAfter decides", async (t) => {
  for (const entry of CLOSE_CODES) {
    const label = `${entry.code} ${JSON.stringify(entry.reason)} (${entry.clientRetries})`;
    const after = (authRetry: boolean, everHandshaked: boolean): string =>
      nextStepAfter({ ...base, code: entry.code, reason: entry.reason, authRetry, everHandshaked, upMs: everHandshaked ? 1000 : undefined }).kind;
    const seen = { before: after(false, false), after: after(false, true), freshToken: after(true, true) };
    if (entry.clientRetries === "yes") {
      t.same(seen, { before: "backoff", after: "backoff", freshToken: "backoff" }, `${label}: the ladder, whatever came before`);
    } else if (entry.clientRetries === "once-with-fresh-token") {
      t.same(seen, { before: "backoff", after: "auth-retry", freshToken: "terminal" }, `${label}: one fresh-token re-dial after a handshake, then terminal`);
    } else {
      // Never retried: only the gateway's own deliberate close ends the client for good.
      t.equal(entry.sentBy, "gateway", `${label}: a close the client never retries is the gateway's own`);
    }
  }
});
