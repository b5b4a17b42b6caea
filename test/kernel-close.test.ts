/**
 * `close({ drainMs })` means the same on both roles: new work is refused at once, work in flight
 * gets up to `drainMs` (default 5 000 on both) to finish, then the connection closes. The client
 * runs against the server helper over a real socket. The default is the reference gateway's own
 * drain at disconnect: gateway/relay/ws_transport.py `_DISCONNECT_DRAIN_GRACE_S` (5.0 s, used by
 * its disconnect path) @ 00067189dfecf833d4d009c2dd977ae85cf800e0.
 */
import t, { type Test } from "tap";
import { createRelayClient, LocalError } from "../src/client/index.js";
import { until } from "./helpers/time.js";
import { CLOSE_HANDSHAKE_TIMEOUT_MS } from "../src/kernel/close.js";
import { connectedClient } from "./helpers/fake-connector.js";
import { GATEWAY, SECRET, startRelay } from "./helpers/raw-gateway.js";

/** Outbound handlers running on the gateway's connection (the server's own count). */
const inFlight = (relay: Awaited<ReturnType<typeof startRelay>>): number =>
  (relay.server.connection(GATEWAY) as unknown as { pendingRequests: number } | undefined)?.pendingRequests ?? 0;

async function setup(t: Test) {
  let open!: () => void;
  const gate = { promise: new Promise<void>((resolve) => (open = resolve)), resolve: () => open() };
  const relay = await startRelay(t, {
    handlers: {
      send: async (action) => {
        if (action.content === "slow") await gate.promise;
        return { success: true, message_id: action.content };
      },
    },
  });
  const client = createRelayClient({ url: relay.url, gatewayId: GATEWAY, secret: SECRET, reconnect: false, keepaliveIntervalMs: 0 });
  t.teardown(() => client.close({ drainMs: 0 }));
  await client.connect();
  return { relay, client, gate };
}

t.test("client: by default a request in flight gets its result before the connection closes", async (t) => {
  const { relay, client, gate } = await setup(t);
  const slow = client.send({ chat_id: "c", content: "slow" });
  await until(() => inFlight(relay) > 0);
  const closes: Array<{ code: number; cause: string }> = [];
  relay.server.on("close", ({ code, cause }) => closes.push({ code, cause }));
  const closing = client.close();
  t.same(await client.send({ chat_id: "c", content: "late" }), { success: false, error: LocalError.Closed }, "new requests refused at once");
  gate.resolve();
  t.match(await slow, { success: true, message_id: "slow" }, "the one in flight was answered");
  await closing;
  await until(() => closes.length > 0);
  t.same(closes, [{ code: 1000, cause: "socket" }], "then closed normally");
});

t.test("server: by default a handler in flight answers before the sockets close", async (t) => {
  const { relay, client, gate } = await setup(t);
  const slow = client.send({ chat_id: "c", content: "slow" });
  await until(() => inFlight(relay) > 0);
  const closed = new Promise<{ code: number }>((resolve) => client.once("close", resolve));
  const closing = relay.server.close();
  t.match(await client.send({ chat_id: "c", content: "late" }), { success: false, error: "relay connector shutting down" }, "new requests refused at once");
  gate.resolve();
  t.match(await slow, { success: true, message_id: "slow" }, "the one in flight was answered");
  await closing;
  t.equal((await closed).code, 1001);
});

t.test("drainMs: 0 closes at once on both roles, and both check it alike", async (t) => {
  const { relay, client } = await setup(t);
  const pending = client.send({ chat_id: "c", content: "slow" }, { timeoutMs: 10_000 });
  await until(() => inFlight(relay) > 0);
  // Refused as a rejected promise, not a throw: `void x.close(…).catch(log)` in a signal handler
  // must not crash the process.
  await t.rejects(client.close({ drainMs: -1 }), { name: "RangeError", message: "RelayClient.close: drainMs must be a finite non-negative number" });
  await t.rejects(relay.server.close({ drainMs: -1 }), { name: "RangeError", message: "RelayServer.close: drainMs must be a finite non-negative number" });
  await t.rejects(relay.server.close({ timeoutMs: 100 } as never), { name: "TypeError", message: /`timeoutMs` is now `drainMs`/ }, "the removed option is refused, not ignored");
  t.equal(inFlight(relay), 1, "a refused close() changes nothing: the request is still in flight");
  await client.close({ drainMs: 0 });
  t.match(await pending, { success: false, error: LocalError.Closed }, "the request in flight failed at once");
});

t.test("both roles drop a peer that never answers the close frame, after the same grace", async (t) => {
  // Each peer stops reading its socket, so the close frame is never answered.
  const { fake, client, conn } = await connectedClient(t);
  (conn.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  const started = Date.now();
  await client.close({ drainMs: 0 });
  const clientTook = Date.now() - started;

  const relay = await startRelay(t);
  const gw = await relay.gateway();
  gw.hello();
  await gw.waitForType("descriptor");
  gw.pause();
  const closes: string[] = [];
  relay.server.on("close", ({ cause }) => closes.push(cause));
  const serverStarted = Date.now();
  await relay.server.close({ drainMs: 0 });
  const serverTook = Date.now() - serverStarted;
  await until(() => closes.length > 0);
  t.same(closes, ["server-close"]);
  // Bounded (the machine may be loaded), and not answered: both waited for the grace.
  for (const [role, took] of [["client", clientTook], ["server", serverTook]] as const) {
    t.ok(took >= CLOSE_HANDSHAKE_TIMEOUT_MS - 100 && took < CLOSE_HANDSHAKE_TIMEOUT_MS + 8_000, `${role} closed after the grace (${took} ms)`);
  }
  await fake.close();
});
