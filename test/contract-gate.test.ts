/**
 * The compatibility gate of `npm test` (`npm run check:compat`): additive changes pass; a
 * breaking change passes only with a higher contract_version that the changelog announces.
 */
import t from "tap";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { diffContracts, type ContractSnapshot } from "../src/contract-diff/index.js";
import { judgeCompatibility, RELEASED_DIR } from "../scripts/contract-gate.js";

type Node = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const root = fileURLToPath(new URL("..", import.meta.url));
const released = (file: string) => JSON.parse(readFileSync(`${root}/${RELEASED_DIR}/${file}`, "utf8")) as { "x-contract-version": number; definitions: Node };
const STRICT = released("bundle.json");
const TOLERANT = released("bundle.tolerant.json");

function version(contractVersion: number, edit: (defs: Node) => void = () => undefined): ContractSnapshot {
  const strict = structuredClone(STRICT.definitions);
  const tolerant = structuredClone(TOLERANT.definitions);
  edit(strict);
  edit(tolerant);
  return { source: `v${contractVersion}`, contractVersion, strict, tolerant, tolerantDerived: false };
}
const old = version(1);
const breakingEdit = (d: Node) => {
  d.HelloFrame.properties.region = { type: "string" };
  d.HelloFrame.required = [...(d.HelloFrame.required ?? []), "region"];
};
const additiveEdit = (d: Node) => (d.HelloFrame.properties.region = { type: "string" });

t.test("the committed released contract is a strict bundle with its tolerant twin", async (t) => {
  t.equal(STRICT["x-contract-version"], 1);
  t.ok(Object.keys(STRICT.definitions).length >= 60);
  t.same(Object.keys(TOLERANT.definitions), Object.keys(STRICT.definitions));
});

t.test("additive changes pass", async (t) => {
  const v = judgeCompatibility(diffContracts(old, version(1, additiveEdit)), "");
  t.equal(v.ok, true);
  t.match(v.lines[0], /compatible with the released contract_version 1 \(1 additive change\)/);
});

t.test("a breaking change without a new contract_version fails and says what to do", async (t) => {
  const v = judgeCompatibility(diffContracts(old, version(1, breakingEdit)), "## 0.2.0\n- contract_version 1, additive\n");
  t.equal(v.ok, false);
  t.match(v.lines.join("\n"), /1 breaking change\(s\) against the released contract_version 1:\n {2}HelloFrame\/properties\/region: required field region added \[breaking-for-producers; produced by gateway, consumed by connector\]/);
  t.match(v.lines.at(-1), /raise CONTRACT_VERSION in schema\/annotations\.ts to 2/);
});

t.test("a new contract_version must also be announced in the changelog", async (t) => {
  const next = version(2, breakingEdit);
  const silent = judgeCompatibility(diffContracts(old, next), "## 1.0.0\n- hello gains a region\n");
  t.equal(silent.ok, false);
  t.match(silent.lines.at(-1), /says "contract_version 2"/);
  const announced = judgeCompatibility(diffContracts(old, next), "---\nrelay-contract: major\n---\n\nBreaking: contract_version 2. hello requires `region`.\n");
  t.equal(announced.ok, true);
  t.match(announced.lines[0], /announced as contract_version 2/);
});

t.test("the contract_version never goes down", async (t) => {
  const v = judgeCompatibility(diffContracts(version(2), version(1)), "contract_version 1");
  t.equal(v.ok, false);
});

t.test("npm test runs the gate before the tests", async (t) => {
  const pkg = JSON.parse(readFileSync(`${root}/package.json`, "utf8")) as { scripts: Record<string, string> };
  t.match(pkg.scripts.test, /npm run check:compat && .*tap/);
  const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/check-compat.ts"], { cwd: root, encoding: "utf8" });
  t.equal(run.status, 0, run.stderr);
  t.match(run.stdout, /^check:compat: compatible with the released contract_version 1/);
});
