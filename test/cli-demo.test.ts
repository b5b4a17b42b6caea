/**
 * `relay-contract demo`: no configuration, every frame type and every op on a validated wire,
 * a one-line summary, exit 0 — and exit 1 when a step fails. Runs src/ through tsx, and the built
 * bin (dist/) when it exists (`npm test` builds it first).
 */
import t, { type Test } from "tap";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { CONNECTOR_FRAME_TYPES, GATEWAY_FRAME_TYPES } from "../src/validation.js";
import { ROOT, runNode as run } from "./helpers/cli.js";

const built = join(ROOT, "dist", "src", "cli", "main.js");


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
