/**
 * A gateway written directly on `ws` (not on the package's client), implementing the
 * conformance agent of docs/conformance.md — so the kit is never only checked against its own
 * twin. Without a fault it passes `conformance gateway`; each fault is one deliberate bug.
 */
import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import { makeUpgradeToken } from "../../../src/auth/index.js";
import type { GatewayEnv, GatewayUnderTest } from "../../../src/conformance/index.js";

export type GatewayFault =
  /** Frames are sent without their trailing "\n". */
  | "no-newline"
  /** Live inbound is acked too (with its message id as bufferId). */
  | "ack-live"
  /** Treats every 4401 like any close: keeps dialing after the terminal one. */
  | "redial-after-terminal-4401"
  /** Mints the upgrade token once and reuses it on every dial. */
  | "reuse-token"
  /** Says hello for the primary identity only. */
  | "hello-primary-only"
  /** Never acks buffered inbound (still acks buffered passthrough). */
  | "no-buffered-ack"
  /**
   * Judges the fresh-token re-dial's 4401 terminal only once that connection got a descriptor;
   * a 4401 before it re-arms the backoff (the terminal state then races the re-dial).
   */
  | "terminal-only-after-descriptor"
  /** Stops reading a connection on a JSON line that is not an object, and dials anew (as the reference does). */
  | "reader-ends-on-non-object"
  /**
   * Sends a slash-command manifest with a plugin entry that breaks the producer rules (an
   * upper-case name, a 130-character description), as the reference gateway passes plugin
   * commands through for the connector to drop — an advisory, not a refusal.
   */
  | "plugin-command-manifest";

type Rec = Record<string, unknown>;

interface Conn {
  ws: WebSocket;
  handshaked: boolean;
  authRetry: boolean;
  dormant: boolean;
  buffer: string;
  idleWaiter: (() => void) | undefined;
  readerEnded: boolean;
}

class RawAgent {
  readonly #env: GatewayEnv;
  readonly #fault: GatewayFault | undefined;
  readonly #log: string[];
  readonly #pending = new Map<string, (result: Rec) => void>();
  #conn: Conn | undefined;
  #attempt = 0;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #token: string | undefined;
  #queue: Promise<void> = Promise.resolve();

  constructor(env: GatewayEnv, fault: GatewayFault | undefined, log: string[]) {
    this.#env = env;
    this.#fault = fault;
    this.#log = log;
  }

  start(): void {
    this.#dial(false);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#conn?.ws.terminate();
  }

  #url(): string {
    let url = this.#env.RELAY_URL.trim().replace(/^https:\/\//, "wss://").replace(/^http:\/\//, "ws://").replace(/\/+$/, "");
    if (!url.endsWith("/relay")) url += "/relay";
    return url;
  }

  #dial(authRetry: boolean): void {
    if (this.#stopped) return;
    const token =
      this.#fault === "reuse-token" && this.#token !== undefined
        ? this.#token
        : makeUpgradeToken({ gatewayId: this.#env.RELAY_GATEWAY_ID, secret: this.#env.RELAY_SECRET });
    this.#token = token;
    const ws = new WebSocket(this.#url(), { headers: { authorization: `Bearer ${token}` } });
    const conn: Conn = { ws, handshaked: false, authRetry, dormant: false, buffer: "", idleWaiter: undefined, readerEnded: false };
    this.#conn = conn;
    let refused: number | undefined;
    ws.on("unexpected-response", (_req, res) => {
      refused = res.statusCode;
      res.resume();
      ws.terminate();
    });
    ws.on("error", () => undefined);
    ws.on("open", () => {
      const identities = JSON.parse(this.#env.RELAY_IDENTITIES) as Array<{ platform: string; botId: string }>;
      const hellos = this.#fault === "hello-primary-only" ? identities.slice(0, 1) : identities;
      for (const id of hellos) {
        const manifest = this.#fault === "plugin-command-manifest"
          ? { command_manifest: [{ name: "status", description: "Show the session status" }, { name: "MyPlugin", description: "x".repeat(130) }] }
          : {};
        this.#write({ type: "hello", platform: id.platform, botId: id.botId, ...manifest });
      }
    });
    ws.on("message", (data) => this.#onMessage(conn, data.toString()));
    ws.on("close", (code, reasonBuf) => {
      const reason = reasonBuf.toString();
      this.#log.push(`closed ${refused !== undefined ? `HTTP ${refused}` : code} ${reason}`);
      for (const [, settle] of this.#pending) settle({ success: false, error: "relay transport connection lost" });
      this.#pending.clear();
      this.#onClosed(conn, refused === 401 ? 4401 : code, reason);
    });
  }

  #onClosed(conn: Conn, code: number, reason: string): void {
    if (this.#stopped || this.#conn !== conn) return;
    this.#conn = undefined;
    if (conn.dormant) return this.#schedule(Number(this.#env.RELAY_BACKOFF_BASE_MS), false);
    if (code === 4401 && reason !== "expired" && this.#fault !== "redial-after-terminal-4401") {
      if (conn.authRetry && !(this.#fault === "terminal-only-after-descriptor" && !conn.handshaked)) {
        this.#log.push("revoked: no more dials");
        return;
      }
      if (conn.handshaked) return this.#schedule(0, true);
    }
    this.#attempt++;
    const d = Math.min(Number(this.#env.RELAY_BACKOFF_BASE_MS) * 2 ** (this.#attempt - 1), Number(this.#env.RELAY_BACKOFF_MAX_MS));
    this.#schedule(d / 2 + (Math.random() * d) / 2, false);
  }

  #schedule(ms: number, authRetry: boolean): void {
    this.#timer = setTimeout(() => this.#dial(authRetry), ms);
  }

  #write(frame: Rec): void {
    const ws = this.#conn?.ws;
    if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame) + (this.#fault === "no-newline" ? "" : "\n"));
  }

  #onMessage(conn: Conn, text: string): void {
    if (conn.readerEnded) return;
    conn.buffer += text;
    const lines = conn.buffer.split("\n");
    conn.buffer = lines.pop() ?? "";
    for (const line of lines) {
      if (line.trim() === "") continue;
      let frame: unknown;
      try {
        frame = JSON.parse(line);
      } catch {
        continue;
      }
      if (frame === null || typeof frame !== "object" || Array.isArray(frame)) {
        if (this.#fault !== "reader-ends-on-non-object") continue;
        // The socket stays open and unread; a new connection takes over.
        conn.readerEnded = true;
        this.#onClosed(conn, 1006, "reader ended");
        return;
      }
      this.#onFrame(conn, frame as Rec);
    }
  }

  #onFrame(conn: Conn, frame: Rec): void {
    switch (frame.type) {
      case "descriptor":
        if (!conn.handshaked) this.#attempt = 0;
        conn.handshaked = true;
        return;
      case "outbound_result": {
        const settle = this.#pending.get(String(frame.requestId));
        if (settle === undefined) return;
        this.#pending.delete(String(frame.requestId));
        settle((frame.result ?? {}) as Rec);
        return;
      }
      case "going_idle_ack":
        conn.idleWaiter?.();
        return;
      case "inbound":
      case "interrupt_inbound":
      case "passthrough_forward":
        // Handled in arrival order; each handler only schedules its turn.
        this.#queue = this.#queue.then(() => this.#deliver(frame)).catch(() => undefined);
        return;
      default:
        return;
    }
  }

  async #deliver(frame: Rec): Promise<void> {
    const bufferId = typeof frame.bufferId === "string" && frame.bufferId !== "" ? frame.bufferId : undefined;
    if (frame.type === "inbound") {
      const event = (frame.event ?? {}) as Rec;
      void this.#turn(event);
      if (bufferId !== undefined && this.#fault !== "no-buffered-ack") this.#write({ type: "inbound_ack", bufferId });
      if (bufferId === undefined && this.#fault === "ack-live") this.#write({ type: "inbound_ack", bufferId: String(event.message_id ?? "live") });
    } else if (frame.type === "interrupt_inbound") {
      void this.#request({ op: "send", chat_id: String(frame.chat_id || "interrupts"), content: `interrupted: ${String(frame.session_key)}`, reply_to: null });
    } else {
      const forward = (frame.forward ?? {}) as Rec;
      const body = Buffer.from(String(forward.bodyB64 ?? ""), "base64").toString("utf8");
      void this.#request({ op: "send", chat_id: "passthrough", content: `passthrough: ${body}`, reply_to: null });
      if (bufferId !== undefined) this.#write({ type: "inbound_ack", bufferId });
    }
  }

  async #turn(event: Rec): Promise<void> {
    const text = typeof event.text === "string" ? event.text : "";
    const source = (event.source ?? {}) as Rec;
    const chatId = typeof source.chat_id === "string" && source.chat_id !== "" ? source.chat_id : "chat";
    if (text.startsWith("/stop")) {
      const key = text.slice(5).trim() || chatId;
      this.#write({ type: "interrupt", session_key: key, reason: "stop" });
      return;
    }
    if (text === "/idle") {
      const conn = this.#conn;
      if (conn === undefined) return;
      const acked = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), Number(this.#env.RELAY_REQUEST_TIMEOUT_MS));
        conn.idleWaiter = () => {
          clearTimeout(timer);
          resolve(true);
        };
        this.#write({ type: "going_idle" });
      });
      if (acked && this.#conn === conn) {
        conn.dormant = true;
        conn.ws.close(1000);
      }
      return;
    }
    const replyTo = typeof event.message_id === "string" ? event.message_id : null;
    const result = await this.#request({ op: "send", chat_id: chatId, content: `echo: ${text}`, reply_to: replyTo });
    if (result.success === true && typeof result.message_id === "string") {
      await this.#request({ op: "edit", chat_id: chatId, message_id: result.message_id, content: `edited: ${text}` });
    }
  }

  #request(action: Rec): Promise<Rec> {
    const requestId = randomUUID().replaceAll("-", "");
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(requestId);
        resolve({ success: false, error: "relay outbound timed out", ambiguous: true });
      }, Number(this.#env.RELAY_REQUEST_TIMEOUT_MS));
      this.#pending.set(requestId, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
      this.#write({ type: "outbound", requestId, action });
    });
  }
}

/** The raw gateway as an in-process gateway under test. */
export function rawGateway(fault?: GatewayFault): GatewayUnderTest {
  return {
    describe: `raw ws gateway${fault === undefined ? "" : ` (fault: ${fault})`}`,
    async start(env) {
      const log: string[] = [];
      const agent = new RawAgent(env, fault, log);
      agent.start();
      return {
        output: () => log.join("\n"),
        async stop() {
          agent.stop();
        },
      };
    },
  };
}
