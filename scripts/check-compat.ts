/**
 * `npm run check:compat` (part of `npm test`): the compatibility gate over the current bundles.
 * `npm run contract:release` records the current bundles as the released contract (run it when
 * releasing, after `npx changeset version`).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { diffContracts, loadContract } from "../src/contract-diff/index.js";
import { judgeCompatibility, RELEASED_DIR } from "./contract-gate.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const current = join(root, "generated/schema");
const released = join(root, RELEASED_DIR);
const BUNDLES = ["bundle.json", "bundle.tolerant.json"];

if (process.argv.includes("--record")) {
  mkdirSync(released, { recursive: true });
  for (const file of BUNDLES) copyFileSync(join(current, file), join(released, file));
  console.log(`contract:release: ${RELEASED_DIR}/ now holds contract_version ${loadContract(join(released, "bundle.json")).contractVersion}`);
  process.exit(0);
}

const read = (path: string) => (existsSync(path) ? readFileSync(path, "utf8") : "");
const changesets = join(root, ".changeset");
const pending = existsSync(changesets) ? readdirSync(changesets).filter((f) => f.endsWith(".md") && f !== "README.md") : [];
const notes = [read(join(root, "CHANGELOG.md")), ...pending.map((f) => read(join(changesets, f)))].join("\n");
const verdict = judgeCompatibility(diffContracts(loadContract(join(released, "bundle.json")), loadContract(join(current, "bundle.json"))), notes);
for (const line of verdict.lines) (verdict.ok ? console.log : console.error)(line);
process.exit(verdict.ok ? 0 : 1);
