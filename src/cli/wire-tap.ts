/**
 * A raw wire tap: a WebSocket proxy on 127.0.0.1 between a gateway and a connector that hands
 * every message, byte for byte, to an observer before forwarding it. The demo validates what
 * really crossed the socket (newlines included), independently of either peer's own events.
 * The upgrade (path, Authorization) is forwarded; an upstream refusal is answered with the same
 * HTTP status; close codes are relayed both ways.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import WebSocket, { WebSocketServer } from "ws";

export type TapDirection = "G→C" | "C→G";

export interface WireTap {
  /** Base URL for the gateway (`ws://127.0.0.1:PORT`). */
  url: string;
  close(): Promise<void>;
}

/** Close codes that may not be sent in a close frame. */
function sendableCode(code: number): number | undefined {
  return code === 1005 || code === 1006 || code === 1015 ? undefined : code;
}

function relayClose(to: WebSocket, code: number, reason: Buffer): void {
  const sendable = sendableCode(code);
  if (to.readyState === WebSocket.OPEN || to.readyState === WebSocket.CONNECTING) {
    if (sendable === undefined) to.terminate();
    else to.close(sendable, reason.toString("utf8"));
  }
}

export async function startWireTap(targetBaseUrl: string, observe: (direction: TapDirection, text: string) => void): Promise<WireTap> {
  const wss = new WebSocketServer({ noServer: true });
  const upstreams = new Set<WebSocket>();
  const http = createServer((_req, res) => res.writeHead(404).end());

  http.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => undefined);
    const headers: Record<string, string> = {};
    if (typeof req.headers.authorization === "string") headers.authorization = req.headers.authorization;
    const upstream = new WebSocket(targetBaseUrl + (req.url ?? "/"), { headers });
    upstreams.add(upstream);
    const early: Array<{ data: WebSocket.RawData; binary: boolean }> = [];
    let client: WebSocket | undefined;
    upstream.on("error", () => {
      if (client === undefined) socket.end("HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    });
    upstream.on("unexpected-response", (_r, res) => {
      res.resume();
      socket.end(`HTTP/1.1 ${res.statusCode ?? 502} ${res.statusMessage ?? ""}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      upstream.terminate();
    });
    upstream.on("message", (data, binary) => {
      if (client === undefined) {
        early.push({ data, binary });
        return;
      }
      forward("C→G", data, binary, client);
    });
    upstream.on("close", (code, reason) => {
      upstreams.delete(upstream);
      if (client !== undefined) relayClose(client, code, reason);
      else socket.destroy();
    });
    upstream.on("open", () => {
      wss.handleUpgrade(req, socket, head, (ws) => {
        client = ws;
        ws.on("error", () => undefined);
        for (const m of early.splice(0)) forward("C→G", m.data, m.binary, ws);
        ws.on("message", (data, binary) => forward("G→C", data, binary, upstream));
        ws.on("close", (code, reason) => relayClose(upstream, code, reason));
      });
    });
  });

  function forward(direction: TapDirection, data: WebSocket.RawData, binary: boolean, to: WebSocket): void {
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
    try {
      observe(direction, buf.toString("utf8"));
    } catch {
      // An observer bug must not break the tapped connection.
    }
    if (to.readyState === WebSocket.OPEN) to.send(buf, { binary });
  }

  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const addr = http.address();
  const port = typeof addr === "object" && addr !== null ? addr.port : 0;
  return {
    url: `ws://127.0.0.1:${port}`,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      for (const up of upstreams) up.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
