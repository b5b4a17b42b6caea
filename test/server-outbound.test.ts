/**
 * Server helper, handshake and requests (wire-protocol.md §3.1, §3.2, §3.5–3.7, §4.1–4.3):
 * descriptors per hello, accumulated identities, typed per-op handlers, concurrency and
 * out-of-order results, structured failures, interrupts, graceful close.
 */
import t from "tap";
import type { OutboundResult } from "../generated/types.js";
import { CloseCode, CloseReason } from "../src/close-codes.js";
import { CloseConnectionError, type OutboundContext } from "../src/server/index.js";
import { GATEWAY, handshake, startRelay } from "./helpers/raw-gateway.js";
import { descriptor } from "./helpers/fixtures.js";
import { sleep } from "./helpers/time.js";

const send = (content: string, chat = "c1"): Record<string, unknown> => ({ op: "send", chat_id: chat, content, reply_to: null });

function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

t.test("one descriptor per hello; identities accumulate, the first is the default", async (t) => {
  const seen: [string, number][] = [];
  const relay = await startRelay(t, {
    onHello: async (hello, ctx) => {
      seen.push([hello.platform, ctx.index]);
      if (hello.platform === "telegram") await sleep(30); // a slow first answer must not reorder descriptors
      return descriptor(hello.platform, { label: `L-${hello.platform}` });
    },
  });
  const handshakes: string[] = [];
  relay.server.on("handshake", ({ hello, descriptor }) => handshakes.push(`${hello.platform}:${descriptor.label}`));
  const gw = await relay.gateway();
  gw.hello("telegram", "tg");
  gw.hello("discord", "dc", { command_manifest: [{ name: "ask", description: "Ask" }] });
  gw.hello("telegram", "tg"); // a repeated identity is answered but not duplicated
  const ds = await gw.waitForCount((f) => f.type === "descriptor", 3);
  t.same(ds.map((d) => (d.type === "descriptor" ? d.descriptor.label : "")), ["L-telegram", "L-discord", "L-telegram"]);
  t.same(seen, [["telegram", 0], ["discord", 1], ["telegram", 2]]);
  t.same(handshakes, ["telegram:L-telegram", "discord:L-discord", "telegram:L-telegram"]);
  const conn = relay.server.connection(GATEWAY);
  t.same(conn?.identities, [
    { platform: "telegram", botId: "tg" },
    { platform: "discord", botId: "dc" },
  ]);
  t.equal(conn?.handshaked, true);
});

t.test("outbound identity: hello'd pairs resolve, others get a structured failure", async (t) => {
  const identities: string[] = [];
  const relay = await startRelay(t, {
    handlers: {
      send: (_a, ctx: OutboundContext) => {
        identities.push(`${ctx.identity.platform}:${ctx.identity.botId}`);
        return { success: true, message_id: "m" };
      },
    },
  });
  const gw = await relay.gateway();
  const early = gw.outbound(send("before hello"));
  const r0 = await gw.waitForResult(early);
  t.same(r0.result, { success: false, error: "no identity has been hello'd on this connection" });
  gw.hello("telegram", "tg");
  gw.hello("discord", "dc");
  await gw.waitForCount((f) => f.type === "descriptor", 2);

  const cases: [Record<string, unknown>, boolean][] = [
    [{}, true],
    [{ platform: "discord", botId: "dc" }, true],
    [{ platform: "discord" }, true],
    [{ platform: "whatsapp" }, false], // not fronted: refused, never sent through the session default
    [{ platform: "discord", botId: "other" }, false],
    [{ platform: "slack", botId: "sl" }, false],
  ];
  for (const [extra, ok] of cases) {
    const id = gw.outbound(send("x"), extra);
    const r = await gw.waitForResult(id);
    t.equal(r.result.success, ok, JSON.stringify(extra));
    if (!ok) t.match(r.result.error, /was not hello'd on this connection|is not fronted on this connection/);
  }
  t.same(identities, ["telegram:tg", "discord:dc", "discord:dc"], "no handler call for a refused identity");
});

t.test("a request sent right after the hellos is handled after them (the gateway does not wait)", async (t) => {
  const order: string[] = [];
  const relay = await startRelay(t, {
    onHello: async (hello) => {
      if (hello.platform === "discord") await sleep(40); // a slow second identity
      order.push(`descriptor:${hello.platform}`);
      return descriptor(hello.platform);
    },
    handlers: {
      send: (_a, ctx) => {
        order.push(`send as ${ctx.identity.platform}`);
        return { success: true };
      },
    },
  });
  const gw = await relay.gateway();
  // One burst: hello, hello, then a request for the second identity.
  gw.sendRaw(
    '{"type":"hello","platform":"telegram","botId":"tg"}\n{"type":"hello","platform":"discord","botId":"dc"}\n' +
      `${JSON.stringify({ type: "outbound", requestId: "a".repeat(32), platform: "discord", botId: "dc", action: send("x") })}\n`,
  );
  const r = await gw.waitForResult("a".repeat(32));
  t.same(r.result, { success: true }, "the identity hello'd just before is known");
  t.same(order, ["descriptor:telegram", "descriptor:discord", "send as discord"]);
});

t.test("requests run concurrently and results go back out of order, matched by requestId", async (t) => {
  const gate = deferred();
  const relay = await startRelay(t, {
    handlers: {
      send: async (action) => {
        if (action.content === "slow") await gate.promise;
        return { success: true, message_id: `id-${action.content}` };
      },
    },
  });
  const gw = await handshake(relay);
  const slow = gw.outbound(send("slow"));
  const fast = gw.outbound(send("fast"));
  const fastResult = await gw.waitForResult(fast);
  t.same(fastResult.result, { success: true, message_id: "id-fast" });
  t.notOk(gw.frames.some((f) => f.type === "outbound_result" && f.requestId === slow), "the slow one is still running");
  gate.resolve();
  const slowResult = await gw.waitForResult(slow);
  t.same(slowResult.result, { success: true, message_id: "id-slow" });
  const order = gw.frames.filter((f) => f.type === "outbound_result").map((f) => (f.type === "outbound_result" ? f.requestId : ""));
  t.same(order, [fast, slow]);
});

t.test("handler failures become success:false results; the server keeps serving", async (t) => {
  const errors: string[] = [];
  const relay = await startRelay(t, {
    outboundTimeoutMs: 100,
    handlers: {
      send: (action) => {
        if (action.content === "throw") throw new Error("platform said no");
        if (action.content === "reject") return Promise.reject(new Error("async no"));
        if (action.content === "invalid") return { success: "yes" } as unknown as OutboundResult;
        return { success: true };
      },
      edit: (_a, ctx) =>
        new Promise((resolve) => {
          ctx.signal.addEventListener("abort", () => {
            aborted = true;
            resolve({ success: true });
          });
        }),
    },
  });
  let aborted = false;
  const ids: Array<{ message: string; errorId: string | undefined }> = [];
  relay.server.on("handlerError", ({ error, where, errorId }) => {
    errors.push(where);
    ids.push({ message: (error as Error).message, errorId });
  });
  const gw = await handshake(relay);
  const results = async (action: Record<string, unknown>): Promise<OutboundResult> => (await gw.waitForResult(gw.outbound(action))).result;

  // A thrown message never reaches the gateway by default: a generic error with an id, and the
  // same id with the real error on the handlerError event.
  for (const [content, message] of [["throw", "platform said no"], ["reject", "async no"]] as const) {
    const r = await results(send(content));
    t.equal(r.success, false);
    const id = /^outbound handler for "send" failed \(error id ([0-9a-f]{12})\)$/.exec(r.error ?? "")?.[1];
    t.ok(id !== undefined, `generic error with an id: ${r.error}`);
    t.notMatch(r.error, message, "the handler's message is not sent");
    t.same(ids.at(-1), { message, errorId: id }, "the id and the real error go to handlerError");
  }
  const invalid = await results(send("invalid"));
  t.equal(invalid.success, false);
  t.match(invalid.error, /invalid result for "send"/);
  const timedOut = await results({ op: "edit", chat_id: "c", message_id: "m", content: "x" });
  t.same(timedOut, { success: false, error: 'outbound handler for "edit" timed out after 100 ms' });
  t.ok(aborted, "the handler's signal is aborted at the deadline");
  t.same(await results({ op: "typing", chat_id: "c" }), { success: false, error: 'unsupported op "typing": this connector has no handler for it' });
  t.same(await results({ op: "hologram", chat_id: "c" }), { success: false, error: 'unsupported op "hologram": this connector has no handler for it' });
  t.same(await results({ op: "constructor" }), { success: false, error: 'unsupported op "constructor": this connector has no handler for it' });
  t.same(await results({ op: "__proto__" }), { success: false, error: 'unsupported op "__proto__": this connector has no handler for it' });
  t.same(await results(send("fine")), { success: true }, "still serving");
  t.same(errors, ["outbound:send", "outbound:send", "outbound:send", "outbound:edit"]);
  t.same(gw.decodeErrors, []);
});

t.test("exposeHandlerErrors: a thrown message is sent verbatim", async (t) => {
  const relay = await startRelay(t, {
    exposeHandlerErrors: true,
    handlers: {
      send: (action) => {
        if (action.content === "throw") throw new Error("platform said no");
        return Promise.reject(new Error("async no"));
      },
    },
  });
  const infos: unknown[] = [];
  relay.server.on("handlerError", ({ errorId }) => infos.push(errorId));
  const gw = await handshake(relay);
  const results = async (action: Record<string, unknown>): Promise<OutboundResult> => (await gw.waitForResult(gw.outbound(action))).result;
  t.same(await results(send("throw")), { success: false, error: 'outbound handler for "send" failed: platform said no' });
  t.same(await results(send("reject")), { success: false, error: 'outbound handler for "send" failed: async no' });
  t.same(infos, [undefined, undefined], "no error id: the gateway saw the message itself");
});

t.test("too many concurrent requests are refused, not queued without bound", async (t) => {
  const gate = deferred();
  const relay = await startRelay(t, {
    maxConcurrentOutbound: 2,
    handlers: { send: async () => (await gate.promise, { success: true }) },
  });
  const gw = await handshake(relay);
  const a = gw.outbound(send("a"));
  const b = gw.outbound(send("b"));
  const c = gw.outbound(send("c"));
  const refused = await gw.waitForResult(c);
  t.same(refused.result, { success: false, error: "too many concurrent requests (limit 2)" });
  gate.resolve();
  t.equal((await gw.waitForResult(a)).result.success, true);
  t.equal((await gw.waitForResult(b)).result.success, true);
});

t.test("onHello failures close the socket: 1011, or the code of a CloseConnectionError", async (t) => {
  const relay = await startRelay(t, {
    onHello: (hello) => {
      if (hello.platform === "slack") throw new CloseConnectionError(CloseCode.UpstreamUnavailable, CloseReason.UpstreamUnavailable);
      if (hello.platform === "broken") return { platform: "broken" } as never; // missing required keys
      throw new Error("boom");
    },
  });
  const a = await relay.gateway();
  a.hello("slack", "s");
  t.same(await a.waitClose(), { code: 4503, reason: "Slack connection failed" });
  const b = await relay.gateway();
  b.hello("telegram", "t");
  t.same(await b.waitClose(), { code: 1011, reason: "internal error" });
  const c = await relay.gateway();
  c.hello("broken", "x");
  t.same(await c.waitClose(), { code: 1011, reason: "internal error" }, "an invalid descriptor is never sent");
  t.same(c.frames, []);
});

t.test("interrupt frames reach onInterrupt", async (t) => {
  const got: unknown[] = [];
  const relay = await startRelay(t, {
    onInterrupt: (frame, ctx) => {
      got.push([frame.session_key, frame.reason, ctx.gatewayId]);
      throw new Error("handler bug is contained");
    },
  });
  const gw = await handshake(relay);
  gw.send({ type: "interrupt", session_key: "agent:main:telegram:dm:c1", reason: null });
  gw.send({ type: "interrupt", session_key: "k2", reason: "user" });
  await sleep(50);
  t.same(got, [
    ["agent:main:telegram:dm:c1", null, GATEWAY],
    ["k2", "user", GATEWAY],
  ]);
  t.ok(gw.isOpen);
});

t.test("graceful close: in-flight requests answer, new ones are refused, sockets close with 1001", async (t) => {
  const gate = deferred();
  const relay = await startRelay(t, {
    handlers: {
      send: async (action) => {
        if (action.content === "slow") await gate.promise;
        return { success: true, message_id: action.content };
      },
    },
  });
  const gw = await handshake(relay);
  const slow = gw.outbound(send("slow"));
  await sleep(20);
  const closing = relay.server.close({ drainMs: 2000 });
  await sleep(20);
  const late = gw.outbound(send("late"));
  const lateResult = await gw.waitForResult(late);
  t.same(lateResult.result, { success: false, error: "relay connector shutting down" });
  t.ok(gw.isOpen, "still open while a request is in flight");
  await t.rejects(relay.gateway(), /HTTP 503/, "no new connections while closing");
  gate.resolve();
  const slowResult = await gw.waitForResult(slow);
  t.same(slowResult.result, { success: true, message_id: "slow" });
  t.same(await gw.waitClose(), { code: 1001, reason: "connector shutting down" });
  await closing;
  const resultIndex = gw.frames.findIndex((f) => f.type === "outbound_result" && f.requestId === slow);
  t.equal(resultIndex, gw.frames.length - 1, "the in-flight result was the last frame before the close");
});

t.test("graceful close is bounded: a stuck handler does not hold it forever", async (t) => {
  const relay = await startRelay(t, { handlers: { send: () => new Promise(() => undefined) } });
  const gw = await handshake(relay);
  gw.outbound(send("never"));
  await sleep(20);
  const started = Date.now();
  await relay.server.close({ drainMs: 200 });
  t.ok(Date.now() - started < 1500);
  t.equal((await gw.waitClose()).code, 1001);
});
