/**
 * `relay-contract python-path`: the directory holding the `relay_contract` Python package, to
 * put on PYTHONPATH. It sits in the package root (`python/`), found relative to this module
 * whether it runs compiled (dist/src/cli/) or from source (src/cli/).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export function pythonPackagePath(): string | undefined {
  for (const rel of ["../../../python", "../../python"]) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}/relay_contract/__init__.py`)) return dir.replace(/\/$/, "");
  }
  return undefined;
}

/** Prints the directory (exit 0), or says the package is missing (exit 1). */
export function cmdPythonPath(io: { out: (text: string) => void; err: (text: string) => void }): number {
  const dir = pythonPackagePath();
  if (dir === undefined) {
    io.err("relay-contract: the Python package (python/relay_contract) is missing from this installation\n");
    return 1;
  }
  io.out(`${dir}\n`);
  return 0;
}
