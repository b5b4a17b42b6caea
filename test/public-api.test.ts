/**
 * The public surface: a frozen `exports` map, ESM with types for every entry point, no TypeBox
 * or ajv types in the declarations, and validators that run with code generation from strings
 * disabled (no eval, no new Function). Runs against dist/, which `npm test` builds first.
 */
import t from "tap";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

const FROZEN_EXPORTS = {
  ".": { types: "./dist/src/index.d.ts", default: "./dist/src/index.js" },
  "./codec": { types: "./dist/src/codec/index.d.ts", default: "./dist/src/codec/index.js" },
  "./auth": { types: "./dist/src/auth/index.d.ts", default: "./dist/src/auth/index.js" },
  "./server": { types: "./dist/src/server/index.d.ts", default: "./dist/src/server/index.js" },
  "./client": { types: "./dist/src/client/index.d.ts", default: "./dist/src/client/index.js" },
  "./conformance": { types: "./dist/src/conformance/index.d.ts", default: "./dist/src/conformance/index.js" },
  "./schema/*.json": "./generated/schema/*.json",
  "./vectors/*.json": "./generated/vectors/*.json",
  "./asyncapi.json": "./generated/asyncapi.json",
  "./package.json": "./package.json",
};

t.test("package shape: ESM, Node 20.19+ or 22.12+, frozen exports map", async (t) => {
  t.equal(pkg.type, "module");
  t.equal(pkg.engines.node, "^20.19.0 || >=22.12.0", "where both import and require(esm) work");
  t.same(pkg.exports, FROZEN_EXPORTS, "a change to the public entry points is a deliberate edit of this test");
  t.equal(pkg.bin["relay-contract"], "dist/src/cli/main.js");
});

t.test("every entry point resolves, loads, and has declarations", { skip: !existsSync(join(root, "dist")) && "dist/ not built (npm test builds it)" }, async (t) => {
  for (const [subpath, target] of Object.entries(FROZEN_EXPORTS)) {
    if (typeof target === "string") continue;
    t.ok(existsSync(join(root, target.types)), `${subpath}: ${target.types}`);
    const specifier = subpath === "." ? "relay-contract" : `relay-contract/${subpath.slice(2)}`;
    const mod = await import(specifier);
    t.ok(Object.keys(mod).length > 0, `${specifier} exports something`);
  }
  // JSON subpaths as a plain Node consumer sees them (the test's TS loader resolves differently).
  const script = `
    const bundle = await import("relay-contract/schema/bundle.json", { with: { type: "json" } });
    const vectors = await import("relay-contract/vectors/frames.json", { with: { type: "json" } });
    const asyncapi = await import("relay-contract/asyncapi.json", { with: { type: "json" } });
    console.log(JSON.stringify([!!bundle.default.definitions.InboundFrame, vectors.default.vectors.length, asyncapi.default.asyncapi]));
  `;
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
  t.equal(result.status, 0, result.stderr);
  const [hasInbound, vectorCount, asyncapiVersion] = JSON.parse(result.stdout || "[]");
  t.ok(hasInbound, "schema subpath");
  t.ok(vectorCount > 100, "vectors subpath");
  t.equal(asyncapiVersion, "3.0.0", "asyncapi subpath");
});

function declarationFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? declarationFiles(join(dir, e.name)) : e.name.endsWith(".d.ts") ? [join(dir, e.name)] : [],
  );
}

t.test("no TypeBox or ajv types leak into the public declarations", { skip: !existsSync(join(root, "dist")) && "dist/ not built" }, async (t) => {
  const files = declarationFiles(join(root, "dist"));
  t.ok(files.length > 10, `${files.length} declaration files`);
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    t.notMatch(text, /@sinclair\/typebox|from ["']ajv|ajv\/dist/, file.slice(root.length));
  }
});

t.test("validators work with code generation from strings disabled", { skip: !existsSync(join(root, "dist")) && "dist/ not built" }, async (t) => {
  const script = `
    import { validateFrame } from "relay-contract";
    const ok = validateFrame({ type: "going_idle" });
    const bad = validateFrame({ type: "inbound_ack" });
    console.log(JSON.stringify([ok.ok, bad.ok, bad.ok ? null : bad.issues[0]]));
  `;
  const result = spawnSync(process.execPath, ["--disallow-code-generation-from-strings", "--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
  t.equal(result.status, 0, result.stderr);
  const [ok, bad, issue] = JSON.parse(result.stdout);
  t.equal(ok, true);
  t.equal(bad, false);
  t.match(issue, { path: "", keyword: "required" });
  const validators = readFileSync(join(root, "generated", "validators.js"), "utf8");
  t.notMatch(validators, /\bnew Function\b|\beval\(/, "no runtime compilation in the generated module");
  t.notMatch(validators, /\brequire\(/, "no runtime dependency on ajv");
});
