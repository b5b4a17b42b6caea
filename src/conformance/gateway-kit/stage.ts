/**
 * One scenario's set: a fake connector, the gateway under test started against it, and helpers
 * that play the connector's part (handshake, deliveries, automatic results) while recording
 * what the gateway does.
 */
import type { MessageEvent, PassthroughForward } from "../../../generated/types.js";
import { descriptorFor, textEvent, type KitIdentity } from "../fixtures.js";
import type { Scenario, ScenarioContext } from "../runner.js";
import { WireLog, type WireFrame, type WirePeer } from "../wire.js";
import { DialRecorder, type Dial } from "./dial-recorder.js";
import { referenceGatewayEnv, type GatewayUnderTest, type RunningGateway } from "./launcher.js";

/**
 * `full`: the gateway under test behaves as the conformance agent (docs/conformance.md).
 * `transport`: any gateway; only what its transport must do anyway is checked.
 */
export type GatewayProfile = "full" | "transport";

export type GatewayScenario = Scenario<GatewayKitSettings>;

/** A scenario that runs `body` on a fresh stage (fake connector + gateway under test). */
export function gatewayScenario(id: string, title: string, requirements: string[], body: (stage: Stage) => Promise<void>): GatewayScenario {
  return { id, title, requirements, run: (ctx, kit) => Stage.run(ctx, kit, body) };
}

export interface GatewayKitSettings {
  profile: GatewayProfile;
  gateway: GatewayUnderTest;
  gatewayId: string;
  secret: string;
  identities: KitIdentity[];
  /** Longest wait for something the gateway must do. */
  stepTimeoutMs: number;
  /** Longest wait for the first dial of a scenario (process start-up is not protocol time). */
  startTimeoutMs: number;
  /** Window in which something must NOT happen (no ack, no re-dial). */
  quietMs: number;
  /** After one hello, how long to wait for the next. */
  helloGapMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  requestTimeoutMs: number;
  /** How long the kit watches for a dial after a terminal 4401. */
  terminalWindowMs: number;
}

/** A handshaked (or at least accepted) connection of the gateway under test. */
export interface Conn {
  dial: Dial;
  peer: WirePeer;
  /** `platform:botId` of each hello, in order. */
  hellos: string[];
  /** Outbound frames matching this are left for the scenario to answer. */
  hold: ((frame: WireFrame) => boolean) | undefined;
  /** How many hellos had arrived when the kit sent the descriptors (undefined: none arrived). */
  hellosBeforeDescriptors: number | undefined;
  label: string;
}

export class Stage {
  readonly ctx: ScenarioContext;
  readonly kit: GatewayKitSettings;
  readonly connector: DialRecorder;
  readonly log: WireLog;
  readonly conns: Conn[] = [];
  /** bufferIds the kit delivered; an ack for anything else acks a live delivery. */
  readonly bufferedIds = new Set<string>();
  liveDeliveries = 0;
  #gateway: RunningGateway | undefined;
  #dialed = false;
  #messageIds = 0;
  #probes = 0;
  #stopping = false;

  private constructor(ctx: ScenarioContext, kit: GatewayKitSettings, connector: DialRecorder, log: WireLog) {
    this.ctx = ctx;
    this.kit = kit;
    this.connector = connector;
    this.log = log;
  }

  /** Sets up, runs `body`, and always tears down (gateway, sockets, server) before the end checks. */
  static async run(ctx: ScenarioContext, kit: GatewayKitSettings, body: (stage: Stage) => Promise<void>): Promise<void> {
    const log = new WireLog(ctx, "G→C");
    const connector = await DialRecorder.start(log, { gatewayId: kit.gatewayId, secret: kit.secret, signal: ctx.signal });
    const stage = new Stage(ctx, kit, connector, log);
    try {
      stage.#gateway = await kit.gateway.start({
        RELAY_URL: connector.baseUrl,
        RELAY_GATEWAY_ID: kit.gatewayId,
        RELAY_SECRET: kit.secret,
        RELAY_IDENTITIES: JSON.stringify(kit.identities),
        RELAY_SCENARIO: ctx.scenarioId,
        RELAY_BACKOFF_BASE_MS: String(kit.backoffBaseMs),
        RELAY_BACKOFF_MAX_MS: String(kit.backoffMaxMs),
        RELAY_REQUEST_TIMEOUT_MS: String(kit.requestTimeoutMs),
        RELAY_PROFILE: kit.profile,
        ...referenceGatewayEnv({ url: connector.baseUrl, gatewayId: kit.gatewayId, secret: kit.secret, identities: kit.identities }),
      });
      void stage.#gateway.exited?.then((why) => {
        connector.peerGone(why);
        // An exit the kit did not ask for explains every later "no dial": the report shows it
        // with the tail of the gateway's output even without --verbose.
        if (!stage.#stopping) ctx.setPeerExit(why);
      });
      await body(stage);
    } finally {
      stage.#stopping = true;
      await stage.#gateway?.stop().catch(() => undefined);
      ctx.setPeerOutput(stage.#gateway?.output() ?? "");
      await connector.close().catch(() => undefined);
      stage.#endChecks();
      log.finish();
    }
  }

  #endChecks(): void {
    const want = this.kit.identities.map((i) => `${i.platform}:${i.botId}`);
    for (const conn of this.conns) {
      if (conn.hellosBeforeDescriptors === undefined) continue;
      this.ctx.check(
        "RC-HS-002",
        `${conn.label}: one hello per identity, in order (${want.join(", ")})`,
        JSON.stringify(conn.hellos) === JSON.stringify(want),
        `got ${conn.hellos.join(", ")}`,
      );
      if (conn.hellos.length > 1) {
        this.ctx.check(
          "RC-HS-003",
          `${conn.label}: all ${conn.hellos.length} hellos arrive before any descriptor`,
          conn.hellosBeforeDescriptors === conn.hellos.length,
          `only ${conn.hellosBeforeDescriptors} of ${conn.hellos.length} hellos came before the first descriptor`,
        );
      }
    }
    // Only where the kit asks for requests (the agent's turns): outbound a gateway sends on its
    // own would make the number of checks depend on its timing.
    const outbound = this.kit.profile === "full" ? this.conns.flatMap((c) => c.peer.frames.filter((f) => f.type === "outbound")) : [];
    if (outbound.length > 0) {
      const ids = outbound.map((f) => f.frame.requestId);
      const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
      this.ctx.check(
        "RC-OUT-001",
        `the ${ids.length} outbound requestIds of the scenario are distinct`,
        dupes.length === 0,
        `reused: ${[...new Set(dupes)].map(String).join(", ")}`,
      );
    }
    if (this.liveDeliveries > 0) {
      const acks = this.conns.flatMap((c) => c.peer.frames.filter((f) => f.type === "inbound_ack"));
      const stray = acks.filter((f) => typeof f.frame.bufferId !== "string" || !this.bufferedIds.has(f.frame.bufferId));
      this.ctx.check(
        "RC-ACK-002",
        `no inbound_ack for any of the ${this.liveDeliveries} live deliveries`,
        stray.length === 0,
        `${stray.length} inbound_ack(s) not matching a buffered delivery, e.g. bufferId ${JSON.stringify(stray[0]?.frame.bufferId)}`,
      );
    }
  }

  get step(): number {
    return this.kit.stepTimeoutMs;
  }

  /** The next dial: the first of the scenario gets the start-up budget, later ones a step. */
  async nextDial(): Promise<Dial | undefined> {
    const dial = await this.connector.nextDial(this.#dialed ? this.step : this.kit.startTimeoutMs);
    if (dial !== undefined) this.#dialed = true;
    return dial;
  }

  /** A "nothing came" message, with the reason when the gateway process has ended. */
  why(text: string): string {
    const gone = this.connector.goneReason;
    return gone === undefined ? text : `${text} (${gone})`;
  }

  /**
   * Waits for the next dial and checks its path and bearer. For an accepted socket, collects the
   * hellos, checks them and (unless told not to) answers each with a descriptor; outbound
   * requests are then answered automatically unless the scenario holds them.
   */
  async accept(label: string, opts: { answerHellos?: boolean; descriptorsInOneMessage?: boolean } = {}): Promise<Conn | undefined> {
    const { ctx } = this;
    const firstDial = !this.#dialed;
    const dial = await this.nextDial();
    if (dial === undefined) {
      const waited = firstDial ? this.kit.startTimeoutMs : this.step;
      ctx.check("RC-HS-002", `${label}: the gateway dials and says hello`, false, this.connector.goneReason ?? `no dial within ${waited} ms`);
      return undefined;
    }
    this.checkDial(dial, label);
    const peer = dial.peer;
    if (peer === undefined) return undefined;

    const conn: Conn = { dial, peer, hellos: [], hold: undefined, hellosBeforeDescriptors: undefined, label };
    this.conns.push(conn);
    peer.onFrame((frame) => this.#autoAnswer(conn, frame));

    const expected = this.kit.identities.length;
    const first = await peer.take((f) => f.type === "hello", this.step);
    if (first === undefined) {
      ctx.check("RC-HS-002", `${label}: the gateway says hello`, false, `no hello within ${this.step} ms of the upgrade`);
      return conn;
    }
    const hellos = [first];
    while (hellos.length < expected) {
      const next = await peer.take((f) => f.type === "hello", this.kit.helloGapMs);
      if (next === undefined) break;
      hellos.push(next);
    }
    conn.hellos = hellos.map(identityOf);
    conn.hellosBeforeDescriptors = hellos.length;
    conn.label = label;
    if (opts.answerHellos === false) return conn;
    this.#sendDescriptors(conn, hellos, opts.descriptorsInOneMessage === true);
    // A gateway that waits for each descriptor sends its next hello only now: answer it too.
    // The hello checks run at the end of the scenario, over every hello of the connection.
    peer.onFrame((frame) => {
      if (frame.type === "hello") {
        conn.hellos.push(identityOf(frame));
        this.#sendDescriptors(conn, [frame], false);
      }
    });
    return conn;
  }

  checkDial(dial: Dial, label: string): void {
    const { ctx, kit } = this;
    ctx.check("RC-HS-001", `${label}: dials the relay path`, dial.path === "/relay", `upgrade path was ${JSON.stringify(dial.path)}, expected "/relay"`);
    let why = "";
    if (dial.token === undefined) why = "no Authorization: Bearer header";
    else if (dial.verdict === undefined || !dial.verdict.ok) why = `token does not verify: ${dial.verdict?.ok === false ? dial.verdict.reason : "unknown"}`;
    else if (dial.verdict.gatewayId !== kit.gatewayId) why = `token is for gateway ${JSON.stringify(dial.verdict.gatewayId)}, expected ${JSON.stringify(kit.gatewayId)}`;
    ctx.check("RC-AUTH-001", `${label}: bearer token verifies for ${kit.gatewayId}`, why === "", why);
  }

  #sendDescriptors(conn: Conn, hellos: WireFrame[], oneMessage: boolean): void {
    const frames = hellos.map((h) => ({
      type: "descriptor",
      descriptor: descriptorFor(typeof h.frame.platform === "string" && h.frame.platform !== "" ? h.frame.platform : "relay"),
    }));
    if (oneMessage) conn.peer.sendRaw(frames.map((f) => JSON.stringify(f) + "\n").join(""));
    else for (const f of frames) conn.peer.send(f);
  }

  #autoAnswer(conn: Conn, frame: WireFrame): void {
    if (frame.type !== "outbound") return;
    if (conn.hold?.(frame)) return;
    const requestId = frame.frame.requestId;
    if (typeof requestId !== "string") return;
    conn.peer.send({ type: "outbound_result", requestId, result: this.resultFor(actionOf(frame)) });
  }

  /** A plausible successful result for an action. */
  resultFor(action: Record<string, unknown>): Record<string, unknown> {
    switch (action.op) {
      case "send":
      case "send_media":
      case "prompt":
      case "follow_up":
        return { success: true, message_id: `kit-${++this.#messageIds}` };
      case "edit":
        return { success: true, message_id: typeof action.message_id === "string" ? action.message_id : `kit-${++this.#messageIds}` };
      case "get_chat_info":
        return { success: true, chat_info: { name: "general", type: "group" } };
      case "thread_create":
        return { success: true, thread_id: `thr-${++this.#messageIds}` };
      default:
        return { success: true };
    }
  }

  deliverLive(conn: Conn, event: MessageEvent): void {
    this.liveDeliveries++;
    conn.peer.send({ type: "inbound", event });
  }

  deliverBuffered(conn: Conn, event: MessageEvent, bufferId: string): void {
    this.bufferedIds.add(bufferId);
    conn.peer.send({ type: "inbound", event, bufferId });
  }

  /** A fresh buffered inbound frame (registered as buffered; the caller writes it). */
  probeFrame(what: string): { bufferId: string; frame: Record<string, unknown> } {
    const n = ++this.#probes;
    const bufferId = `kit-probe-${n}`;
    this.bufferedIds.add(bufferId);
    return { bufferId, frame: { type: "inbound", event: textEvent(`relay conformance probe ${n}: ${what}`), bufferId } };
  }

  /** Waits for the `inbound_ack` of `bufferId` on this connection. */
  async ackOf(conn: Conn, bufferId: string, timeoutMs = this.step): Promise<WireFrame | undefined> {
    return conn.peer.take((f) => f.type === "inbound_ack" && f.frame.bufferId === bufferId, timeoutMs);
  }

  /**
   * Delivers a buffered inbound and waits for its `inbound_ack`. The observable needs no
   * cooperation: a gateway acks a buffered delivery once its handler has taken it (reference:
   * hermes-agent gateway/relay/ws_transport.py, `WebSocketRelayTransport._on_inbound`, commit
   * 00067189dfecf833d4d009c2dd977ae85cf800e0), so the ack proves the frame was parsed and
   * handled on this connection.
   */
  async probe(conn: Conn, what: string): Promise<boolean> {
    const { bufferId, frame } = this.probeFrame(what);
    conn.peer.send(frame);
    return (await this.ackOf(conn, bufferId)) !== undefined;
  }

  passthrough(conn: Conn, forward: PassthroughForward, bufferId?: string): void {
    if (bufferId === undefined) this.liveDeliveries++;
    else this.bufferedIds.add(bufferId);
    conn.peer.send(bufferId === undefined ? { type: "passthrough_forward", forward } : { type: "passthrough_forward", forward, bufferId });
  }

  /** Waits for the gateway's `send` with exactly this content (and chat, when given). */
  async expectSend(conn: Conn, content: string, opts: { chatId?: string; timeoutMs?: number } = {}): Promise<WireFrame | undefined> {
    return conn.peer.take((f) => {
      if (f.type !== "outbound") return false;
      const a = actionOf(f);
      return a.op === "send" && a.content === content && (opts.chatId === undefined || a.chat_id === opts.chatId);
    }, opts.timeoutMs ?? this.step);
  }
}

export function actionOf(frame: WireFrame): Record<string, unknown> {
  const action = frame.frame.action;
  return action !== null && typeof action === "object" && !Array.isArray(action) ? (action as Record<string, unknown>) : {};
}

function identityOf(hello: WireFrame): string {
  return `${String(hello.frame.platform)}:${String(hello.frame.botId)}`;
}
