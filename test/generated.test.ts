/**
 * The drift gate: generated/ and the contract document must be exactly what schema/ produces,
 * and editing a schema without regenerating must fail the check.
 */
import t from "tap";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TSchema } from "@sinclair/typebox";
import { generateAll } from "../scripts/generate/all.js";
import { diffGenerated } from "../scripts/generate.js";
import { DEFINITIONS } from "../schema/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));

t.test("committed generated files match schema/", async (t) => {
  const files = await generateAll();
  t.same(diffGenerated(files, root), [], "no drift");
  t.ok(files.size > 60, `${files.size} generated files`);
});

t.test("a schema change without regeneration is reported, naming the files", async (t) => {
  const edited = (JSON.parse(JSON.stringify(DEFINITIONS)) as Record<string, unknown>[]).map((d) =>
    d.$id === "InterruptFrame" ? { ...d, description: `${String(d.description)} (edited)` } : d,
  );
  const problems = diffGenerated(await generateAll(edited as unknown as TSchema[]), root);
  t.ok(problems.includes("differs: generated/schema/InterruptFrame.json"), "the definition's file");
  t.ok(problems.includes("differs: generated/schema/bundle.json"), "the bundle");
  t.ok(problems.includes("differs: generated/types.ts"), "the types (JSDoc)");
  t.ok(problems.includes("differs: python/relay_contract/models.py"), "the Python types (docstrings)");
});

t.test("`generate --check` exits non-zero on an edited schema file (end to end)", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "relay-contract-drift-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const entry of ["schema", "scripts", "generated", "src", "docs", "python", "package.json", "tsconfig.json"]) {
    cpSync(join(root, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  const tsx = join(root, "node_modules", ".bin", "tsx");
  const run = () => spawnSync(tsx, ["scripts/generate.ts", "--check"], { cwd: dir, encoding: "utf8" });

  const clean = run();
  t.equal(clean.status, 0, `clean tree passes: ${clean.stderr}`);

  const file = join(dir, "schema", "interrupts.ts");
  writeFileSync(file, readFileSync(file, "utf8").replace("Fire-and-forget: no result frame.", "Fire-and-forget."));
  const drifted = run();
  t.equal(drifted.status, 1, "edited schema fails the check");
  t.match(drifted.stderr, /differs: generated\/schema\/InterruptFrame\.json/);
});
