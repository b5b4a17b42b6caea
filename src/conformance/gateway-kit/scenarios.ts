/**
 * Scenarios of `conformance gateway`: the kit is the connector, the gateway under test behaves
 * as the conformance agent (docs/conformance.md). Each scenario starts a fresh fake connector and
 * a fresh gateway process.
 */
import { newRequestId, passthroughFor, textEvent } from "../fixtures.js";
import { sleep, type WireFrame } from "../wire.js";
import { checkNoDialAfterTerminal, checkNoDuplicateAcks, checkPong, checkRedialAfterUnexpectedClose, line, sendGarbageLines, sendInThreeMessages, sendNonObjectLines, sendUnknownFrameTypes } from "./checks.js";
import { actionOf, gatewayScenario as scenario, type Conn, type GatewayScenario, type Stage } from "./stage.js";

const SESSION_A = "agent:main:discord:group:chanA:userX";
const SESSION_B = "agent:main:telegram:dm:42";


/** Sends a live echo request and checks the gateway answers it (RC-INB-004). */
async function echo(stage: Stage, conn: Conn, word: string, label: string): Promise<boolean> {
  stage.deliverLive(conn, textEvent(word));
  const send = await stage.expectSend(conn, `echo: ${word}`);
  return stage.ctx.check("RC-INB-004", `${label}: live inbound "${word}" reaches the handler (echo send)`, send !== undefined, `no send "echo: ${word}" within ${stage.step} ms`);
}

const handshake = scenario(
  "handshake",
  "Dial, bearer, one hello per identity, descriptors, a live echo, ping/pong",
  ["RC-HS-001", "RC-AUTH-001", "RC-HS-002", "RC-HS-003", "RC-INB-004", "RC-ACK-002", "RC-COR-001", "RC-PING-001"],
  async (stage) => {
    const conn = await stage.accept("dial 1");
    if (conn === undefined) return;
    await echo(stage, conn, "hello", "after the handshake");
    // The edit that follows the send uses the send's result: the gateway really is ready.
    const edit = await conn.peer.take((f) => f.type === "outbound" && actionOf(f).op === "edit", stage.step);
    stage.ctx.check("RC-COR-001", "the echo's edit names the message id of the send's result", edit !== undefined && typeof actionOf(edit).message_id === "string" && String(actionOf(edit).message_id).startsWith("kit-"), "no edit carrying the result's message_id");
    await checkPong(stage, conn);
    await sleep(stage.kit.quietMs / 2, stage.ctx.signal);
  },
);

const framing = scenario(
  "framing",
  "Several frames per message, split frames, blank, malformed and non-object lines, unknown fields and types",
  ["RC-FRM-003", "RC-FRM-004", "RC-FRM-005", "RC-FRM-006", "RC-TOL-001", "RC-TOL-002"],
  async (stage) => {
    const { ctx } = stage;
    const conn = await stage.accept("dial 1", { descriptorsInOneMessage: true });
    if (conn === undefined) return;
    const inbound = (word: string): object => ({ type: "inbound", event: textEvent(word) });
    const expect = async (req: string, name: string, word: string): Promise<void> => {
      const send = await stage.expectSend(conn, `echo: ${word}`);
      ctx.check(req, name, send !== undefined && conn.peer.open, send === undefined ? `no send "echo: ${word}" within ${stage.step} ms` : "the gateway closed the connection");
    };

    stage.liveDeliveries += 2;
    conn.peer.sendRaw(line(inbound("multi-1")) + line(inbound("multi-2")));
    await expect("RC-FRM-003", "first of two frames in one message is handled", "multi-1");
    await expect("RC-FRM-003", "second of two frames in one message is handled", "multi-2");

    stage.liveDeliveries++;
    await sendInThreeMessages(stage, conn, line(inbound("split")));
    await expect("RC-FRM-004", "a frame split over three messages is handled once complete", "split");

    stage.liveDeliveries++;
    sendGarbageLines(conn);
    conn.peer.sendRaw(line(inbound("after-garbage")));
    await expect("RC-FRM-005", "blank lines and lines that are not JSON are skipped; the next frame is handled", "after-garbage");

    stage.liveDeliveries++;
    sendUnknownFrameTypes(conn);
    conn.peer.sendRaw(line(inbound("after-unknown-types")));
    await expect("RC-TOL-002", "unknown and echoed frame types are ignored; the next frame is handled", "after-unknown-types");

    stage.liveDeliveries++;
    const event = textEvent("unknown-fields");
    conn.peer.send({
      type: "inbound",
      x_future_frame_field: { nested: true },
      event: { ...event, x_future_event_field: 1, source: { ...event.source, x_future_source_field: "v" } },
    });
    await expect("RC-TOL-001", "an inbound with unknown fields at every level is handled", "unknown-fields");

    // Last: the reference gateway's reader ends on these (see RC-FRM-006).
    stage.liveDeliveries++;
    sendNonObjectLines(conn);
    conn.peer.sendRaw(line(inbound("after-non-objects")));
    await expect("RC-FRM-006", "JSON lines that are not objects are skipped; the next frame is handled", "after-non-objects");
  },
);

const correlation = scenario(
  "correlation",
  "Two requests in flight, an unknown requestId, results in reverse order",
  ["RC-COR-001", "RC-COR-002", "RC-OUT-001"],
  async (stage) => {
    const { ctx } = stage;
    const conn = await stage.accept("dial 1");
    if (conn === undefined) return;
    const isEchoSend = (f: WireFrame): boolean => f.type === "outbound" && actionOf(f).op === "send" && /^echo: corr-[12]$/.test(String(actionOf(f).content));
    conn.hold = isEchoSend;
    stage.deliverLive(conn, textEvent("corr-1"));
    stage.deliverLive(conn, textEvent("corr-2"));
    const sends = await conn.peer.takeMany(isEchoSend, 2, stage.step);
    ctx.check("RC-INB-004", "both live inbounds reach the handler", sends.length === 2, `${sends.length} of 2 echo sends arrived`);
    const inFlight = ctx.check(
      "RC-COR-001",
      "two requests are in flight at once (the second is sent before the first is answered)",
      sends.length === 2,
      `only ${sends.length} request(s) arrived while none was answered`,
    );
    // A result nobody asked for, sent before the real ones: it must change nothing.
    conn.peer.send({ type: "outbound_result", requestId: newRequestId(), result: { success: true, message_id: "bogus-unknown" } });
    const answer = (f: WireFrame): void => {
      const word = String(actionOf(f).content).slice("echo: ".length);
      conn.peer.send({ type: "outbound_result", requestId: f.frame.requestId, result: { success: true, message_id: `reply-to-${word}` } });
    };
    for (const f of [...sends].reverse()) answer(f);

    const edits = await conn.peer.takeMany((f) => f.type === "outbound" && actionOf(f).op === "edit", sends.length, stage.step);
    const pairs = edits.map((f) => `${String(actionOf(f).content)} → ${String(actionOf(f).message_id)}`);
    const wrong = edits.filter((f) => {
      const a = actionOf(f);
      const word = String(a.content).replace(/^edited: /, "");
      return a.message_id !== `reply-to-${word}`;
    });
    if (inFlight) {
      ctx.check(
        "RC-COR-001",
        "results answered in reverse order reach the right requests",
        edits.length === 2 && wrong.length === 0,
        edits.length < 2 ? `${edits.length} of 2 follow-up edits arrived` : `mismatched: ${pairs.join("; ")}`,
      );
    } else {
      ctx.skip("RC-COR-001", "results answered in reverse order reach the right requests", "needs two requests in flight");
    }
    ctx.check(
      "RC-COR-002",
      "an outbound_result with an unknown requestId is ignored",
      conn.peer.open && edits.every((f) => actionOf(f).message_id !== "bogus-unknown") && edits.length === sends.length,
      !conn.peer.open ? "the gateway closed the connection" : "the unknown result was taken for a pending request",
    );
  },
);

const bufferedReplay = scenario(
  "buffered-replay",
  "Buffered inbound and passthrough are acked after handling; live ones are not",
  ["RC-ACK-001", "RC-ACK-002", "RC-ACK-003", "RC-PT-001", "RC-INB-004"],
  async (stage) => {
    const { ctx } = stage;
    const conn = await stage.accept("dial 1");
    if (conn === undefined) return;
    const ids = ["conf-b1", "conf-b2", "conf-b3"];
    ids.forEach((id, i) => stage.deliverBuffered(conn, textEvent(`replay-${i + 1}`), id));
    stage.passthrough(conn, passthroughFor('{"type":3,"data":{"custom_id":"press-buffered"}}'), "conf-p1");
    stage.passthrough(conn, passthroughFor('{"type":3,"data":{"custom_id":"press-live"}}'));

    const acks = await conn.peer.takeMany((f) => f.type === "inbound_ack" && ids.includes(String(f.frame.bufferId)), ids.length, stage.step);
    const got = acks.map((f) => String(f.frame.bufferId));
    ctx.check("RC-ACK-001", "each buffered inbound is acked with its bufferId", ids.every((id) => got.includes(id)), `acked ${JSON.stringify(got)} of ${JSON.stringify(ids)}`);
    for (let i = 0; i < ids.length; i++) {
      const send = await stage.expectSend(conn, `echo: replay-${i + 1}`);
      ctx.check("RC-INB-004", `replayed inbound ${i + 1} reaches the handler`, send !== undefined, "no echo send");
    }
    const pressBuffered = await stage.expectSend(conn, 'passthrough: {"type":3,"data":{"custom_id":"press-buffered"}}', { chatId: "passthrough" });
    const pressLive = await stage.expectSend(conn, 'passthrough: {"type":3,"data":{"custom_id":"press-live"}}', { chatId: "passthrough" });
    ctx.check("RC-PT-001", "a buffered passthrough_forward reaches the handler with its decoded body", pressBuffered !== undefined, "no passthrough report send");
    ctx.check("RC-PT-001", "a live passthrough_forward reaches the handler with its decoded body", pressLive !== undefined, "no passthrough report send");
    const ptAck = await conn.peer.take((f) => f.type === "inbound_ack" && f.frame.bufferId === "conf-p1", stage.kit.quietMs);
    ctx.check("RC-ACK-003", "the buffered passthrough_forward is acked", ptAck !== undefined, `no inbound_ack for conf-p1 within ${stage.kit.quietMs} ms`);

    await checkNoDuplicateAcks(stage, conn, stage.kit.quietMs / 2);
  },
);

const interrupt = scenario(
  "interrupt",
  "interrupt_inbound reaches its session; /stop egresses interrupt",
  ["RC-INT-002", "RC-INT-003"],
  async (stage) => {
    const { ctx } = stage;
    const conn = await stage.accept("dial 1");
    if (conn === undefined) return;
    conn.peer.send({ type: "interrupt_inbound", session_key: SESSION_A, chat_id: "chanA" });
    const report = await stage.expectSend(conn, `interrupted: ${SESSION_A}`, { chatId: "chanA" });
    ctx.check("RC-INT-002", "interrupt_inbound reaches the handler with its session_key and chat_id", report !== undefined, `no send "interrupted: ${SESSION_A}" to chanA`);

    stage.deliverLive(conn, textEvent(`/stop ${SESSION_B}`, "telegram", "42"));
    const frame = await conn.peer.take((f) => f.type === "interrupt", stage.step);
    ctx.check(
      "RC-INT-003",
      "/stop egresses interrupt with the session_key and a reason",
      frame !== undefined && frame.frame.session_key === SESSION_B && "reason" in frame.frame && (frame.frame.reason === null || typeof frame.frame.reason === "string"),
      frame === undefined ? `no interrupt within ${stage.step} ms` : `got ${JSON.stringify(frame.frame)}`,
    );
  },
);

const goingIdle = scenario(
  "going-idle",
  "going_idle waits for the ack while serving inbound, then dormant re-dial and replay",
  ["RC-IDLE-001", "RC-IDLE-002", "RC-REC-002", "RC-ACK-001"],
  async (stage) => {
    const { ctx } = stage;
    const conn = await stage.accept("dial 1");
    if (conn === undefined) return;
    stage.deliverLive(conn, textEvent("/idle"));
    const idle = await conn.peer.take((f) => f.type === "going_idle", stage.step);
    if (idle === undefined) {
      ctx.check("RC-IDLE-001", "/idle makes the gateway send going_idle", false, `no going_idle within ${stage.step} ms`);
      return;
    }
    // Hold the ack: the gateway must keep serving and must not close.
    stage.deliverLive(conn, textEvent("while-idle"));
    const served = await stage.expectSend(conn, "echo: while-idle");
    ctx.check("RC-IDLE-002", "inbound arriving before going_idle_ack is handled", served !== undefined, "no echo while waiting for the ack");
    await conn.peer.waitClosedOr(Math.min(200, stage.kit.quietMs));
    ctx.check("RC-IDLE-001", "going dormant, the connection stays open until going_idle_ack", conn.peer.open, `closed with ${conn.peer.closeInfo?.code ?? "?"} before the ack`);
    conn.peer.send({ type: "going_idle_ack" });

    const closed = await conn.peer.waitClosedOr(stage.step);
    const redial = await stage.accept("dormant re-dial");
    ctx.check("RC-REC-002", "after the ack the gateway goes dormant and dials again", closed && redial !== undefined, !closed ? "the connection was not closed after the ack" : "no re-dial");
    if (redial === undefined) return;
    stage.deliverBuffered(redial, textEvent("backlog-1"), "conf-idle-1");
    stage.deliverBuffered(redial, textEvent("backlog-2"), "conf-idle-2");
    const acks = await redial.peer.takeMany((f) => f.type === "inbound_ack" && String(f.frame.bufferId).startsWith("conf-idle-"), 2, stage.step);
    ctx.check("RC-ACK-001", "the replayed backlog is acked in order after the re-dial", acks.map((f) => f.frame.bufferId).join() === "conf-idle-1,conf-idle-2", `acked ${JSON.stringify(acks.map((f) => f.frame.bufferId))}`);
    const echoed = await stage.expectSend(redial, "echo: backlog-2");
    ctx.check("RC-INB-004", "the replayed backlog reaches the handler", echoed !== undefined, "no echo for the replayed backlog");
  },
);

const reconnect = scenario(
  "reconnect",
  "Unexpected close (1011): re-dial with a fresh token, hellos again, replay acked",
  ["RC-REC-001", "RC-AUTH-002", "RC-ACK-001"],
  async (stage) => {
    const { ctx } = stage;
    const first = await stage.accept("dial 1");
    if (first === undefined) return;
    await echo(stage, first, "before-drop", "dial 1");
    const second = await checkRedialAfterUnexpectedClose(stage, first);
    if (second === undefined) return;
    stage.deliverBuffered(second, textEvent("after-reconnect"), "conf-rc-1");
    const ack = await second.peer.take((f) => f.type === "inbound_ack" && f.frame.bufferId === "conf-rc-1", stage.step);
    ctx.check("RC-ACK-001", "a replay on the new connection is acked", ack !== undefined, "no inbound_ack for conf-rc-1");
  },
);

const authBeforeHandshake = scenario(
  "auth-before-handshake",
  "4401 before any handshake (HTTP 401 at the upgrade, then close 4401 after hello) is retried",
  ["RC-AUTH-003", "RC-AUTH-001"],
  async (stage) => {
    const { ctx } = stage;
    stage.connector.refuseNext = 401;
    const refused = await stage.nextDial();
    if (refused === undefined) {
      ctx.check("RC-AUTH-003", "the gateway dials", false, stage.why(`no dial within ${stage.step} ms`));
      return;
    }
    stage.checkDial(refused, "dial 1 (refused with HTTP 401)");
    const second = await stage.accept("dial 2 (after HTTP 401)", { answerHellos: false });
    ctx.check("RC-AUTH-003", "re-dials after an upgrade refused with 401", second !== undefined, stage.why(`no dial within ${stage.step} ms after the 401`));
    if (second === undefined) return;
    second.peer.close(4401, "unauthorized");
    const third = await stage.accept("dial 3 (after close 4401 before the descriptor)");
    ctx.check("RC-AUTH-003", "re-dials after close 4401 before any descriptor", third !== undefined, stage.why(`no dial within ${stage.step} ms after the 4401`));
    if (third === undefined) return;
    await echo(stage, third, "authorised", "dial 3");
  },
);

const authAfterHandshake = scenario(
  "auth-after-handshake",
  "4401 after a handshake: one fresh-token re-dial, then 4401 again is terminal",
  ["RC-AUTH-004", "RC-AUTH-005"],
  async (stage) => {
    const { ctx } = stage;
    const first = await stage.accept("dial 1");
    if (first === undefined) return;
    first.peer.close(4401, "unauthorized");
    const retry = await stage.accept("fresh-token re-dial");
    ctx.check("RC-AUTH-004", "re-dials once with a fresh token after a post-handshake 4401", retry !== undefined, stage.why(`no re-dial within ${stage.step} ms (acceptable for V-mid gateways, which stop at once)`));
    if (retry !== undefined) {
      await sleep(50, ctx.signal);
      retry.peer.close(4401, "unauthorized");
      await retry.peer.closed;
    }
    await checkNoDialAfterTerminal(stage, "the terminal 4401");
  },
);

const authExpired = scenario(
  "auth-expired",
  "4401 \"expired\" after a handshake is not terminal",
  ["RC-AUTH-006"],
  async (stage) => {
    const { ctx } = stage;
    const first = await stage.accept("dial 1");
    if (first === undefined) return;
    first.peer.close(4401, "expired");
    const again = await stage.accept("re-dial after \"expired\"");
    ctx.check("RC-AUTH-006", "reconnects after 4401 \"expired\"", again !== undefined, stage.why(`no re-dial within ${stage.step} ms`));
    if (again === undefined) return;
    await echo(stage, again, "renewed", "after \"expired\"");
  },
);

export const GATEWAY_SCENARIOS: readonly GatewayScenario[] = Object.freeze([
  handshake,
  framing,
  correlation,
  bufferedReplay,
  interrupt,
  goingIdle,
  reconnect,
  authBeforeHandshake,
  authAfterHandshake,
  authExpired,
]);
