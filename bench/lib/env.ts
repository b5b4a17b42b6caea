/** The machine a run measured, recorded with every result. */
import { execFileSync } from "node:child_process";
import { cpus, totalmem, release, platform } from "node:os";

export interface Environment {
  date: string;
  node: string;
  v8: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  commit: string | undefined;
  /** Uncommitted changes under src/, generated/ or bench/ when the run started. */
  dirty: boolean | undefined;
}

function git(root: string, args: string[]): string | undefined {
  try {
    return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

/** `at`: the revision measured instead of the working tree (then never "dirty"). */
export function environment(root: string, at?: string): Environment {
  const cpuList = cpus();
  const status = at !== undefined ? "" : git(root, ["status", "--porcelain", "--", "src", "generated", "bench", "scripts"]);
  return {
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    cpu: cpuList[0]?.model.trim() ?? "unknown",
    cores: cpuList.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${platform()} ${release()}`,
    commit: git(root, ["rev-parse", "--short", at ?? "HEAD"]),
    dirty: status === undefined ? undefined : status.length > 0,
  };
}
