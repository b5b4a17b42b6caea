/**
 * The connection core is transport-agnostic: `adopt()` runs the relay over any transport that
 * can send text messages and report its queued bytes (here an in-memory one, no socket).
 */
import t from "tap";
import type { ConnectorFrame } from "../generated/types.js";
import { FrameDecoder } from "../src/codec/index.js";
import { createRelayServer, type RelayTransport } from "../src/server/index.js";
import { descriptor, messageEvent } from "./helpers/fixtures.js";
import { sleep } from "./helpers/time.js";

class MemoryTransport implements RelayTransport {
  readonly sent: string[] = [];
  readonly frames: ConnectorFrame[] = [];
  closedWith: [number, string] | undefined;
  open = true;
  bufferedAmount = 0;
  readonly #decoder = new FrameDecoder<ConnectorFrame>({ direction: "connector-to-gateway", mode: "strict" });
  onClose: ((code: number, reason: string) => void) | undefined;

  send(message: string, done: (error?: Error) => void): void {
    this.sent.push(message);
    for (const e of this.#decoder.push(message)) if (e.kind === "frame") this.frames.push(e.frame);
    queueMicrotask(() => done());
  }

  close(code: number, reason: string): void {
    this.closedWith = [code, reason];
    this.open = false;
    queueMicrotask(() => this.onClose?.(code, reason));
  }

  terminate(): void {
    this.close(1006, "");
  }
}

t.test("adopt(): handshake, outbound and pushes over an in-memory transport", async (t) => {
  const server = createRelayServer({
    auth: { secrets: ["unused"] },
    onHello: (h) => descriptor(h.platform),
    handlers: { send: (a) => ({ success: true, message_id: `sent:${a.content}` }) },
    keepaliveIntervalMs: 0,
  });
  t.teardown(() => server.close({ drainMs: 200 }));
  const adopted: string[] = [];
  server.on("adopted", ({ connection }) => adopted.push(connection.gatewayId));
  const transport = new MemoryTransport();
  const binding = server.adopt(transport, { gatewayId: "gw-mem" });
  transport.onClose = (code, reason) => binding.closed(code, reason);
  t.same(adopted, ["gw-mem"]);

  binding.receive('{"type":"hello","platform":"telegram","botId":"b"}\n{"type":"outbound","requestId":"0123456789abcdef0123456789abcdef","action":{"op":"send","chat_id":"c","content":"x","reply_to":null}}\n');
  await sleep(10);
  t.same(transport.frames.map((f) => f.type), ["descriptor", "outbound_result"]);
  t.same(transport.frames[1], { type: "outbound_result", requestId: "0123456789abcdef0123456789abcdef", result: { success: true, message_id: "sent:x" } });
  t.equal(server.connection("gw-mem"), binding.connection);

  t.same(await server.sendInbound("gw-mem", messageEvent("hi")), { mode: "live" });
  t.equal(transport.frames.at(-1)?.type, "inbound");
  t.ok(transport.sent.every((m) => m.endsWith("\n")));

  await server.close({ drainMs: 200 });
  t.same(transport.closedWith, [1001, "connector shutting down"], "adopted transports are closed on shutdown too");
  t.equal(server.connection("gw-mem"), undefined);
});
