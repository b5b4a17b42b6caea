/**
 * Transpiles the runtime (src/, generated/) and the benchmark's child processes (bench/) to plain
 * JavaScript in a temporary directory, file by file, keeping the layout — the same shape `tsc`
 * gives dist/, without type-checking (seconds) or a stale dist/. Children then run on plain `node`:
 * no loader thread in the measured process, and start-up is measured on the code that ships.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { transform } from "esbuild";
import type { BuildInfo } from "./types.js";

const SOURCE_DIRS = ["src", "generated", "bench"];

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === "results" || entry.name === "node_modules") continue;
      yield* walk(full);
    } else yield full;
  }
}

/**
 * `from`: build the sources of this git revision (`git archive`) instead of the working tree —
 * results then belong to a commit, whatever others have uncommitted in the shared tree.
 */
export async function buildForBench(root: string, from?: string): Promise<BuildInfo> {
  const source = from === undefined ? root : exportRevision(root, from);
  const files: string[] = [];
  for (const d of SOURCE_DIRS) for (const f of walk(join(source, d))) if (/\.(ts|js)$/.test(f) && !f.endsWith(".d.ts")) files.push(f);
  files.sort();
  const hash = createHash("sha256");
  const sources = new Map<string, string>();
  for (const f of files) {
    const text = readFileSync(f, "utf8");
    sources.set(f, text);
    hash.update(relative(source, f)).update("\0").update(text).update("\0");
  }
  const dir = join(tmpdir(), `relay-contract-bench-${hash.digest("hex").slice(0, 16)}`);
  const info: BuildInfo = { dir, path: (repoPath: string) => join(dir, repoPath.replace(/\.ts$/, ".js")) };
  if (existsSync(join(dir, "package.json"))) return info; // same sources, already built
  removeStaleBuilds(dir);
  rmSync(dir, { recursive: true, force: true });
  for (const f of files) {
    const rel = relative(source, f);
    const out = join(dir, rel.replace(/\.ts$/, ".js"));
    mkdirSync(dirname(out), { recursive: true });
    if (f.endsWith(".js")) {
      copyFileSync(f, out);
      continue;
    }
    const result = await transform(sources.get(f) as string, {
      loader: "ts",
      format: "esm",
      target: "node20",
      sourcefile: rel,
      tsconfigRaw: { compilerOptions: { useDefineForClassFields: true } },
    });
    writeFileSync(out, result.code);
  }
  // Bare imports (`ws`) resolve through the repository's dependencies.
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
  // The package is ESM ("type": "module"); the copy must say so too. Written last: it marks a complete build.
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  return info;
}

/** Earlier builds of other sources, left by previous runs (older than an hour: not a concurrent run). */
function removeStaleBuilds(keep: string): void {
  const base = tmpdir();
  for (const name of readdirSync(base)) {
    const full = join(base, name);
    if (!name.startsWith("relay-contract-bench-") || full === keep) continue;
    try {
      if (Date.now() - statSync(full).mtimeMs > 3_600_000) rmSync(full, { recursive: true, force: true });
    } catch {
      // Someone else's, or already gone.
    }
  }
}

/** The tracked files of `revision` under the source directories, extracted to a temp dir. */
function exportRevision(root: string, revision: string): string {
  const sha = execFileSync("git", ["rev-parse", "--verify", `${revision}^{commit}`], { cwd: root, encoding: "utf8" }).trim();
  const dir = join(tmpdir(), `relay-contract-src-${sha.slice(0, 12)}`);
  if (!existsSync(join(dir, ".complete"))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const tar = execFileSync("git", ["archive", "--format=tar", sha, ...SOURCE_DIRS], { cwd: root, maxBuffer: 1 << 30 });
    execFileSync("tar", ["-x", "-C", dir], { input: tar });
    writeFileSync(join(dir, ".complete"), sha);
  }
  return dir;
}
