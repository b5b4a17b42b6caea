/**
 * With `coalesceAcks`, the client coalesces the `inbound_ack`s of deliveries handled in the same
 * turn into one WebSocket message (bench/ §3: one socket write per replayed batch instead of one
 * per frame); by default every ack is its own message (RC-FRM-002).
 * Every ack must still arrive, in delivery order, exactly once, also when the client closes.
 */
import { sleep } from "./helpers/time.js";
import t, { type Test } from "tap";
import type { AddressInfo } from "node:net";
import WebSocket, { WebSocketServer } from "ws";
import { createRelayClient } from "../src/client/index.js";
import { descriptor } from "./helpers/fixtures.js";

const DESCRIPTOR = { type: "descriptor", descriptor: descriptor("telegram") };

function inbound(i: number): string {
  const event = {
    text: `hello ${i}`,
    message_type: "text",
    message_id: `m-${i}`,
    source: { platform: "telegram", chat_id: "c1", chat_type: "dm", chat_name: null, user_id: "u1", user_name: "u", thread_id: null, chat_topic: null },
  };
  return JSON.stringify({ type: "inbound", event, bufferId: `b-${i}` }) + "\n";
}

/** A connector on raw ws that records every message the gateway sends after its hello. */
async function connector(t: Test) {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  const messages: string[] = [];
  let socket: WebSocket | undefined;
  let onMessage: (() => void) | undefined;
  wss.on("connection", (ws) => {
    socket = ws;
    ws.on("message", (data) => {
      const text = (data as Buffer).toString();
      if (text.startsWith('{"type":"hello"')) ws.send(JSON.stringify(DESCRIPTOR) + "\n");
      else messages.push(text);
      onMessage?.();
    });
  });
  t.teardown(() => new Promise<void>((resolve) => wss.close(() => resolve())));
  const acks = (): string[] =>
    messages.flatMap((m) => m.split("\n").filter((l) => l !== "")).map((l) => (JSON.parse(l) as { bufferId: string }).bufferId);
  return {
    port: (wss.address() as AddressInfo).port,
    messages,
    acks,
    send: (text: string) => (socket as WebSocket).send(text),
    async waitForAcks(n: number): Promise<string[]> {
      while (acks().length < n) await new Promise<void>((resolve) => (onMessage = resolve));
      return acks();
    },
  };
}

t.test("acks of one replayed batch share a message and all arrive in order", async (t) => {
  const c = await connector(t);
  const seen: string[] = [];
  const client = createRelayClient({ url: `http://127.0.0.1:${c.port}`, identities: [{ platform: "telegram", botId: "b" }], reconnect: false, keepaliveIntervalMs: 0, coalesceAcks: true });
  client.onInbound((event) => void seen.push(String(event.message_id)));
  t.teardown(() => client.close());
  await client.connect();

  c.send(Array.from({ length: 20 }, (_, i) => inbound(i)).join(""));
  const acks = await c.waitForAcks(20);
  t.strictSame(acks, Array.from({ length: 20 }, (_, i) => `b-${i}`), "every bufferId acked once, in order");
  t.strictSame(seen, Array.from({ length: 20 }, (_, i) => `m-${i}`));
  t.ok(c.messages.length < 20, `coalesced into ${c.messages.length} message(s)`);
  for (const m of c.messages) t.ok(m.endsWith("\n"), "each ack frame is newline-terminated");
});

t.test("slow handlers: acks still go out, each after its own handler", async (t) => {
  const c = await connector(t);
  const client = createRelayClient({ url: `http://127.0.0.1:${c.port}`, identities: [{ platform: "telegram", botId: "b" }], reconnect: false, keepaliveIntervalMs: 0, coalesceAcks: true });
  const finished: string[] = [];
  client.onInbound(async (event) => {
    await sleep(5);
    finished.push(String(event.message_id));
  });
  t.teardown(() => client.close());
  await client.connect();
  c.send(inbound(0) + inbound(1) + inbound(2));
  const acks = await c.waitForAcks(3);
  t.strictSame(acks, ["b-0", "b-1", "b-2"]);
  t.strictSame(finished, ["m-0", "m-1", "m-2"]);
});

t.test("closing right after the last handler still acks every handled delivery", async (t) => {
  const c = await connector(t);
  const client = createRelayClient({ url: `http://127.0.0.1:${c.port}`, identities: [{ platform: "telegram", botId: "b" }], reconnect: false, keepaliveIntervalMs: 0, coalesceAcks: true });
  let closing: Promise<void> | undefined;
  let handled = 0;
  client.onInbound(() => {
    // The last handler closes the client in the same turn its ack was queued.
    if (++handled === 5) queueMicrotask(() => void (closing = client.close()));
  });
  await client.connect();
  c.send(Array.from({ length: 5 }, (_, i) => inbound(i)).join(""));
  const acks = await c.waitForAcks(5);
  await closing;
  t.strictSame(acks, ["b-0", "b-1", "b-2", "b-3", "b-4"]);
});

t.test("by default every ack is its own message (one frame per message, RC-FRM-002)", async (t) => {
  const c = await connector(t);
  const client = createRelayClient({ url: `http://127.0.0.1:${c.port}`, identities: [{ platform: "telegram", botId: "b" }], reconnect: false, keepaliveIntervalMs: 0 });
  client.onInbound(() => undefined);
  t.teardown(() => client.close());
  await client.connect();
  c.send(Array.from({ length: 10 }, (_, i) => inbound(i)).join(""));
  const acks = await c.waitForAcks(10);
  t.strictSame(acks, Array.from({ length: 10 }, (_, i) => `b-${i}`));
  t.equal(c.messages.length, 10, "ten messages for ten acks");
  for (const m of c.messages) t.equal(m.split("\n").length, 2, "one newline-terminated frame per message");
});
