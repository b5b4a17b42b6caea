/**
 * The emitter both roles use: one payload per event, `on()` / `once()` return their own
 * unsubscribe, `off()` removes a `once` listener too, and a throwing or rejecting listener is
 * contained (the others still run; a `RELAY_LISTENER_ERROR` warning reports it).
 */
import t, { type Test } from "tap";
import { until } from "./helpers/time.js";
import { TypedEmitter } from "../src/kernel/emitter.js";

interface Events {
  ping: { n: number };
  other: { s: string };
}

function warnings(t: Test): Array<{ message: string; code: string | undefined }> {
  const seen: Array<{ message: string; code: string | undefined }> = [];
  const onWarning = (w: Error & { code?: string }): void => void seen.push({ message: w.message, code: w.code });
  process.on("warning", onWarning);
  t.teardown(() => void process.off("warning", onWarning));
  return seen;
}

t.test("on() returns the function that removes exactly that registration", async (t) => {
  const e = new TypedEmitter<Events>();
  const seen: string[] = [];
  const listener = (p: { n: number }): void => void seen.push(`a${p.n}`);
  const offFirst = e.on("ping", listener);
  e.on("ping", listener);
  t.equal(e.listenerCount("ping"), 2, "the same function twice is two registrations");
  t.equal(e.emit("ping", { n: 1 }), true);
  offFirst();
  offFirst();
  t.equal(e.listenerCount("ping"), 1, "unsubscribing twice removes one");
  e.emit("ping", { n: 2 });
  t.same(seen, ["a1", "a1", "a2"]);
  t.equal(e.emit("other", { s: "x" }), false, "no listener: false");
});

t.test("once() runs once, and off() or its unsubscribe removes it before it ran", async (t) => {
  const e = new TypedEmitter<Events>();
  const seen: number[] = [];
  e.once("ping", (p) => seen.push(p.n));
  const listener = (p: { n: number }): void => void seen.push(-p.n);
  e.once("ping", listener);
  e.off("ping", listener);
  const off = e.once("ping", (p) => seen.push(p.n * 100));
  off();
  e.emit("ping", { n: 1 });
  e.emit("ping", { n: 2 });
  t.same(seen, [1]);
  t.equal(e.listenerCount("ping"), 0);
});

t.test("a listener added or removed during an emit changes the next emit, not this one", async (t) => {
  const e = new TypedEmitter<Events>();
  const seen: string[] = [];
  let offB: () => void = () => undefined;
  e.on("ping", () => {
    seen.push("a");
    offB();
    e.on("ping", () => seen.push("c"));
  });
  offB = e.on("ping", () => seen.push("b"));
  e.emit("ping", { n: 1 });
  t.same(seen, ["a", "b"]);
});

t.test("throwing and rejecting listeners are contained and reported with one warning code", async (t) => {
  const seen = warnings(t);
  const e = new TypedEmitter<Events>();
  const ran: string[] = [];
  e.on("ping", () => {
    throw new Error("sync bug");
  });
  e.on("ping", async () => {
    throw new Error("async bug");
  });
  e.on("ping", () => void ran.push("third"));
  t.doesNotThrow(() => e.emit("ping", { n: 1 }));
  t.same(ran, ["third"], "later listeners still ran");
  await until(() => seen.length >= 2, 10_000, "both warnings");
  t.match(seen, [
    { code: "RELAY_LISTENER_ERROR", message: 'relay: a "ping" listener threw: sync bug' },
    { code: "RELAY_LISTENER_ERROR", message: 'relay: a "ping" listener threw: async bug' },
  ]);
});

t.test("a listener written for positional arguments is reported once per event, and still called", async (t) => {
  const seen = warnings(t);
  const e = new TypedEmitter<Events>();
  let got: unknown;
  // Cast: the old server signature `(connection, code, reason)` no longer type-checks.
  const positional = ((first: unknown, second: unknown) => void (got = [first, second])) as unknown as (p: { n: number }) => void;
  e.on("ping", positional);
  e.on("ping", positional);
  e.on("other", (p) => void p);
  e.emit("ping", { n: 1 });
  await new Promise((resolve) => setImmediate(resolve));
  const arity = seen.filter((w) => w.code === "RELAY_LISTENER_ARITY");
  t.equal(arity.length, 1, "one warning for the event, however many such listeners");
  t.match(arity[0]?.message, /"ping" listener declares more than one parameter/);
  t.same(got, [{ n: 1 }, undefined], "the listener still runs with the one payload");
});
