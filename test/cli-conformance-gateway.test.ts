/**
 * `relay-contract conformance gateway -- COMMAND` with real spawned gateways: the Python example
 * (JSON and JUnit reports) and the package's own client run as `relay-contract agent`.
 */
import t from "tap";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PYTHON } from "./helpers/python.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "relay-cli-gateway-"));
const TSX_CLI = ["--import", "tsx", "src/cli/main.ts"];
const FAST = ["--step-timeout", "3000", "--quiet-ms", "500"];

function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...TSX_CLI, ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

const junit = join(dir, "gateway.xml");
// Both runs start at once; the subtests below only await them.
const pythonRun = cli(["conformance", "gateway", ...FAST, "--json", "--junit", junit, "--", PYTHON, "examples/python_gateway/gateway.py"]);
const agentRun = cli(["conformance", "gateway", ...FAST, "--scenario", "handshake", "--scenario", "auth-after-handshake", "--", process.execPath, ...TSX_CLI, "agent"]);

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
