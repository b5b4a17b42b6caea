/**
 * The system packages the tests need: one list (scripts/system-deps.mjs), checked and installed
 * by the first step of `npm test` (scripts/provision-system.mjs), which `.ci/run` also drives.
 * The reporting and removal paths run with `RELAY_CONTRACT_ASSUME_MISSING` / `--dry-run` /
 * another uid, never installing or removing anything on the machine running the tests.
 */
import t from "tap";
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ASSUME_MISSING_ENV, PYTHON, SYSTEM_PACKAGES, missingPackages } from "../scripts/system-deps.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const script = join(root, "scripts/provision-system.mjs");
const isRoot = process.getuid?.() === 0;
const names = SYSTEM_PACKAGES.map((p) => p.name);

function provision(args: string[], env: NodeJS.ProcessEnv = {}, options: SpawnSyncOptions = {}) {
  const base = { ...process.env };
  delete base.CI;
  delete base[ASSUME_MISSING_ENV];
  // Through env(1) without NODE_OPTIONS: tap's process-info hook would write under .tap/, which
  // the other uid of the non-root case cannot.
  const run = spawnSync("env", ["-u", "NODE_OPTIONS", process.execPath, script, ...args], { cwd: root, encoding: "utf8", env: { ...base, ...env }, timeout: 120_000, ...options });
  return { status: run.status, stdout: String(run.stdout), stderr: String(run.stderr) };
}

t.test("the list names the Debian packages of every suite that needs one", async (t) => {
  t.same(names, ["redis-server", "python3-jsonschema", "python3-websockets", "python3-mypy"]);
  t.equal(PYTHON, "/usr/bin/python3");
});

t.test("npm test provisions before anything else, and this machine has everything", async (t) => {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> };
  t.match(pkg.scripts.test, /^node scripts\/provision-system\.mjs && /);
  t.same(missingPackages(), [], "nothing missing after the first step of npm test");
});

t.test("detection looks at the capability: an empty PATH and an absent interpreter miss everything", async (t) => {
  const empty = mkdtempSync(join(tmpdir(), "relay-provision-"));
  t.same(missingPackages({ env: { PATH: empty }, python: join(empty, "python3") }), names);
  t.same(missingPackages({ env: { ...process.env, [ASSUME_MISSING_ENV]: "python3-mypy,redis-server" } }), ["redis-server", "python3-mypy"], "list order");
});

t.test("--check with packages missing stops with one line naming them and the install command", async (t) => {
  const r = provision(["--check"], { [ASSUME_MISSING_ENV]: "python3-mypy redis-server" });
  t.equal(r.status, 1);
  t.equal(r.stdout, "");
  t.equal(r.stderr.trimEnd().split("\n").length, 1, "one line");
  t.match(r.stderr, /missing: redis-server python3-mypy .*Install them with: (sudo )?apt-get install -y redis-server python3-mypy$/m);
});

t.test("without root it never tries apt-get: one line with the sudo command", { skip: !isRoot && "needs root to run the script as another user" }, async (t) => {
  const r = provision([], { [ASSUME_MISSING_ENV]: "python3-jsonschema" }, { uid: 65534, gid: 65534 });
  t.equal(r.status, 1);
  t.equal(r.stdout, "", "no apt-get run");
  t.match(r.stderr, /^relay-contract tests need Debian packages that are missing: python3-jsonschema .*Install them with: sudo apt-get install -y python3-jsonschema\n$/);
});

t.test("as root with apt-get it installs exactly the missing packages", { skip: !isRoot && "the install path runs as root" }, async (t) => {
  const r = provision(["--dry-run"], { [ASSUME_MISSING_ENV]: "redis-server python3-websockets" });
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stdout, "would run: apt-get update -qq\nwould run: apt-get install -y -qq --no-install-recommends redis-server python3-websockets\n");
});

t.test("--remove runs only in CI, and then purges the whole list", async (t) => {
  const outside = provision(["--remove", "--dry-run"]);
  t.equal(outside.status, 2);
  t.equal(outside.stdout, "");
  t.match(outside.stderr, /only in CI/);
  if (isRoot) {
    const ci = provision(["--remove", "--dry-run"], { CI: "true" });
    t.equal(ci.status, 0, ci.stderr);
    t.equal(ci.stdout, `would run: apt-get purge -y -qq ${names.join(" ")}\n`);
  }
  t.equal(provision(["--bogus"]).status, 2, "usage error");
});

t.test(".ci/run proves a fresh machine: removes the packages in CI, then follows the README verbatim", async (t) => {
  const ci = readFileSync(join(root, ".ci/run"), "utf8");
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const commands = ["npm ci", "npx relay-contract demo", "npm test"];
  const block = readme.match(/## Set up, run, test[\s\S]*?```sh\n([\s\S]*?)```/)?.[1] ?? "";
  t.same(block.split("\n").filter(Boolean).map((l) => l.replace(/\s+#.*$/, "")), commands, "the README's commands");
  const lines = ci.split("\n").map((l) => l.trim());
  const at = commands.map((c) => lines.indexOf(c));
  t.ok(at.every((i, k) => i > 0 && (k === 0 || i > at[k - 1]!)), `.ci/run runs ${commands.join(", ")} verbatim and in order`);
  const remove = lines.findIndex((l) => l.includes("provision-system.mjs --remove"));
  t.ok(remove > 0 && remove < at[0]!, "removal comes before npm ci");
  t.match(ci, /CI:-\}" = true.*id -u\)" = 0|id -u\)" = 0.*CI:-\}" = true/, "removal is guarded by CI=true and root");
});

t.test("every Python step takes its interpreter from the one place", async (t) => {
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir))) {
      const rel = join(dir, entry);
      if (statSync(join(root, rel)).isDirectory()) walk(rel);
      else if (/\.(ts|mts|mjs|js)$/.test(entry) && !["scripts/system-deps.mjs", "scripts/system-deps.d.mts", "test/provision-system.test.ts"].includes(rel)) {
        const text = readFileSync(join(root, rel), "utf8");
        // A quoted interpreter: "python3", "python3.11", "/usr/bin/python3", "/opt/x/python".
        if (/["'`](?:python3(?:\.\d+)?|\/[\w/.-]*\/python3?(?:\.\d+)?)["'`]/.test(text)) offenders.push(rel);
      }
    }
  };
  for (const dir of ["src", "scripts", "test", "bench"]) walk(dir);
  t.same(offenders, [], "no other file names a Python interpreter");
});
