/**
 * `npm run generate` writes everything derived from schema/; `--check` regenerates in memory
 * and fails when a committed file differs (or is missing, or is stale).
 */
import { readFileSync, writeFileSync, mkdirSync, readdirSync, rmSync, existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { generateAll, GENERATED_DIRS } from "./generate/all.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path) : [path];
  });
}

/** Differences between the generated files and the tree at `base`. */
export function diffGenerated(files: Map<string, string>, base: string): string[] {
  const problems: string[] = [];
  for (const [path, content] of files) {
    const full = join(base, path);
    if (!existsSync(full)) problems.push(`missing: ${path}`);
    else if (readFileSync(full, "utf8") !== content) problems.push(`differs: ${path}`);
  }
  for (const dir of GENERATED_DIRS) {
    for (const full of listFiles(join(base, dir))) {
      const path = relative(base, full);
      if (!files.has(path)) problems.push(`stale (not generated any more): ${path}`);
    }
  }
  return problems;
}

async function main() {
  const check = process.argv.includes("--check");
  const files = await generateAll();
  if (check) {
    const problems = diffGenerated(files, root);
    if (problems.length > 0) {
      console.error(`generated files do not match schema/ (run \`npm run generate\`):\n  ${problems.join("\n  ")}`);
      process.exit(1);
    }
    console.log(`check:generated: ${files.size} files match schema/`);
    return;
  }
  for (const dir of GENERATED_DIRS) rmSync(join(root, dir), { recursive: true, force: true });
  for (const [path, content] of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  console.log(`generate: wrote ${files.size} files`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
