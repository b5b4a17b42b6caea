/**
 * Deliberately broken gateways: for each, the named requirement fails and every other one holds
 * (or was simply not exercised because the fault hides it) — the kit is precise, not just strict.
 */
import t from "tap";
import { renderHuman, runGatewayConformance } from "../src/conformance/index.js";
import { BROKEN_GATEWAYS, rawGateway } from "./helpers/broken-peers/index.js";

t.test("each broken gateway trips exactly its requirement", async (t) => {
  const runs = BROKEN_GATEWAYS.map((peer) => ({
    peer,
    report: runGatewayConformance({ gateway: rawGateway(peer.fault), stepTimeoutMs: 2000, quietMs: 500, scenarioTimeoutMs: 30_000 }),
    // All scenarios again, with the fault listed: now the run must pass.
    listed: runGatewayConformance({ gateway: rawGateway(peer.fault), stepTimeoutMs: 2000, quietMs: 500, scenarioTimeoutMs: 30_000, expectedFailures: { ids: [peer.trips] } }),
  }));
  for (const { peer, report: pending, listed } of runs) {
    await t.test(`${peer.fault}: ${peer.what} → ${peer.trips}`, async (t) => {
      const report = await pending;
      const failed = report.requirements.filter((r) => r.status === "fail").map((r) => r.id);
      t.same(failed, [peer.trips], failed.length === 1 && failed[0] === peer.trips ? "only the named requirement fails" : renderHuman(report));
      t.same(report.summary.scenarioErrors, [], "no scenario error");
      t.equal(report.ok, false, "the run fails");
      const withList = await listed;
      t.equal(withList.ok, true, "with the requirement listed as an expected failure, the run passes");
    });
  }
});
