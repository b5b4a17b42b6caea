/**
 * A handler that answers synchronously takes a shorter path than one that returns a promise (no
 * deadline timer, close hook or race, and its result is written in the microtask the handler ran
 * in). Both paths must end a request the same way: the same results, the same failures and
 * `handlerError` reports, the same context, the handler called after the rest of its message's
 * frames, and the same outcome when the connection closes before the handler runs.
 */
import t from "tap";
import type { ConnectorFrame, OutboundResult } from "../generated/types.js";
import { FrameDecoder } from "../src/codec/index.js";
import type { Connection } from "../src/server/connection.js";
import { createRelayServer, type OutboundContext, type RelayTransport } from "../src/server/index.js";
import { GATEWAY, handshake, startRelay } from "./helpers/raw-gateway.js";
import { descriptor } from "./helpers/fixtures.js";
import { until } from "./helpers/time.js";

type Mode = "sync" | "async";
const MODES: readonly Mode[] = ["sync", "async"];

/** `content` is "<mode>:<case>"; the handler answers `case` synchronously or through a promise. */
function answer(content: string, ctx: OutboundContext): unknown {
  const [mode, what] = content.split(":") as [Mode, string];
  const outcome = (): unknown => {
    switch (what) {
      case "ok":
        return { success: true, message_id: `m-${ctx.requestId.slice(0, 4)}`, thread_id: "t" };
      case "invalid":
        return { success: "yes" };
      case "throw":
        throw new Error(`no (${mode})`);
      case "failure":
        return { success: false, error: "platform refused", code: "refused" };
      default:
        return undefined;
    }
  };
  if (mode === "sync") return outcome();
  return new Promise((resolve) => setTimeout(resolve, 5)).then(outcome);
}

t.test("sync and promise handlers give the same results, failures and handlerError reports", async (t) => {
  const reports: Array<{ where: string; message: string; hasId: boolean }> = [];
  const contexts: Record<Mode, unknown[]> = { sync: [], async: [] };
  const actions: Record<Mode, unknown[]> = { sync: [], async: [] };
  const relay = await startRelay(t, {
    handlers: {
      send: (action, ctx) => {
        const mode = action.content.split(":")[0] as Mode;
        contexts[mode].push({
          gatewayId: ctx.gatewayId,
          identity: ctx.identity,
          requested: ctx.requested,
          requestIdMatches: ctx.frame.requestId === ctx.requestId,
          connectionIsServers: ctx.connection === relay.server.connection(GATEWAY),
          aborted: ctx.signal.aborted,
          spreadCarriesSignal: { ...ctx }.signal === ctx.signal,
        });
        actions[mode].push({ ...action, content: action.content.split(":")[1] });
        return answer(action.content, ctx) as OutboundResult;
      },
    },
  });
  relay.server.on("handlerError", ({ where, error, errorId }) =>
    reports.push({ where, message: (error as Error).message.replace(/\((sync|async)\)/, "(mode)"), hasId: errorId !== undefined }),
  );
  const gw = await handshake(relay);
  const results: Record<Mode, unknown[]> = { sync: [], async: [] };
  const reportsOf: Record<Mode, unknown[]> = { sync: [], async: [] };
  for (const mode of MODES) {
    for (const what of ["ok", "invalid", "throw", "failure", "undefined"]) {
      const before = reports.length;
      const id = gw.outbound(
        { op: "send", chat_id: "c", content: `${mode}:${what}`, reply_to: null, metadata: { thread_id: null, keep: "k" } },
        { platform: "telegram" },
      );
      const { result } = await gw.waitForResult(id);
      // An error id is random: compare its form.
      const error = typeof result.error === "string" ? result.error.replace(/error id [0-9a-f]{12}/, "error id <id>").replace(/\((sync|async)\)/, "(mode)") : undefined;
      results[mode].push({ ...result, ...(error !== undefined && { error }), message_id: typeof result.message_id === "string" ? result.message_id.length : undefined });
      reportsOf[mode].push(reports.slice(before));
    }
  }
  t.same(results.sync, results.async, "same results");
  t.same(reportsOf.sync, reportsOf.async, "same handlerError reports");
  t.same(contexts.sync, contexts.async, "same context");
  t.same(actions.sync, actions.async, "same action (metadata nulls removed on both)");
  t.same(results.sync[0], { success: true, message_id: 6, thread_id: "t" }, "a valid result is sent as the handler built it");
  t.match(results.sync[1], { success: false, error: /invalid result for "send"/ });
  t.same(results.sync[2], { success: false, error: 'outbound handler for "send" failed (error id <id>)' });
  t.same(actions.sync[0], { op: "send", chat_id: "c", content: "ok", reply_to: null, metadata: { keep: "k" } });
  t.same(contexts.sync[0], {
    gatewayId: GATEWAY,
    identity: { platform: "telegram", botId: "bot-1" },
    requested: { platform: "telegram" },
    requestIdMatches: true,
    connectionIsServers: true,
    aborted: false,
    spreadCarriesSignal: true,
  });
  t.same(gw.decodeErrors, []);
  t.equal((relay.server.connection(GATEWAY) as Connection | undefined)?.pendingRequests, 0, "every request counted as answered");
});

t.test("either handler runs after the rest of its message's frames are dispatched", async (t) => {
  const order: string[] = [];
  const relay = await startRelay(t, {
    handlers: {
      send: (action, ctx) => {
        order.push(`handler ${action.content}`);
        return answer(action.content, ctx) as OutboundResult;
      },
    },
  });
  const gw = await handshake(relay);
  // `frameIn` is emitted as each frame is dispatched.
  relay.server.on("frameIn", ({ frame }) => void (frame.type === "interrupt" && order.push(`interrupt ${frame.session_key}`)));
  for (const mode of MODES) {
    const id = `${mode === "sync" ? "a" : "b"}`.repeat(32);
    gw.sendRaw(
      `${JSON.stringify({ type: "outbound", requestId: id, action: { op: "send", chat_id: "c", content: `${mode}:ok`, reply_to: null } })}\n` +
        `${JSON.stringify({ type: "interrupt", session_key: mode, reason: null })}\n`,
    );
    t.equal((await gw.waitForResult(id)).result.success, true);
  }
  t.same(order, ["interrupt sync", "handler sync:ok", "interrupt async", "handler async:ok"]);
});

/** A transport whose close the test reports to the server itself, to close between a request's dispatch and its handler. */
class MemoryTransport implements RelayTransport {
  readonly frames: ConnectorFrame[] = [];
  open = true;
  bufferedAmount = 0;
  readonly #decoder = new FrameDecoder<ConnectorFrame>({ direction: "connector-to-gateway", mode: "strict" });

  send(message: string, done: (error?: Error) => void): void {
    for (const e of this.#decoder.push(message)) if (e.kind === "frame") this.frames.push(e.frame);
    queueMicrotask(() => done());
  }

  close(): void {
    this.open = false;
  }

  terminate(): void {
    this.open = false;
  }
}

t.test("closed before the handler runs: both run with an aborted signal, nothing is written, the request ends", async (t) => {
  const seen: Array<[string, boolean]> = [];
  const errors: string[] = [];
  const server = createRelayServer({
    auth: { secrets: ["unused"] },
    onHello: (h) => descriptor(h.platform),
    keepaliveIntervalMs: 0,
    handlers: {
      send: (action, ctx) => {
        seen.push([action.content, ctx.signal.aborted]);
        if (action.content === "sync:throw") throw new Error("late");
        return answer(action.content, ctx) as OutboundResult;
      },
    },
  });
  t.teardown(() => server.close({ drainMs: 200 }));
  server.on("handlerError", ({ where }) => errors.push(where));
  const transport = new MemoryTransport();
  const binding = server.adopt(transport, { gatewayId: "gw-mem" });
  binding.receive('{"type":"hello","platform":"telegram","botId":"b"}\n');
  await until(() => transport.frames.length === 1);
  const line = (id: string, content: string): string =>
    `${JSON.stringify({ type: "outbound", requestId: id.repeat(32), action: { op: "send", chat_id: "c", content, reply_to: null } })}\n`;
  binding.receive(line("a", "sync:ok") + line("b", "async:ok") + line("c", "sync:throw") + line("d", "async:throw"));
  // The socket ends before the microtask in which the handlers are called.
  transport.open = false;
  binding.closed(1006, "");
  const connection = binding.connection as Connection;
  await connection.settled();
  t.same(seen, [
    ["sync:ok", true],
    ["async:ok", true],
    ["sync:throw", true],
    ["async:throw", true],
  ]);
  t.same(
    transport.frames.map((f) => f.type),
    ["descriptor"],
    "no result written after the close",
  );
  t.same(errors, [], "a handler that fails after the close is not reported");
  t.equal(connection.pendingRequests, 0);
});

t.test("a hello the library cannot answer (its descriptor does not encode): reported, closed 1011, the request queued behind it still ends", async (t) => {
  const errors: string[] = [];
  const relay = await startRelay(t, {
    validateOutgoing: "off",
    // A BigInt has no JSON form: encoding the descriptor throws inside the library, not in onHello.
    onHello: (hello) => ({ ...descriptor(hello.platform), extra: 1n }) as unknown as ReturnType<typeof descriptor>,
    handlers: { send: () => ({ success: true, message_id: "m" }) },
  });
  let connection: Connection | undefined;
  relay.server.on("handlerError", (event) => {
    errors.push(event.where);
    connection = event.connection as Connection;
  });
  const gw = await relay.gateway();
  const id = "e".repeat(32);
  gw.sendRaw(
    `${JSON.stringify({ type: "hello", platform: "telegram", botId: "bot-1" })}\n` +
      `${JSON.stringify({ type: "outbound", requestId: id, action: { op: "send", chat_id: "c", content: "x", reply_to: null } })}\n`,
  );
  t.equal((await gw.waitClose()).code, 1011);
  t.same(errors, ["hello"], "the failure is reported once, where it happened");
  await connection?.settled();
  t.equal(connection?.pendingRequests, 0, "the queued request is counted as ended");
});
