/**
 * `relay-contract demo`: a connector (the server helper) and a gateway (the client) in one
 * process on 127.0.0.1, talking through a raw wire tap that validates every frame against the
 * strict schema. Every frame type and every op crosses the wire; the transcript shows them and
 * the last line sums them up. No configuration.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { MessageEvent } from "../../generated/types.js";
import { createRelayClient, type PassthroughRequest } from "../client/index.js";
import { startLoopbackConnector } from "../conformance/agents/loopback-connector.js";
import { ALL_OPS, COMMAND_MANIFEST, passthroughFor, sampleAction, textEvent } from "../conformance/fixtures.js";
import { CONNECTOR_FRAME_TYPES, GATEWAY_FRAME_TYPES, validateFrame } from "../validation.js";
import { startWireTap, type TapDirection } from "./wire-tap.js";

export interface DemoOptions {
  write: (line: string) => void;
  /** Print whole frames instead of one clipped line each. */
  full?: boolean;
  color?: boolean;
  /** Per step. Default 5000 ms. */
  stepTimeoutMs?: number;
}

export interface DemoResult {
  ok: boolean;
  frames: number;
  frameTypes: string[];
  ops: string[];
  invalid: number;
  failedSteps: string[];
  durationMs: number;
}

const GATEWAY_ID = "gw-demo";
const SESSION = "agent:main:discord:group:chanA:userX";
const ALL_TYPES = [...GATEWAY_FRAME_TYPES, ...CONNECTOR_FRAME_TYPES];

interface Seen {
  inbound: Array<{ event: MessageEvent; bufferId: string | undefined }>;
  interrupts: Array<{ session_key: string; chat_id: string }>;
  passthrough: Array<{ request: PassthroughRequest; bufferId: string | undefined }>;
}

async function until(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]);
}

export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const out = opts.write;
  const paint = (code: number, t: string): string => (opts.color ? `\x1b[${code}m${t}\x1b[0m` : t);
  const step = opts.stepTimeoutMs ?? 5000;
  const secret = "demo-secret-" + Math.random().toString(36).slice(2);

  // ---- the wire: every message, both directions, validated strictly --------------------------
  const pending: Record<TapDirection, string> = { "G→C": "", "C→G": "" };
  const types = new Set<string>();
  const ops = new Set<string>();
  let frames = 0;
  let invalid = 0;
  const observe = (direction: TapDirection, text: string): void => {
    if (!text.endsWith("\n")) {
      invalid++;
      out(`  ${paint(31, "✗")} ${direction} message without its trailing "\\n": ${JSON.stringify(text.slice(0, 80))}`);
    }
    const lines = (pending[direction] + text).split("\n");
    pending[direction] = lines.pop() ?? "";
    for (const line of lines) {
      if (line.trim() === "") continue;
      frames++;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        invalid++;
        out(`  ${paint(31, "✗")} ${direction} not JSON: ${line.slice(0, 80)}`);
        continue;
      }
      const result = validateFrame(value, { mode: "strict", direction: direction === "G→C" ? "gateway-to-connector" : "connector-to-gateway" });
      const frame = value as { type?: unknown; action?: { op?: unknown } };
      const type = typeof frame.type === "string" ? frame.type : "?";
      types.add(type);
      if (type === "outbound" && typeof frame.action?.op === "string") ops.add(frame.action.op);
      if (!result.ok) invalid++;
      const label = type === "outbound" ? `outbound ${String(frame.action?.op)}` : type;
      const mark = result.ok ? paint(32, "✓") : paint(31, "✗");
      const body = opts.full || line.length <= 96 ? line : `${line.slice(0, 95)}…`;
      out(`  ${mark} ${direction} ${label.padEnd(24)} ${body}`);
      if (!result.ok) for (const issue of result.issues) out(`      ${paint(31, `${issue.path || "/"}: ${issue.message}`)}`);
    }
  };

  // ---- the peers ------------------------------------------------------------------------------
  const connector = await startLoopbackConnector({ gateways: { [GATEWAY_ID]: secret }, server: { keepaliveIntervalMs: 0 } });
  const server = connector.server;
  const tap = await startWireTap(connector.url, observe);
  const seen: Seen = { inbound: [], interrupts: [], passthrough: [] };
  const client = createRelayClient({
    url: tap.url,
    gatewayId: GATEWAY_ID,
    secret,
    identities: [
      { platform: "discord", botId: "1122334455667788990", commandManifest: COMMAND_MANIFEST },
      { platform: "telegram", botId: "7012345678" },
    ],
    backoffBaseMs: 50,
    backoffMaxMs: 200,
    dormantRedialMs: 100,
    requestTimeoutMs: step,
    goIdleTimeoutMs: step,
    handshakeTimeoutMs: step,
    keepaliveIntervalMs: 0,
    handlers: {
      inbound: (event, ctx) => void seen.inbound.push({ event, bufferId: ctx.bufferId }),
      interruptInbound: (frame) => void seen.interrupts.push({ session_key: frame.session_key, chat_id: frame.chat_id }),
      passthroughForward: (request, ctx) => void seen.passthrough.push({ request, bufferId: ctx.bufferId }),
    },
  });

  out(`relay-contract demo — connector (server helper) ${connector.url}/relay ⇄ wire tap ${tap.url} ⇄ gateway (client)`);
  out(`every frame below crossed the socket and was checked against the strict schema (✓ valid, ✗ invalid)`);

  const failedSteps: string[] = [];
  let aborted = false;
  const run = async (title: string, body: () => Promise<void>, critical = false): Promise<void> => {
    if (aborted) return;
    out("");
    out(paint(1, `── ${title}`));
    try {
      await body();
      // Let the tap print the frames of this step before the next heading.
      await sleep(20);
    } catch (err) {
      failedSteps.push(title);
      out(`  ${paint(31, "✗ step failed:")} ${err instanceof Error ? err.message : String(err)}`);
      if (critical) aborted = true;
    }
  };

  try {
    await run("handshake: one hello per identity (Discord with its command manifest, Telegram), one descriptor each", async () => {
      const descriptor = await within(client.connect(), step, "the first descriptor");
      await until(() => client.descriptors.size === 2, step, "both descriptors");
      out(`  → session default: ${descriptor.label}; supported_ops: ${(descriptor.supported_ops ?? []).length}`);
    }, true);

    await run(`all ${ALL_OPS.length} ops: each outbound answered by an outbound_result with its requestId`, async () => {
      for (const op of ALL_OPS) {
        const result = await client.request(sampleAction(op), { platform: "discord" });
        if (result.success !== true) throw new Error(`${op} failed: ${JSON.stringify(result)}`);
      }
    });

    await run("live inbound: delivered without bufferId, never acked", async () => {
      const receipt = await within(server.sendInbound(GATEWAY_ID, textEvent("Hi Hermes, can you summarise #general?")), step, "the live delivery");
      await until(() => seen.inbound.some((s) => s.event.text.startsWith("Hi Hermes")), step, "the gateway's inbound handler");
      out(`  → delivered ${receipt.mode}; the handler saw bufferId ${String(seen.inbound.at(-1)?.bufferId)}`);
    });

    await run("interrupt_inbound: the connector stops a session running on this gateway", async () => {
      await server.sendInterruptInbound(GATEWAY_ID, { session_key: SESSION, chat_id: "chanA" });
      await until(() => seen.interrupts.some((i) => i.session_key === SESSION), step, "interrupt_inbound");
    });

    await run("interrupt: the gateway egresses /stop; the connector routes it back as interrupt_inbound", async () => {
      const key = "agent:main:telegram:dm:42";
      if (!client.interrupt(key, "user pressed stop")) throw new Error("interrupt was not written");
      await until(() => seen.interrupts.some((i) => i.session_key === key), step, "the routed interrupt_inbound");
    });

    await run("passthrough_forward: a Discord component press forwarded over the socket", async () => {
      const body = '{"type":3,"data":{"custom_id":"hp1:a1b2c3.0f1e2d3c:once"}}';
      await within(server.sendPassthrough(GATEWAY_ID, passthroughFor(body)), step, "the passthrough delivery");
      await until(() => seen.passthrough.some((p) => p.request.body.toString("utf8") === body), step, "the passthrough handler");
    });

    await run("buffered delivery: inbound with bufferId, acked with inbound_ack after the handler", async () => {
      const conn = server.connection(GATEWAY_ID);
      if (conn === undefined) throw new Error("no live connection for the gateway");
      const receipt = await within(conn.sendInbound(textEvent("a delivery from the connector's own buffer"), { bufferId: "demo-buffer-1" }), step, "inbound_ack");
      out(`  → acked: ${receipt.mode} ${receipt.bufferId ?? ""}`);
    });

    let backlog: Array<Promise<unknown>> = [];
    await run("going idle: going_idle → going_idle_ack; the connector buffers from now on; the gateway goes dormant", async () => {
      server.once("goingIdle", () => {
        // Flipped: these are buffered, and resolve when the gateway acks their replay.
        backlog = [
          server.sendInbound(GATEWAY_ID, textEvent("while you were away (1)")),
          server.sendInbound(GATEWAY_ID, textEvent("while you were away (2)")),
          server.sendPassthrough(GATEWAY_ID, passthroughFor('{"type":3,"data":{"custom_id":"late-press"}}')),
        ];
      });
      const acked = await client.goDormant(step);
      if (!acked) throw new Error("going_idle was not acked");
    });

    await run("reconnect: re-dial with a fresh token, hellos again, backlog replayed in order with bufferIds and acked", async () => {
      const receipts = (await within(Promise.all(backlog), step * 2, "the replayed backlog's acks")) as Array<{ mode: string; bufferId?: string }>;
      if (receipts.length !== 3 || receipts.some((r) => r.mode !== "buffered")) throw new Error(`unexpected receipts ${JSON.stringify(receipts)}`);
      const replayed = seen.inbound.filter((s) => s.event.text.startsWith("while you were away"));
      if (replayed.map((s) => s.event.text).join("|") !== "while you were away (1)|while you were away (2)" || replayed.some((s) => s.bufferId === undefined)) {
        throw new Error("the backlog was not replayed in order with bufferIds");
      }
      out(`  → replayed and acked: ${receipts.map((r) => r.bufferId).join(", ")}`);
    });
  } finally {
    await client.close().catch(() => undefined);
    await connector.close().catch(() => undefined);
    await tap.close().catch(() => undefined);
  }

  const missingTypes = ALL_TYPES.filter((t) => !types.has(t));
  const missingOps = ALL_OPS.filter((op) => !ops.has(op));
  out("");
  if (missingTypes.length > 0) out(paint(31, `frame types never seen: ${missingTypes.join(", ")}`));
  if (missingOps.length > 0) out(paint(31, `ops never seen: ${missingOps.join(", ")}`));
  const ok = failedSteps.length === 0 && invalid === 0 && missingTypes.length === 0 && missingOps.length === 0;
  const durationMs = Date.now() - started;
  out(
    `demo: ${frames} frames, ${types.size} frame types, ${ops.size} ops, ${invalid} invalid` +
      (failedSteps.length > 0 ? `, ${failedSteps.length} failed step${failedSteps.length === 1 ? "" : "s"}` : "") +
      ` — ${ok ? paint(32, "OK") : paint(31, "FAILED")} (${(durationMs / 1000).toFixed(1)} s)`,
  );
  return { ok, frames, frameTypes: [...types].sort(), ops: [...ops].sort(), invalid, failedSteps, durationMs };
}
