/**
 * The kit's view of the wire: every message the peer under test sends is read here, every frame
 * is validated (a gateway's against what a receiver accepts and, as a SHOULD, the producer rules;
 * a connector's against the strict schema), and framing faults are recorded — while the kit itself
 * keeps going as a lenient receiver, so one fault does not mask the behaviour the other
 * requirements look at. Validity is one check per scenario and requirement (naming each invalid
 * frame), so the number of checks does not depend on how many frames a peer's timing produced.
 *
 * Leniency: a message whose unterminated tail is a complete JSON object is taken as a frame
 * (and RC-FRM-001 fails); any other tail is kept as the start of a frame split across messages.
 */
import { setTimeout as delay } from "node:timers/promises";
import WebSocket from "ws";
import { validateFrame } from "../validation.js";
import type { ScenarioContext } from "./runner.js";
import type { Check } from "./types.js";

export type WireDirection = "G→C" | "C→G";

/** A frame received from the peer under test. */
export interface WireFrame {
  type: string;
  frame: Record<string, unknown>;
  /** Receive time (epoch ms). */
  at: number;
  /** Index among all frames this peer sent in the scenario (1-based, as in check names). */
  seq: number;
}

/** The SHOULD on a gateway's frames meeting the producer rules (strict schema). */
export const PRODUCER_RULES_REQUIREMENT = "RC-WIRE-003";

/** Which requirement the validity of a frame of this type belongs to (a gateway's: receiver acceptance). */
export function wireRequirementOf(direction: WireDirection, type: string): string {
  if (direction === "G→C") return "RC-WIRE-001";
  if (type === "descriptor") return "RC-DESC-001";
  if (type === "inbound") return "RC-INB-001";
  return "RC-WIRE-002";
}

function clip(text: string, max = 120): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * All traffic from the peer under test during one scenario, across its connections. `finish()`
 * records the per-scenario framing checks.
 */
/** The frames a peer sent in a scenario that one validity requirement covers. */
interface Tally {
  frameTypes: Record<string, number>;
  invalid: string[];
}

/** The check name of a wire requirement. */
function wireCheckName(direction: WireDirection, requirement: string): string {
  if (requirement === PRODUCER_RULES_REQUIREMENT) return "wire G→C: every frame the gateway sent meets the producer rules";
  if (direction === "G→C") return "wire G→C: a receiver accepts every frame the gateway sent";
  if (requirement === "RC-DESC-001") return "wire C→G: every descriptor is strictly valid";
  if (requirement === "RC-INB-001") return "wire C→G: every inbound is strictly valid";
  return "wire C→G: every other frame the connector sent is strictly valid";
}

export class WireLog {
  readonly direction: WireDirection;
  readonly #ctx: ScenarioContext;
  readonly #tallies = new Map<string, Tally>();
  #seq = 0;
  #messages = 0;
  #unterminated: string[] = [];
  #multiFrame = 0;

  constructor(ctx: ScenarioContext, direction: WireDirection) {
    this.#ctx = ctx;
    this.direction = direction;
  }

  get frameCount(): number {
    return this.#seq;
  }

  /** A per-connection reader feeding this log. */
  reader(): LenientReader {
    return new LenientReader(this);
  }

  /** @internal one message's frames and framing facts. */
  noteMessage(frames: number, unterminatedExcerpt: string | undefined): void {
    this.#messages++;
    if (frames > 1) this.#multiFrame++;
    if (unterminatedExcerpt !== undefined) this.#unterminated.push(unterminatedExcerpt);
  }

  #tally(typeName: string, requirement: string, problem: string | undefined): void {
    const tally = this.#tallies.get(requirement) ?? { frameTypes: {}, invalid: [] };
    tally.frameTypes[typeName] = (tally.frameTypes[typeName] ?? 0) + 1;
    if (problem !== undefined) tally.invalid.push(problem);
    this.#tallies.set(requirement, tally);
  }

  /** @internal validate one line as a frame; returns it when it is an object with a string type. */
  line(line: string): WireFrame | undefined {
    const seq = ++this.#seq;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      const problem = `#${seq}: invalid JSON: ${clip(line)}`;
      this.#tally("(not JSON)", this.direction === "G→C" ? "RC-WIRE-001" : "RC-WIRE-002", problem);
      if (this.direction === "G→C") this.#tally("(not JSON)", PRODUCER_RULES_REQUIREMENT, problem);
      return undefined;
    }
    const type = value !== null && typeof value === "object" && !Array.isArray(value) ? (value as { type?: unknown }).type : undefined;
    const typeName = typeof type === "string" ? type : "(no type)";
    const direction = this.direction === "G→C" ? "gateway-to-connector" : "connector-to-gateway";
    const result = validateFrame(value, { mode: "strict", direction, report: true });
    const receiver = result.ok ? undefined : validateFrame(value, { mode: "tolerant", direction });
    const verdict = receiver === undefined ? "" : receiver.ok ? " (advisory: a receiver accepts it; only producer rules are broken)" : " (a receiver refuses it)";
    const problem = result.ok ? undefined : `#${seq}: ${result.issues.slice(0, 3).map((i) => `${i.path || "/"}: ${i.message}`).join("; ")}${verdict} — ${clip(line)}`;
    if (this.direction === "G→C") {
      // A gateway is judged as the reference is: a MUST on what a receiver accepts, a SHOULD on
      // the producer rules; both checks are recorded for every frame, so their count is stable.
      this.#tally(typeName, "RC-WIRE-001", receiver === undefined || receiver.ok ? undefined : problem);
      this.#tally(typeName, PRODUCER_RULES_REQUIREMENT, problem);
    } else {
      this.#tally(typeName, wireRequirementOf(this.direction, typeName), problem);
    }
    if (typeof type !== "string") return undefined;
    return { type, frame: value as Record<string, unknown>, at: Date.now(), seq };
  }

  /**
   * Records the validity checks — one per requirement the frames fall under (gateway frames: one;
   * connector frames: descriptors, inbound, the rest), a failure naming each invalid frame by its
   * 1-based index — then RC-FRM-001 / RC-FRM-002 for what was observed. No-op when nothing was sent.
   */
  finish(): void {
    for (const [requirement, t] of this.#tallies) {
      const frames = Object.values(t.frameTypes).reduce((a, b) => a + b, 0);
      const bad = t.invalid.length;
      const check: Check = {
        requirement,
        name: wireCheckName(this.direction, requirement),
        status: bad === 0 ? "pass" : "fail",
        wire: { direction: this.direction, frames, frameTypes: { ...t.frameTypes } },
      };
      if (bad > 0) check.message = `${bad} of ${frames} invalid: ${t.invalid.slice(0, 3).join(" | ")}${bad > 3 ? ` | … ${bad - 3} more` : ""}`;
      this.#ctx.record(check);
    }
    if (this.#messages === 0) return;
    const from = this.direction === "G→C" ? "gateway" : "connector";
    this.#ctx.check(
      "RC-FRM-001",
      `all ${this.#messages} messages from the ${from} end with "\\n"`,
      this.#unterminated.length === 0,
      `${this.#unterminated.length} message(s) without the trailing newline, e.g. ${this.#unterminated[0] ?? ""}`,
    );
    this.#ctx.check(
      "RC-FRM-002",
      `the ${from} sends one frame per message`,
      this.#multiFrame === 0,
      `${this.#multiFrame} message(s) carried several frames`,
    );
  }
}

/** One connection's line reader (the split-frame state is per socket). */
export class LenientReader {
  readonly #log: WireLog;
  #pending = "";

  constructor(log: WireLog) {
    this.#log = log;
  }

  push(data: WebSocket.RawData | string): WireFrame[] {
    const text = typeof data === "string" ? data : rawToString(data);
    const all = this.#pending + text;
    const parts = all.split("\n");
    let tail = parts.pop() ?? "";
    const lines = parts.filter((l) => l.trim() !== "");
    let unterminated: string | undefined;
    if (tail.trim() !== "") {
      if (isJsonObject(tail)) {
        unterminated = clip(tail, 80);
        lines.push(tail);
        tail = "";
      }
    } else {
      tail = "";
    }
    this.#pending = tail;
    this.#log.noteMessage(lines.length, unterminated);
    const frames: WireFrame[] = [];
    for (const line of lines) {
      const frame = this.#log.line(line);
      if (frame !== undefined) frames.push(frame);
    }
    return frames;
  }
}

function isJsonObject(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === "object" && !Array.isArray(v);
  } catch {
    return false;
  }
}

export function rawToString(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString("utf8");
  return data.toString("utf8");
}

export interface CloseInfo {
  code: number;
  reason: string;
  at: number;
}

/**
 * One socket to the peer under test, from either side: frames in arrival order, waiting with
 * deadlines that honour the scenario's abort signal, raw and framed sends.
 */
export class WirePeer {
  readonly ws: WebSocket;
  readonly frames: WireFrame[] = [];
  readonly closed: Promise<CloseInfo>;
  readonly openedAt = Date.now();
  closeInfo: CloseInfo | undefined;
  /** The kit asked for the close (a close the peer started is an observation). */
  closedByKit = false;
  readonly #taken = new Set<WireFrame>();
  readonly #listeners = new Set<(frame: WireFrame) => void>();
  readonly #signal: AbortSignal;
  #wake: Array<() => void> = [];
  #midLine = false;
  #queued: string[] = [];

  constructor(ws: WebSocket, log: WireLog, signal: AbortSignal) {
    this.ws = ws;
    this.#signal = signal;
    const reader = log.reader();
    ws.on("message", (data) => {
      let frames: WireFrame[];
      try {
        frames = reader.push(data);
      } catch {
        return;
      }
      for (const frame of frames) {
        this.frames.push(frame);
        for (const listener of [...this.#listeners]) {
          try {
            listener(frame);
          } catch {
            // A kit hook must not break the reader.
          }
        }
      }
      this.#notify();
    });
    ws.on("error", () => undefined);
    this.closed = new Promise((resolve) => {
      ws.once("close", (code, reason) => {
        this.closeInfo = { code, reason: reason.toString("utf8"), at: Date.now() };
        this.#notify();
        resolve(this.closeInfo);
      });
    });
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Called for every frame as it arrives (auto-answers). Returns an unsubscribe function. */
  onFrame(listener: (frame: WireFrame) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = [];
    for (const w of wake) w();
  }

  /** The first frame not taken yet that matches; waits up to `timeoutMs`. Marks it taken. */
  async take(match: (frame: WireFrame) => boolean, timeoutMs: number): Promise<WireFrame | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find((f) => !this.#taken.has(f) && match(f));
      if (found !== undefined) {
        this.#taken.add(found);
        return found;
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.#signal.aborted || this.closeInfo !== undefined) return undefined;
      await this.#sleepUntilChange(left);
    }
  }

  /** Takes frames matching `match` until `count` were taken or the time is up. */
  async takeMany(match: (frame: WireFrame) => boolean, count: number, timeoutMs: number): Promise<WireFrame[]> {
    const deadline = Date.now() + timeoutMs;
    const out: WireFrame[] = [];
    while (out.length < count) {
      const frame = await this.take(match, Math.max(0, deadline - Date.now()));
      if (frame === undefined) break;
      out.push(frame);
    }
    return out;
  }

  /** Frames matching `match` that arrive (or arrived) within `ms` from now; does not take them. */
  async within(match: (frame: WireFrame) => boolean, ms: number): Promise<WireFrame[]> {
    await this.waitClosedOr(ms);
    return this.frames.filter(match);
  }

  /** Resolves after `ms`, or earlier when the socket closes; true when it closed. */
  async waitClosedOr(ms: number): Promise<boolean> {
    if (this.closeInfo !== undefined) return true;
    await Promise.race([this.closed, sleep(ms, this.#signal)]);
    return this.closeInfo !== undefined;
  }

  #sleepUntilChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.#signal.removeEventListener("abort", finish);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.#signal.addEventListener("abort", finish, { once: true });
      this.#wake.push(finish);
    });
  }

  /**
   * Sends text as one message, exactly as given. While a line is left open (a frame split across
   * messages), framed sends wait, so the kit never corrupts its own split frame.
   */
  sendRaw(text: string): void {
    this.#write(text);
    if (text !== "") this.#midLine = !text.endsWith("\n");
    if (!this.#midLine) {
      const queued = this.#queued;
      this.#queued = [];
      for (const q of queued) this.#write(q);
    }
  }

  /** Sends one frame as one "\n"-terminated message. */
  send(frame: object): void {
    const line = JSON.stringify(frame) + "\n";
    if (this.#midLine) this.#queued.push(line);
    else this.#write(line);
  }

  #write(text: string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(text);
  }

  /** Sends a WebSocket ping; resolves true when a pong with the same payload comes back in time. */
  async ping(payload: string, timeoutMs: number): Promise<boolean> {
    if (this.ws.readyState !== WebSocket.OPEN) return false;
    const want = Buffer.from(payload, "utf8");
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        this.ws.off("pong", onPong);
        this.ws.off("close", onClose);
        this.#signal.removeEventListener("abort", onClose);
        resolve(ok);
      };
      const onPong = (data: Buffer): void => {
        if (data.equals(want)) done(true);
      };
      const onClose = (): void => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.ws.on("pong", onPong);
      this.ws.once("close", onClose);
      this.#signal.addEventListener("abort", onClose, { once: true });
      this.ws.ping(want);
    });
  }

  close(code = 1000, reason = ""): void {
    this.closedByKit = true;
    try {
      if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(code, reason);
    } catch {
      this.ws.terminate();
    }
  }

  /** Closes and waits (bounded) for the close handshake; terminates if the peer does not answer. */
  async shutdown(code = 1000, reason = "", graceMs = 500): Promise<void> {
    if (this.closeInfo !== undefined) return;
    this.close(code, reason);
    const closed = await Promise.race([this.closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), graceMs).unref())]);
    if (!closed) this.ws.terminate();
  }
}

/** Waits `ms`, ending early (and quietly) when `signal` aborts: a scenario's waits end with it. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => undefined);
}
