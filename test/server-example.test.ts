/**
 * The README's connector snippet (docs/snippets/server.md) is examples/connector.ts verbatim, and
 * that example runs: a gateway authenticates, gets a descriptor, has a send answered and receives
 * an inbound.
 */
import { readFileSync } from "node:fs";
import t from "tap";
import { renderHuman, runConnectorConformance } from "../src/conformance/index.js";
import { RawGateway } from "./helpers/raw-gateway.js";

const example = readFileSync(new URL("../examples/connector.ts", import.meta.url), "utf8");
const snippet = readFileSync(new URL("../docs/snippets/server.md", import.meta.url), "utf8");

t.test("the snippet is the example's code", async (t) => {
  const code = example.split("// snippet:start\n")[1]?.split("// snippet:end\n")[0];
  const block = /```ts\n([\s\S]*?)```/.exec(snippet)?.[1];
  t.ok(code && block);
  t.equal(block, code?.replace('from "../src/server/index.js"', 'from "relay-contract/server"'));
  const lines = (block ?? "").split("\n").filter((l) => l.trim() !== "" && !l.trim().startsWith("//")).length;
  t.ok(lines <= 30, `short enough for a README (${lines} lines)`);
});

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
