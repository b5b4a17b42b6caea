/**
 * A minimal gateway (docs/snippets/client.md): the code between the markers is the README snippet
 * verbatim, except that it imports from the source tree instead of "relay-contract/client".
 * Run it against a connector: `GATEWAY_RELAY_URL=http://localhost:8080 npx tsx examples/gateway.ts`.
 */
// snippet:start
import { createRelayClient } from "../src/client/index.js";

export const relay = createRelayClient({
  url: process.env.GATEWAY_RELAY_URL ?? "http://localhost:8080", // dials ws://localhost:8080/relay
  gatewayId: process.env.GATEWAY_RELAY_ID ?? "gw-demo",
  secret: process.env.GATEWAY_RELAY_SECRET ?? "dev-secret", // a fresh upgrade token is minted per dial
  identities: [{ platform: "telegram", botId: "bot-1" }], // one hello each; the first is the session default
  handlers: {
    // Runs off the socket reader, one delivery at a time; a buffered replay is acked once it resolves.
    inbound: async (event) => {
      const r = await relay.send({ chat_id: event.source.chat_id, content: `echo: ${event.text}` });
      if (!r.success) console.warn(`send failed: ${r.error}${r.ambiguous ? " (outcome unknown)" : ""}`);
    },
    interruptInbound: ({ session_key }) => console.log(`stop ${session_key}`),
  },
});
relay.on("handshake", ({ descriptor: d }) => console.log(`connected: ${d.label}, ops: ${d.supported_ops?.join(",") || "legacy"}`));
relay.on("close", (e) => console.log(`closed ${e.code} ${e.reason}: ${e.willRetry ? `retry in ${Math.round(e.retryInMs ?? 0)} ms` : "no retry"}`));
relay.on("revoked", () => console.error("credentials revoked: enrol this gateway again"));
relay.connect().catch((err: Error) => console.warn(err.message)); // a failed first dial keeps retrying

// Scale to zero: after going_idle_ack the connector buffers for us and replays on the next dial.
process.once("SIGTERM", () => void relay.goIdle(2000).then(() => relay.close({ drainMs: 3000 })));
// snippet:end
