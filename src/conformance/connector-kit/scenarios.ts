/**
 * Scenarios of `conformance connector`: the kit is the gateway; the connector under test fronts
 * the loopback platform (docs/conformance.md) so the kit can make it deliver.
 */
import { makeToken } from "../../auth/index.js";
import { ALL_OPS, COMMAND_MANIFEST, newRequestId, sampleAction } from "../fixtures.js";
import type { Scenario } from "../runner.js";
import { sleep, type WireFrame, type WirePeer } from "../wire.js";
import { ConnectorStage, eventOf, type ConnectorKitSettings } from "./stage.js";

type ConnectorScenario = Scenario<ConnectorKitSettings>;

/** `closeBreaks`: the requirement a connection closed by the connector breaks here (4401 aside). */
function scenario(id: string, title: string, requirements: string[], closeBreaks: string, body: (stage: ConnectorStage) => Promise<void>): ConnectorScenario {
  return { id, title, requirements, run: (ctx, kit) => ConnectorStage.run(ctx, kit, closeBreaks, body) };
}

function resultOf(frame: WireFrame | undefined): Record<string, unknown> | undefined {
  const r = frame?.frame.result;
  return r !== null && typeof r === "object" && !Array.isArray(r) ? (r as Record<string, unknown>) : undefined;
}

const line = (frame: object): string => JSON.stringify(frame) + "\n";

const auth = scenario(
  "auth",
  "Valid token accepted; missing, malformed, wrongly signed and expired tokens refused with 4401",
  ["RC-AUTH-010", "RC-AUTH-011", "RC-AUTH-012"],
  "RC-AUTH-012",
  async (stage) => {
    const { ctx, kit } = stage;
    const hello = { type: "hello", platform: stage.primary.platform, botId: stage.primary.botId };

    const control = await stage.open("valid token");
    if (control !== undefined) {
      control.send(hello);
      const descriptor = await control.take((f) => f.type === "descriptor", stage.step);
      ctx.check("RC-AUTH-012", "a valid token is accepted and its hello answered", descriptor !== undefined, `no descriptor within ${stage.step} ms`);
      // A connector that refuses after all (say 4401 right after the handshake) shows it now.
      await control.waitClosedOr(stage.kit.quietMs / 2);
      await control.shutdown();
    }

    const now = Math.floor(Date.now() / 1000);
    const cases: Array<{ name: string; authorization: string | undefined; expired?: boolean }> = [
      { name: "no Authorization header", authorization: undefined },
      { name: "a malformed token", authorization: "Bearer not-a-relay-token" },
      { name: "a token signed with the wrong secret", authorization: `Bearer ${makeToken(kit.gatewayId, `${kit.secret}-wrong`, 300, now)}` },
      { name: "an authentic token that expired 10 minutes ago", authorization: `Bearer ${makeToken(kit.gatewayId, kit.secret, 300, now - 900)}`, expired: true },
    ];
    for (const c of cases) {
      const outcome = await stage.dial(c.authorization);
      let processed = false;
      let how: string;
      if (outcome.opened) {
        // A frame sent now must never be processed.
        outcome.peer.send(hello);
        const closed = await outcome.peer.waitClosedOr(stage.step);
        processed = outcome.peer.frames.some((f) => f.type === "descriptor");
        how = closed ? `closed ${outcome.peer.closeInfo?.code} ${JSON.stringify(outcome.peer.closeInfo?.reason)}` : "left open";
      } else {
        how = outcome.status !== undefined ? `HTTP ${outcome.status}` : `failed: ${outcome.error}`;
      }
      const refused = outcome.status === 401 || (outcome.opened && outcome.peer.closeInfo?.code === 4401);
      ctx.check("RC-AUTH-010", `${c.name} is refused with 4401 before any frame is processed`, refused && !processed, processed ? `the hello was answered (${how})` : `got ${how}`);
      if (c.expired) {
        ctx.check(
          "RC-AUTH-011",
          "an expired token is refused with close 4401 \"expired\"",
          outcome.opened && outcome.peer.closeInfo?.code === 4401 && outcome.peer.closeInfo.reason === "expired",
          outcome.status !== undefined ? `refused with HTTP ${outcome.status}, which cannot carry the reason` : `got ${how}`,
        );
      }
      await outcome.peer.shutdown(1000, "", 200);
    }
  },
);

const handshake = scenario(
  "handshake",
  "One descriptor per hello, in order, for the hello's platform; ping/pong",
  ["RC-HS-004", "RC-DESC-001", "RC-PING-001"],
  "RC-HS-004",
  async (stage) => {
    const peer = await stage.open("dial");
    if (peer === undefined) return;
    const { identities } = stage.kit;
    const first = identities[0];
    // The Discord-style hello carries a command manifest, as V-late gateways send it.
    identities.forEach((id, i) =>
      peer.send({ type: "hello", platform: id.platform, botId: id.botId, ...(i === 0 && first?.platform === "discord" && { command_manifest: COMMAND_MANIFEST }) }),
    );
    const ok = await stage.expectDescriptors(peer, identities.map((i) => i.platform), "two hellos");
    if (!ok) return;
    const extra = await peer.within((f) => f.type === "descriptor", stage.kit.quietMs / 2);
    stage.ctx.check("RC-HS-004", "no extra descriptor", extra.length === identities.length, `${extra.length} descriptors for ${identities.length} hellos`);
    const pong = await peer.ping(`relay-conformance-${Date.now().toString(36)}`, stage.step);
    stage.ctx.check("RC-PING-001", "a WebSocket ping is answered with a pong carrying its payload", pong, peer.open ? `no pong within ${stage.step} ms` : "the connection closed");
  },
);

const framing = scenario(
  "framing",
  "Several frames per message, split frames, blank and malformed lines, unknown fields and types",
  ["RC-FRM-003", "RC-FRM-004", "RC-FRM-005", "RC-FRM-006", "RC-TOL-001", "RC-TOL-002"],
  "RC-FRM-005",
  async (stage) => {
    const { ctx } = stage;
    const peer = await stage.open("dial");
    if (peer === undefined) return;
    const { identities } = stage.kit;
    peer.sendRaw(identities.map((id) => line({ type: "hello", platform: id.platform, botId: id.botId })).join(""));
    const hellos = await stage.expectDescriptors(peer, identities.map((i) => i.platform), "hellos sent in one message");
    ctx.check("RC-FRM-003", "several hellos in one message are each answered", hellos, "not every hello of the message was answered");
    if (!hellos) return;

    const typing = (): Record<string, unknown> => ({ type: "outbound", requestId: newRequestId(), action: { op: "typing", chat_id: "chanA" }, ...stage.primary });
    const answered = async (requirement: string, name: string, frame: Record<string, unknown>): Promise<void> => {
      const result = await peer.take((f) => f.type === "outbound_result" && f.frame.requestId === frame.requestId, stage.step);
      ctx.check(requirement, name, result !== undefined && peer.open, result === undefined ? `no outbound_result within ${stage.step} ms${peer.closeInfo ? ` (closed ${peer.closeInfo.code})` : ""}` : "the connection was closed");
    };

    const a = typing();
    stage.sentRequestIds.add(String(a.requestId));
    peer.sendRaw("\n  \n");
    peer.sendRaw("this is not json\n");
    peer.sendRaw('{"type":"outbound","requestId":\n');
    peer.send(a);
    await answered("RC-FRM-005", "blank lines and lines that are not JSON are skipped; the next frame is answered", a);

    const n = typing();
    stage.sentRequestIds.add(String(n.requestId));
    peer.sendRaw('[1,2]\n"outbound"\n42\nnull\n');
    peer.send(n);
    await answered("RC-FRM-006", "JSON lines that are not objects are skipped; the next frame is answered", n);

    const b = typing();
    stage.sentRequestIds.add(String(b.requestId));
    peer.sendRaw(line({ type: "x_future_frame", payload: { a: 1 } }));
    peer.sendRaw(line({ type: "descriptor", descriptor: { contract_version: 1, platform: "echoed" } }) + line({ type: "going_idle_ack" }));
    peer.send(b);
    await answered("RC-TOL-002", "unknown and echoed frame types are ignored; the next frame is answered", b);

    const c = typing();
    stage.sentRequestIds.add(String(c.requestId));
    c.x_future_frame_field = { nested: true };
    c.action = { op: "typing", chat_id: "chanA", x_future_action_field: 1, metadata: { x_future_metadata_field: "v" } };
    peer.send(c);
    await answered("RC-TOL-001", "an outbound with unknown fields at every level is answered", c);

    const d = typing();
    stage.sentRequestIds.add(String(d.requestId));
    const text = line(d);
    const cut1 = Math.floor(text.length / 3);
    const cut2 = Math.floor((2 * text.length) / 3);
    peer.sendRaw(text.slice(0, cut1));
    await sleep(20, ctx.signal);
    peer.sendRaw(text.slice(cut1, cut2));
    await sleep(20, ctx.signal);
    peer.sendRaw(text.slice(cut2));
    await answered("RC-FRM-004", "an outbound split over three messages is answered once complete", d);
  },
);

const ops = scenario(
  "ops",
  "Every op of the contract answered; an identity that was not hello'd refused",
  ["RC-OUT-002", "RC-OUT-003"],
  "RC-OUT-002",
  async (stage) => {
    const { ctx } = stage;
    const peer = await stage.open("dial");
    if (peer === undefined || !(await stage.handshake(peer, "handshake"))) return;
    for (const op of ALL_OPS) {
      const { result } = await stage.request(peer, sampleAction(op), stage.primary);
      const body = resultOf(result);
      ctx.check("RC-OUT-002", `op ${op} is answered`, body !== undefined && typeof body.success === "boolean", result === undefined ? `no outbound_result within ${stage.step} ms` : "the result has no boolean success");
    }
    // platform + botId must name a hello'd pair. A platform alone must be one a hello named:
    // the gateway omits botId exactly when it does not front the platform, so a connector that
    // fell back to the session default would send with another platform's credentials.
    const strangerBot = await stage.request(peer, sampleAction("send"), { platform: stage.primary.platform, botId: "not-a-hellod-bot" });
    ctx.check("RC-OUT-003", "an outbound naming a botId that was not hello'd gets success:false", resultOf(strangerBot.result)?.success === false, strangerBot.result === undefined ? "no result" : `got ${JSON.stringify(resultOf(strangerBot.result))}`);
    const hellod = new Set(stage.kit.identities.map((i) => i.platform));
    const unfronted = ["unfronted", "unfronted-2", "unfronted-3"].find((p) => !hellod.has(p)) ?? "unfronted-x";
    const strangerPlatform = await stage.request(peer, sampleAction("send"), { platform: unfronted });
    ctx.check("RC-OUT-003", "an outbound naming only a platform that was not hello'd gets success:false (never the session default)", resultOf(strangerPlatform.result)?.success === false, strangerPlatform.result === undefined ? "no result" : `got ${JSON.stringify(resultOf(strangerPlatform.result))}`);
  },
);

const correlation = scenario(
  "correlation",
  "Eight requests in flight at once: each answered exactly once with its requestId",
  ["RC-COR-003"],
  "RC-COR-003",
  async (stage) => {
    const { ctx } = stage;
    const peer = await stage.open("dial");
    if (peer === undefined || !(await stage.handshake(peer, "handshake"))) return;
    const opsInFlight = ["typing", "get_chat_info", "send", "react", "typing", "get_chat_info", "send", "delete"] as const;
    const ids: string[] = [];
    for (const op of opsInFlight) {
      const requestId = newRequestId();
      ids.push(requestId);
      stage.sentRequestIds.add(requestId);
      peer.send({ type: "outbound", requestId, action: sampleAction(op), ...stage.primary });
    }
    const results = await peer.takeMany((f) => f.type === "outbound_result", ids.length, stage.step);
    await sleep(stage.kit.quietMs / 4, ctx.signal);
    const all = peer.frames.filter((f) => f.type === "outbound_result").map((f) => String(f.frame.requestId));
    const missing = ids.filter((id) => !all.includes(id));
    const twice = ids.filter((id) => all.filter((x) => x === id).length > 1);
    const foreign = all.filter((id) => !ids.includes(id));
    ctx.check(
      "RC-COR-003",
      `each of ${ids.length} concurrent requests gets exactly one result with its requestId`,
      missing.length === 0 && twice.length === 0 && foreign.length === 0,
      `${results.length} results; unanswered ${missing.length}, answered twice ${twice.length}, unknown requestIds ${foreign.length}`,
    );
  },
);

async function loopbackInbound(peer: WirePeer, text: string, timeoutMs: number): Promise<WireFrame | undefined> {
  return peer.take((f) => f.type === "inbound" && eventOf(f).text === text, timeoutMs);
}

const loopback = scenario(
  "loopback",
  "Loopback deliveries: inbound and passthrough_forward, strictly valid",
  ["RC-LOOP-001", "RC-INB-001", "RC-WIRE-002"],
  "RC-LOOP-001",
  async (stage) => {
    const { ctx, kit } = stage;
    const peer = await stage.open("dial");
    if (peer === undefined || !(await stage.handshake(peer, "handshake"))) return;
    if (!(await stage.frontsLoopback(peer))) {
      ctx.check("RC-LOOP-001", 'a send to chat "loopback" comes back as inbound', false, `no inbound within ${stage.step} ms: the connector does not front the loopback platform (createRelayServer option conformanceLoopback; docs/conformance.md)`);
      return stage.skipNoLoopback(["RC-INB-001"], "every inbound is strictly valid");
    }
    for (const id of kit.identities) {
      const text = `${kit.runTag} loopback via ${id.platform}`;
      await stage.request(peer, { op: "send", chat_id: "loopback", content: text, reply_to: null }, { platform: id.platform, botId: id.botId });
      const inbound = await loopbackInbound(peer, text, stage.step);
      ctx.check("RC-LOOP-001", `a send to chat "loopback" on ${id.platform} comes back as inbound`, inbound !== undefined, `no inbound with text ${JSON.stringify(text)} within ${stage.step} ms`);
    }
    const body = `{"type":3,"data":{"custom_id":"${kit.runTag}"}}`;
    await stage.request(peer, { op: "send", chat_id: "loopback-passthrough", content: body, reply_to: null }, stage.primary);
    const forward = await peer.take((f) => {
      if (f.type !== "passthrough_forward") return false;
      const fw = f.frame.forward as Record<string, unknown> | undefined;
      return typeof fw?.bodyB64 === "string" && Buffer.from(fw.bodyB64, "base64").toString("utf8") === body;
    }, stage.step);
    ctx.check("RC-LOOP-001", 'a send to chat "loopback-passthrough" comes back as passthrough_forward with that body', forward !== undefined, `no passthrough_forward within ${stage.step} ms`);
  },
);

const interrupt = scenario(
  "interrupt",
  "A gateway's interrupt comes back as interrupt_inbound for the session",
  ["RC-INT-001"],
  "RC-INT-001",
  async (stage) => {
    const { ctx, kit } = stage;
    const peer = await stage.open("dial");
    if (peer === undefined || !(await stage.handshake(peer, "handshake"))) return;
    // The session starts with a loopback message; the kit is the instance running it.
    if (!(await stage.frontsLoopback(peer))) return stage.skipNoLoopback(["RC-INT-001"], "interrupt is routed back as interrupt_inbound");
    const sessionKey = `agent:main:${stage.primary.platform}:group:loopback:${kit.runTag}`;
    peer.send({ type: "interrupt", session_key: sessionKey, reason: null });
    const routed = await peer.take((f) => f.type === "interrupt_inbound" && f.frame.session_key === sessionKey, stage.step);
    ctx.check("RC-INT-001", "interrupt is routed back as interrupt_inbound with the same session_key", routed !== undefined, `no interrupt_inbound for ${sessionKey} within ${stage.step} ms`);
  },
);

const idleReplay = scenario(
  "idle-replay",
  "going_idle acked; inbound buffered; backlog replayed in order with bufferIds on the next handshake; acked entries never again",
  ["RC-IDLE-003", "RC-INB-002", "RC-INB-003"],
  "RC-INB-002",
  async (stage) => {
    const { ctx, kit } = stage;
    const a = await stage.open("connection A");
    if (a === undefined || !(await stage.handshake(a, "connection A"))) return;
    const fronted = await stage.frontsLoopback(a);
    a.send({ type: "going_idle" });
    const ack = await a.take((f) => f.type === "going_idle_ack", stage.step);
    ctx.check("RC-IDLE-003", "going_idle is answered with going_idle_ack", ack !== undefined, `no going_idle_ack within ${stage.step} ms`);
    // The backlog is made of loopback sends.
    if (!fronted) return stage.skipNoLoopback(["RC-INB-002", "RC-INB-003"], "the backlog is replayed in order, then live again; acked entries never again");

    const texts = [1, 2, 3].map((n) => `${kit.runTag} backlog ${n}`);
    for (const text of texts) await stage.request(a, { op: "send", chat_id: "loopback", content: text, reply_to: null }, stage.primary);
    const live = await a.within((f) => f.type === "inbound" && texts.includes(String(eventOf(f).text)), kit.quietMs / 2);
    ctx.check("RC-INB-002", "inbound for an idle gateway is buffered, not pushed live", live.length === 0, `${live.length} of ${texts.length} were delivered live after going_idle_ack`);
    await a.shutdown(1000, "");

    const b = await stage.open("connection B");
    if (b === undefined || !(await stage.handshake(b, "connection B"))) return;
    const replayed: WireFrame[] = [];
    for (let i = 0; i < texts.length; i++) {
      const frame = await b.take((f) => f.type === "inbound" && texts.includes(String(eventOf(f).text)), stage.step);
      if (frame === undefined) break;
      replayed.push(frame);
    }
    const order = replayed.map((f) => String(eventOf(f).text));
    ctx.check("RC-INB-002", "the backlog is replayed on the next handshake, in order", JSON.stringify(order) === JSON.stringify(texts), `replayed ${JSON.stringify(order)}`);
    ctx.check(
      "RC-INB-002",
      "each replayed frame carries a bufferId",
      replayed.length > 0 && replayed.every((f) => typeof f.frame.bufferId === "string" && f.frame.bufferId !== ""),
      replayed.length === 0 ? "nothing replayed" : "a replayed frame has no bufferId",
    );
    // The drain ends when the connector has processed the last ack, which it may learn a moment
    // after the kit sent it: a delivery racing that moment is rightly buffered and replayed (and
    // acked by the kit like every buffered delivery). So settle and require live delivery within
    // a few attempts.
    let liveAgain: WireFrame | undefined;
    let attempts = 0;
    while (attempts < 3 && (liveAgain === undefined || liveAgain.frame.bufferId !== undefined)) {
      attempts++;
      await sleep(Math.min(100, kit.quietMs / 4) * attempts, ctx.signal);
      const liveText = `${kit.runTag} live again ${attempts}`;
      await stage.request(b, { op: "send", chat_id: "loopback", content: liveText, reply_to: null }, stage.primary);
      liveAgain = await loopbackInbound(b, liveText, stage.step);
      if (liveAgain === undefined) break;
    }
    ctx.check(
      "RC-INB-002",
      "after the drain, delivery is live again (no bufferId)",
      liveAgain !== undefined && liveAgain.frame.bufferId === undefined,
      liveAgain === undefined ? "no inbound after the drain" : `deliveries after the drain still carry a bufferId (${attempts} attempts)`,
    );
    await sleep(50, ctx.signal);
    await b.shutdown(1000, "");

    const c = await stage.open("connection C");
    if (c === undefined || !(await stage.handshake(c, "connection C"))) return;
    const again = await c.within((f) => f.type === "inbound" && texts.includes(String(eventOf(f).text)), kit.quietMs / 2);
    ctx.check("RC-INB-003", "acked entries are not delivered again on the next connection", again.length === 0, `${again.length} acked entr${again.length === 1 ? "y was" : "ies were"} redelivered`);
  },
);

export const CONNECTOR_SCENARIOS: readonly ConnectorScenario[] = Object.freeze([
  auth,
  handshake,
  framing,
  ops,
  correlation,
  loopback,
  interrupt,
  idleReplay,
]);
