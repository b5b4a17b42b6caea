/**
 * The README's connector snippet (docs/snippets/server.md) is examples/connector.ts verbatim, and
 * that example runs: a gateway authenticates, gets a descriptor, has a send answered and receives
 * an inbound.
 */
import t from "tap";
import { renderHuman, runConnectorConformance } from "../src/conformance/index.js";
import { RawGateway } from "./helpers/raw-gateway.js";
import { snippetIsExample } from "./helpers/snippets.js";

snippetIsExample(t, { example: "examples/connector.ts", snippet: "docs/snippets/server.md", imports: ["../src/server/index.js", "relay-contract/server"], maxLines: 30 });

t.test("the example connector serves a gateway", async (t) => {
  process.env.PORT = "0";
  process.env.HOST = "127.0.0.1";
  const { relay, deliver } = await import("../examples/connector.js");
  t.teardown(() => relay.close({ drainMs: 500 }));
  const port = relay.address()?.port;
  t.type(port, "number");
  const gw = await RawGateway.connect(`ws://127.0.0.1:${port}`, { gatewayId: "gw-demo", secret: "dev-secret", autoAck: true });
  t.teardown(() => gw.close());
  gw.hello("demo", "bot");
  const d = await gw.waitForType("descriptor");
  t.same(d.descriptor.supported_ops, ["send", "typing"]);

  const sent = await gw.waitForResult(gw.outbound({ op: "send", chat_id: "c1", content: "hello", reply_to: null }));
  t.same(sent.result, { success: true, message_id: "c1-5" });
  const edit = await gw.waitForResult(gw.outbound({ op: "edit", chat_id: "c1", message_id: "m", content: "x" }));
  t.equal(edit.result.success, false);

  t.same(await deliver("c1", "hi there"), { mode: "live" });
  const inbound = await gw.waitForType("inbound");
  t.equal(inbound.event.text, "hi there");
  t.same(gw.decodeErrors, []);

  const refused = await RawGateway.connect(`ws://127.0.0.1:${port}`, { gatewayId: "gw-demo", secret: "wrong" });
  t.same(await refused.waitClose(), { code: 4401, reason: "unauthorized" });
  await gw.close();

  // The README's connector passes the connector kit, every requirement exercised.
  const report = await runConnectorConformance({ url: `ws://127.0.0.1:${port}`, gatewayId: "gw-demo", secret: "dev-secret", stepTimeoutMs: 3000, quietMs: 500 });
  t.equal(report.ok, true, report.ok ? "conformance connector: PASS" : renderHuman(report));
  t.same(report.summary.untested, [], "nothing untested: the loopback platform is fronted");
});
