/**
 * The file rules `npm run check:package` applies to the packed tarball (the tarball itself is
 * checked by that step of `npm test`).
 */
import t from "tap";
import { readFileSync } from "node:fs";
import { importsOf, inspectPackageFiles, packageOf } from "../scripts/package-hygiene.js";

const MIT = readFileSync(new URL("../LICENSE", import.meta.url));
const pkg = { license: "MIT", dependencies: { ws: "^8" }, peerDependencies: { ioredis: "^5" } };
const big = Buffer.alloc(8192, "x");
const clean = () =>
  new Map<string, Buffer>([
    ["LICENSE", MIT],
    ["dist/src/index.js", Buffer.from('import { WebSocket } from "ws";\nimport { readFileSync } from "node:fs";\nimport path from "path";\nconst r = createRequire(import.meta.url)("ioredis");\n')],
    ["dist/src/index.js.map", Buffer.from(JSON.stringify({ version: 3, sources: ["../../src/index.ts"], sourcesContent: ["export {};"] }))],
    ["dist/src/index.d.ts", Buffer.from('export type { Redis } from "ioredis";\n')],
    ["dist/generated/validators.js", big],
  ]);

t.test("a clean package passes", async (t) => {
  t.same(inspectPackageFiles(clean(), pkg), []);
});

t.test("each rule names the file and the reason", async (t) => {
  const files = clean();
  files.delete("LICENSE");
  files.set("dist/src/a.js.map", Buffer.from(JSON.stringify({ version: 3, sources: ["../../src/a.ts"] })));
  files.set("generated/validators.js", big);
  files.set("schema/frames.ts", Buffer.from('import { Type } from "@sinclair/typebox";\n'));
  files.set("dist/src/b.js", Buffer.from('const ajv = await import("ajv/dist/2020.js");\n'));
  const problems = inspectPackageFiles(files, pkg);
  const expected = [
    "no LICENSE file",
    /^dist\/src\/a\.js\.map: a source map without sourcesContent/,
    /^generated\/validators\.js: the same 8 KiB as dist\/generated\/validators\.js, shipped twice$/,
    /^schema\/frames\.ts: a TypeScript source/,
    /^schema\/frames\.ts: imports @sinclair\/typebox, which is not a dependency/,
    /^dist\/src\/b\.js: imports ajv\/dist\/2020\.js, which is not a dependency/,
  ];
  for (const want of expected) t.ok(problems.some((p) => (typeof want === "string" ? p === want : want.test(p))), String(want));
  t.equal(problems.length, expected.length, problems.join("\n"));
});

t.test("specifiers and their packages", async (t) => {
  t.same(importsOf('import a from "ws"; export * from "./x.js"; import("@scope/p/sub"); require("node:fs"); import "side-effect";'), ["ws", "@scope/p/sub", "node:fs", "side-effect"]);
  t.equal(packageOf("@scope/p/sub"), "@scope/p");
  t.equal(packageOf("ajv/dist/2020.js"), "ajv");
  t.equal(packageOf("node:fs"), undefined);
  t.equal(packageOf("path"), undefined);
});
