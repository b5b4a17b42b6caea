/**
 * Inbound deliveries against a fake connector on plain `ws` (wire-protocol.md §3.3, §3.4, §3.9,
 * §3.11, §4.3, §4.4): ack after the handler, never for live or failed deliveries, no head-of-line
 * blocking, passthrough bodies, tolerance of bad input.
 */
import t from "tap";
import { connectedClient, nextEvent, record } from "./helpers/fake-connector.js";
import { messageEvent } from "./helpers/fixtures.js";
import { sleep, until } from "./helpers/time.js";

const setup = connectedClient;

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

for (const validateOutgoing of [true, false]) {
  t.test(`a buffered inbound is acked after its handler resolves; a live one never (validateOutgoing: ${validateOutgoing})`, async (t) => {
    const g = gate();
    const seen: Array<[string, string | undefined]> = [];
    let finished = false;
    const { conn } = await setup(
      t,
      {},
      {
        validateOutgoing,
        handlers: {
          inbound: async (event, ctx) => {
            seen.push([event.text, ctx.bufferId]);
            if (event.text === "buffered") {
              await g.promise;
              finished = true;
            }
          },
        },
      },
    );
    conn.inbound(messageEvent("live"));
    conn.inbound(messageEvent("buffered"), "buf-1");
    await until(() => seen.length === 2);
    await sleep(30);
    t.same(
      seen,
      [
        ["live", undefined],
        ["buffered", "buf-1"],
      ],
      "both delivered, in order, with bufferId",
    );
    t.same(conn.acks, [], "no ack while the handler is still running");
    g.open();
    const ack = await conn.waitForType("inbound_ack");
    t.ok(finished, "the ack came after the handler resolved");
    t.strictSame(ack, { type: "inbound_ack", bufferId: "buf-1" });
    // Another live and a later buffered one: the acks list must only ever hold buffered ids.
    conn.inbound(messageEvent("live-2"));
    conn.inbound(messageEvent("buffered-2"), "buf-2");
    await conn.waitForType("inbound_ack", 2);
    t.same(conn.acks, ["buf-1", "buf-2"], "live deliveries are never acked");
  });
}

t.test("a handler that throws is not acked (the connector redelivers) and is reported", async (t) => {
  const failures: string[] = [];
  const { client, conn } = await setup(
    t,
    {},
    {
      handlers: {
        // Not async: one delivery throws synchronously, the other returns a rejected promise.
        inbound: (event) => {
          if (event.text === "bad-sync") throw new Error(`cannot handle ${event.text}`);
          if (event.text === "bad-async") return Promise.reject(new Error(`cannot handle ${event.text}`));
          return undefined;
        },
      },
    },
  );
  const errors = record(client, "handlerError");
  client.on("handlerError", (e) => failures.push((e.error as Error).message));
  conn.inbound(messageEvent("bad-sync"), "buf-bad");
  conn.inbound(messageEvent("bad-async"), "buf-bad-2");
  conn.inbound(messageEvent("good"), "buf-good");
  await conn.waitForType("inbound_ack");
  t.same(conn.acks, ["buf-good"], "only the delivery whose handler succeeded was acked");
  t.same(failures, ["cannot handle bad-sync", "cannot handle bad-async"]);
  t.same(
    errors.map((e) => [e.where, e.bufferId]),
    [
      ["inbound", "buf-bad"],
      ["inbound", "buf-bad-2"],
    ],
  );
  t.equal(client.state, "ready", "a failing handler does not end the connection");
});

t.test("no handler registered: not acked, reported", async (t) => {
  const { client, conn } = await setup(t);
  const errors = record(client, "handlerError");
  conn.inbound(messageEvent("orphan"), "buf-o");
  await nextEvent(client, "handlerError");
  await sleep(30);
  t.same(conn.acks, []);
  t.equal(errors[0]?.bufferId, "buf-o");
});

t.test("a slow inbound handler does not hold back outbound results", async (t) => {
  const g = gate();
  let handlerDone = false;
  const { client, conn } = await setup(
    t,
    {},
    {
      requestTimeoutMs: 2000,
      handlers: {
        inbound: async () => {
          await g.promise;
          handlerDone = true;
        },
      },
    },
  );
  conn.inbound(messageEvent("slow"), "buf-slow");
  await sleep(20);
  const results = await Promise.all([client.send({ chat_id: "c", content: "1" }), client.send({ chat_id: "c", content: "2" })]);
  t.same(
    results.map((r) => r.success),
    [true, true],
    "results flowed while the handler was blocked",
  );
  t.notOk(handlerDone, "the handler is still running");
  t.same(conn.acks, []);
  g.open();
  await conn.waitForType("inbound_ack");
  t.same(conn.acks, ["buf-slow"]);
});

t.test("no head-of-line deadlock: a handler may await a request's result", async (t) => {
  const outcomes: Array<{ success: boolean; error?: string }> = [];
  const { client, conn } = await setup(t, {}, { requestTimeoutMs: 1500 });
  client.onInbound(async (event) => {
    // The reference gateway's reader would be stuck inside this handler and never read the
    // result: the request would end in "relay outbound timed out" after 30 s.
    outcomes.push(await client.send({ chat_id: event.source.chat_id, content: `re: ${event.text}` }));
  });
  conn.inbound(messageEvent("hello"), "buf-h");
  await conn.waitForType("inbound_ack");
  t.same(outcomes, [{ success: true, message_id: "msg-1" }]);
  t.equal((conn.outbounds[0]?.action as { content: string }).content, "re: hello");
});

t.test("deliveries run one at a time, in arrival order", async (t) => {
  const log: string[] = [];
  const { conn } = await setup(
    t,
    {},
    {
      handlers: {
        inbound: async (event) => {
          log.push(`start ${event.text}`);
          await sleep(event.text === "1" ? 40 : 5);
          log.push(`end ${event.text}`);
        },
        interruptInbound: (i) => {
          log.push(`interrupt ${i.session_key}`);
        },
      },
    },
  );
  conn.inbound(messageEvent("1"), "b1");
  conn.send({ type: "interrupt_inbound", session_key: "agent:main:telegram:dm:c1", chat_id: "c1" });
  conn.inbound(messageEvent("2"), "b2");
  await conn.waitForType("inbound_ack", 2);
  t.same(log, ["start 1", "end 1", "interrupt agent:main:telegram:dm:c1", "start 2", "end 2"]);
  t.same(conn.acks, ["b1", "b2"]);
});

t.test("inbound events are normalised to their typed defaults", async (t) => {
  const events: unknown[] = [];
  const { conn } = await setup(t, {}, { handlers: { inbound: (e) => void events.push(e) } });
  conn.send({ type: "inbound", event: { message_type: "image", source: { chat_id: "c7", extra: 1 }, custom: true }, bufferId: "n1" });
  await conn.waitForType("inbound_ack");
  t.strictSame(events[0], {
    message_type: "text",
    text: "",
    custom: true,
    source: {
      chat_id: "c7",
      extra: 1,
      platform: "relay",
      chat_type: "dm",
      chat_name: null,
      user_id: null,
      user_name: null,
      thread_id: null,
      chat_topic: null,
    },
  });
});

t.test("interrupt_inbound reaches its handler; interrupt() writes the G→C frame", async (t) => {
  const interrupts: unknown[] = [];
  const { client, conn } = await setup(t, {}, { handlers: { interruptInbound: (i) => void interrupts.push(i) } });
  conn.send({ type: "interrupt_inbound", session_key: "agent:main:discord:group:chanA:userX", chat_id: "chanA" });
  await until(() => interrupts.length === 1);
  t.same(interrupts, [{ type: "interrupt_inbound", session_key: "agent:main:discord:group:chanA:userX", chat_id: "chanA" }]);
  t.equal(client.interrupt("agent:main:x"), true);
  t.equal(client.interrupt("agent:main:y", "user pressed stop"), true);
  await conn.waitForType("interrupt", 2);
  t.strictSame(
    conn.frames.filter((f) => f.type === "interrupt"),
    [
      { type: "interrupt", session_key: "agent:main:x", reason: null },
      { type: "interrupt", session_key: "agent:main:y", reason: "user pressed stop" },
    ],
    "reason key always present",
  );
});

t.test("passthrough_forward: body decoded to bytes, acked after the handler when buffered", async (t) => {
  const bodies: Buffer[] = [];
  const requests: unknown[] = [];
  const g = gate();
  const { client, conn } = await setup(
    t,
    {},
    {
      handlers: {
        passthroughForward: async (req, ctx) => {
          bodies.push(req.body);
          requests.push({ headers: req.headers, path: req.path, bufferId: ctx.bufferId });
          if (ctx.bufferId !== undefined) await g.promise;
        },
      },
    },
  );
  const protocolErrors = record(client, "protocolError");
  const bytes = Buffer.from([0x7b, 0x00, 0xff, 0xfe, 0x0a, 0x7d]);
  const forward = {
    platform: "discord",
    botId: "dc-bot",
    method: "POST",
    path: "/interactions/discord/appShared",
    headers: [["content-type", "application/json"], ["bad"], ["x-sig", "abc"]],
    bodyB64: bytes.toString("base64"),
  };
  conn.send({ type: "passthrough_forward", forward });
  conn.send({ type: "passthrough_forward", forward: { ...forward, bodyB64: "%%%not base64" } });
  conn.send({ type: "passthrough_forward", forward, bufferId: "pt-1" });
  await until(() => bodies.length === 3);
  await sleep(30);
  t.equal(bodies.length, 3);
  t.ok(bodies[0]?.equals(bytes), "exact bytes, including non-UTF-8 and newline bytes");
  t.equal(bodies[1]?.length, 0, "undecodable body: empty");
  // The non-pair header is dropped and reported on each of the three frames.
  t.same(
    protocolErrors.map((e) => e.error.code),
    ["entry_dropped", "entry_dropped", "invalid_base64", "entry_dropped"],
  );
  t.match(protocolErrors[0]?.error.issues, [{ path: "/forward/headers/1" }]);
  t.same(
    (requests[0] as { headers: unknown }).headers,
    [
      ["content-type", "application/json"],
      ["x-sig", "abc"],
    ],
    "non-pair headers dropped",
  );
  t.same(conn.acks, [], "not acked before the handler resolved");
  g.open();
  await conn.waitForType("inbound_ack");
  t.same(conn.acks, ["pt-1"], "the buffered forward is acked, the live ones are not");
});

t.test("passthrough_forward: line-wrapped base64 decodes and scalar header members are read as text, like the reference", async (t) => {
  // ws_transport.py `_passthrough_from_wire` (hermes-agent 00067189): base64.b64decode skips
  // whitespace; every two-element header pair is kept with str() of both members.
  const seen: Array<{ body: Buffer; headers: unknown }> = [];
  const { client, conn } = await setup(t, {}, { handlers: { passthroughForward: (req) => void seen.push({ body: req.body, headers: req.headers }) } });
  const protocolErrors = record(client, "protocolError");
  const payload = Buffer.from(JSON.stringify({ type: 1, data: "x".repeat(100) }));
  const wrapped = payload.toString("base64").replace(/.{76}/g, "$&\r\n");
  t.ok(wrapped.includes("\r\n"), "the body is MIME-wrapped");
  const forward = {
    platform: "discord",
    botId: "dc-bot",
    method: "POST",
    path: "/interactions/discord/appShared",
    headers: [["content-length", payload.length], ["x-retry", false], ["x-sig", "abc"], ["x-obj", { a: 1 }]],
    bodyB64: wrapped,
  };
  conn.send({ type: "passthrough_forward", forward });
  conn.send({ type: "passthrough_forward", forward: { ...forward, headers: [], bodyB64: "YW Jj\nYQ=" } });
  await until(() => seen.length === 2);
  t.ok(seen[0]?.body.equals(payload), "wrapped body decoded to the exact bytes");
  t.same(seen[0]?.headers, [["content-length", String(payload.length)], ["x-retry", "False"], ["x-sig", "abc"]], "scalars read as text, the object member dropped");
  t.equal(seen[1]?.body.length, 0, "wrong padding still refused");
  t.same(
    protocolErrors.map((e) => e.error.code),
    ["entry_dropped", "invalid_base64"],
    "only the object header and the badly padded body are reported",
  );
  t.match(protocolErrors[0]?.error.issues, [{ path: "/forward/headers/3" }]);
});

t.test("peer garbage never crashes the client and is reported", async (t) => {
  const texts: string[] = [];
  const { client, conn } = await setup(t, {}, { handlers: { inbound: (e) => void texts.push(e.text) } });
  const codes = record(client, "protocolError");
  conn.sendRaw("this is not json\n");
  conn.sendRaw("[1,2,3]\n");
  conn.sendRaw('{"no":"type"}\n');
  conn.sendRaw('{"type":"from_the_future"}\n');
  conn.sendRaw('{"type":"hello","platform":"x","botId":""}\n');
  conn.sendRaw('{"type":"inbound","event":"nope"}\n');
  conn.sendRaw("\n\n   \n");
  // Two frames in one message, then one frame split across three messages.
  conn.sendRaw(
    JSON.stringify({ type: "inbound", event: messageEvent("a") }) +
      "\n" +
      JSON.stringify({ type: "inbound", event: messageEvent("b") }) +
      "\n",
  );
  const split = JSON.stringify({ type: "inbound", event: messageEvent("c") }) + "\n";
  conn.sendRaw(split.slice(0, 10));
  conn.sendRaw(split.slice(10, 30));
  conn.sendRaw(split.slice(30));
  conn.ws.send(Buffer.from(JSON.stringify({ type: "inbound", event: messageEvent("binary") }) + "\n"), { binary: true });
  await until(() => texts.length === 4);
  t.same(texts, ["a", "b", "c", "binary"]);
  t.same(
    codes.map((c) => c.error.code),
    ["invalid_json", "not_object", "missing_type", "unknown_type", "wrong_direction", "schema"],
  );
  t.equal(client.state, "ready");
  t.ok((await client.send({ chat_id: "c", content: "still alive" })).success);
});

t.test("a handler's result decides when it has finished: a plain value at once, a thenable (not only a Promise) when it settles", async (t) => {
  const log: string[] = [];
  // A minimal thenable, as some libraries return: the queue must wait for it like for a Promise.
  const later = (name: string, ok: boolean): PromiseLike<void> => ({
    then(resolve, reject) {
      setTimeout(() => {
        log.push(`settle ${name}`);
        if (ok) resolve?.(undefined);
        else reject?.(new Error(`failed ${name}`));
      }, 20);
      return Promise.resolve() as never;
    },
  });
  const { client, conn } = await setup(
    t,
    {},
    {
      handlers: {
        // What JavaScript callers may return, beyond the declared Promise<void> | void.
        inbound: ((event: { text: string }) => {
          log.push(`start ${event.text}`);
          if (event.text === "thenable") return later(event.text, true);
          if (event.text === "rejecting") return later(event.text, false);
          return event.text === "value" ? 42 : undefined;
        }) as never,
      },
    },
  );
  const errors = record(client, "handlerError");
  conn.inbound(messageEvent("thenable"), "t1");
  conn.inbound(messageEvent("value"), "v1");
  conn.inbound(messageEvent("rejecting"), "r1");
  conn.inbound(messageEvent("plain"), "p1");
  await conn.waitForType("inbound_ack", 3);
  await until(() => log.length === 6);
  t.same(log, ["start thenable", "settle thenable", "start value", "start rejecting", "settle rejecting", "start plain"], "each starts after the one before finished");
  t.same(conn.acks, ["t1", "v1", "p1"], "acked in order; the rejected one is not");
  t.same(errors.map((e) => [e.where, e.bufferId, (e.error as Error).message]), [["inbound", "r1", "failed rejecting"]]);
});

t.test("an inbound handler's context: the bufferId, the session's generation and the frame as received", async (t) => {
  const contexts: unknown[] = [];
  const { conn } = await setup(t, {}, { handlers: { inbound: (_event, ctx) => void contexts.push(ctx) } });
  conn.inbound(messageEvent("buffered"), "b-ctx");
  conn.inbound(messageEvent("live"));
  await until(() => contexts.length === 2);
  const [buffered, live] = contexts as Array<Record<string, unknown>>;
  t.strictSame(Object.keys(buffered ?? {}), ["bufferId", "generation", "frame"]);
  t.equal(buffered?.bufferId, "b-ctx");
  t.equal(typeof buffered?.generation, "number");
  t.match(buffered?.frame, { type: "inbound", bufferId: "b-ctx", event: { text: "buffered" } });
  t.equal(live?.bufferId, undefined);
  t.match(live?.frame, { type: "inbound", event: { text: "live" } });
});
