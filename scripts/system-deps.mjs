// The one list of system (Debian) packages the tests need, the one Python interpreter every
// Python step runs, and how to tell whether each package's capability is present. Plain
// JavaScript with no dependencies: `.ci/run` loads it before `npm ci`.
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/**
 * Debian's interpreter: the one the `python3-*` packages below install modules for. Another
 * `python3` on the PATH (pyenv, a venv) may lack them, so every Python step names this path.
 */
export const PYTHON = "/usr/bin/python3";

/** The Redis server the multi-instance tests start on a loopback port, looked up on the PATH. */
export const REDIS_SERVER = "redis-server";

/**
 * Each package with what it provides (a command on the PATH or a module importable by
 * {@link PYTHON}) and which tests use it. Detection checks the capability, not the dpkg
 * database, so a machine that has it some other way is not asked to install anything.
 */
export const SYSTEM_PACKAGES = Object.freeze([
  { name: "redis-server", command: REDIS_SERVER, usedBy: "multi-instance tests (Redis bus and delivery buffer)" },
  { name: "python3-jsonschema", pythonModule: "jsonschema", usedBy: "schemas and vectors checked by a Python validator" },
  { name: "python3-websockets", pythonModule: "websockets", usedBy: "the Python example gateway under the conformance kit" },
  { name: "python3-mypy", pythonModule: "mypy", usedBy: "type-checking the Python artifacts" },
]);

/** Names listed here (space or comma separated) count as missing: exercises the reporting paths. */
export const ASSUME_MISSING_ENV = "RELAY_CONTRACT_ASSUME_MISSING";

/**
 * Whether an executable named `command` is in one of the PATH's directories.
 * @param {string} command @param {string} pathEnv
 */
export function onPath(command, pathEnv) {
  for (const dir of pathEnv.split(delimiter)) {
    if (dir === "") continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/** @param {string} python @param {string} module */
function importable(python, module) {
  const run = spawnSync(python, ["-c", `import ${module}`], { stdio: "ignore", timeout: 60_000 });
  return run.status === 0;
}

/**
 * The packages whose capability is absent, in list order.
 * @param {{ env?: NodeJS.ProcessEnv, python?: string }} [options]
 * @returns {string[]}
 */
export function missingPackages(options = {}) {
  const env = options.env ?? process.env;
  const python = options.python ?? PYTHON;
  const assumed = new Set((env[ASSUME_MISSING_ENV] ?? "").split(/[\s,]+/).filter(Boolean));
  return SYSTEM_PACKAGES.filter((pkg) => {
    if (assumed.has(pkg.name)) return true;
    if ("command" in pkg) return !onPath(pkg.command, env.PATH ?? "");
    return !importable(python, pkg.pythonModule);
  }).map((pkg) => pkg.name);
}

/** @param {readonly string[]} names */
export const installCommand = (names) => `apt-get install -y ${names.join(" ")}`;
