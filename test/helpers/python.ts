/**
 * The Python side of the cross-language tests: Debian's interpreter with the `python3-*`
 * packages of scripts/system-deps.mjs (the one place naming it, installed by the first step of
 * `npm test`). Every Python step imports PYTHON from here.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { fileURLToPath } from "node:url";
import { PYTHON } from "../../scripts/system-deps.mjs";

export { PYTHON };

/** The directory holding the `relay_contract` package (what `relay-contract python-path` prints). */
export const PYTHON_PACKAGE_PATH = fileURLToPath(new URL("../../python", import.meta.url));

/** Environment for Python children: the package importable, no `__pycache__` left in the tree, UTF-8 stdio. */
export function pythonEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, PYTHONPATH: PYTHON_PACKAGE_PATH, PYTHONDONTWRITEBYTECODE: "1", PYTHONIOENCODING: "utf-8", PYTHONUTF8: "1", ...extra };
}

/** Run a Python script with JSON on stdin; returns its parsed JSON stdout. Throws with stderr. */
export function runPythonJson<T>(script: string, input: unknown, args: string[] = []): T {
  const result = spawnSync(PYTHON, [script, ...args], { input: JSON.stringify(input), encoding: "utf8", env: pythonEnv(), maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${PYTHON} ${script} exited ${result.status}: ${result.stderr}\n(system packages: node scripts/provision-system.mjs --check)`);
  }
  return JSON.parse(result.stdout) as T;
}

/** `python3 -m mypy --strict` on the given paths (the package is on MYPYPATH); no cache left in the tree. */
export function runMypy(paths: string[], cacheDir: string): SpawnSyncReturns<string> {
  return spawnSync(PYTHON, ["-m", "mypy", "--strict", "--cache-dir", cacheDir, "--no-error-summary", "--show-error-codes", ...paths], {
    encoding: "utf8",
    env: pythonEnv({ MYPYPATH: PYTHON_PACKAGE_PATH }),
    cwd: fileURLToPath(new URL("../..", import.meta.url)),
  });
}
