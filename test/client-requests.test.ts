/**
 * Request/response correlation against a fake connector on plain `ws` (wire-protocol.md §3.6,
 * §4.2): results in any order, timeout and late result, connection lost, abort, close().
 */
import t from "tap";
import { LocalError } from "../src/client/index.js";
import { TRANSITIONS } from "../src/client/lifecycle.js";
import { connectedClient, nextEvent, record, type Frame, type FakeConnectorOptions } from "./helpers/fake-connector.js";
import { sleep } from "./helpers/time.js";

const setup = connectedClient;

/** A connector that answers nothing by itself. */
const silent: FakeConnectorOptions = { onOutbound: () => undefined };

t.test("many requests in flight, results in reverse order, matched by requestId", async (t) => {
  const { client, conn } = await setup(t, silent);
  const contents = ["a", "b", "c", "d", "e"];
  const promises = contents.map((content) => client.send({ chat_id: "c1", content }));
  await conn.waitForType("outbound", contents.length);
  const ids = conn.outbounds.map((f) => f.requestId as string);
  t.equal(new Set(ids).size, contents.length, "unique requestIds");
  // Answer in reverse order, each result naming the content it answers.
  for (const frame of [...conn.outbounds].reverse()) {
    conn.result(frame.requestId, { success: true, message_id: `id-${(frame.action as { content: string }).content}` });
  }
  const results = await Promise.all(promises);
  t.same(
    results.map((r) => r.message_id),
    contents.map((c) => `id-${c}`),
    "each caller got the result carrying its own requestId",
  );
});

t.test("wire results are normalised: missing result is a failure, success must be true", async (t) => {
  const { client, conn } = await setup(t, silent);
  const protocolErrors = record(client, "protocolError");
  const opts = { timeoutMs: 2000 };
  const missing = client.send({ chat_id: "c", content: "1" }, opts);
  const invalid = client.send({ chat_id: "c", content: "2" }, opts);
  const declined = client.send({ chat_id: "c", content: "3" }, opts);
  await conn.waitForType("outbound", 3);
  const [f1, f2, f3] = conn.outbounds as [Frame, Frame, Frame];
  conn.send({ type: "outbound_result", requestId: f1.requestId });
  conn.result(f2.requestId, { success: "yes", error: "boom", message_id: 42 });
  conn.result(f3.requestId, { success: false, error: "discord egress declined: target is not an approved destination for this connection", code: "egress_declined" });
  t.strictSame(await missing, { success: false }, "result missing: {} read as a failure");
  t.strictSame(await invalid, { success: false, error: "boom" }, "an invalid result settles its request as a failure, at once");
  t.same(
    protocolErrors.map((e) => [e.error.code, e.error.frameType]),
    [["schema", "outbound_result"]],
    "and is reported",
  );
  const d = await declined;
  t.equal(d.success, false);
  t.equal(d.code, "egress_declined");
  t.notOk(d.ambiguous, "a connector failure is never ambiguous");
});

t.test("timeout gives the ambiguous local result; the late result is ignored", async (t) => {
  const { client, conn } = await setup(t, silent);
  const protocolErrors = record(client, "protocolError");
  const started = Date.now();
  const timedOut = await client.send({ chat_id: "c", content: "slow" }, { timeoutMs: 80 });
  t.same(timedOut, { success: false, error: LocalError.TimedOut, ambiguous: true });
  t.ok(Date.now() - started >= 70, "it waited for the timeout");
  const frame = await conn.waitForType("outbound");

  // A second request is in flight when the late result for the first arrives.
  const next = client.send({ chat_id: "c", content: "next" });
  const nextFrame = await conn.waitForType("outbound", 2);
  conn.result(frame.requestId, { success: true, message_id: "late" });
  conn.result(nextFrame.requestId, { success: true, message_id: "on-time" });
  const r = await next;
  t.equal(r.message_id, "on-time", "the late result did not resolve anything else");
  t.same(
    protocolErrors.map((e) => e.error.code),
    ["unmatched_result"],
    "the late result was received and dropped",
  );
  t.equal(client.state, "ready", "and the connection is unaffected");
});

t.test("a lost connection fails every pending request at once", async (t) => {
  const { client, conn } = await setup(t, silent, { backoffBaseMs: 10_000 });
  const pending = [1, 2, 3].map((i) => client.send({ chat_id: "c", content: String(i) }, { timeoutMs: 5000 }));
  await conn.waitForType("outbound", 3);
  const started = Date.now();
  conn.terminate();
  const results = await Promise.all(pending);
  t.ok(Date.now() - started < 2000, "failed on the close, not on the 5 s timeout");
  for (const r of results) t.same(r, { success: false, error: LocalError.ConnectionLost, ambiguous: true });
  t.equal(client.descriptors.size, 0, "the lost connection's descriptors are gone");
  t.equal(client.defaultDescriptor, undefined);
  t.same(await client.send({ chat_id: "c", content: "after" }), { success: false, error: LocalError.NotConnected }, "sending while disconnected fails fast");
});

t.test("an AbortSignal cancels the wait", async (t) => {
  const { client, conn } = await setup(t, silent);
  const controller = new AbortController();
  const pending = client.send({ chat_id: "c", content: "x" }, { signal: controller.signal, timeoutMs: 5000 });
  await conn.waitForType("outbound");
  controller.abort(new Error("caller gave up"));
  await t.rejects(pending, { message: "caller gave up" });
  const already = AbortSignal.abort();
  await t.rejects(client.send({ chat_id: "c", content: "y" }, { signal: already }), { name: "AbortError" });
  await sleep(20);
  t.equal(conn.outbounds.length, 1, "an already-aborted request is not written");
});

t.test("close() is clean and final", async (t) => {
  const { fake, client, conn } = await setup(t, silent, { backoffBaseMs: 5, backoffMaxMs: 20, random: () => 1 });
  const closes = record(client, "close");
  const connecting = record(client, "connecting");
  const pending = client.send({ chat_id: "c", content: "x" }, { timeoutMs: 5000 });
  await conn.waitForType("outbound");
  await client.close({ drainMs: 0 });
  t.same(await pending, { success: false, error: LocalError.Closed, ambiguous: true }, "without a drain, a request in flight fails at once");
  const info = await conn.closed;
  t.equal(info.code, 1000, "normal close");
  t.equal(closes.length, 1);
  t.equal(closes[0]?.cause, "client-close");
  t.equal(closes[0]?.willRetry, false);
  // Deterministic: "closed" has no transition at all, so no timer can dial again from it.
  t.equal(client.state, "closed");
  t.same(TRANSITIONS.closed, {}, "the lifecycle has no way out of closed");
  // And observed: any re-dial would have been scheduled within one full backoffMaxMs.
  const late = nextEvent(client, "connecting", () => true, 200).then(
    () => "dialed",
    () => "none",
  );
  t.equal(await late, "none", "no connecting event within ten times backoffMaxMs");
  t.equal(connecting.length, 0, "no more dials");
  t.equal(fake.connections.length, 1);
  t.equal(client.state, "closed");
  await client.close();
  t.pass("close() twice is fine");
});

t.test("close({ drainMs }) lets requests in flight finish first", async (t) => {
  const { client, conn } = await setup(t, silent);
  const pending = client.send({ chat_id: "c", content: "x" }, { timeoutMs: 5000 });
  const frame = await conn.waitForType("outbound");
  const closing = client.close({ drainMs: 2000 });
  t.same(await client.send({ chat_id: "c", content: "new" }), { success: false, error: LocalError.Closed }, "no new requests while draining");
  conn.result(frame.requestId, { success: true, message_id: "drained" });
  t.equal((await pending).message_id, "drained");
  await closing;
  t.equal((await conn.closed).code, 1000);
});

t.test("close() during backoff cancels the re-dial", async (t) => {
  const { fake, client, conn } = await setup(t, {}, { backoffBaseMs: 100, random: () => 1 });
  const closed = nextEvent(client, "close");
  conn.close(1011, "overloaded");
  const ev = await closed;
  t.equal(ev.willRetry, true);
  t.equal(ev.retryInMs, 100);
  t.equal(client.state, "backoff");
  await client.close();
  await sleep(200);
  t.equal(fake.connections.length, 1, "the scheduled dial never happened");
});
