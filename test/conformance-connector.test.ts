/**
 * `conformance connector` against connectors that must pass — the package's server helper
 * (fronting the loopback platform) and a connector written directly on `ws` — and against
 * deliberately broken connectors, each of which must trip exactly its named requirement.
 */
import t from "tap";
import { descriptorFor, renderHuman, runConnectorConformance, startLoopbackConnector, textEvent, type ConformanceReport } from "../src/conformance/index.js";
import { createRelayServer } from "../src/server/index.js";
import { CONNECTOR_FRAME_TYPES } from "../src/validation.js";
import { BROKEN_CONNECTORS, startRawConnector } from "./helpers/broken-peers/index.js";
import { failedChecks, wireChecks } from "./helpers/conformance-report.js";

const GATEWAY_ID = "gw-kit";
const SECRET = "kit-secret-0123456789";
const FAST = { gatewayId: GATEWAY_ID, secret: SECRET, stepTimeoutMs: 2000, quietMs: 500, scenarioTimeoutMs: 30_000 };

t.test("the package's server helper and the raw ws connector pass", async (t) => {
  const own = await startLoopbackConnector({ gateways: { [GATEWAY_ID]: SECRET } });
  t.teardown(() => own.close());
  const raw = await startRawConnector({ gatewayId: GATEWAY_ID, secret: SECRET });
  t.teardown(() => raw.close());
  // The package's server may trade a SHOULD for speed by configuration (e.g. batched replay,
  // RC-FRM-002); the reference-faithful raw connector may not miss anything.
  const runs: Array<[string, Promise<ConformanceReport>, boolean]> = [
    ["package server helper", runConnectorConformance({ url: own.url, ...FAST }), true],
    ["raw ws connector", runConnectorConformance({ url: raw.url, ...FAST }), false],
  ];
  for (const [name, pending, allowShould] of runs) {
    await t.test(name, async (t) => {
      const report = await pending;
      t.same(failedChecks(report, allowShould), [], "no failed or skipped check");
      t.same(report.summary.mustFailed, [], "no MUST failure");
      t.equal(report.ok, true, report.ok ? "PASS" : renderHuman(report));
      t.same(report.summary.untested, [], "every connector requirement was exercised");
      t.same(wireChecks(report).frameTypes, [...CONNECTOR_FRAME_TYPES].sort(), "all six connector frame types were checked on the wire");
    });
  }
  t.equal(own.invalidFrames > 0, true, "the kit's deliberately malformed lines reached the server (and were only reported)");
});

t.test("each broken connector trips exactly its requirement", async (t) => {
  const runs = await Promise.all(
    BROKEN_CONNECTORS.map(async (peer) => {
      const connector = await startRawConnector({ gatewayId: GATEWAY_ID, secret: SECRET, fault: peer.fault });
      t.teardown(() => connector.close());
      return { peer, report: runConnectorConformance({ url: connector.url, ...FAST }) };
    }),
  );
  for (const { peer, report: pending } of runs) {
    await t.test(`${peer.fault}: ${peer.what} → ${peer.trips}`, async (t) => {
      const report = await pending;
      const failed = report.requirements.filter((r) => r.status === "fail").map((r) => r.id);
      t.same(failed, [peer.trips], failed.length === 1 && failed[0] === peer.trips ? "only the named requirement fails" : renderHuman(report));
      t.same(report.summary.scenarioErrors, []);
      t.equal(report.ok, false);
    });
  }
});

t.test("a backlog left for the kit's gateway id (by an earlier run) is acked by the kit and fails nothing", async (t) => {
  const own = await startLoopbackConnector({ gateways: { [GATEWAY_ID]: SECRET } });
  t.teardown(() => own.close());
  // Buffered (no gateway connected): replayed at the kit's first handshake, before anything of its own.
  const leftovers = [1, 2, 3].map((n) => own.server.sendInbound(GATEWAY_ID, textEvent(`left over ${n}`, "telegram", "old-chat")));
  const report = await runConnectorConformance({ url: own.url, ...FAST });
  t.same(report.requirements.filter((r) => r.status === "fail").map((r) => r.id), [], renderHuman(report));
  t.equal(report.requirements.find((r) => r.id === "RC-INB-002")?.status, "pass");
  const receipts = await Promise.all(leftovers);
  t.same(receipts.map((r) => r.mode), ["buffered", "buffered", "buffered"], "the leftovers were acked (their sends resolved)");
});

t.test("a connector without the loopback platform: RC-LOOP-001 fails, what needs it is untested with the reason", async (t) => {
  const server = createRelayServer({
    auth: { secrets: (id) => (id === GATEWAY_ID ? [SECRET] : undefined) },
    onHello: (hello) => descriptorFor(hello.platform),
    handlers: { send: () => ({ success: true, message_id: "m-1" }), typing: () => ({ success: true }) },
  });
  const { port } = await server.listen({ port: 0, host: "127.0.0.1" });
  t.teardown(() => server.close({ drainMs: 500 }));
  const report = await runConnectorConformance({ url: `ws://127.0.0.1:${port}`, ...FAST });
  t.same(report.requirements.filter((r) => r.status === "fail").map((r) => r.id), ["RC-LOOP-001"], renderHuman(report));
  const untested = report.requirements.filter((r) => r.status === "untested");
  t.same(untested.map((r) => r.id).sort(), ["RC-INB-001", "RC-INB-002", "RC-INB-003", "RC-INT-001"]);
  for (const r of untested) t.equal(r.reason, "the connector does not front the loopback platform", r.id);
  t.match(renderHuman(report), /RC-INB-002 .*\(untested: the connector does not front the loopback platform\)/);
  t.notMatch(renderHuman(report), /replayed \[\]/, "no verdict that blames the replay");
});
