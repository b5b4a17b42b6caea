/**
 * A minimal connector (docs/snippets/server.md): the code between the markers is the README
 * snippet verbatim, except that it imports from the source tree instead of "relay-contract/server".
 * Run it: `RELAY_SECRET=… PORT=8080 npx tsx examples/connector.ts`.
 */
// snippet:start
import { createRelayServer } from "../src/server/index.js";

const secrets: Record<string, string[]> = { "gw-demo": [process.env.RELAY_SECRET ?? "dev-secret"] }; // [primary, old] while rotating
const chat = { post: async (chatId: string, text: string) => `${chatId}-${text.length}` }; // your platform SDK

export const relay = createRelayServer({
  auth: { secrets: (gatewayId) => secrets[gatewayId] }, // bad token → 4401 "unauthorized", aged → 4401 "expired"
  onHello: (hello) => ({
    contract_version: 1, platform: hello.platform, label: "Demo Chat", max_message_length: 4000,
    supports_draft_streaming: false, supports_edit: false, supports_threads: false,
    markdown_dialect: "markdown", len_unit: "chars", supported_ops: ["send", "typing"],
  }),
  handlers: {
    send: async (action) => ({ success: true, message_id: await chat.post(action.chat_id, action.content) }),
    typing: () => ({ success: true }), // ops without a handler get { success: false, error } automatically
  },
  conformanceLoopback: ["gw-demo"], // lets `relay-contract conformance connector --gateway-id gw-demo` test this endpoint
});
relay.on("close", ({ connection, code, reason }) => console.log(`gateway ${connection.gatewayId} left: ${code} ${reason}`));
const { port } = await relay.listen({ port: Number(process.env.PORT ?? 8080), host: process.env.HOST });
console.log(`relay listening on ws://localhost:${port}/relay`);

// Platform → gateway: live when it is connected, else buffered and replayed (ack-gated) when it comes back.
export const deliver = (chatId: string, text: string) =>
  relay.sendInbound("gw-demo", {
    text, message_type: "text",
    source: { platform: "demo", chat_id: chatId, chat_type: "dm", chat_name: null, user_id: "u1", user_name: "Ada", thread_id: null, chat_topic: null },
  });
// snippet:end
