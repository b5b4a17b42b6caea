/**
 * The conformance agent (docs/conformance.md) on the package's client: the gateway the kit is
 * tested against, and what `relay-contract agent` runs under `conformance gateway`.
 *
 * Handlers return as soon as the turn is scheduled — that is "handling" in the reference
 * (§6) — so buffered deliveries are acked then, and turns never hold back the reader.
 */
import type { MessageEvent } from "../../../generated/types.js";
import { createRelayClient, type RelayClient } from "../../client/index.js";
import type { GatewayEnv, GatewayUnderTest, RunningGateway } from "../gateway-kit/launcher.js";

export interface AgentOptions {
  log?: (line: string) => void;
  /** Called once the agent stops for good (terminal 4401). */
  onRevoked?: () => void;
}

function num(env: Partial<GatewayEnv>, key: keyof GatewayEnv, fallback: number): number {
  const v = Number(env[key]);
  return Number.isFinite(v) && v >= 0 ? v : fallback;
}

/** Reads the kit's environment contract and starts the agent. */
export function startGatewayAgent(env: Partial<GatewayEnv>, opts: AgentOptions = {}): RelayClient {
  const log = opts.log ?? (() => undefined);
  if (!env.RELAY_URL) throw new Error("RELAY_URL is required");
  const identities = env.RELAY_IDENTITIES ? (JSON.parse(env.RELAY_IDENTITIES) as Array<{ platform: string; botId: string }>) : undefined;
  const requestTimeoutMs = num(env, "RELAY_REQUEST_TIMEOUT_MS", 30_000);
  const backoffBaseMs = num(env, "RELAY_BACKOFF_BASE_MS", 1000);
  const client = createRelayClient({
    url: env.RELAY_URL,
    ...(identities !== undefined && { identities }),
    ...(env.RELAY_GATEWAY_ID && env.RELAY_SECRET ? { gatewayId: env.RELAY_GATEWAY_ID, secret: env.RELAY_SECRET } : {}),
    backoffBaseMs,
    backoffMaxMs: num(env, "RELAY_BACKOFF_MAX_MS", 30_000),
    dormantRedialMs: backoffBaseMs,
    requestTimeoutMs,
    goIdleTimeoutMs: requestTimeoutMs,
  });

  const report = (what: string, p: Promise<unknown>): void => {
    p.then(
      (r) => log(`${what} → ${JSON.stringify(r)}`),
      (err: unknown) => log(`${what} failed: ${err instanceof Error ? err.message : String(err)}`),
    );
  };

  async function turn(event: MessageEvent): Promise<void> {
    const text = event.text;
    const chatId = event.source.chat_id || "chat";
    if (text.startsWith("/stop")) {
      client.interrupt(text.slice(5).trim() || chatId, "stop");
      return;
    }
    if (text === "/idle") {
      const dormant = await client.goDormant();
      log(`going dormant: ${dormant ? "acked" : "no ack"}`);
      return;
    }
    const sent = await client.send({ chat_id: chatId, content: `echo: ${text}`, reply_to: event.message_id ?? null });
    if (sent.success && typeof sent.message_id === "string") {
      await client.edit({ chat_id: chatId, message_id: sent.message_id, content: `edited: ${text}` });
    }
  }

  client.onInbound((event) => report(`turn ${JSON.stringify(event.text)}`, turn(event)));
  client.onInterrupt((frame) => {
    report("interrupt report", client.send({ chat_id: frame.chat_id || "interrupts", content: `interrupted: ${frame.session_key}` }));
  });
  client.onPassthrough((request) => {
    report("passthrough report", client.send({ chat_id: "passthrough", content: `passthrough: ${request.body.toString("utf8")}` }));
  });
  client.on("close", (e) => log(`closed ${e.code} ${e.reason} (${e.cause}); ${e.willRetry ? `retry in ${e.retryInMs} ms` : "no retry"}`));
  client.on("handshake", (e) => log(`handshake: ${e.descriptor.platform}`));
  client.on("revoked", (e) => {
    log(`revoked (${e.code} ${e.reason}): no more dials`);
    opts.onRevoked?.();
  });
  client.connect().catch((err: unknown) => log(`first dial failed: ${err instanceof Error ? err.message : String(err)}`));
  return client;
}

/** The agent as an in-process gateway under test (for `runGatewayConformance` in tests). */
export function packageClientGateway(): GatewayUnderTest {
  return {
    describe: "relay-contract client (conformance agent, in process)",
    async start(env): Promise<RunningGateway> {
      const lines: string[] = [];
      const client = startGatewayAgent(env, { log: (l) => lines.push(l) });
      return {
        output: () => lines.join("\n"),
        stop: () => client.close(),
      };
    },
  };
}
