/**
 * `relay-contract demo`: no configuration, every frame type and every op on a validated wire,
 * a one-line summary, exit 0 — and exit 1 when a step fails. Runs src/ through tsx, and the built
 * bin (dist/) when it exists (`npm test` builds it first).
 */
import t, { type Test } from "tap";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CONNECTOR_FRAME_TYPES, GATEWAY_FRAME_TYPES } from "../src/validation.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const built = join(root, "dist", "src", "cli", "main.js");

function run(argv: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

const SUMMARY = /^demo: (\d+) frames, 11 frame types, 14 ops, 0 invalid — OK \([\d.]+ s\)$/m;

function checkTranscript(t: Test, stdout: string): void {
  const match = SUMMARY.exec(stdout);
  t.ok(match, `summary line: ${stdout.trim().split("\n").at(-1)}`);
  t.ok(Number(match?.[1]) >= 40, `${match?.[1]} frames`);
  for (const type of [...GATEWAY_FRAME_TYPES, ...CONNECTOR_FRAME_TYPES]) {
    t.match(stdout, new RegExp(`✓ (G→C|C→G) ${type}\\b`), `${type} on the wire, valid`);
  }
  t.notMatch(stdout, /^\s+✗/m, "nothing invalid, no failed step");
  t.match(stdout, /"bufferId":"1"/, "the backlog was replayed with bufferIds");
}

t.test("tsx src/cli/main.ts demo", async (t) => {
  const r = await run(["--import", "tsx", "src/cli/main.ts", "demo"]);
  t.equal(r.status, 0, r.stderr);
  checkTranscript(t, r.stdout);
});

t.test("node dist/src/cli/main.js demo (the bin)", { skip: !existsSync(built) && "dist/ not built (npm test builds it)" }, async (t) => {
  const r = await run([built, "demo"]);
  t.equal(r.status, 0, r.stderr);
  checkTranscript(t, r.stdout);
});

t.test("a failing step makes the demo exit 1", async (t) => {
  const r = await run(["--import", "tsx", "src/cli/main.ts", "demo", "--step-timeout", "1"]);
  t.equal(r.status, 1);
  t.match(r.stdout, /step failed/);
  t.match(r.stdout, /^demo: .* — FAILED/m);
});
