/**
 * A connector on the package's server helper that fronts the kit's loopback platform (its
 * `conformanceLoopback` option, docs/conformance.md): what `relay-contract mock-connector` runs,
 * and the connector the kit is tested against. Every op gets a plausible success; deliveries
 * follow the server's rules: live, or buffered while the gateway is idle and replayed on its
 * next handshake.
 */
import type { CapabilityDescriptor, OutboundResult } from "../../../generated/types.js";
import { createRelayServer, type OutboundHandlers, type RelayServer, type RelayServerOptions } from "../../server/index.js";
import { validateFrame } from "../../validation.js";
import { descriptorFor } from "../fixtures.js";

export interface LoopbackConnectorOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Gateway id → secret(s). Omit (with `unauthenticated`) for development. */
  gateways?: Record<string, string | readonly string[]>;
  unauthenticated?: boolean;
  /** The descriptor for a hello. Default: `descriptorFor(platform)` (every op advertised). */
  descriptor?: (platform: string, botId: string) => CapabilityDescriptor;
  /** Every frame in and out, validated, plus lifecycle lines. */
  log?: (line: string) => void;
  /** Passed through to `createRelayServer` (timeouts, replay, …). */
  server?: Partial<Pick<RelayServerOptions, "outboundTimeoutMs" | "keepaliveIntervalMs" | "keepaliveTimeoutMs" | "replay" | "invalidFrames">>;
}

export interface LoopbackConnector {
  server: RelayServer;
  /** `ws://host:port` (base URL; gateways dial `…/relay`). */
  url: string;
  /** Frames seen that failed strict validation. */
  readonly invalidFrames: number;
  close(): Promise<void>;
}

let seq = 0;

/** The gateway id of unauthenticated connections (the server's default). */
const ANONYMOUS = "anonymous";

export async function startLoopbackConnector(opts: LoopbackConnectorOptions = {}): Promise<LoopbackConnector> {
  const log = opts.log ?? (() => undefined);
  const gateways = opts.gateways ?? {};
  const ok = (extra: Record<string, unknown> = {}): OutboundResult => ({ success: true, message_id: `mock-${++seq}`, ...extra });

  const handlers: OutboundHandlers = {
    send: () => ok(),
    edit: (action) => ({ success: true, message_id: action.message_id }),
    typing: () => ({ success: true }),
    follow_up: () => ok(),
    get_chat_info: (action) => ({ success: true, chat_info: { name: action.chat_id, type: "group" } }),
    send_media: () => ok(),
    prompt: () => ok(),
    react: () => ({ success: true }),
    thread_create: () => ({ success: true, thread_id: `thr-${++seq}` }),
    thread_rename: () => ({ success: true }),
    delete: () => ({ success: true }),
    draft: (action) => (action.final ? ok() : { success: true }),
    task_card: () => ({ success: true }),
    task_card_stop: () => ({ success: true }),
  };

  const auth: RelayServerOptions["auth"] = opts.unauthenticated
    ? { unauthenticated: true }
    : {
        secrets: (gatewayId: string) => {
          const secrets = gateways[gatewayId];
          return secrets === undefined ? undefined : typeof secrets === "string" ? [secrets] : secrets;
        },
      };

  const server = createRelayServer({
    auth,
    onHello: (hello) => (opts.descriptor ?? ((platform: string) => descriptorFor(platform)))(hello.platform, hello.botId),
    handlers,
    conformanceLoopback: opts.unauthenticated ? [ANONYMOUS] : Object.keys(gateways),
    ...opts.server,
  });

  let invalid = 0;
  const tap = (dir: "←" | "→", frame: { type: string }, gatewayId: string): void => {
    const result = validateFrame(frame, { mode: "strict", direction: dir === "←" ? "gateway-to-connector" : "connector-to-gateway" });
    if (!result.ok) invalid++;
    const verdict = result.ok ? "ok" : `INVALID ${result.issues.map((i) => `${i.path || "/"}: ${i.message}`).join("; ")}`;
    log(`${dir} ${gatewayId} ${frame.type} [${verdict}] ${JSON.stringify(frame)}`);
  };
  server.on("frameIn", ({ connection, frame }) => tap("←", frame, connection.gatewayId));
  server.on("frameOut", ({ connection, frame }) => tap("→", frame, connection.gatewayId));
  server.on("authenticated", ({ connection }) => log(`+ ${connection.gatewayId} connected (${connection.id})`));
  server.on("rejected", (info) => log(`x upgrade refused: ${info.reason}${info.code !== undefined ? ` (close ${info.code})` : ""}${info.status !== undefined ? ` (HTTP ${info.status})` : ""}`));
  server.on("close", ({ connection, code, reason }) => log(`- ${connection.gatewayId} closed ${code} ${reason}`));
  server.on("protocolError", ({ connection, error }) => {
    invalid++;
    log(`! ${connection.gatewayId} skipped a line: ${error.code}: ${error.message}`);
  });
  server.on("handlerError", ({ error, where }) => log(`! handler error in ${where}: ${error instanceof Error ? error.message : String(error)}`));

  const address = await server.listen({ port: opts.port ?? 0, host: opts.host ?? "127.0.0.1" });
  const host = address.address.includes(":") ? `[${address.address}]` : address.address;
  return {
    server,
    url: `ws://${host}:${address.port}`,
    get invalidFrames() {
      return invalid;
    },
    close: () => server.close({ drainMs: 1000 }),
  };
}
