/**
 * One scenario of `conformance connector`: the kit dials the connector under test as a gateway
 * would (or deliberately would not), speaking frame by frame through `WirePeer`s.
 */
import WebSocket from "ws";
import type { OutboundAction } from "../../../generated/types.js";
import { makeUpgradeToken } from "../../auth/index.js";
import { newRequestId, type KitIdentity } from "../fixtures.js";
import type { ScenarioContext } from "../runner.js";
import { WireLog, WirePeer, type WireFrame } from "../wire.js";

export interface ConnectorKitSettings {
  /** The dial URL (normalised, ends in `/relay`). */
  url: string;
  gatewayId: string;
  secret: string;
  identities: KitIdentity[];
  stepTimeoutMs: number;
  quietMs: number;
  /** Distinguishes this run's loopback traffic from earlier runs against the same connector. */
  runTag: string;
  /** What the run learnt about the connector, shared by its scenarios. */
  learnt: { loopback?: boolean };
}

/** Why requirements that need the loopback platform are untested when the connector lacks it. */
export const NO_LOOPBACK = "the connector does not front the loopback platform";

export interface DialOutcome {
  peer: WirePeer;
  /** The socket opened (the upgrade was accepted). */
  opened: boolean;
  /** HTTP status of a refused upgrade. */
  status: number | undefined;
  error: string | undefined;
}

/** A connection the kit opened with a valid token: the connector must keep it open. */
interface OpenedPeer {
  peer: WirePeer;
  label: string;
}

export class ConnectorStage {
  readonly ctx: ScenarioContext;
  readonly kit: ConnectorKitSettings;
  readonly log: WireLog;
  readonly peers: WirePeer[] = [];
  readonly #opened: OpenedPeer[] = [];
  /** The requirement a close of a valid connection breaks in this scenario (4401: RC-AUTH-012). */
  readonly #closeBreaks: string;
  /** requestIds the kit sent, to tell foreign results apart. */
  readonly sentRequestIds = new Set<string>();

  private constructor(ctx: ScenarioContext, kit: ConnectorKitSettings, closeBreaks: string) {
    this.ctx = ctx;
    this.kit = kit;
    this.log = new WireLog(ctx, "C→G");
    this.#closeBreaks = closeBreaks;
  }

  static async run(ctx: ScenarioContext, kit: ConnectorKitSettings, closeBreaks: string, body: (stage: ConnectorStage) => Promise<void>): Promise<void> {
    const stage = new ConnectorStage(ctx, kit, closeBreaks);
    try {
      await body(stage);
    } finally {
      stage.#closeChecks();
      await Promise.all(stage.peers.map((p) => p.shutdown(1000, "", 300)));
      stage.#endChecks();
      stage.log.finish();
    }
  }

  /**
   * Every connection opened with a valid token must stay open until the kit closes it: a close
   * the connector starts breaks the scenario's requirement — with 4401, RC-AUTH-012 (a valid,
   * unrevoked token was refused after all). Only a close is recorded: a connection that merely
   * stayed open proves nothing about the requirement.
   */
  #closeChecks(): void {
    for (const { peer, label } of this.#opened) {
      const c = peer.closeInfo;
      if (c === undefined || peer.closedByKit) continue;
      this.ctx.check(
        c.code === 4401 ? "RC-AUTH-012" : this.#closeBreaks,
        `${label}: the connector keeps a valid connection open until the kit closes it`,
        false,
        `the connector closed it with ${c.code} ${JSON.stringify(c.reason)} after ${c.at - peer.openedAt} ms`,
      );
    }
  }

  get step(): number {
    return this.kit.stepTimeoutMs;
  }

  #endChecks(): void {
    const results = this.peers.flatMap((p) => p.frames.filter((f) => f.type === "outbound_result"));
    if (results.length === 0) return;
    const ids = results.map((f) => String(f.frame.requestId));
    const foreign = ids.filter((id) => !this.sentRequestIds.has(id));
    const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
    this.ctx.check(
      "RC-COR-003",
      `each of the ${results.length} outbound_results names a request of this connection, once`,
      foreign.length === 0 && dupes.length === 0,
      [foreign.length > 0 ? `${foreign.length} result(s) for requestIds never sent (e.g. ${foreign[0]})` : "", dupes.length > 0 ? `answered twice: ${[...new Set(dupes)].join(", ")}` : ""]
        .filter(Boolean)
        .join("; "),
    );
  }

  /** A fresh valid bearer. */
  token(): string {
    return makeUpgradeToken({ gatewayId: this.kit.gatewayId, secret: this.kit.secret });
  }

  /** Dials with the given Authorization header (none when `undefined`); resolves once open, refused or failed. */
  async dial(authorization: string | undefined): Promise<DialOutcome> {
    const ws = new WebSocket(this.kit.url, {
      handshakeTimeout: this.step,
      ...(authorization !== undefined && { headers: { authorization } }),
    });
    const peer = new WirePeer(ws, this.log, this.ctx.signal);
    this.peers.push(peer);
    return new Promise<DialOutcome>((resolve) => {
      let settled = false;
      const done = (outcome: Omit<DialOutcome, "peer">): void => {
        if (settled) return;
        settled = true;
        resolve({ peer, ...outcome });
      };
      ws.once("open", () => done({ opened: true, status: undefined, error: undefined }));
      ws.once("unexpected-response", (_req, res) => {
        res.resume();
        done({ opened: false, status: res.statusCode, error: undefined });
        ws.terminate();
      });
      ws.once("error", (err) => done({ opened: false, status: undefined, error: err.message }));
      ws.once("close", (code) => done({ opened: false, status: undefined, error: `closed ${code} before opening` }));
    });
  }

  /** Dials with a valid token; checks the upgrade was accepted. */
  async open(label: string): Promise<WirePeer | undefined> {
    const outcome = await this.dial(`Bearer ${this.token()}`);
    if (!outcome.opened) {
      this.ctx.check(
        "RC-AUTH-012",
        `${label}: a valid token is accepted`,
        false,
        outcome.status !== undefined ? `upgrade refused with HTTP ${outcome.status}` : (outcome.error ?? "not opened"),
      );
      return undefined;
    }
    this.#opened.push({ peer: outcome.peer, label });
    // The kit acks every buffered delivery once it has read it, whatever caused it (a backlog
    // left by an earlier run included), so no scenario stalls a drain.
    outcome.peer.onFrame((f) => {
      if ((f.type === "inbound" || f.type === "passthrough_forward") && typeof f.frame.bufferId === "string" && f.frame.bufferId !== "") {
        outcome.peer.send({ type: "inbound_ack", bufferId: f.frame.bufferId });
      }
    });
    return outcome.peer;
  }

  /**
   * Whether the connector fronts the loopback platform: a live `send` to chat `loopback` must come
   * back as `inbound`. Asked once per run; a connector without it costs one step, and every
   * requirement that needs it is then reported untested (`NO_LOOPBACK`), not failed.
   */
  async frontsLoopback(peer: WirePeer): Promise<boolean> {
    if (this.kit.learnt.loopback === false) return false;
    const text = `${this.kit.runTag} loopback check ${newRequestId().slice(0, 8)}`;
    await this.request(peer, { op: "send", chat_id: "loopback", content: text, reply_to: null }, this.primary);
    const back = await peer.take((f) => f.type === "inbound" && eventOf(f).text === text, this.step);
    this.kit.learnt.loopback = back !== undefined;
    return back !== undefined;
  }

  /** Records `requirements` as untested because the connector lacks the loopback platform. */
  skipNoLoopback(requirements: readonly string[], what: string): void {
    for (const req of requirements) this.ctx.skip(req, what, NO_LOOPBACK);
  }

  /** Sends one hello per identity (one message each) and checks one descriptor per hello comes back, in order. */
  async handshake(peer: WirePeer, label: string): Promise<boolean> {
    const { identities } = this.kit;
    for (const id of identities) peer.send({ type: "hello", platform: id.platform, botId: id.botId });
    return this.expectDescriptors(peer, identities.map((i) => i.platform), label);
  }

  async expectDescriptors(peer: WirePeer, platforms: string[], label: string): Promise<boolean> {
    const descriptors = await peer.takeMany((f) => f.type === "descriptor", platforms.length, this.step);
    const got = descriptors.map((f) => platformOf(f));
    return this.ctx.check(
      "RC-HS-004",
      `${label}: one descriptor per hello, in order (${platforms.join(", ")})`,
      JSON.stringify(got) === JSON.stringify(platforms),
      descriptors.length < platforms.length
        ? `${descriptors.length} of ${platforms.length} descriptors within ${this.step} ms${peer.closeInfo ? ` (closed ${peer.closeInfo.code} ${peer.closeInfo.reason})` : ""}`
        : `descriptor platforms ${JSON.stringify(got)}`,
    );
  }

  /** Sends one outbound and waits for the result with its requestId. */
  async request(
    peer: WirePeer,
    action: OutboundAction,
    opts: { platform?: string; botId?: string; timeoutMs?: number } = {},
  ): Promise<{ requestId: string; result: WireFrame | undefined }> {
    const requestId = newRequestId();
    this.sentRequestIds.add(requestId);
    const frame: Record<string, unknown> = { type: "outbound", requestId, action };
    if (opts.platform !== undefined) frame.platform = opts.platform;
    if (opts.botId !== undefined) frame.botId = opts.botId;
    peer.send(frame);
    const result = await peer.take((f) => f.type === "outbound_result" && f.frame.requestId === requestId, opts.timeoutMs ?? this.step);
    return { requestId, result };
  }

  /** The primary identity as `{ platform, botId }` options for outbound frames. */
  get primary(): { platform: string; botId: string } {
    const id = this.kit.identities[0];
    if (id === undefined) throw new Error("conformance connector: no identities configured");
    return { platform: id.platform, botId: id.botId };
  }
}

export function platformOf(descriptorFrame: WireFrame): unknown {
  const d = descriptorFrame.frame.descriptor;
  return d !== null && typeof d === "object" ? (d as Record<string, unknown>).platform : undefined;
}

export function eventOf(frame: WireFrame): Record<string, unknown> {
  const e = frame.frame.event;
  return e !== null && typeof e === "object" && !Array.isArray(e) ? (e as Record<string, unknown>) : {};
}
