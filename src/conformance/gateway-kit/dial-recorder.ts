/**
 * The connector the kit plays for one scenario of `conformance gateway`: a loopback HTTP server
 * that records every upgrade (path, bearer, verdict) and accepts it — or refuses it with HTTP
 * 401 when the scenario asks — and wraps each socket in a `WirePeer` whose received frames go
 * through the scenario's `WireLog`.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { parseBearer, parseToken, verifyUpgradeTokenSync, type VerifyResult } from "../../auth/index.js";
import type { WireLog } from "../wire.js";
import { WirePeer } from "../wire.js";

export interface Dial {
  /** 1-based order of arrival. */
  seq: number;
  at: number;
  path: string;
  token: string | undefined;
  verdict: VerifyResult | undefined;
  /** The token's `exp` (unverified parse). */
  exp: number | undefined;
  /** Set when the upgrade was accepted. */
  peer: WirePeer | undefined;
  /** Set when the upgrade was refused with this HTTP status. */
  refusedStatus: number | undefined;
}

export interface DialRecorderOptions {
  gatewayId: string;
  secret: string;
  signal: AbortSignal;
}

export class DialRecorder {
  readonly dials: Dial[] = [];
  /** HTTP status to refuse the next upgrade with (consumed by it). */
  refuseNext: number | undefined;
  /** Close the next accepted socket at once with this code and reason (consumed by it). */
  closeNextOnUpgrade: { code: number; reason: string } | undefined;
  readonly #http: Server;
  readonly #wss: WebSocketServer;
  readonly #log: WireLog;
  readonly #opts: DialRecorderOptions;
  #taken = 0;
  #wake: Array<() => void> = [];
  #port = 0;
  #gone: string | undefined;

  private constructor(log: WireLog, opts: DialRecorderOptions) {
    this.#log = log;
    this.#opts = opts;
    this.#wss = new WebSocketServer({ noServer: true });
    this.#http = createServer((_req, res) => {
      res.writeHead(404, { "content-type": "text/plain" }).end("relay conformance kit: WebSocket only\n");
    });
    this.#http.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      try {
        this.#onUpgrade(req, socket, head);
      } catch {
        socket.destroy();
      }
    });
  }

  static async start(log: WireLog, opts: DialRecorderOptions): Promise<DialRecorder> {
    const recorder = new DialRecorder(log, opts);
    await new Promise<void>((resolve, reject) => {
      recorder.#http.once("error", reject);
      recorder.#http.listen(0, "127.0.0.1", () => resolve());
    });
    const addr = recorder.#http.address();
    recorder.#port = typeof addr === "object" && addr !== null ? addr.port : 0;
    return recorder;
  }

  /** The base URL handed to the gateway (no `/relay`: normalising is the gateway's job). */
  get baseUrl(): string {
    return `ws://127.0.0.1:${this.#port}`;
  }

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", () => undefined);
    const token = parseBearer(req.headers.authorization);
    const dial: Dial = {
      seq: this.dials.length + 1,
      at: Date.now(),
      path: (req.url ?? "").split("?")[0] ?? "",
      token,
      verdict: token === undefined ? undefined : verifyUpgradeTokenSync(token, { secrets: [this.#opts.secret] }),
      exp: token === undefined ? undefined : parseToken(token)?.exp,
      peer: undefined,
      refusedStatus: undefined,
    };
    if (this.refuseNext !== undefined) {
      dial.refusedStatus = this.refuseNext;
      this.refuseNext = undefined;
      socket.end(`HTTP/1.1 ${dial.refusedStatus} Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      this.#push(dial);
      return;
    }
    const closeAtOnce = this.closeNextOnUpgrade;
    this.closeNextOnUpgrade = undefined;
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      dial.peer = new WirePeer(ws, this.#log, this.#opts.signal);
      if (closeAtOnce !== undefined) dial.peer.close(closeAtOnce.code, closeAtOnce.reason);
      this.#push(dial);
    });
  }

  #push(dial: Dial): void {
    this.dials.push(dial);
    const wake = this.#wake;
    this.#wake = [];
    for (const w of wake) w();
  }

  /** The gateway cannot dial any more (its process ended): waiting for a dial ends at once. */
  peerGone(why: string): void {
    this.#gone = why;
    const wake = this.#wake;
    this.#wake = [];
    for (const w of wake) w();
  }

  /** Why no more dials can come, once the gateway has gone. */
  get goneReason(): string | undefined {
    return this.#gone;
  }

  /** The next dial not handed out yet, waiting up to `timeoutMs`. */
  async nextDial(timeoutMs: number): Promise<Dial | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const dial = this.dials[this.#taken];
      if (dial !== undefined) {
        this.#taken++;
        return dial;
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.#opts.signal.aborted || this.#gone !== undefined) return undefined;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.#opts.signal.removeEventListener("abort", done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.#opts.signal.addEventListener("abort", done, { once: true });
        this.#wake.push(done);
      });
    }
  }

  /** Dials that arrived and were not handed out. */
  get untakenDials(): Dial[] {
    return this.dials.slice(this.#taken);
  }

  async close(): Promise<void> {
    for (const ws of this.#wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    this.#http.closeAllConnections();
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
  }
}
