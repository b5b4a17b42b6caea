/**
 * The public API report gate (`npm run check:api`, part of `npm test`): the committed reports
 * in api/ match the built declarations, and a difference in any entry point fails with the
 * command that updates them.
 */
import t from "tap";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { exports: Record<string, unknown>; scripts: Record<string, string> };
const check = (reports: string) => spawnSync(process.execPath, ["--import", "tsx", "scripts/api-report.ts", "--reports", reports], { cwd: root, encoding: "utf8", timeout: 300_000 });

t.test("one committed report per typed entry point, and npm test checks them", async (t) => {
  const typed = Object.values(pkg.exports).filter((v) => typeof v === "object").length;
  t.equal(readdirSync(join(root, "api")).filter((f) => f.endsWith(".api.md")).length, typed);
  t.match(pkg.scripts.test, /npm run check:api/);
  t.equal(pkg.scripts["api:update"], "tsx scripts/api-report.ts --update");
});

t.test("a changed public API fails the check and names the entry point", async (t) => {
  const copy = mkdtempSync(join(tmpdir(), "relay-contract-api-"));
  cpSync(join(root, "api"), copy, { recursive: true });
  const codec = join(copy, "codec.api.md");
  // As if encodeFrame had lost its options parameter.
  const edited = readFileSync(codec, "utf8").replace(/export function encodeFrame<([^>]*)>\(frame: F, opts\?: EncodeOptions\): string;/, "export function encodeFrame<$1>(frame: F): string;");
  t.not(edited, readFileSync(codec, "utf8"), "the fixture edit applied");
  writeFileSync(codec, edited);
  const r = check(copy);
  t.equal(r.status, 1, r.stdout);
  t.match(r.stderr, /the public API differs from the committed report:\n {2}api\/codec\.api\.md \(\.\/codec\)/);
  t.match(r.stderr, /npm run api:update/);
  t.notMatch(r.stderr, /relay-contract\.api\.md|server\.api\.md/, "only the entry point that differs");
});
