/**
 * Debian's python3 (with python3-jsonschema / python3-websockets from apt, installed by
 * .ci/run): the independent implementation the cross-language tests run against.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export const PYTHON = process.env.RELAY_CONTRACT_PYTHON ?? (existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3");

/** Run a Python script with JSON on stdin; returns its parsed JSON stdout. Throws with stderr. */
export function runPythonJson<T>(script: string, input: unknown, args: string[] = []): T {
  const result = spawnSync(PYTHON, [script, ...args], { input: JSON.stringify(input), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${PYTHON} ${script} exited ${result.status}: ${result.stderr}\n(Python deps: apt-get install python3-jsonschema python3-websockets — .ci/run does this)`);
  }
  return JSON.parse(result.stdout) as T;
}
