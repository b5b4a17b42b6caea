/**
 * Scenarios of `conformance gateway --profile transport`: checks that need no cooperation from
 * the gateway's agent, so a real gateway (an LLM agent behind the transport) can be judged.
 *
 * The observable is what every gateway does anyway: it acks a buffered delivery with
 * `inbound_ack` once its handler has taken it (hermes-agent gateway/relay/ws_transport.py,
 * `WebSocketRelayTransport._on_inbound`, commit 00067189dfecf833d4d009c2dd977ae85cf800e0). So
 * framing, tolerance and delivery are probed with buffered inbound and judged by the acks; the
 * connection rules (hellos, tokens, the 4401 ladder, reconnect, pong) by the dials themselves.
 * Requirements that need the agent (echo turns, `/stop`, `/idle`) stay untested here.
 */
import { passthroughFor, textEvent } from "../fixtures.js";
import { requirementsFor } from "../requirements.js";
import { checkNoDialAfterTerminal, checkNoDuplicateAcks, checkPong, checkRedialAfterUnexpectedClose, line, sendGarbageLines, sendInThreeMessages, sendNonObjectLines, sendUnknownFrameTypes } from "./checks.js";
import { gatewayScenario as scenario, type Conn, type GatewayScenario, type Stage } from "./stage.js";

/** Delivers a buffered probe on `conn` and records whether its ack came (and the connection stayed). */
async function probed(stage: Stage, conn: Conn, requirement: string, name: string, what: string): Promise<boolean> {
  const ok = await stage.probe(conn, what);
  return stage.ctx.check(requirement, name, ok && conn.peer.open, closedOr(stage, conn, `no inbound_ack within ${stage.step} ms`));
}

/** "the gateway closed the connection" when it did, else `otherwise` (with the process's end, if any). */
function closedOr(stage: Stage, conn: Conn, otherwise: string): string {
  const c = conn.peer.closeInfo;
  if (c !== undefined && !conn.peer.closedByKit) return `the gateway closed the connection (${c.code} ${JSON.stringify(c.reason)})`;
  return stage.why(otherwise);
}

/** Waits for the ack of a probe frame the scenario wrote itself. */
async function acked(stage: Stage, conn: Conn, bufferId: string, requirement: string, name: string): Promise<boolean> {
  const ack = await stage.ackOf(conn, bufferId);
  return stage.ctx.check(requirement, name, ack !== undefined && conn.peer.open, closedOr(stage, conn, `no inbound_ack for ${bufferId} within ${stage.step} ms`));
}

const handshake = scenario(
  "handshake",
  "Dial, bearer, one hello per identity, descriptors; a buffered delivery is acked; ping/pong",
  ["RC-HS-001", "RC-AUTH-001", "RC-HS-002", "RC-HS-003", "RC-INB-004", "RC-PING-001"],
  async (stage) => {
    const conn = await stage.accept("dial 1");
    if (conn === undefined) return;
    await probed(stage, conn, "RC-INB-004", "after the handshake, a buffered inbound reaches the handler (acked)", "handshake");
    await checkPong(stage, conn);
  },
);

const framing = scenario(
  "framing",
  "Several frames per message, a frame split over messages, blank, malformed and non-object lines — judged by acks",
  ["RC-FRM-003", "RC-FRM-004", "RC-FRM-005", "RC-FRM-006"],
  async (stage) => {
    const conn = await stage.accept("dial 1", { descriptorsInOneMessage: true });
    if (conn === undefined) return;

    const a = stage.probeFrame("first of two frames in one message");
    const b = stage.probeFrame("second of two frames in one message");
    conn.peer.sendRaw(line(a.frame) + line(b.frame));
    await acked(stage, conn, a.bufferId, "RC-FRM-003", "first of two frames in one message is handled (acked)");
    await acked(stage, conn, b.bufferId, "RC-FRM-003", "second of two frames in one message is handled (acked)");

    const split = stage.probeFrame("one frame split over three messages");
    await sendInThreeMessages(stage, conn, line(split.frame));
    await acked(stage, conn, split.bufferId, "RC-FRM-004", "a frame split over three messages is handled once complete (acked)");

    sendGarbageLines(conn);
    await probed(stage, conn, "RC-FRM-005", "blank lines and lines that are not JSON are skipped; the next frame is handled (acked)", "after garbage");

    // Last: the reference gateway's reader ends on these (see RC-FRM-006).
    sendNonObjectLines(conn);
    await probed(stage, conn, "RC-FRM-006", "JSON lines that are not objects are skipped; the next frame is handled (acked)", "after non-objects");
  },
);

const tolerance = scenario(
  "tolerance",
  "Unknown frame types, echoed gateway types, unknown fields, an outbound_result nobody asked for — judged by acks",
  ["RC-TOL-001", "RC-TOL-002", "RC-COR-002"],
  async (stage) => {
    const conn = await stage.accept("dial 1");
    if (conn === undefined) return;

    sendUnknownFrameTypes(conn);
    await probed(stage, conn, "RC-TOL-002", "unknown and echoed frame types are ignored; the next frame is handled (acked)", "after unknown types");

    const probe = stage.probeFrame("unknown fields at every level");
    const event = probe.frame.event as ReturnType<typeof textEvent>;
    conn.peer.send({
      ...probe.frame,
      x_future_frame_field: { nested: true },
      event: { ...event, x_future_event_field: 1, source: { ...event.source, x_future_source_field: "v" } },
    });
    await acked(stage, conn, probe.bufferId, "RC-TOL-001", "an inbound with unknown fields at frame, event and source level is handled (acked)");

    conn.peer.send({ type: "outbound_result", requestId: "0123456789abcdef0123456789abcdef", result: { success: true, message_id: "nobody-asked" } });
    await probed(stage, conn, "RC-COR-002", "an outbound_result with an unknown requestId is ignored; the next frame is handled (acked)", "after an unknown result");
  },
);

const delivery = scenario(
  "delivery",
  "Buffered inbound and passthrough are acked with their bufferIds, once; live deliveries are never acked",
  ["RC-ACK-001", "RC-ACK-002", "RC-ACK-003", "RC-INB-004"],
  async (stage) => {
    const { ctx } = stage;
    const conn = await stage.accept("dial 1");
    if (conn === undefined) return;
    // Live first: by the time the buffered ones behind them are acked, the live ones were handled.
    stage.deliverLive(conn, textEvent("relay conformance: live delivery 1"));
    stage.deliverLive(conn, textEvent("relay conformance: live delivery 2"));
    const probes = [1, 2, 3].map((n) => stage.probeFrame(`buffered delivery ${n}`));
    for (const p of probes) conn.peer.send(p.frame);
    const ptId = "kit-passthrough-1";
    stage.passthrough(conn, passthroughFor('{"type":3,"data":{"custom_id":"relay-conformance"}}'), ptId);

    const ids = probes.map((p) => p.bufferId);
    const acks = await conn.peer.takeMany((f) => f.type === "inbound_ack" && ids.includes(String(f.frame.bufferId)), ids.length, stage.step);
    const got = acks.map((f) => String(f.frame.bufferId));
    ctx.check("RC-ACK-001", "each buffered inbound is acked with its bufferId", ids.every((id) => got.includes(id)), closedOr(stage, conn, `acked ${JSON.stringify(got)} of ${JSON.stringify(ids)}`));
    ctx.check("RC-INB-004", "every buffered inbound reaches the handler (acked)", got.length === ids.length, `${got.length} of ${ids.length} acked`);
    const ptAck = await stage.ackOf(conn, ptId);
    ctx.check("RC-ACK-003", "a buffered passthrough_forward is acked", ptAck !== undefined, closedOr(stage, conn, `no inbound_ack for ${ptId} within ${stage.step} ms`));

    // Late and duplicate acks, and acks of the live deliveries (RC-ACK-002, checked at the end).
    await checkNoDuplicateAcks(stage, conn, stage.kit.quietMs);
  },
);

const reconnect = scenario(
  "reconnect",
  "Unexpected close (1011): re-dial with a fresh token, hellos again, served again",
  ["RC-REC-001", "RC-AUTH-002", "RC-ACK-001"],
  async (stage) => {
    const { ctx } = stage;
    const first = await stage.accept("dial 1");
    if (first === undefined) return;
    await probed(stage, first, "RC-ACK-001", "dial 1: a buffered inbound is acked", "before the drop");
    const second = await checkRedialAfterUnexpectedClose(stage, first);
    if (second === undefined) return;
    await probed(stage, second, "RC-ACK-001", "the new connection is served: a buffered inbound is acked", "after the re-dial");
  },
);

const authBeforeHandshake = scenario(
  "auth-before-handshake",
  "4401 before any handshake (close after the hellos, then HTTP 401 at the upgrade) is retried; then served",
  ["RC-AUTH-003", "RC-AUTH-001"],
  async (stage) => {
    const { ctx } = stage;
    const first = await stage.accept("dial 1 (closed 4401 before its descriptors)", { answerHellos: false });
    if (first === undefined) return;
    stage.connector.refuseNext = 401;
    first.peer.close(4401, "unauthorized");
    const refused = await stage.nextDial();
    ctx.check("RC-AUTH-003", "re-dials after close 4401 before any descriptor", refused !== undefined, stage.why(`no dial within ${stage.step} ms after the 4401`));
    if (refused === undefined) return;
    stage.checkDial(refused, "dial 2 (refused with HTTP 401)");
    const third = await stage.accept("dial 3 (after HTTP 401)");
    ctx.check("RC-AUTH-003", "re-dials after an upgrade refused with HTTP 401", third !== undefined, stage.why(`no dial within ${stage.step} ms after the 401`));
    if (third === undefined) return;
    await probed(stage, third, "RC-AUTH-003", "dial 3 is served: a buffered inbound is acked", "after the ladder");
  },
);

/**
 * A post-handshake 4401, the fresh-token re-dial, and a 4401 refusing that re-dial at `when`;
 * then the terminal window. Three timings, because a close racing the re-dial's hellos is where
 * a second dialer gets armed (hermes-agent ws_transport.py `_redial_with_fresh_token` hands a
 * dial that failed during its hellos to the backoff supervisor).
 */
function terminal(id: string, when: "after-descriptor" | "before-descriptor" | "at-upgrade", title: string): GatewayScenario {
  return scenario(id, title, ["RC-AUTH-004", "RC-AUTH-005"], async (stage) => {
    const { ctx } = stage;
    const first = await stage.accept("dial 1");
    if (first === undefined) return;
    // The ack proves the descriptors were processed: the 4401 below comes after a handshake.
    await probed(stage, first, "RC-AUTH-004", "dial 1 is served before the 4401 (acked)", "before the 4401");
    if (when === "at-upgrade") stage.connector.closeNextOnUpgrade = { code: 4401, reason: "unauthorized" };
    first.peer.close(4401, "unauthorized");
    let retried: boolean;
    if (when === "at-upgrade") {
      const dial = await stage.nextDial();
      if (dial !== undefined) stage.checkDial(dial, "fresh-token re-dial (closed 4401 at its upgrade)");
      retried = dial !== undefined;
    } else {
      const retry = await stage.accept("fresh-token re-dial", { answerHellos: when === "after-descriptor" });
      retried = retry !== undefined;
      if (retry !== undefined) {
        if (when === "after-descriptor") await probed(stage, retry, "RC-AUTH-004", "the fresh-token re-dial is served (acked)", "on the re-dial");
        retry.peer.close(4401, "unauthorized");
        await retry.peer.closed;
      }
    }
    ctx.check("RC-AUTH-004", "re-dials once with a fresh token after a post-handshake 4401", retried, stage.why(`no re-dial within ${stage.step} ms (gateways that stop at once miss this SHOULD)`));
    await checkNoDialAfterTerminal(stage, `a 4401 refusing the fresh-token re-dial ${when.replace("-", " ")}`);
  });
}

const authExpired = scenario(
  "auth-expired",
  "4401 \"expired\" is never terminal: after a handshake, and on the fresh-token re-dial",
  ["RC-AUTH-006", "RC-AUTH-004"],
  async (stage) => {
    const { ctx } = stage;
    const first = await stage.accept("dial 1");
    if (first === undefined) return;
    await probed(stage, first, "RC-AUTH-006", "dial 1 is served (acked)", "before \"expired\"");
    first.peer.close(4401, "expired");
    const again = await stage.accept("re-dial after \"expired\"");
    ctx.check("RC-AUTH-006", "reconnects after 4401 \"expired\"", again !== undefined, stage.why(`no re-dial within ${stage.step} ms`));
    if (again === undefined) return;
    await probed(stage, again, "RC-AUTH-006", "the re-dial after \"expired\" is served (acked)", "after \"expired\"");
    again.peer.close(4401, "unauthorized");
    const retry = await stage.accept("fresh-token re-dial");
    ctx.check("RC-AUTH-004", "re-dials once with a fresh token after a post-handshake 4401", retry !== undefined, stage.why(`no re-dial within ${stage.step} ms`));
    if (retry === undefined) return;
    await probed(stage, retry, "RC-AUTH-006", "the fresh-token re-dial is served (acked)", "on the fresh-token re-dial");
    retry.peer.close(4401, "expired");
    const after = await stage.accept("re-dial after \"expired\" on the fresh-token re-dial");
    ctx.check("RC-AUTH-006", "\"expired\" on the fresh-token re-dial is not terminal either", after !== undefined, stage.why(`no re-dial within ${stage.step} ms`));
    if (after !== undefined) await probed(stage, after, "RC-AUTH-006", "that re-dial is served (acked)", "after the second \"expired\"");
  },
);

export const GATEWAY_TRANSPORT_SCENARIOS: readonly GatewayScenario[] = Object.freeze([
  handshake,
  framing,
  tolerance,
  delivery,
  reconnect,
  authBeforeHandshake,
  terminal("auth-after-handshake", "after-descriptor", "4401 after a handshake: one fresh-token re-dial; 4401 on it after its descriptor is terminal"),
  terminal("auth-terminal-before-descriptor", "before-descriptor", "The fresh-token re-dial refused with 4401 after its hellos, before any descriptor: terminal"),
  terminal("auth-terminal-at-upgrade", "at-upgrade", "The fresh-token re-dial refused with 4401 at once, racing its hellos: terminal"),
  authExpired,
]);

const REACHED = new Set(GATEWAY_TRANSPORT_SCENARIOS.flatMap((s) => s.requirements));
/** Checked on whatever the gateway sends, in every scenario (wire log and end-of-scenario checks). */
const OBSERVED_ANYWAY = new Set(["RC-FRM-001", "RC-FRM-002", "RC-WIRE-001", "RC-WIRE-003", "RC-ACK-002"]);

/** Why a gateway requirement is untested in the transport profile. */
export const TRANSPORT_UNTESTED_REASONS: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(
    requirementsFor("gateway")
      .filter((req) => !REACHED.has(req.id) && !OBSERVED_ANYWAY.has(req.id))
      .map((req) => [req.id, "needs the conformance agent's cooperation: run the full profile"]),
  ),
);
