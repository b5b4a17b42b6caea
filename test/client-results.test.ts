/**
 * The gateway side's handling of a received result: `resultFromWire` hands a result that already
 * says `success: true` to the caller as is, and normalises everything else into a copy; both must
 * read exactly as the copy `{ ...body, success: body.success === true }` reads. A request settled
 * by its result no longer listens to its AbortSignal.
 */
import { getEventListeners } from "node:events";
import t from "tap";
import { resultFromWire } from "../src/client/results.js";
import { connectedClient, type FakeConnectorOptions } from "./helpers/fake-connector.js";

function reference(value: unknown): unknown {
  const body = value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  return { ...body, success: body.success === true };
}

t.test("resultFromWire reads every shape as the normalising copy does", async (t) => {
  const wire = [
    '{"success":true,"message_id":"m","thread_id":"t"}',
    '{"message_id":"m","success":true}',
    '{"success":true}',
    '{"success":false,"error":"no"}',
    '{"success":"true"}',
    '{"success":1}',
    '{"error":"missing success"}',
    '{"success":true,"__proto__":{"polluted":true},"chat_info":{"name":"n"}}',
    "null",
    "[]",
    '"text"',
    "42",
  ];
  for (const text of wire) {
    const result = resultFromWire(JSON.parse(text));
    const expected = reference(JSON.parse(text));
    t.same(result, expected, text);
    t.same(Object.keys(result), Object.keys(expected as object), `${text}: same keys in the same order`);
    t.equal(Object.getPrototypeOf(result), Object.prototype, `${text}: a plain object`);
    t.equal(typeof result.success, "boolean");
  }
  const proto = resultFromWire(JSON.parse('{"success":true,"__proto__":{"polluted":true}}'));
  t.equal((proto as { polluted?: unknown }).polluted, undefined, "an own __proto__ key is data, not a prototype");
});

t.test("a request settled by its result stops listening to its signal", async (t) => {
  const silent: FakeConnectorOptions = { onOutbound: () => undefined };
  const { client, conn } = await connectedClient(t, silent);
  const controller = new AbortController();
  const pending = client.send({ chat_id: "c", content: "x" }, { signal: controller.signal, timeoutMs: 5000 });
  const frame = await conn.waitForType("outbound");
  t.equal(getEventListeners(controller.signal, "abort").length, 1, "listening while it waits");
  conn.result(frame.requestId, { success: true, message_id: "m" });
  t.same(await pending, { success: true, message_id: "m" });
  t.equal(getEventListeners(controller.signal, "abort").length, 0, "not listening once settled");
  controller.abort();
});
