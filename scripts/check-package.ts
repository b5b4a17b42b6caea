/**
 * `npm run check:package` (part of `npm test`, after the build): packs the package as npm would
 * publish it and checks the tarball: publint, Are the Types Wrong (ESM-only profile), the file
 * rules of scripts/package-hygiene.ts, and a consumer's view: a TypeScript project with only the
 * package's dependencies installed type-checks every entry point (skipLibCheck off) and can
 * require() each of them (require(esm)), and the
 * Redis scale-out without its optional peer ioredis fails with an error that names it.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readTarball } from "../src/contract-diff/tarball.js";
import { inspectPackageFiles, type PackageJson } from "./package-hygiene.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = (name: string) => join(root, "node_modules/.bin", name);
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as PackageJson & { name: string; exports: Record<string, unknown>; peerDependenciesMeta?: Record<string, { optional?: boolean }> };
const problems: string[] = [];
const run = (command: string, args: string[], cwd = root) => spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } });

if (!existsSync(join(root, "dist/src/index.js"))) {
  console.error("check:package: no dist/ — run npm run build first");
  process.exit(1);
}
const work = mkdtempSync(join(tmpdir(), "relay-contract-pack-"));
try {
  // Scripts off: npm test has just built dist/, and `prepare` would build again.
  const packed = run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work]);
  if (packed.status !== 0) throw new Error(`npm pack failed: ${packed.stderr}`);
  const info = (JSON.parse(packed.stdout) as Array<{ filename: string; size: number; entryCount: number }>)[0]!;
  const tarball = join(work, info.filename);
  const files = new Map([...readTarball(readFileSync(tarball))].map(([path, bytes]) => [path.replace(/^package\//, ""), bytes]));

  problems.push(...inspectPackageFiles(files, pkg));

  const publint = run(bin("publint"), ["run", tarball, "--strict"]);
  if (publint.status !== 0 || !/All good/.test(publint.stdout)) problems.push(`publint:\n${publint.stdout}${publint.stderr}`);
  const attw = run(bin("attw"), [tarball, "--profile", "esm-only", "--format", "ascii", "--no-emoji", "--no-definitely-typed"]);
  if (attw.status !== 0) problems.push(`attw (esm-only):\n${attw.stdout}${attw.stderr}`);

  // A consumer with the dependencies only (not the optional peers, not our dev dependencies).
  const consumer = join(work, "consumer");
  const modules = join(consumer, "node_modules");
  for (const [path, bytes] of files) {
    const target = join(modules, pkg.name, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes);
  }
  const link = (name: string) => {
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(join(root, "node_modules", name), join(modules, name));
  };
  for (const name of Object.keys(pkg.dependencies ?? {})) link(name);
  if (!existsSync(join(modules, "@types/node"))) link("@types/node");
  const entries = Object.keys(pkg.exports).filter((key) => typeof pkg.exports[key] === "object");
  writeFileSync(join(consumer, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(join(consumer, "index.ts"), entries.map((key, i) => `import * as e${i} from "${join(pkg.name, key)}";\nexport { e${i} };\n`).join(""));
  writeFileSync(
    join(consumer, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { strict: true, module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", noEmit: true, skipLibCheck: false, types: ["node"] }, files: ["index.ts"] }),
  );
  const tsc = run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", consumer]);
  if (tsc.status !== 0) problems.push(`a consumer's type-check of ${entries.join(", ")} (dependencies only, skipLibCheck off):\n${tsc.stdout}${tsc.stderr}`);

  // CommonJS consumers: require(esm) of every entry point (Node 20.19+ / 22.12+, the engines).
  const requireAll = entries.map((key) => `require(${JSON.stringify(join(pkg.name, key))});`).join("\n");
  const cjs = run(process.execPath, ["--no-warnings", "-e", requireAll], consumer);
  if (cjs.status !== 0) problems.push(`require(esm) of the entry points failed:\n${cjs.stderr}`);

  const optionalPeers = Object.keys(pkg.peerDependenciesMeta ?? {}).filter((name) => pkg.peerDependenciesMeta?.[name]?.optional);
  if (optionalPeers.includes("ioredis")) {
    writeFileSync(
      join(consumer, "redis.mjs"),
      `import { RedisRelayBus } from "${pkg.name}/server";\ntry { new RedisRelayBus({ redis: "redis://127.0.0.1:1" }); console.log("no error"); } catch (err) { console.log(err.message); }\n`,
    );
    const redis = run(process.execPath, ["redis.mjs"], consumer);
    if (!/ioredis/.test(redis.stdout) || /no error/.test(redis.stdout)) problems.push(`the Redis scale-out without ioredis should fail naming it; it printed: ${redis.stdout}${redis.stderr}`);
  }

  if (problems.length > 0) {
    console.error(`check:package: ${info.filename}: ${problems.length} problem(s)\n- ${problems.join("\n- ")}`);
    process.exitCode = 1;
  } else {
    console.log(`check:package: ${info.filename} (${info.entryCount} files, ${Math.round(info.size / 1024)} KiB): publint, attw esm-only, LICENSE, source maps, no duplicates, imports, consumer type-check, require(esm) — all pass`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
