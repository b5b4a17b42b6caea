/**
 * `relay-contract python-path` and the Python package as shipped: the npm tarball carries
 * python/relay_contract (without bytecode caches), and from an unpacked tarball the printed
 * directory on PYTHONPATH gives a working package — its validators find the shipped schema
 * files and its token helpers verify a shipped vector.
 */
import t from "tap";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { PYTHON, pythonEnv } from "./helpers/python.js";

const root = fileURLToPath(new URL("..", import.meta.url));

const cli = (cwd: string, args: string[]) => spawnSync(process.execPath, [join(cwd, "dist/src/cli/main.js"), ...args], { cwd, encoding: "utf8" });

t.test("python-path prints the directory holding relay_contract", async (t) => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "python-path"], { cwd: root, encoding: "utf8" });
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stdout, `${join(root, "python")}\n`);
  const extra = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "python-path", "x"], { cwd: root, encoding: "utf8" });
  t.equal(extra.status, 2);
  t.match(extra.stderr, /python-path takes no arguments/);
});

t.test("from the packed tarball: the printed directory on PYTHONPATH is a working package", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "relay-contract-pack-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const pack = spawnSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], { cwd: root, encoding: "utf8" });
  t.equal(pack.status, 0, pack.stderr);
  const [{ filename, files }] = JSON.parse(pack.stdout) as [{ filename: string; files: { path: string }[] }];
  const paths = files.map((f) => f.path);
  for (const module of ["__init__.py", "models.py", "constants.py", "validation.py", "tokens.py", "close_codes.py", "py.typed"]) {
    t.ok(paths.includes(`python/relay_contract/${module}`), `ships python/relay_contract/${module}`);
  }
  t.notOk(paths.some((p) => p.includes("__pycache__") || p.endsWith(".pyc")), "no bytecode caches");

  const unpacked = join(dir, "unpacked");
  mkdirSync(unpacked);
  const tar = spawnSync("tar", ["-xzf", join(dir, filename), "-C", unpacked]);
  t.equal(tar.status, 0, String(tar.stderr));
  const installed = join(unpacked, "package");
  symlinkSync(join(root, "node_modules"), join(installed, "node_modules"));
  const r = cli(installed, ["python-path"]);
  t.equal(r.status, 0, r.stderr);
  const printed = r.stdout.trim();
  t.equal(printed, join(installed, "python"));
  t.ok(existsSync(join(printed, "relay_contract", "__init__.py")));

  const vectors = JSON.parse(readFileSync(join(root, "generated/vectors/auth-tokens.json"), "utf8")) as { verify: { token: string; secrets: string[]; now: number; expected: { ok: boolean } }[] };
  const good = vectors.verify.find((v) => v.expected.ok)!;
  const script = [
    "import json, sys, relay_contract as rc",
    "print(json.dumps({",
    "  'file': rc.__file__, 'schema': str(rc.SCHEMA_DIR),",
    "  'valid': rc.validate_frame({'type': 'hello', 'platform': 'relay', 'botId': ''}) == [],",
    "  'invalid': [i.keyword for i in rc.validate_frame({'type': 'hello', 'platform': 'relay'})],",
    `  'token': rc.verify_upgrade_token(${JSON.stringify(good.token)}, ${JSON.stringify(good.secrets)}, now=${good.now}).ok,`,
    "}))",
  ].join("\n");
  const py = spawnSync(PYTHON, ["-c", script], { cwd: dir, encoding: "utf8", env: pythonEnv({ PYTHONPATH: printed }) });
  t.equal(py.status, 0, py.stderr);
  const out = JSON.parse(py.stdout) as { file: string; schema: string; valid: boolean; invalid: string[]; token: boolean };
  t.equal(out.file, join(printed, "relay_contract", "__init__.py"), "the unpacked package is the one imported");
  t.equal(out.schema, join(installed, "generated", "schema"), "its validators read the shipped schema files");
  t.strictSame([out.valid, out.invalid, out.token], [true, ["required"], true]);
});
