/**
 * Server helper, framing (wire-protocol.md §1.2): what a raw gateway sends byte by byte, what the
 * server writes, and the policy for peers that send garbage.
 */
import t from "tap";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { HelloFrame } from "../generated/types.js";
import { CloseCode, CloseReason } from "../src/close-codes.js";
import type { DecodeError } from "../src/codec/index.js";
import { handshake, startRelay } from "./helpers/raw-gateway.js";
import { descriptor } from "./helpers/fixtures.js";
import { sleep } from "./helpers/time.js";

t.test("several frames in one message are all processed, in order", async (t) => {
  const hellos: string[] = [];
  const relay = await startRelay(t, {
    onHello: (hello) => {
      hellos.push(hello.platform);
      return descriptor(hello.platform);
    },
  });
  const gw = await relay.gateway();
  gw.sendRaw('{"type":"hello","platform":"telegram","botId":"a"}\n{"type":"hello","platform":"discord","botId":"b"}\n\n  \n{"type":"hello","platform":"slack","botId":"c"}\n');
  const descriptors = await gw.waitForCount((f) => f.type === "descriptor", 3);
  t.same(hellos, ["telegram", "discord", "slack"]);
  t.same(
    descriptors.map((d) => (d.type === "descriptor" ? d.descriptor.platform : "")),
    ["telegram", "discord", "slack"],
    "one descriptor per hello, in hello order",
  );
});

t.test("one frame over several messages, and a frame without its newline waits for it", async (t) => {
  let calls = 0;
  const relay = await startRelay(t, {
    onHello: (hello) => {
      calls++;
      return descriptor(hello.platform);
    },
  });
  const gw = await relay.gateway();
  const line = JSON.stringify({ type: "hello", platform: "téléphone", botId: "bot-✓" });
  const bytes = Buffer.from(line, "utf8");
  // Byte by byte as binary messages: multi-byte characters are split across messages.
  for (const byte of bytes) gw.sendRaw(Buffer.from([byte]), true);
  await sleep(150);
  t.equal(calls, 0, "no newline yet: the frame is not processed");
  t.equal(gw.frames.length, 0);
  gw.sendRaw("\n");
  const d = await gw.waitForType("descriptor");
  t.equal(d.descriptor.platform, "téléphone", "UTF-8 reassembled across messages");
  t.equal(calls, 1);

  // A frame whose tail and the next frame arrive together.
  gw.sendRaw('{"type":"hello","platform":"a",');
  gw.sendRaw('"botId":"1"}\n{"type":"hello","platform":"b","botId":"2"}\n');
  await gw.waitForCount((f) => f.type === "descriptor", 3);
  t.equal(calls, 3);
});

t.test("every frame the server writes is one message ending in a newline", async (t) => {
  const relay = await startRelay(t, { handlers: { send: () => ({ success: true, message_id: "m1" }) } });
  const gw = await handshake(relay);
  const id = gw.outbound({ op: "send", chat_id: "c", content: "hi", reply_to: null });
  await gw.waitForResult(id);
  await relay.server.sendInbound("gw-test", { text: "x", message_type: "text", source: { platform: "telegram", chat_id: "c", chat_type: "dm", chat_name: null, user_id: null, user_name: null, thread_id: null, chat_topic: null } });
  await gw.waitForType("inbound");
  t.ok(gw.messages.length >= 3);
  for (const m of gw.messages) {
    t.ok(m.endsWith("\n"), "terminated by \\n");
    t.equal(m.indexOf("\n"), m.length - 1, "exactly one frame per message");
  }
  t.same(gw.decodeErrors, [], "every frame is valid in strict mode");
});

t.test("unknown fields and unknown frame types are tolerated", async (t) => {
  const errors: DecodeError[] = [];
  const actions: unknown[] = [];
  const relay = await startRelay(t, {
    invalidFrames: { maxInvalidFrames: 2 },
    handlers: {
      send: (action) => {
        actions.push(action);
        return { success: true };
      },
    },
  });
  relay.server.on("protocolError", ({ error }) => errors.push(error));
  const gw = await relay.gateway();
  gw.send({ type: "hello", platform: "telegram", botId: "b", future_field: { x: 1 } });
  await gw.waitForType("descriptor");
  for (let i = 0; i < 10; i++) gw.send({ type: "future_frame_type", n: i });
  gw.send({ type: "descriptor", descriptor: {} }); // an echoed connector→gateway type
  const id = gw.outbound({ op: "send", chat_id: "c", content: "hi", reply_to: null, shiny: true }, { trace: "abc" });
  const result = await gw.waitForResult(id);
  t.equal(result.result.success, true, "outbound with unknown fields is handled");
  t.equal(actions.length, 1);
  t.equal(errors.filter((e) => e.code === "unknown_type").length, 10, "unknown types are reported");
  t.equal(errors.filter((e) => e.code === "wrong_direction").length, 1, "echoed types are reported");
  t.ok(gw.isOpen, "unknown and echoed types never count toward the garbage limit");
});

t.test("garbage: reported and skipped, then the socket is closed with 4400 past the limit", async (t) => {
  const errors: DecodeError[] = [];
  const relay = await startRelay(t, { invalidFrames: { maxInvalidFrames: 3, windowMs: 10_000 } });
  relay.server.on("protocolError", ({ error }) => errors.push(error));
  const gw = await relay.gateway();
  gw.sendRaw("not json\n[1,2]\n");
  gw.send({ no_type: true });
  gw.hello();
  await gw.waitForType("descriptor");
  t.ok(gw.isOpen, "three invalid lines (the limit) are tolerated; valid frames in between still work");
  t.same(errors.map((e) => e.code), ["invalid_json", "not_object", "missing_type"]);
  t.ok(errors[0]?.excerpt?.startsWith("not json"), "the error carries the offending line");
  // Frames that decode but that the schema refuses are reported, never counted.
  for (let i = 0; i < 5; i++) gw.send({ type: "hello", platform: 42 });
  const refused = gw.outbound({ op: "send", chat_id: "c" }); // no content: refused, answered
  t.equal((await gw.waitForResult(refused)).result.success, false);
  t.equal(errors.filter((e) => e.code === "schema").length, 6, "schema refusals are reported");
  t.ok(errors[3]?.issues && errors[3].issues.length > 0, "schema errors carry the validation issues");
  t.ok(gw.isOpen, "frames the schema refuses do not count toward the limit");
  gw.sendRaw("{oops\n");
  const closed = await gw.waitClose();
  t.same(closed, { code: CloseCode.BadFrames, reason: CloseReason.BadFrames }, "the fourth undecodable line closes");
});

t.test("100 typing frames with metadata.thread_id null (Python None) keep the connection open and are handled as if the key were absent", async (t) => {
  const seen: unknown[] = [];
  const errors: DecodeError[] = [];
  const relay = await startRelay(t, {
    handlers: {
      typing: (action) => {
        seen.push(action.metadata);
        return { success: true };
      },
    },
  });
  relay.server.on("protocolError", ({ error }) => errors.push(error));
  const gw = await handshake(relay);
  const ids: string[] = [];
  for (let i = 0; i < 100; i++) ids.push(gw.outbound({ op: "typing", chat_id: `chat-${i}`, metadata: { thread_id: null, scope_id: "g1", _interim: null } }));
  const results = await gw.waitForCount((f) => f.type === "outbound_result", 100, 20_000);
  t.same(new Set(results.map((r) => (r.type === "outbound_result" ? r.requestId : ""))), new Set(ids), "every request answered");
  t.ok(results.every((r) => r.type === "outbound_result" && r.result.success === true), "every one handled");
  t.equal(seen.length, 100);
  t.same(seen[0], { scope_id: "g1" }, "null keys reach the handler as absent");
  t.ok(!Object.hasOwn(seen[99] as object, "thread_id"));
  t.same(errors, [], "nothing reported: null is what the gateway legitimately sends");
  t.ok(gw.isOpen, "the connection stays open");
});

t.test("an outbound the schema rejects still gets a failure result", async (t) => {
  let called = false;
  const relay = await startRelay(t, {
    handlers: {
      send: () => {
        called = true;
        return { success: true };
      },
    },
  });
  const gw = await handshake(relay);
  const id = gw.outbound({ op: "send", chat_id: "c" }); // no content, no reply_to
  const result = await gw.waitForResult(id);
  t.equal(result.result.success, false);
  t.match(result.result.error, /invalid outbound frame/);
  t.notOk(called, "the handler never sees an invalid action");
});

t.test("a message above maxPayload closes the socket with 1009", async (t) => {
  const relay = await startRelay(t, { maxPayload: 64 * 1024 });
  const gw = await relay.gateway();
  gw.hello();
  await gw.waitForType("descriptor");
  gw.sendRaw(`{"type":"hello","platform":"${"x".repeat(70 * 1024)}","botId":"b"}\n`);
  const closed = await gw.waitClose();
  t.equal(closed.code, CloseCode.MessageTooBig);
});

t.test("frameIn / frameOut events see every frame", async (t) => {
  const relay = await startRelay(t);
  const seenIn: string[] = [];
  const seenOut: string[] = [];
  relay.server.on("frameIn", ({ frame }) => seenIn.push(frame.type));
  relay.server.on("frameOut", ({ frame }) => seenOut.push(frame.type));
  const gw = await relay.gateway();
  gw.hello();
  await gw.waitForType("descriptor");
  gw.send({ type: "going_idle" });
  await gw.waitForType("going_idle_ack");
  t.same(seenIn, ["hello", "going_idle"]);
  t.same(seenOut, ["descriptor", "going_idle_ack"]);
});

t.test("a listener that throws (or rejects) does not break processing and becomes a process warning, the same on both roles", async (t) => {
  // In its own process: the warning is asserted as printed, and the test run itself stays clean.
  const fixture = fileURLToPath(new URL("./fixtures/throwing-listener.ts", import.meta.url));
  const run = spawnSync(process.execPath, ["--import", "tsx", fixture], { encoding: "utf8", timeout: 60_000 });
  t.equal(run.status, 0, run.status === 0 ? "exit 0" : run.stderr);
  t.equal(run.stdout, "descriptor telegram\nclient telegram ready\n", "the hello was answered, and the client is ready");
  t.match(run.stderr, /\[RELAY_LISTENER_ERROR\] Warning: relay: a "frameIn" listener threw: listener bug/);
  t.match(run.stderr, /\[RELAY_LISTENER_ERROR\] Warning: relay: a "handshake" listener threw: async listener bug/);
});

const hello: HelloFrame = { type: "hello", platform: "p", botId: "b" };
t.test("hello with a command_manifest is accepted", async (t) => {
  const relay = await startRelay(t);
  const gw = await relay.gateway();
  gw.send({ ...hello, platform: "discord", command_manifest: [{ name: "ask", description: "Ask" }] });
  const d = await gw.waitForType("descriptor");
  t.equal(d.descriptor.platform, "discord");
});

t.test("hostile input never crashes the server", async (t) => {
  const fc = await import("fast-check");
  const relay = await startRelay(t, {
    invalidFrames: { maxInvalidFrames: 1_000_000 },
    handlers: { send: () => ({ success: true }) },
  });
  const errors: string[] = [];
  relay.server.on("handlerError", ({ where }) => errors.push(where));
  const gw = await relay.gateway();
  gw.hello();
  await gw.waitForType("descriptor");
  const nasty = [
    "\u0000\n",
    `${"[".repeat(100_000)}\n`,
    '{"type":"hello","platform":"__proto__","botId":"constructor"}\n',
    '{"type":"inbound_ack","bufferId":"__proto__"}\n',
    '{"type":"outbound","requestId":"__proto__","action":{"op":"toString"}}\n',
    '{"type":"outbound","requestId":{"x":1},"action":{"op":"send"}}\n',
    '{"__proto__":{"type":"hello"},"type":"going_idle"}\n',
    '{"type":"interrupt","session_key":"k","reason":null,"extra":[1e999]}\n',
    '{"type":"hello","platform":"p","botId":"b","command_manifest":"not a list"}\n',
  ];
  for (const line of nasty) gw.sendRaw(line);
  gw.sendRaw(Buffer.from([0xff, 0xfe, 0x0a]), true);
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), fc.boolean(), (text, newline) => {
      gw.sendRaw(newline ? `${text}\n` : text);
    }),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom("hello", "outbound", "inbound_ack", "going_idle", "interrupt"), (value, type) => {
      const frame = typeof value === "object" && value !== null && !Array.isArray(value) ? { ...value, type } : { type, value };
      gw.sendRaw(`${JSON.stringify(frame)}\n`);
    }),
    { numRuns: 300 },
  );
  gw.sendRaw("\n");
  // Still serving: a fresh gateway handshakes and gets a request answered.
  const probe = await relay.gateway();
  probe.hello("telegram", "probe");
  await probe.waitForType("descriptor");
  const id = probe.outbound({ op: "send", chat_id: "c", content: "x", reply_to: null });
  t.same((await probe.waitForResult(id)).result, { success: true });
  t.same(probe.decodeErrors, []);
  // Results echo the peer's requestId verbatim; strict mode wants 32 hex digits, tolerant any id.
  const invalid = gw.decodeErrors.filter((e) => !(e.frameType === "outbound_result" && e.issues?.every((i) => i.path === "/requestId")));
  t.same(invalid, [], "every frame written back to the hostile peer is otherwise valid");
  t.notOk(errors.includes("decode"), "the decoder never threw");
});

t.test("close events say who ended the connection and whether it had handshaked", async (t) => {
  const relay = await startRelay(t, { helloTimeoutMs: 300 });
  const closes: Array<{ gatewayId: string; code: number; cause: string; handshaked: boolean }> = [];
  relay.server.on("close", ({ connection, code, cause, handshaked }) => closes.push({ gatewayId: connection.gatewayId, code, cause, handshaked }));
  const silent = await relay.gateway();
  await silent.closed;
  const gw = await handshake(relay);
  await gw.close();
  while (closes.length < 2) await sleep(10);
  t.same(closes, [
    { gatewayId: "gw-test", code: CloseCode.HelloTimeout, cause: "server-close", handshaked: false },
    { gatewayId: "gw-test", code: 1000, cause: "socket", handshaked: true },
  ]);
});
