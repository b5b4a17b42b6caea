/**
 * The README's gateway snippet (docs/snippets/client.md) is examples/gateway.ts verbatim, and that
 * example works: against a fake connector it handshakes and answers an inbound with a send.
 */
import { readFileSync } from "node:fs";
import t from "tap";
import { FakeConnector } from "./helpers/fake-connector.js";
import { messageEvent } from "./helpers/fixtures.js";

const example = readFileSync(new URL("../examples/gateway.ts", import.meta.url), "utf8");
const snippet = readFileSync(new URL("../docs/snippets/client.md", import.meta.url), "utf8");

t.test("the snippet is the example's code", async (t) => {
  const code = example.split("// snippet:start\n")[1]?.split("// snippet:end\n")[0];
  const block = /```ts\n([\s\S]*?)```/.exec(snippet)?.[1];
  t.ok(code && block);
  t.equal(block, code?.replace('from "../src/client/index.js"', 'from "relay-contract/client"'));
  const lines = (block ?? "").split("\n").filter((l) => l.trim() !== "" && !l.trim().startsWith("//")).length;
  t.ok(lines <= 25, `short enough for a README (${lines} lines)`);
});

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
