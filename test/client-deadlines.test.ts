/**
 * Request deadlines on one timer per session (`src/client/deadlines.ts`): each fires no earlier
 * than its timeout and not much later, in any mix of timeouts; a cancelled one never fires; the
 * timer holds the process open only while a deadline waits; settled entries do not pile up. Over
 * a socket: requests with different timeouts each time out on their own.
 */
import t from "tap";
import { Deadlines } from "../src/client/deadlines.js";
import { LocalError } from "../src/client/index.js";
import { connectedClient, type FakeConnectorOptions } from "./helpers/fake-connector.js";
import { until } from "./helpers/time.js";

/** An item that records when it expired, relative to when its deadline was set. */
function item(fired: Map<string, number>, name: string): { expire(): void } {
  const start = performance.now();
  return { expire: () => void fired.set(name, performance.now() - start) };
}

const timeouts = (): number => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

t.test("deadlines of one timeout fire in order, each no earlier than its timeout", async (t) => {
  const deadlines = new Deadlines();
  const fired = new Map<string, number>();
  for (const name of ["a", "b", "c"]) deadlines.add(item(fired, name), 40);
  await until(() => fired.size === 3);
  t.same([...fired.keys()], ["a", "b", "c"]);
  for (const [name, ms] of fired) t.ok(ms >= 40, `${name} fired after ${ms.toFixed(1)} ms`);
  t.equal(deadlines.queued, 0);
});

t.test("a shorter timeout after a longer one fires first; a cancelled one never fires", async (t) => {
  const deadlines = new Deadlines();
  const fired = new Map<string, number>();
  deadlines.add(item(fired, "long"), 300);
  const cancelled = deadlines.add(item(fired, "cancelled"), 300);
  deadlines.add(item(fired, "short"), 20);
  deadlines.cancel(cancelled);
  await until(() => fired.size === 2);
  t.same([...fired.keys()], ["short", "long"]);
  t.ok((fired.get("short") as number) < 290, `the short one did not wait for the long one (${fired.get("short")?.toFixed(1)} ms)`);
  t.ok((fired.get("long") as number) >= 300);
});

t.test("after the queue empties, a shorter deadline does not wait for the timer armed for a longer one", async (t) => {
  const deadlines = new Deadlines();
  const fired = new Map<string, number>();
  deadlines.cancel(deadlines.add(item(fired, "long"), 5000));
  deadlines.add(item(fired, "short"), 20);
  await until(() => fired.size === 1, 2000);
  t.ok((fired.get("short") as number) >= 20);
  deadlines.stop();
});

t.test("the timer holds the process open only while a deadline waits", async (t) => {
  const deadlines = new Deadlines();
  const fired = new Map<string, number>();
  const before = timeouts();
  const a = deadlines.add(item(fired, "a"), 5000);
  t.equal(timeouts(), before + 1, "a waiting deadline holds the process like a timer");
  deadlines.cancel(a);
  t.equal(timeouts(), before, "none waiting: nothing held");
  const b = deadlines.add(item(fired, "b"), 5000);
  t.equal(timeouts(), before + 1, "held again");
  deadlines.cancel(b);
  deadlines.stop();
  t.equal(timeouts(), before);
  t.equal(fired.size, 0);
});

t.test("settled deadlines behind a waiting one are compacted away", async (t) => {
  const deadlines = new Deadlines();
  const fired = new Map<string, number>();
  const first = deadlines.add(item(fired, "first"), 5000);
  for (let i = 0; i < 10_000; i++) deadlines.cancel(deadlines.add(item(fired, `n${i}`), 5000));
  t.ok(deadlines.queued < 200, `queued ${deadlines.queued}`);
  deadlines.cancel(first);
  t.equal(deadlines.queued, 0);
  deadlines.stop();
  t.equal(fired.size, 0);
});

t.test("over a socket, requests with different timeouts each time out on their own", async (t) => {
  const silent: FakeConnectorOptions = { onOutbound: () => undefined };
  const { client, conn } = await connectedClient(t, silent);
  const started = performance.now();
  const long = client.send({ chat_id: "c", content: "long" }, { timeoutMs: 3000 });
  const short = client.send({ chat_id: "c", content: "short" }, { timeoutMs: 60 });
  t.same(await short, { success: false, error: LocalError.TimedOut, ambiguous: true });
  const shortAfter = performance.now() - started;
  t.ok(shortAfter >= 55 && shortAfter < 2900, `the short one timed out after ${shortAfter.toFixed(0)} ms`);
  await conn.waitForType("outbound", 2);
  const longFrame = conn.outbounds.find((f) => (f.action as { content: string }).content === "long");
  conn.result(longFrame?.requestId, { success: true, message_id: "m" });
  t.same(await long, { success: true, message_id: "m" }, "the long one still waits for its result");
  const again = client.send({ chat_id: "c", content: "again" }, { timeoutMs: 50 });
  t.same(await again, { success: false, error: LocalError.TimedOut, ambiguous: true }, "a later one times out too");
});

t.test("a deadline past the longest Node timer does not fire early (Node fires such a timer after 1 ms)", async (t) => {
  const deadlines = new Deadlines();
  const fired = new Map<string, number>();
  const queued = deadlines.add(item(fired, "queued"), 3e9);
  const own = deadlines.add(item(fired, "own"), 2.5e9); // shorter than the queued one: a timer of its own
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(w.name);
  process.on("warning", onWarning);
  await new Promise((resolve) => setTimeout(resolve, 60));
  process.off("warning", onWarning);
  t.equal(fired.size, 0, "neither fired");
  t.same(warnings, [], "no TimeoutOverflowWarning");
  deadlines.cancel(queued);
  deadlines.cancel(own);
  deadlines.stop();
});
