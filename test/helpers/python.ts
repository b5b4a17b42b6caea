/**
 * The Python side of the cross-language tests: Debian's interpreter with the `python3-*`
 * packages of scripts/system-deps.mjs (the one place naming it, installed by the first step of
 * `npm test`). Every Python step imports PYTHON from here.
 */
import { spawnSync } from "node:child_process";
import { PYTHON } from "../../scripts/system-deps.mjs";

export { PYTHON };

/** Run a Python script with JSON on stdin; returns its parsed JSON stdout. Throws with stderr. */
export function runPythonJson<T>(script: string, input: unknown, args: string[] = []): T {
  const result = spawnSync(PYTHON, [script, ...args], { input: JSON.stringify(input), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${PYTHON} ${script} exited ${result.status}: ${result.stderr}\n(system packages: node scripts/provision-system.mjs --check)`);
  }
  return JSON.parse(result.stdout) as T;
}
