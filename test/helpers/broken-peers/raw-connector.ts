/**
 * A connector written directly on `ws` (not on the package's server helper) that fronts the
 * kit's loopback platform (docs/conformance.md). Without a fault it passes `conformance
 * connector`; each fault is one deliberate bug.
 */
import { createServer, type Server } from "node:http";
import { WebSocketServer, type WebSocket } from "ws";
import { parseBearer, verifyUpgradeTokenSync } from "../../../src/auth/index.js";
import { descriptorFor, sourceFor } from "../../../src/conformance/index.js";

export type ConnectorFault =
  /** Frames are sent without their trailing "\n". */
  | "no-newline"
  /** Remembers "the current request" in one variable: concurrent requests get the last requestId. */
  | "wrong-request-id"
  /** Flips to buffered-only on going_idle but never sends going_idle_ack. */
  | "no-idle-ack"
  /** Discord inbound carries only the legacy guild_id, no scope_id. */
  | "guild-id-only"
  /** Descriptors carry max_message_length as a string. */
  | "invalid-descriptor"
  /** Accepts a token whose signature does not verify (checks only its gateway id and expiry). */
  | "accepts-wrong-signature"
  /** Never forwards a gateway's interrupt as interrupt_inbound. */
  | "drops-interrupt"
  /** Closes its first authenticated connection with 4401 right after answering its hello. */
  | "close-4401-after-handshake";

type Rec = Record<string, unknown>;

interface GatewayState {
  idle: boolean;
  backlog: Array<{ bufferId: string; frame: Rec }>;
  seq: number;
}

interface Conn {
  ws: WebSocket;
  gatewayId: string;
  identities: string[];
  buffer: string;
  draining: boolean;
  awaiting: string | undefined;
}

export interface RawConnector {
  url: string;
  close(): Promise<void>;
}

export async function startRawConnector(opts: { gatewayId: string; secret: string; fault?: ConnectorFault }): Promise<RawConnector> {
  const { fault } = opts;
  const gateways = new Map<string, GatewayState>();
  const live = new Map<string, Conn>();
  let current: string | undefined;
  let closedOne = false;
  const wss = new WebSocketServer({ noServer: true });
  const http: Server = createServer((_req, res) => res.writeHead(404).end());

  const write = (conn: Conn, frame: Rec): void => {
    if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(JSON.stringify(frame) + (fault === "no-newline" ? "" : "\n"));
  };
  const stateOf = (gatewayId: string): GatewayState => {
    let s = gateways.get(gatewayId);
    if (s === undefined) gateways.set(gatewayId, (s = { idle: false, backlog: [], seq: 0 }));
    return s;
  };

  /** Live when possible, else buffered for the next handshake. */
  const deliver = (gatewayId: string, frame: Rec): void => {
    const state = stateOf(gatewayId);
    const conn = live.get(gatewayId);
    if (state.idle || conn === undefined || conn.draining) {
      state.backlog.push({ bufferId: `raw-${++state.seq}`, frame });
      return;
    }
    write(conn, frame);
  };

  /** Ack-gated, one at a time. */
  const drainNext = (conn: Conn): void => {
    const state = stateOf(conn.gatewayId);
    const next = state.backlog[0];
    if (next === undefined) {
      conn.draining = false;
      state.idle = false;
      return;
    }
    conn.awaiting = next.bufferId;
    write(conn, { ...next.frame, bufferId: next.bufferId });
  };

  const resultFor = (conn: Conn, frame: Rec): Rec => {
    const action = (frame.action ?? {}) as Rec;
    const platform = typeof frame.platform === "string" ? frame.platform : undefined;
    const botId = typeof frame.botId === "string" ? frame.botId : undefined;
    if (platform !== undefined) {
      const known = conn.identities.filter((i) => i.startsWith(`${platform}:`));
      if (known.length === 0 || (botId !== undefined && !known.includes(`${platform}:${botId}`))) {
        return { success: false, error: `identity ${platform}:${botId ?? "?"} was not hello'd on this connection` };
      }
    }
    const egress = platform ?? conn.identities[0]?.split(":")[0] ?? "relay";
    if (action.op === "send" && action.chat_id === "loopback") {
      const source = sourceFor(egress, "loopback");
      if (fault === "guild-id-only") delete source.scope_id;
      deliver(conn.gatewayId, { type: "inbound", event: { text: String(action.content), message_type: "text", message_id: `lb-${Date.now()}`, source } });
    } else if (action.op === "send" && action.chat_id === "loopback-passthrough") {
      deliver(conn.gatewayId, {
        type: "passthrough_forward",
        forward: { platform: egress, botId: botId ?? "", method: "POST", path: "/interactions/loopback", headers: [], bodyB64: Buffer.from(String(action.content)).toString("base64") },
      });
    }
    if (action.op === "get_chat_info") return { success: true, chat_info: { name: "loopback", type: "group" } };
    return { success: true, message_id: `raw-m-${Date.now()}` };
  };

  const onFrame = (conn: Conn, frame: Rec): void => {
    switch (frame.type) {
      case "hello": {
        const platform = String(frame.platform);
        conn.identities.push(`${platform}:${String(frame.botId)}`);
        const descriptor: Rec = { ...descriptorFor(platform) };
        if (fault === "invalid-descriptor") descriptor.max_message_length = "2000";
        write(conn, { type: "descriptor", descriptor });
        if (fault === "close-4401-after-handshake" && !closedOne) {
          closedOne = true;
          conn.ws.close(4401, "unauthorized");
          return;
        }
        if (conn.identities.length === 1) {
          const previous = live.get(conn.gatewayId);
          live.set(conn.gatewayId, conn);
          if (previous !== undefined && previous !== conn) previous.ws.close(1000);
          conn.draining = true;
          drainNext(conn);
        }
        return;
      }
      case "outbound": {
        current = String(frame.requestId);
        const requestId = current;
        const result = resultFor(conn, frame);
        // The handler "awaits the platform" for a moment.
        setTimeout(() => write(conn, { type: "outbound_result", requestId: fault === "wrong-request-id" ? current : requestId, result }), 5 + Math.random() * 10);
        return;
      }
      case "interrupt":
        if (fault !== "drops-interrupt") write(conn, { type: "interrupt_inbound", session_key: String(frame.session_key), chat_id: "loopback" });
        return;
      case "going_idle":
        stateOf(conn.gatewayId).idle = true;
        if (fault !== "no-idle-ack") write(conn, { type: "going_idle_ack" });
        return;
      case "inbound_ack": {
        const state = stateOf(conn.gatewayId);
        if (conn.awaiting !== undefined && frame.bufferId === conn.awaiting) {
          state.backlog.shift();
          conn.awaiting = undefined;
          drainNext(conn);
        }
        return;
      }
      default:
        return;
    }
  };

  http.on("upgrade", (req, socket, head) => {
    socket.on("error", () => undefined);
    if ((req.url ?? "").split("?")[0] !== "/relay") {
      socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    const token = parseBearer(req.headers.authorization);
    const verdict = token === undefined ? undefined : verifyUpgradeTokenSync(token, { secrets: [opts.secret] });
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on("error", () => undefined);
      let accepted = verdict?.ok === true && verdict.gatewayId === opts.gatewayId;
      if (!accepted && fault === "accepts-wrong-signature" && verdict?.ok === false && verdict.reason === "bad_signature") accepted = true;
      if (!accepted) {
        ws.close(4401, verdict?.ok === false && verdict.reason === "expired" ? "expired" : "unauthorized");
        return;
      }
      const conn: Conn = { ws, gatewayId: opts.gatewayId, identities: [], buffer: "", draining: false, awaiting: undefined };
      ws.on("message", (data) => {
        conn.buffer += data.toString();
        const lines = conn.buffer.split("\n");
        conn.buffer = lines.pop() ?? "";
        for (const l of lines) {
          if (l.trim() === "") continue;
          try {
            const v: unknown = JSON.parse(l);
            if (v !== null && typeof v === "object" && !Array.isArray(v)) onFrame(conn, v as Rec);
          } catch {
            // Skipped, as §1.2 says.
          }
        }
      });
      ws.on("close", () => {
        if (live.get(conn.gatewayId) === conn) live.delete(conn.gatewayId);
      });
    });
  });

  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const addr = http.address();
  const port = typeof addr === "object" && addr !== null ? addr.port : 0;
  return {
    url: `ws://127.0.0.1:${port}`,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
