/**
 * Deliberately broken gateways: for each, the named requirement fails and every other one holds
 * (or was simply not exercised because the fault hides it) — the kit is precise, not just strict.
 * Both profiles: the full one (the conformance agent) and the transport one (any gateway).
 */
import t from "tap";
import { REQUIREMENTS, renderHuman, runGatewayConformance } from "../src/conformance/index.js";
import { BROKEN_GATEWAYS, BROKEN_GATEWAYS_TRANSPORT, rawGateway } from "./helpers/broken-peers/index.js";

// The raw gateway's backoff cap is 400 ms: 1.5 s still outlasts any re-armed dial.
const FAST = { stepTimeoutMs: 2000, quietMs: 500, scenarioTimeoutMs: 30_000, terminalWindowMs: 1500 };

t.test("each broken gateway trips exactly its requirement", async (t) => {
  const runs = BROKEN_GATEWAYS.map((peer) => ({
    peer,
    report: runGatewayConformance({ gateway: rawGateway(peer.fault), ...FAST }),
    // All scenarios again, with the fault listed: now the run must pass.
    listed: runGatewayConformance({ gateway: rawGateway(peer.fault), ...FAST, expectedFailures: { ids: [peer.trips] } }),
  }));
  for (const { peer, report: pending, listed } of runs) {
    await t.test(`${peer.fault}: ${peer.what} → ${peer.trips}`, async (t) => {
      const report = await pending;
      const failed = report.requirements.filter((r) => r.status === "fail").map((r) => r.id);
      t.same(failed, [peer.trips], failed.length === 1 && failed[0] === peer.trips ? "only the named requirement fails" : renderHuman(report));
      t.same(report.summary.scenarioErrors, [], "no scenario error");
      const level = REQUIREMENTS.find((r) => r.id === peer.trips)?.level;
      t.equal(report.ok, level === "SHOULD", "a MUST failure fails the run (a SHOULD is tolerated)");
      const withList = await listed;
      t.equal(withList.ok, true, "with the requirement listed as an expected failure, the run passes");
    });
  }
});

t.test("transport profile: each broken gateway trips exactly its requirement", async (t) => {
  const runs = BROKEN_GATEWAYS_TRANSPORT.map((peer) => ({ peer, report: runGatewayConformance({ gateway: rawGateway(peer.fault), profile: "transport", ...FAST }) }));
  for (const { peer, report: pending } of runs) {
    await t.test(`${peer.fault}: ${peer.what} → ${peer.trips}`, async (t) => {
      const report = await pending;
      t.equal(report.profile, "transport");
      const failed = report.requirements.filter((r) => r.status === "fail").map((r) => r.id);
      t.same(failed, [peer.trips], failed.length === 1 && failed[0] === peer.trips ? "only the named requirement fails" : renderHuman(report));
      t.same(report.summary.scenarioErrors, [], "no scenario error");
      if (peer.fault === "plugin-command-manifest") t.equal(report.ok, true, "frames a receiver accepts pass the run (the producer rules are a SHOULD)");
    });
  }
});
