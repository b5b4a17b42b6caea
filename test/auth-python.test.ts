/**
 * Cross-language check of the upgrade token: every vector minted and verified by the
 * TypeScript implementation is recomputed by an independent Python stdlib implementation
 * (test/python/relay_token.py) — the gateway's language — and must agree byte for byte.
 */
import t from "tap";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { buildAuthVectors } from "../scripts/auth-vectors.js";
import { PYTHON } from "./helpers/python.js";

const script = fileURLToPath(new URL("./python/relay_token.py", import.meta.url));
const vectors = buildAuthVectors();

interface PythonOutput {
  mint: { name: string; exp: number; signed: string; signature: string; token: string; header: string }[];
  verify: { name: string; verdict: unknown }[];
}

const run = spawnSync(PYTHON, [script], {
  input: JSON.stringify(vectors),
  encoding: "utf8",
  env: { ...process.env, PYTHONIOENCODING: "utf-8", PYTHONUTF8: "1" },
  timeout: 15_000,
});

t.equal(run.status, 0, `python exited cleanly${run.stderr ? `: ${run.stderr}` : ""}`);
const python = JSON.parse(run.stdout) as PythonOutput;

t.test("python mints the same tokens", async (t) => {
  t.equal(python.mint.length, vectors.mint.length);
  for (const [i, v] of vectors.mint.entries()) {
    const py = python.mint[i];
    t.same(
      py,
      { name: v.name, exp: v.exp, signed: v.signed, signature: v.signature, token: v.token, header: v.header },
      `mint ${v.name}`,
    );
  }
});

t.test("python reaches the same verdicts", async (t) => {
  t.equal(python.verify.length, vectors.verify.length);
  for (const [i, v] of vectors.verify.entries()) {
    t.strictSame(python.verify[i], { name: v.name, verdict: v.expected }, `verify ${v.name}`);
  }
});

t.test("the vector set covers every verdict", async (t) => {
  const reasons = new Set(vectors.verify.map((v) => (v.expected.ok ? "ok" : v.expected.reason)));
  t.strictSame([...reasons].sort(), ["bad_signature", "expired", "malformed", "ok", "unknown_gateway"]);
});
