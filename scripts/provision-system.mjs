#!/usr/bin/env node
// Make the machine ready for `npm test`: the first step of `npm test`, also used by `.ci/run`.
//
//   node scripts/provision-system.mjs            install missing packages when root with apt-get,
//                                                else stop with one line naming them (exit 1)
//   node scripts/provision-system.mjs --check    never install: report only (exit 1 when missing)
//   node scripts/provision-system.mjs --remove   CI only (CI=true, root): purge the packages, so a
//                                                CI run starts from a machine that lacks them
//   --dry-run                                    print the apt-get commands instead of running them
//
// The list itself lives in scripts/system-deps.mjs.
import { spawnSync } from "node:child_process";
import { ASSUME_MISSING_ENV, PYTHON, SYSTEM_PACKAGES, installCommand, missingPackages, onPath } from "./system-deps.mjs";

const args = new Set(process.argv.slice(2));
const known = new Set(["--check", "--remove", "--dry-run"]);
const unknown = [...args].filter((a) => !known.has(a));
if (unknown.length > 0 || (args.has("--check") && args.has("--remove"))) {
  console.error(`provision-system: unknown or conflicting arguments: ${process.argv.slice(2).join(" ")} (use --check, --remove, --dry-run)`);
  process.exit(2);
}
const dryRun = args.has("--dry-run");
const isRoot = process.getuid?.() === 0;
const hasAptGet = onPath("apt-get", process.env.PATH ?? "");

/** Run (or, with --dry-run, print) one apt-get command; exits on failure. */
function aptGet(apt) {
  console.log(`${dryRun ? "would run" : "provision-system: running"}: apt-get ${apt.join(" ")}`);
  if (dryRun) return;
  const run = spawnSync("apt-get", apt, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  if (run.status !== 0) {
    console.error(`provision-system: apt-get ${apt[0]} failed (exit ${run.status ?? run.signal})`);
    process.exit(1);
  }
}

if (args.has("--remove")) {
  if (process.env.CI !== "true" || !isRoot || !hasAptGet) {
    console.error("provision-system: --remove runs only in CI (CI=true) as root with apt-get; it removes system packages");
    process.exit(2);
  }
  aptGet(["purge", "-y", "-qq", ...SYSTEM_PACKAGES.map((p) => p.name)]);
  process.exit(0);
}

const missing = missingPackages();
if (missing.length === 0) process.exit(0);

// Packages assumed missing are never installed for real: that variable only exercises reporting.
const assumed = Boolean(process.env[ASSUME_MISSING_ENV]);
if (args.has("--check") || !isRoot || !hasAptGet || (assumed && !dryRun)) {
  const hint = assumed ? ` (${ASSUME_MISSING_ENV} is set)` : "";
  const sudo = isRoot ? "" : "sudo ";
  console.error(`relay-contract tests need Debian packages that are missing: ${missing.join(" ")}${hint}. Install them with: ${sudo}${installCommand(missing)}`);
  process.exit(1);
}

aptGet(["update", "-qq"]);
aptGet(["install", "-y", "-qq", "--no-install-recommends", ...missing]);
if (dryRun) process.exit(0);
const still = missingPackages();
if (still.length > 0) {
  console.error(`provision-system: installed, but still missing: ${still.join(" ")} (is ${PYTHON} the interpreter they install into?)`);
  process.exit(1);
}
console.log(`provision-system: installed ${missing.join(" ")}`);
