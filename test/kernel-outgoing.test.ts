/**
 * One outgoing-frame check for both roles: a client's `request()`, a server's push through the
 * router (`relay.sendInbound`), a push on one connection with the caller's `bufferId`
 * (`connection.sendInbound`) and an interrupt refuse an invalid frame with the same
 * `FrameValidationError` and the same message form, before anything reaches the wire, and
 * `validateOutgoing: "tolerant"` / `"off"` relax them alike.
 */
import t, { type Test } from "tap";
import type { MessageEvent, OutboundAction } from "../generated/types.js";
import { createRelayClient, type RelayClient } from "../src/client/index.js";
import type { RelayConnection } from "../src/server/index.js";
import { messageEvent } from "./helpers/fixtures.js";
import { GATEWAY, SECRET, startRelay } from "./helpers/raw-gateway.js";
import { until } from "./helpers/time.js";

// A property the contract does not define: a strict producer must not send it; a receiver accepts it.
const extraAction = { op: "send", chat_id: "c1", content: "x", reply_to: null, not_in_contract: 1 } as unknown as OutboundAction;
const extraEvent = { ...messageEvent("x"), not_in_contract: 1 } as unknown as MessageEvent;
// Not an event at all: refused unless the check is off.
const badEvent = ["x"] as unknown as MessageEvent;

async function setup(t: Test, mode: "strict" | "tolerant" | "off") {
  const relay = await startRelay(t, { validateOutgoing: mode, handlers: { send: () => ({ success: true, message_id: "m" }) } });
  const client: RelayClient = createRelayClient({ url: relay.url, gatewayId: GATEWAY, secret: SECRET, validateOutgoing: mode, reconnect: false });
  const inbound: string[] = [];
  client.onInbound((event) => void inbound.push(event.text));
  t.teardown(() => client.close());
  await client.connect();
  const connection = relay.server.connection(GATEWAY) as RelayConnection;
  return { relay, client, connection, inbound };
}

const refusal = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

t.test("strict: every path refuses a frame outside the producer's contract, with one message form", async (t) => {
  const { relay, client, connection, inbound } = await setup(t, "strict");
  const outcomes = [
    await client.request(extraAction).then(() => "sent", refusal),
    await relay.server.sendInbound(GATEWAY, extraEvent).then(() => "sent", refusal),
    await connection.sendInbound(extraEvent, { bufferId: "b-1" }).then(() => "sent", refusal),
    await relay.server.sendInterruptInbound(GATEWAY, { session_key: "k", chat_id: 5 as unknown as string }).then(() => "sent", refusal),
  ];
  t.match(outcomes, [
    /^FrameValidationError: invalid "outbound" frame: /,
    /^FrameValidationError: invalid "inbound" frame: /,
    /^FrameValidationError: invalid "inbound" frame: /,
    /^FrameValidationError: invalid "interrupt_inbound" frame: /,
  ]);
  // The connection still works: nothing invalid was written.
  await relay.server.sendInbound(GATEWAY, messageEvent("valid"));
  t.equal((await client.send({ chat_id: "c1", content: "ok" })).success, true);
  await until(() => inbound.length >= 1, 10_000, "the valid push handled");
  t.same(inbound, ["valid"]);
});

t.test("tolerant: what a receiver accepts goes out on both roles; what it refuses does not", async (t) => {
  const { relay, client, inbound } = await setup(t, "tolerant");
  t.equal((await client.request(extraAction)).success, true, "the client's extra property went out");
  t.same(await relay.server.sendInbound(GATEWAY, extraEvent), { mode: "live" }, "the server's too");
  t.match(await relay.server.sendInbound(GATEWAY, badEvent).then(() => "sent", refusal), /^FrameValidationError: invalid "inbound" frame: /);
  await until(() => inbound.length >= 1, 10_000, "the valid push handled");
  t.same(inbound, ["x"]);
});

t.test("off: no check on either role", async (t) => {
  const { relay } = await setup(t, "off");
  t.same(await relay.server.sendInbound(GATEWAY, badEvent), { mode: "live" }, "written as given");
});
