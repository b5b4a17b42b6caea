/**
 * Both roles check numeric options with one rule: finite, non-negative, zero only where an option
 * can be switched off. `Infinity` is refused — a timer of Infinity fires after 1 ms in Node, so a
 * request "without a timeout" would have failed at once.
 */
import t from "tap";
import { createRelayClient } from "../src/client/index.js";
import { createRelayServer } from "../src/server/index.js";
import { descriptorFor } from "../src/conformance/index.js";

const client = (extra: Record<string, unknown>) => () =>
  createRelayClient({ url: "ws://127.0.0.1:9", gatewayId: "gw", secret: "s", identities: [{ platform: "telegram", botId: "b" }], ...extra });
const server = (extra: Record<string, unknown>) => () => createRelayServer({ auth: { unauthenticated: true }, onHello: (hello) => descriptorFor(hello.platform), ...extra });

t.test("the same verdicts in both roles", async (t) => {
  for (const bad of [Number.POSITIVE_INFINITY, Number.NaN, -1]) {
    t.throws(client({ requestTimeoutMs: bad }), { name: "RangeError", message: "createRelayClient: requestTimeoutMs must be a finite positive number" }, `client ${bad}`);
    t.throws(server({ outboundTimeoutMs: bad }), { name: "RangeError", message: "createRelayServer: outboundTimeoutMs must be a finite positive number" }, `server ${bad}`);
  }
  t.throws(client({ requestTimeoutMs: 0 }), /requestTimeoutMs must be a finite positive number/, "zero where an option cannot be off");
  t.throws(client({ keepaliveIntervalMs: -5 }), /keepaliveIntervalMs must be a finite non-negative number/);
  t.throws(server({ keepaliveIntervalMs: Number.POSITIVE_INFINITY }), /keepaliveIntervalMs must be a finite non-negative number/);
  for (const role of [client, server]) t.throws(role({ keepaliveTimeoutMs: 0 }), /keepaliveTimeoutMs must be a finite positive number/, "a keepalive timeout is never off");
  const c = client({ keepaliveIntervalMs: 0 })();
  await c.close();
  const s = server({ keepaliveIntervalMs: 0 })();
  await s.close();
  t.pass("zero switches off what can be switched off");
  t.throws(server({ pingIntervalMs: 0 }), { name: "TypeError", message: /`pingIntervalMs` is now `keepaliveIntervalMs`/ }, "the removed server option is refused, not ignored");
});

t.test("per-call options name the call", async (t) => {
  const c = client({})();
  t.teardown(() => c.close());
  await t.rejects(c.request({ op: "typing", chat_id: "c" }, { timeoutMs: Number.POSITIVE_INFINITY }), { message: "RelayClient.request: timeoutMs must be a finite positive number" });
});
