/**
 * Many idle gateways for the memory section: opens WebSocket connections (each with its own
 * gateway id and upgrade token), says hello on each and waits for the descriptor, then leaves
 * them idle.
 */
import WebSocket from "ws";
import { bearerHeader, makeUpgradeToken } from "../../src/auth/index.js";
import { config, serve } from "./rpc.js";

const cfg = config<{ secret: string }>();
const sockets: WebSocket[] = [];
const HELLO = JSON.stringify({ type: "hello", platform: "discord", botId: "1122334455667788990" }) + "\n";

function open(port: number, index: number): Promise<WebSocket> {
  const gatewayId = `gw-${index}`;
  const token = makeUpgradeToken({ gatewayId, secret: cfg.secret });
  const ws = new WebSocket(`ws://127.0.0.1:${port}/relay`, { headers: { Authorization: bearerHeader(token) }, perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    ws.once("error", reject);
    ws.once("open", () => ws.send(HELLO));
    ws.once("message", () => {
      ws.off("error", reject);
      ws.on("error", () => undefined);
      resolve(ws);
    });
  });
}

serve({
  /** Adds connections until `total` are open and handshaked, `parallel` dials at a time. */
  async openUntil(args) {
    const port = Number(args.port);
    const total = Number(args.total);
    const parallel = Number(args.parallel ?? 64);
    while (sockets.length < total) {
      const batch = Math.min(parallel, total - sockets.length);
      const base = sockets.length;
      sockets.push(...(await Promise.all(Array.from({ length: batch }, (_, k) => open(port, base + k)))));
    }
    return { open: sockets.length };
  },
  async closeAll() {
    const closed = sockets.map((ws) => new Promise<void>((resolve) => {
      if (ws.readyState === WebSocket.CLOSED) return resolve();
      ws.once("close", () => resolve());
      ws.terminate();
    }));
    await Promise.all(closed);
    sockets.length = 0;
    return {};
  },
});
