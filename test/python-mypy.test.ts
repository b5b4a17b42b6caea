/**
 * `mypy --strict` (Debian's python3-mypy) on the Python package and what a gateway writes with
 * it: the package and a typical use type-check cleanly, and the mistakes the generated types
 * exist to catch are reported on exactly the lines that make them.
 */
import t from "tap";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { PYTHON, runMypy } from "./helpers/python.js";

const mypyReady = spawnSync(PYTHON, ["-m", "mypy", "--version"], { encoding: "utf8" }).status === 0;
const cacheDir = mkdtempSync(join(tmpdir(), "relay-contract-mypy-"));
t.teardown(() => rmSync(cacheDir, { recursive: true, force: true }));

t.ok(mypyReady, `${PYTHON} has mypy (node scripts/provision-system.mjs --check)`);

t.test("the package, the example gateway and a typical use pass mypy --strict", { skip: !mypyReady }, async (t) => {
  const r = runMypy(["python/relay_contract", "examples/python_gateway", "test/python/typing_ok.py", "test/python/relay_contract_driver.py", "test/python/bad_definition_name.py"], cacheDir);
  t.equal(r.status, 0, `mypy --strict is clean:\n${r.stdout}${r.stderr}`);
});

t.test("the generated types catch the mistakes they exist for", { skip: !mypyReady }, async (t) => {
  const file = "test/python/typing_bad.py";
  const marked = readFileSync(file, "utf8")
    .split("\n")
    .flatMap((line, i) => (line.endsWith("# error") ? [i + 1] : []));
  const r = runMypy([file], cacheDir);
  t.equal(r.status, 1, "mypy fails");
  const reported = [...new Set([...r.stdout.matchAll(/^test\/python\/typing_bad\.py:(\d+): error:/gm)].map((m) => Number(m[1])))];
  t.ok(marked.length >= 8, `${marked.length} marked mistakes`);
  t.strictSame(reported, marked, `errors on exactly the marked lines:\n${r.stdout}`);
});
