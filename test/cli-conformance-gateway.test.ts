/**
 * `relay-contract conformance gateway -- COMMAND` with real spawned gateways: the Python example
 * (JSON and JUnit reports) and the package's own client run as `relay-contract agent`.
 */
import t from "tap";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PYTHON } from "./helpers/python.js";
import { runCli as cli, TSX_CLI } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "relay-cli-gateway-"));
const FAST = ["--step-timeout", "3000", "--quiet-ms", "500"];


const junit = join(dir, "gateway.xml");
// Both runs start at once; the subtests below only await them.
const pythonRun = cli(["conformance", "gateway", ...FAST, "--json", "--junit", junit, "--", PYTHON, "examples/python_gateway/gateway.py"]);
const agentRun = cli(["conformance", "gateway", ...FAST, "--scenario", "handshake", "--scenario", "auth-after-handshake", "--", process.execPath, ...TSX_CLI, "agent"]);
const transportRun = cli(["conformance", "gateway", "--profile", "transport", ...FAST, "--json", "--scenario", "handshake", "--scenario", "delivery", "--", PYTHON, "examples/python_gateway/gateway.py"]);
// A gateway that cannot start: its last words must reach the report without --verbose.
const crashRun = cli(["conformance", "gateway", "--profile", "transport", "--scenario", "handshake", "--start-timeout", "5000", "--", PYTHON, "-c", "import sys; print('fatal: no relay secret configured', file=sys.stderr); sys.exit(3)"]);

t.test("conformance gateway -- python example: --json and --junit", async (t) => {
  const r = await pythonRun;
  t.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  t.match(report, { kind: "relay-contract-conformance", role: "gateway", ok: true, summary: { failed: 0, mustFailed: [] } });
  t.equal(report.scenarios.length, 10);
  t.match(r.stderr, /conformance gateway: PASS/);
  const xml = readFileSync(junit, "utf8");
  t.match(xml, /<testsuites name="relay-contract conformance \(gateway: .*gateway\.py\)" tests="\d+" failures="0" errors="0"/);
  t.match(xml, /<testcase classname="RC-AUTH-002" name="the re-dial carries a freshly minted token"/);
});

t.test("conformance gateway -- relay-contract agent (the package's client as a process)", async (t) => {
  const r = await agentRun;
  t.equal(r.status, 0, r.stdout + r.stderr);
  t.match(r.stdout, /conformance gateway: PASS/);
});

t.test("conformance gateway --profile transport -- python example: untested, never failed", async (t) => {
  const r = await transportRun;
  t.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  t.match(report, { profile: "transport", ok: true, summary: { failed: 0, mustFailed: [] } });
  t.same(report.scenarios.map((s: { id: string }) => s.id), ["handshake", "delivery"]);
  t.match(report.requirements.find((q: { id: string }) => q.id === "RC-INT-002"), { status: "untested", reason: /conformance agent/ });
  t.match(r.stderr, /conformance gateway \(transport profile\): PASS/);
});

t.test("a gateway that exits early: its stderr tail is in the report without --verbose", async (t) => {
  const r = await crashRun;
  t.equal(r.status, 1);
  t.match(r.stdout, /peer ended: the gateway process exited with status 3/);
  t.match(r.stdout, /\| fatal: no relay secret configured/);
  t.notMatch(r.stdout, /at .*\.ts:\d+/, "no stack trace");
});

t.test("--profile: unknown value and connector use are usage errors", async (t) => {
  const [bad, connector, list] = await Promise.all([
    cli(["conformance", "gateway", "--profile", "agentless", "--", "true"]),
    cli(["conformance", "connector", "--profile", "transport", "--url", "ws://127.0.0.1:1", "--gateway-id", "g", "--secret", "s"]),
    cli(["conformance", "gateway", "--profile", "transport", "--list"]),
  ]);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /--profile must be full or transport/);
  t.equal(connector.status, 2);
  t.match(connector.stderr, /--profile is for conformance gateway/);
  t.equal(list.status, 0);
  t.match(list.stdout, /^auth-terminal-at-upgrade\s/m);
});
