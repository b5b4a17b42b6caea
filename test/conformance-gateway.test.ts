/**
 * `conformance gateway` against gateways that must pass: the package's own client (as the
 * conformance agent), a gateway written directly on `ws`, and the Python example gateway run by
 * Debian's python3 with python3-websockets — in the full profile, and in the transport profile
 * (the Python example also configured by the reference gateway's GATEWAY_RELAY_* variables only).
 */
import t, { type Test } from "tap";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import {
  commandGateway,
  packageClientGateway,
  renderHuman,
  requirementsFor,
  runGatewayConformance,
  GATEWAY_TRANSPORT_SCENARIOS,
  type ConformanceReport,
  type GatewayEnv,
  type GatewayUnderTest,
} from "../src/conformance/index.js";
import { GATEWAY_FRAME_TYPES } from "../src/validation.js";
import { rawGateway } from "./helpers/broken-peers/index.js";
import { PYTHON } from "./helpers/python.js";
import { failedChecks, wireChecks } from "./helpers/conformance-report.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const FAST = { stepTimeoutMs: 3000, quietMs: 500, scenarioTimeoutMs: 30_000 };

function run(gateway: GatewayUnderTest, profile: "full" | "transport" = "full"): Promise<ConformanceReport> {
  return runGatewayConformance({ gateway, profile, ...FAST });
}

/** The requirements only the conformance agent can show: untested in the transport profile. */
const NEEDS_AGENT = ["RC-OUT-001", "RC-COR-001", "RC-INT-002", "RC-INT-003", "RC-PT-001", "RC-IDLE-001", "RC-IDLE-002", "RC-REC-002"];

/** A gateway under test that only ever sees the reference gateway's variables (no RELAY_*). */
function referenceVariablesOnly(inner: GatewayUnderTest): GatewayUnderTest {
  return {
    describe: `${inner.describe} (GATEWAY_RELAY_* only)`,
    start: (env) => {
      const only = Object.fromEntries(Object.entries(env).filter(([key]) => key.startsWith("GATEWAY_RELAY_")));
      return inner.start(only as unknown as GatewayEnv);
    },
  };
}

function assertPasses(t: Test, report: ConformanceReport, allowShould: boolean, untested: string[] = []): void {
  t.same(failedChecks(report, allowShould), [], "no failed or skipped check");
  t.same(report.summary.mustFailed, [], "no MUST failure");
  if (report.summary.shouldFailed.length > 0) t.comment(`SHOULD not met (tolerated): ${report.summary.shouldFailed.join(", ")}`);
  t.same(report.summary.scenarioErrors, [], "no scenario error");
  t.equal(report.ok, true, report.ok ? "PASS" : renderHuman(report));
  t.same(report.summary.untested, untested, untested.length === 0 ? "every gateway requirement was exercised" : "only the requirements needing the agent are untested");
  // Every frame on the wire was its own strict check, and (full profile) every gateway frame type appeared.
  const wire = wireChecks(report);
  const frames = wire.checks.reduce((n, c) => n + (c.wire?.frames ?? 0), 0);
  t.ok(frames > 50, `${frames} frames validated in ${wire.checks.length} wire checks`);
  if (report.profile === "full") t.same(wire.frameTypes, [...GATEWAY_FRAME_TYPES].sort(), "all five gateway frame types were checked on the wire");
}

t.test("the transport profile leaves exactly the agent's requirements untested, each with its reason", async (t) => {
  const reached = new Set(GATEWAY_TRANSPORT_SCENARIOS.flatMap((s) => s.requirements));
  t.same(NEEDS_AGENT.filter((id) => reached.has(id)), [], "no transport scenario claims an agent requirement");
  t.ok(requirementsFor("gateway").every((r) => NEEDS_AGENT.includes(r.id) || reached.has(r.id) || ["RC-FRM-001", "RC-FRM-002", "RC-WIRE-001", "RC-WIRE-003", "RC-ACK-002"].includes(r.id)), "every other gateway requirement is reached");
});

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

t.test("transport profile: the package's client and the Python example (reference variables only) pass", async (t) => {
  const python = commandGateway([PYTHON, "examples/python_gateway/gateway.py"], { cwd: root });
  const runs: Array<[string, Promise<ConformanceReport>]> = [
    ["package client (in process)", run(packageClientGateway(), "transport")],
    ["Python example, GATEWAY_RELAY_* only (spawned)", run(referenceVariablesOnly(python), "transport")],
  ];
  // The same gateway again: its echo turns race the scenarios' ends, yet the checks are the same.
  const again = run(referenceVariablesOnly(python), "transport");
  for (const [name, pending] of runs) {
    await t.test(name, async (t) => {
      const report = await pending;
      t.equal(report.profile, "transport");
      assertPasses(t, report, false, NEEDS_AGENT);
      for (const id of NEEDS_AGENT) t.match(report.requirements.find((r) => r.id === id), { status: "untested", reason: /conformance agent/ }, `${id}: untested, with the reason`);
    });
  }
  await t.test("a second run of the Python example has the same checks", async (t) => {
    const [first, second] = [await (runs[1] as [string, Promise<ConformanceReport>])[1], await again];
    const shape = (r: ConformanceReport): string[] => r.scenarios.map((sc) => `${sc.id}: ${sc.checks.map((c) => c.requirement).join(" ")}`);
    t.same(shape(second), shape(first), "the same checks, scenario by scenario");
    t.equal(second.summary.checks, first.summary.checks, `${first.summary.checks} checks both times`);
  });
});
