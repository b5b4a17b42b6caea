/** Running the package's CLI in a child process, as a user would, for the cli-*.test.ts files. */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The repository root (the CLI's working directory). */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** Node arguments that run the CLI from source. */
export const TSX_CLI: readonly string[] = Object.freeze(["--import", "tsx", "src/cli/main.ts"]);

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to stdin, which is then closed (closed at once without it). */
  input?: string;
  /** Variables set over the inherited environment; `undefined` removes one. */
  env?: Record<string, string | undefined>;
}

/** `node <argv>` in the repository root, colours off; resolves with its exit status and output. */
export function runNode(argv: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...argv], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"], env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

/** The CLI from source with `args`. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  return runNode([...TSX_CLI, ...args], options);
}
