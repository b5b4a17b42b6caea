/**
 * `conformance gateway` against gateways that must pass: the package's own client (as the
 * conformance agent), a gateway written directly on `ws`, and the Python example gateway run by
 * Debian's python3 with python3-websockets.
 */
import t, { type Test } from "tap";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { commandGateway, packageClientGateway, renderHuman, runGatewayConformance, type ConformanceReport, type GatewayUnderTest } from "../src/conformance/index.js";
import { GATEWAY_FRAME_TYPES } from "../src/validation.js";
import { rawGateway } from "./helpers/broken-peers/index.js";
import { PYTHON } from "./helpers/python.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const FAST = { stepTimeoutMs: 3000, quietMs: 500, scenarioTimeoutMs: 30_000 };

function run(gateway: GatewayUnderTest): Promise<ConformanceReport> {
  return runGatewayConformance({ gateway, ...FAST });
}

function assertPasses(t: Test, report: ConformanceReport, allowShould: boolean): void {
  const failed = report.scenarios.flatMap((s) =>
    s.checks
      .filter((c) => c.status !== "pass" && !(allowShould && report.summary.shouldFailed.includes(c.requirement)))
      .map((c) => `${s.id}: ${c.requirement} ${c.name} — ${c.message}`),
  );
  t.same(failed, [], "no failed or skipped check");
  t.same(report.summary.mustFailed, [], "no MUST failure");
  if (report.summary.shouldFailed.length > 0) t.comment(`SHOULD not met (tolerated): ${report.summary.shouldFailed.join(", ")}`);
  t.same(report.summary.scenarioErrors, [], "no scenario error");
  t.equal(report.ok, true, report.ok ? "PASS" : renderHuman(report));
  t.same(report.summary.untested, [], "every gateway requirement was exercised");
  // Every frame on the wire was its own strict check, and every gateway frame type appeared.
  const wire = report.scenarios.flatMap((s) => s.checks.filter((c) => c.wire !== undefined));
  t.ok(wire.length > 50, `${wire.length} wire checks`);
  t.same([...new Set(wire.map((c) => c.wire?.frameType))].sort(), [...GATEWAY_FRAME_TYPES].sort(), "all five gateway frame types were checked on the wire");
}

const pythonReady = spawnSync(PYTHON, ["-c", "import websockets"], { encoding: "utf8" }).status === 0;

t.test("the package's client, the raw ws gateway and the Python example all pass", async (t) => {
  // Every gateway, the package's own client included (its ack coalescing is opt-in), meets the
  // SHOULDs too.
  const runs: Array<[string, Promise<ConformanceReport>, boolean]> = [
    ["package client (in process)", run(packageClientGateway()), false],
    ["raw ws gateway (in process)", run(rawGateway()), false],
  ];
  if (pythonReady) {
    runs.push(["Python example (spawned)", run(commandGateway([PYTHON, "examples/python_gateway/gateway.py"], { cwd: root })), false]);
  }
  for (const [name, report, allowShould] of runs) await t.test(name, async (t) => assertPasses(t, await report, allowShould));
  t.ok(pythonReady, `${PYTHON} has websockets (system packages: node scripts/provision-system.mjs --check)`);
});
