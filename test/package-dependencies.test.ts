/**
 * Dependencies: ioredis is an optional peer whose absence is reported by name; the engines are
 * the Node versions that can both import and require(esm) the package; the AsyncAPI parser's
 * telemetry is off for developer installs.
 */
import t from "tap";
import { readFileSync } from "node:fs";
import { loadIoredis } from "../src/server/redis/connection.js";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  engines: { node: string };
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  scarfSettings?: { enabled?: boolean };
};

t.test("ioredis is an optional peer dependency, not a dependency", async (t) => {
  t.notOk("ioredis" in pkg.dependencies);
  t.match(pkg.peerDependencies.ioredis, /^\^5\./);
  t.equal(pkg.peerDependenciesMeta.ioredis?.optional, true);
});

t.test("without ioredis the scale-out says which package to install", async (t) => {
  const missing = (id: string): never => {
    throw Object.assign(new Error(`Cannot find module '${id}'`), { code: "MODULE_NOT_FOUND" });
  };
  t.throws(() => loadIoredis(missing), { message: /optional peer dependency "ioredis"; install it with `npm install ioredis`/ });
  const broken = (): never => {
    throw new SyntaxError("broken install");
  };
  t.throws(() => loadIoredis(broken), SyntaxError, "other load failures are not disguised");
  t.ok(loadIoredis().Redis, "and with it installed, it loads");
});

t.test("engines: the Node versions where both import and require(esm) work", async (t) => {
  t.equal(pkg.engines.node, "^20.19.0 || >=22.12.0");
  const [major, minor] = process.versions.node.split(".").map(Number) as [number, number];
  t.ok((major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major > 22, `this Node (${process.versions.node}) is one of them`);
});

t.test("the AsyncAPI parser's telemetry (@scarf/scarf) is off for installs of this repository", async (t) => {
  t.equal(pkg.scarfSettings?.enabled, false);
});
