/**
 * The README's gateway snippet (docs/snippets/client.md) is examples/gateway.ts verbatim, and that
 * example works: against a fake connector it handshakes and answers an inbound with a send.
 */
import t from "tap";
import { FakeConnector } from "./helpers/fake-connector.js";
import { messageEvent } from "./helpers/fixtures.js";
import { snippetIsExample } from "./helpers/snippets.js";

snippetIsExample(t, { example: "examples/gateway.ts", snippet: "docs/snippets/client.md", imports: ["../src/client/index.js", "relay-contract/client"], maxLines: 25 });

t.test("the example gateway echoes an inbound message", async (t) => {
  const fake = await FakeConnector.start({
    onHandshake: (conn) => conn.inbound(messageEvent("ping", "chat-9"), "buf-9"),
  });
  t.teardown(() => fake.close());
  const logged = t.capture(console, "log");
  process.env.GATEWAY_RELAY_URL = fake.url;
  const { relay } = await import("../examples/gateway.js");
  t.teardown(() => relay.close());
  const conn = await fake.waitForConnection(1);
  const out = await conn.waitForType("outbound");
  t.same(conn.hellos.map((h) => [h.platform, h.botId]), [["telegram", "bot-1"]]);
  t.match(conn.upgrade.authorization, /^Bearer /);
  t.same(out.action, { op: "send", chat_id: "chat-9", content: "echo: ping", reply_to: null });
  await conn.waitForType("inbound_ack");
  t.same(conn.acks, ["buf-9"]);
  t.match(logged().map((c) => c.args.join(" ")), [/^connected: telegram, ops: legacy$/]);
});
