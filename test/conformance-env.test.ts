/**
 * The variables a spawned gateway gets: the reference gateway's GATEWAY_RELAY_* set (as
 * hermes-agent gateway/relay/__init__.py reads it) beside the kit's RELAY_* ones.
 */
import t from "tap";
import { referenceGatewayEnv, runGatewayConformance, type GatewayEnv, type GatewayUnderTest } from "../src/conformance/index.js";
import { spawnEnvironment } from "../src/conformance/gateway-kit/launcher.js";

t.test("the reference's variables: base URL, id, secret, comma list of platforms, bot-id map", async (t) => {
  const env = referenceGatewayEnv({
    url: "ws://127.0.0.1:9",
    gatewayId: "gw-1",
    secret: "s",
    identities: [
      { platform: "discord", botId: "1122" },
      { platform: "telegram", botId: "7012" },
    ],
  });
  t.same(env, {
    GATEWAY_RELAY_URL: "ws://127.0.0.1:9",
    GATEWAY_RELAY_ID: "gw-1",
    GATEWAY_RELAY_SECRET: "s",
    GATEWAY_RELAY_PLATFORMS: "discord,telegram",
    GATEWAY_RELAY_BOT_IDS: '{"discord":{"botId":"1122"},"telegram":{"botId":"7012"}}',
  });
  t.throws(() => referenceGatewayEnv({ url: "u", gatewayId: "g", secret: "s", identities: [{ platform: "discord", botId: "a" }, { platform: "discord", botId: "b" }] }), /distinct platforms/);
  t.throws(() => referenceGatewayEnv({ url: "u", gatewayId: "g", secret: "s", identities: [{ platform: "a,b", botId: "a" }] }), /cannot be empty or contain ","/);
});

t.test("a spawned gateway never inherits this process's GATEWAY_RELAY_* settings", async (t) => {
  const scenario = { RELAY_URL: "ws://k", GATEWAY_RELAY_URL: "ws://k" } as unknown as GatewayEnv;
  const out = spawnEnvironment({ PATH: "/bin", GATEWAY_RELAY_ENDPOINT: "https://mine.example", GATEWAY_RELAY_URL: "wss://prod" }, scenario);
  t.equal(out.PATH, "/bin");
  t.equal(out.GATEWAY_RELAY_URL, "ws://k", "the scenario's value wins");
  t.notOk("GATEWAY_RELAY_ENDPOINT" in out, "a developer's own relay setting is dropped");
});

t.test("every scenario's gateway gets both sets, consistent with each other", async (t) => {
  const seen: GatewayEnv[] = [];
  const recorder: GatewayUnderTest = {
    describe: "recorder",
    start: async (env) => (seen.push(env), { stop: async () => undefined, output: () => "" }),
  };
  await runGatewayConformance({ gateway: recorder, profile: "transport", scenarios: ["handshake"], startTimeoutMs: 50, stepTimeoutMs: 50 });
  const env = seen[0] as GatewayEnv;
  t.equal(env.GATEWAY_RELAY_URL, env.RELAY_URL);
  t.equal(env.GATEWAY_RELAY_ID, env.RELAY_GATEWAY_ID);
  t.equal(env.GATEWAY_RELAY_SECRET, env.RELAY_SECRET);
  t.equal(env.RELAY_PROFILE, "transport");
  const identities = JSON.parse(env.RELAY_IDENTITIES) as Array<{ platform: string; botId: string }>;
  t.equal(env.GATEWAY_RELAY_PLATFORMS, identities.map((i) => i.platform).join(","));
  t.same(JSON.parse(env.GATEWAY_RELAY_BOT_IDS), Object.fromEntries(identities.map((i) => [i.platform, { botId: i.botId }])));
});
