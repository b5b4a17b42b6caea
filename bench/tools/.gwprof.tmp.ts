import * as C from "../../src/client/index.js";
import * as fx from "../lib/fixtures.js";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const event = fx.inboundFrame(root).event as Record<string, unknown>;
const descriptor = fx.descriptorFrame(root).descriptor;
const identities = [{ platform: "discord", botId: "1122334455667788990" }];
const count = 10000, perMessage = 64, window = 1024;
const descriptorLine = JSON.stringify({ type: "descriptor", descriptor }) + "\n";
const lines = Array.from({ length: count }, (_, i) => JSON.stringify({ type: "inbound", event: { ...event, message_id: `m-${i}` }, bufferId: String(i + 1) }) + "\n");
const messages: string[] = [];
for (let i = 0; i < count; i += perMessage) messages.push(lines.slice(i, i + perMessage).join(""));
const RE = /"bufferId":"([^"]*)"/g;
let finished = () => {};
const dialer = (C as any).createMemoryLink(async (end: any) => {
  let next = 0, acked = 0;
  const fill = () => { while (next < messages.length && next * perMessage - acked <= window - perMessage) end.send(messages[next++], () => undefined); };
  end.attach({ message: (d: string) => { if (d.includes('"hello"')) { end.send(descriptorLine, () => undefined); fill(); return; } for (const _ of d.matchAll(RE)) acked++; if (acked >= count) finished(); else fill(); }, close: () => undefined });
  return true;
});
const n = Number(process.argv[2] ?? 30);
for (let r = 0; r < n; r++) {
  let received = 0;
  const client = C.createRelayClient({ url: "http://127.0.0.1:1", gatewayId: "gw", secret: "x".repeat(32), identities, dialer, reconnect: false, coalesceAcks: true, handlers: { inbound: () => void received++ } } as any);
  const t0 = process.cpuUsage();
  const done = new Promise<void>((resolve) => (finished = resolve));
  await client.connect();
  await done;
  const u = process.cpuUsage(t0);
  await client.close();
  if (r >= n - 5) console.log(((u.user + u.system) / count).toFixed(2), "µs/frame");
}
