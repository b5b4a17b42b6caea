/**
 * `conformanceLoopback`: the conformance kit's loopback platform, for the listed gateway ids only.
 */
import { sleep } from "./helpers/time.js";
import t from "tap";
import { descriptorFor } from "../src/conformance/index.js";
import { createRelayServer } from "../src/server/index.js";
import { validateFrame } from "../src/validation.js";
import { RawGateway } from "./helpers/raw-gateway.js";

t.test("listed ids get loopback deliveries and interrupts back; other ids reach the handlers", async (t) => {
  const sends: string[] = [];
  const interrupts: string[] = [];
  const server = createRelayServer({
    auth: { secrets: () => ["s"] },
    onHello: (hello) => descriptorFor(hello.platform),
    handlers: { send: (action, ctx) => (sends.push(`${ctx.gatewayId}:${action.chat_id}`), { success: true, message_id: "user" }) },
    onInterrupt: (frame, ctx) => void interrupts.push(`${ctx.gatewayId}:${frame.session_key}`),
    conformanceLoopback: ["gw-kit"],
  });
  const { port } = await server.listen({ port: 0, host: "127.0.0.1" });
  t.teardown(() => server.close({ drainMs: 500 }));
  const kit = await RawGateway.connect(`ws://127.0.0.1:${port}`, { gatewayId: "gw-kit", secret: "s" });
  const prod = await RawGateway.connect(`ws://127.0.0.1:${port}`, { gatewayId: "gw-prod", secret: "s" });
  t.teardown(() => Promise.all([kit.close(), prod.close()]));
  for (const gw of [kit, prod]) {
    gw.hello("discord", "bot-1");
    await gw.waitForType("descriptor");
  }

  const r1 = await kit.waitForResult(kit.outbound({ op: "send", chat_id: "loopback", content: "ping back", reply_to: null }));
  t.equal(r1.result.success, true);
  const inbound = await kit.waitForType("inbound");
  t.equal(inbound.event.text, "ping back");
  t.equal(inbound.event.source.platform, "discord", "the egress identity's platform");
  t.ok(validateFrame(inbound, { mode: "strict" }).ok, "the loopback inbound is strictly valid (scope_id present)");

  await kit.waitForResult(kit.outbound({ op: "send", chat_id: "loopback-passthrough", content: '{"a":1}', reply_to: null }));
  const forward = await kit.waitForType("passthrough_forward");
  t.equal(Buffer.from(forward.forward.bodyB64, "base64").toString("utf8"), '{"a":1}');

  kit.send({ type: "interrupt", session_key: "agent:main:discord:group:loopback:x", reason: null });
  const back = await kit.waitForType("interrupt_inbound");
  t.same({ session_key: back.session_key, chat_id: back.chat_id }, { session_key: "agent:main:discord:group:loopback:x", chat_id: "loopback" });

  await kit.waitForResult(kit.outbound({ op: "send", chat_id: "chanA", content: "real", reply_to: null }));
  const r2 = await prod.waitForResult(prod.outbound({ op: "send", chat_id: "loopback", content: "not for the kit", reply_to: null }));
  t.equal(r2.result.message_id, "user", "another gateway's send to chat loopback is the handler's");
  prod.send({ type: "interrupt", session_key: "k-prod", reason: null });
  for (let i = 0; i < 100 && interrupts.length === 0; i++) await sleep(20);
  t.same(sends, ["gw-kit:chanA", "gw-prod:loopback"], "only the listed id's loopback chats bypass the handler");
  t.same(interrupts, ["gw-prod:k-prod"], "only the listed id's interrupts come back");
  t.equal(kit.frames.filter((f) => f.type === "inbound").length, 1, "nothing else was delivered to the kit");
});
