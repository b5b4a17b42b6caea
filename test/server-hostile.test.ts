/**
 * Server helper against hostile or stalled peers: bursts of hellos, a socket that never says
 * hello, one gateway opening many sockets, a rejected peer that never completes the close
 * handshake, and a duplicated `Authorization` header.
 */
import { randomBytes } from "node:crypto";
import { connect as netConnect, type Socket } from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";
import t from "tap";
import { WebSocket } from "ws";
import { bearerHeader, makeUpgradeToken } from "../src/auth/index.js";
import { CloseCode, CloseReason } from "../src/close-codes.js";
import type { RejectedEvent } from "../src/server/index.js";
import { GATEWAY, SECRET, startRelay } from "./helpers/raw-gateway.js";
import { descriptor } from "./helpers/fixtures.js";
import { sleep } from "./helpers/time.js";

t.test("a burst of distinct-identity hellos: handled in slices, never one long turn, identities O(1)", async (t) => {
  // A self-re-arming setImmediate counts event-loop turns: every hello records the turn it ran
  // in, so "no turn handles more than one slice of a message" is checked without any timing.
  let turn = 0;
  let spinning = true;
  const spin = (): void => {
    turn++;
    if (spinning) setImmediate(spin);
  };
  setImmediate(spin);
  t.teardown(() => {
    spinning = false;
  });
  const perTurn = new Map<number, number>();
  const relay = await startRelay(t, {
    maxIdentities: 100_000,
    onHello: (hello) => {
      perTurn.set(turn, (perTurn.get(turn) ?? 0) + 1);
      return descriptor(hello.platform);
    },
  });
  const gw = await relay.gateway();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const line = (i: number): string => `{"type":"hello","platform":"telegram","botId":"b-${String(i).padStart(7, "0")}"}\n`;
  const perMessage = Math.floor((900 * 1024) / line(0).length);
  const messages = 2;
  for (let m = 0; m < messages; m++) {
    let text = "";
    for (let i = m * perMessage; i < (m + 1) * perMessage; i++) text += line(i);
    gw.sendRaw(text);
  }
  const total = messages * perMessage;
  // Polled: waitForCount re-scans every frame on each message, quadratic at this count.
  for (let waited = 0; gw.frames.length < total && waited < 120_000; waited += 50) await sleep(50);
  t.equal(gw.frames.filter((f) => f.type === "descriptor").length, total, "one descriptor per hello");
  loop.disable();
  spinning = false;
  const conn = relay.server.connection(GATEWAY);
  t.equal(conn?.identities.length, total, `${total} identities held`);
  t.equal(conn?.identities[total - 1]?.botId, `b-${String(total - 1).padStart(7, "0")}`, "in hello order");
  const worst = Math.max(...perTurn.values());
  // A slice is 256 lines; the first runs in the socket's I/O callback, which can share a counted
  // turn with the next slice. Without slicing a turn would hold a whole message (~15 000).
  t.ok(worst <= 512, `at most two slices of hellos per event-loop turn (worst ${worst}, over ${perTurn.size} turns)`);
  t.ok(perTurn.size >= total / 256, "the messages were spread over many turns");
  // Reported, not asserted: on a loaded machine wall-clock delays include scheduling; the turn
  // count above is the deterministic form of "no message holds the loop".
  t.comment(`longest event-loop delay ${(loop.max / 1e6).toFixed(0)} ms`);
  t.same(gw.decodeErrors, []);
});

t.test("identities per connection are capped: one more distinct identity closes with 4413", async (t) => {
  const relay = await startRelay(t, { maxIdentities: 3 });
  const gw = await relay.gateway();
  for (const bot of ["a", "b", "c"]) gw.hello("telegram", bot);
  await gw.waitForCount((f) => f.type === "descriptor", 3);
  gw.hello("telegram", "a");
  await gw.waitForCount((f) => f.type === "descriptor", 4);
  t.ok(gw.isOpen, "repeating a hello'd identity does not count");
  gw.hello("discord", "d");
  t.same(await gw.waitClose(), { code: CloseCode.TooManyIdentities, reason: CloseReason.TooManyIdentities });
  t.equal(gw.frames.filter((f) => f.type === "descriptor").length, 4, "no descriptor for the identity over the cap");
});

t.test("an authenticated socket that never says hello is closed with 4408 after the deadline", async (t) => {
  const relay = await startRelay(t, { helloTimeoutMs: 300 });
  const silent = await relay.gateway();
  const talking = await relay.gateway();
  talking.hello();
  await talking.waitForType("descriptor");
  t.same(await silent.waitClose(5_000), { code: CloseCode.HelloTimeout, reason: CloseReason.HelloTimeout });
  await sleep(400);
  t.ok(talking.isOpen, "a socket that said hello is not affected");
});

t.test("maxConnectionsPerGateway: a further socket closes the gateway's oldest with 4409", async (t) => {
  const relay = await startRelay(t, { maxConnectionsPerGateway: 2 });
  const first = await relay.gateway();
  first.hello();
  await first.waitForType("descriptor");
  const second = await relay.gateway();
  const third = await relay.gateway();
  third.hello();
  await third.waitForType("descriptor");
  t.same(await first.waitClose(), { code: CloseCode.TooManyConnections, reason: CloseReason.TooManyConnections });
  t.ok(second.isOpen && third.isOpen, "the newer two stay");
  t.equal(relay.server.connections(GATEWAY).length, 2);
  t.equal(relay.server.connection(GATEWAY), relay.server.connections(GATEWAY).find((c) => c.handshaked), "the new socket serves");
});

/** Sends an upgrade request by hand and resolves with the socket once the 101 arrives. */
function rawUpgrade(port: number, authorization: string): Promise<{ socket: Socket; received: Buffer[] }> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, "127.0.0.1");
    const received: Buffer[] = [];
    socket.on("error", () => undefined);
    socket.on("data", (d: Buffer) => {
      received.push(d);
      if (Buffer.concat(received).includes("\r\n\r\n")) resolve({ socket, received });
    });
    socket.once("close", () => reject(new Error("closed before the upgrade answer")));
    socket.write(
      "GET /relay HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n` +
        `Authorization: ${authorization}\r\n\r\n`,
    );
  });
}

t.test("a rejected peer that never answers the close frame is dropped within 2 s, not 30", async (t) => {
  const relay = await startRelay(t);
  const port = Number(new URL(relay.url).port);
  const { socket, received } = await rawUpgrade(port, "Bearer not-a-token");
  const ended = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  // The peer reads (so it sees the 101 and the close frame) but never sends its own close frame.
  const started = Date.now();
  const outcome = await Promise.race([ended.then(() => "dropped"), sleep(10_000).then(() => "still open")]);
  socket.destroy();
  t.equal(outcome, "dropped", `the server ended the socket after ${Date.now() - started} ms`);
  const bytes = Buffer.concat(received);
  t.match(bytes.toString("latin1"), /^HTTP\/1\.1 101 /, "it was upgraded");
  const frame = bytes.subarray(bytes.indexOf("\r\n\r\n") + 4);
  t.equal(frame[0], 0x88, "then sent a close frame");
  t.equal(frame.readUInt16BE(2), CloseCode.Unauthorized, "with 4401");
});

t.test("two Authorization headers (a valid one first) are refused with 4401", async (t) => {
  const relay = await startRelay(t);
  const rejected: RejectedEvent[] = [];
  relay.server.on("rejected", (info) => rejected.push(info));
  let frames = 0;
  relay.server.on("frameIn", () => frames++);
  const valid = bearerHeader(makeUpgradeToken({ gatewayId: GATEWAY, secret: SECRET }));
  for (const headers of [[valid, "Bearer garbage"], [valid, valid]]) {
    // An array value makes Node send the header once per element.
    const ws = new WebSocket(`${relay.url}/relay`, { headers: { Authorization: headers }, perMessageDeflate: false });
    ws.on("error", () => undefined);
    ws.on("open", () => ws.send('{"type":"hello","platform":"telegram","botId":"bot-1"}\n'));
    const closed = new Promise<[number, string]>((resolve) => ws.once("close", (c, r) => resolve([c, r.toString()])));
    const [code, reason] = await Promise.race([closed, sleep(5_000).then((): [number, string] => [0, "still open after 5 s"])]);
    ws.terminate();
    t.same([code, reason], [CloseCode.Unauthorized, CloseReason.Unauthorized]);
  }
  t.same(rejected.map((r) => r.verdict), ["duplicate-header", "duplicate-header"]);
  t.equal(frames, 0, "no frame from those sockets was processed");
  const ok = await relay.gateway();
  ok.hello();
  await ok.waitForType("descriptor");
  t.pass("one header still authenticates");
});
