/**
 * `relay-contract mock-connector`: a connector a gateway team develops against. It answers
 * hellos with a configurable descriptor, answers every op (the loopback platform included),
 * pushes scripted inbound / interrupt / passthrough frames after each handshake, and validates
 * and logs everything the gateway sends.
 *
 * Script file: a JSON array of steps (or `{ "once": true, "steps": [...] }` to run only after the
 * first handshake), run in order after each connection's handshake:
 *   { "wait_ms": 200 }
 *   { "inbound": <MessageEvent>, "bufferId"?: "b-1" }     — with bufferId: waits for its inbound_ack
 *   { "interrupt_inbound": { "session_key": "…", "chat_id": "…" } }
 *   { "passthrough": <PassthroughForward>, "bufferId"?: "p-1" }
 */
import { setTimeout as sleep } from "node:timers/promises";
import { readFileSync } from "node:fs";
import type { CapabilityDescriptor, MessageEvent, PassthroughForward } from "../../generated/types.js";
import { startLoopbackConnector, type LoopbackConnector } from "../conformance/agents/loopback-connector.js";
import { descriptorFor } from "../conformance/fixtures.js";
import type { RelayConnection } from "../server/index.js";
import { validateDefinition } from "../validation.js";
import { UsageError } from "./args.js";

export type ScriptStep =
  | { wait_ms: number }
  | { inbound: MessageEvent; bufferId?: string }
  | { interrupt_inbound: { session_key: string; chat_id: string } }
  | { passthrough: PassthroughForward; bufferId?: string };

export interface Script {
  once: boolean;
  steps: ScriptStep[];
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${what} ${file} is not JSON: ${(err as Error).message}`);
  }
}

export function loadScript(file: string): Script {
  const value = readJson(file, "script");
  const raw = Array.isArray(value) ? { once: false, steps: value } : (value as { once?: unknown; steps?: unknown });
  if (!Array.isArray(raw.steps)) throw new UsageError(`script ${file}: expected an array of steps or { "steps": [...] }`);
  raw.steps.forEach((step: unknown, i: number) => {
    const fields = (step ?? {}) as Record<string, unknown>;
    const kinds = ["wait_ms", "inbound", "interrupt_inbound", "passthrough"].filter((k) => k in fields);
    if (kinds.length !== 1) throw new UsageError(`script ${file}: step ${i} must have exactly one of wait_ms, inbound, interrupt_inbound, passthrough`);
  });
  return { once: raw.once === true, steps: raw.steps as ScriptStep[] };
}

/**
 * A descriptor file holds either a descriptor, complete or partial (its keys replace those of the
 * default descriptor, for every hello, with `platform` set to the hello's), or an object mapping
 * platforms to such descriptors (platforms not listed get the default). It is a map when every
 * value is a JSON object. Each descriptor the file yields is checked at start-up: one the server
 * helper could not send is a usage error naming its problems, never a connection closed later.
 */
export function loadDescriptors(file: string): (platform: string) => CapabilityDescriptor {
  const value = readJson(file, "descriptor file");
  if (!isPlainObject(value)) throw new UsageError(`descriptor file ${file}: expected a JSON object (a descriptor, or platforms mapped to descriptors)`);
  const entries = Object.entries(value);
  const isMap = entries.length > 0 && entries.every(([, v]) => isPlainObject(v));
  const over = (platform: string, partial: object): CapabilityDescriptor => ({ ...descriptorFor(platform), ...partial, platform }) as CapabilityDescriptor;
  const check = (descriptor: CapabilityDescriptor, where: string): void => {
    const verdict = validateDefinition("CapabilityDescriptor", descriptor);
    if (!verdict.ok) throw new UsageError(`descriptor file ${file}${where}: not a valid descriptor: ${verdict.issues.map((i) => `${i.path || "/"}: ${i.message}`).join("; ")}`);
  };
  if (!isMap) {
    check(over("mock", value), "");
    return (platform) => over(platform, value);
  }
  for (const [platform, partial] of entries) check(over(platform, partial as object), ` [${platform}]`);
  const map = value as Record<string, object>;
  return (platform) => over(platform, Object.hasOwn(map, platform) ? (map[platform] as object) : {});
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Right after a handshake the server drains the backlog; pushes made then would be buffered too. */
async function untilLive(conn: RelayConnection, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (conn.open && conn.phase !== "live" && Date.now() < deadline) await sleep(10);
}

export async function runScript(conn: RelayConnection, script: Script, log: (line: string) => void): Promise<void> {
  await untilLive(conn, 2000);
  for (const step of script.steps) {
    if (!conn.open) return;
    try {
      if ("wait_ms" in step) await sleep(step.wait_ms);
      else if ("inbound" in step) {
        const receipt = await conn.sendInbound(step.inbound, step.bufferId === undefined ? {} : { bufferId: step.bufferId });
        log(`script: inbound ${receipt.mode}${receipt.bufferId !== undefined ? ` (acked ${receipt.bufferId})` : ""}`);
      } else if ("interrupt_inbound" in step) {
        await conn.sendInterruptInbound(step.interrupt_inbound);
      } else {
        const receipt = await conn.sendPassthrough(step.passthrough, step.bufferId === undefined ? {} : { bufferId: step.bufferId });
        log(`script: passthrough ${receipt.mode}${receipt.bufferId !== undefined ? ` (acked ${receipt.bufferId})` : ""}`);
      }
    } catch (err) {
      log(`script: step failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

export interface MockConnectorOptions {
  port: number;
  host: string;
  gatewayId?: string;
  secret?: string;
  descriptorFile?: string;
  scriptFile?: string;
  log: (line: string) => void;
}

export async function startMockConnector(opts: MockConnectorOptions): Promise<LoopbackConnector> {
  const descriptor = opts.descriptorFile === undefined ? undefined : loadDescriptors(opts.descriptorFile);
  const script = opts.scriptFile === undefined ? undefined : loadScript(opts.scriptFile);
  const authenticated = opts.gatewayId !== undefined && opts.secret !== undefined;
  const mock = await startLoopbackConnector({
    port: opts.port,
    host: opts.host,
    ...(authenticated ? { gateways: { [opts.gatewayId as string]: opts.secret as string } } : { unauthenticated: true }),
    ...(descriptor !== undefined && { descriptor: (platform: string) => descriptor(platform) }),
    log: opts.log,
  });
  if (script !== undefined) {
    const started = new Set<string>();
    let ran = false;
    mock.server.on("handshake", ({ connection: conn }) => {
      if (started.has(conn.id) || (script.once && ran)) return;
      started.add(conn.id);
      ran = true;
      void runScript(conn, script, opts.log);
    });
    mock.server.on("close", ({ connection }) => started.delete(connection.id));
  }
  return mock;
}
