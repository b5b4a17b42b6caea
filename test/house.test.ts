/**
 * The layers of src/ point one way: `node scripts/house.mjs` finds no cycle between rooms, the two
 * roles do not import each other but share the kernel (emitter, event shapes, outgoing-frame
 * check, close options, numeric options), which imports neither, and nothing imports the CLI or
 * the conformance kit but the CLI.
 */
import { spawnSync } from "node:child_process";
import t from "tap";

const run = spawnSync(process.execPath, ["scripts/house.mjs"], { cwd: new URL("..", import.meta.url), encoding: "utf8" });

t.test("no cycle between rooms", async (t) => {
  t.equal(run.status, 0, run.stdout + run.stderr);
  t.match(run.stdout, /no cycles between rooms/);
});

t.test("arrows point down the layers", async (t) => {
  const arrows = new Map(
    [...run.stdout.matchAll(/^ {2}(\S+) → (.+)$/gm)].map((m) => [m[1] ?? "", new Set((m[2] ?? "").split(", "))]),
  );
  t.ok(arrows.size > 5, "arrows were read");
  t.notOk(arrows.get("client")?.has("server"), "the client does not import the server helper");
  t.notOk(arrows.get("server")?.has("client"), "the server helper does not import the client");
  for (const role of ["client", "server"]) t.ok(arrows.get(role)?.has("kernel"), `${role} is built on the shared kernel`);
  for (const up of ["client", "server", "transport", "conformance", "cli"]) t.notOk(arrows.get("kernel")?.has(up), `the kernel does not import ${up}`);
  for (const [from, to] of arrows) {
    if (from !== "cli") t.notOk(to.has("cli"), `${from} does not import the CLI`);
    if (from !== "cli") t.notOk(to.has("conformance"), `${from} does not import the conformance kit`);
  }
});
