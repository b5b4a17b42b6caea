/**
 * The Python team's path: the example gateway ships in the package, and both ways its README
 * gives to validate frames from Python run as written.
 */
import t from "tap";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { PYTHON } from "./helpers/python.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const readme = readFileSync(new URL("../examples/python_gateway/README.md", import.meta.url), "utf8");
const pythonBlocks = [...readme.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1] as string);

t.test("examples/python_gateway is in the package", async (t) => {
  const pack = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" });
  t.equal(pack.status, 0, pack.stderr);
  const files = (JSON.parse(pack.stdout) as Array<{ files: Array<{ path: string }> }>)[0]?.files.map((f) => f.path) ?? [];
  for (const path of ["examples/python_gateway/gateway.py", "examples/python_gateway/README.md", "generated/schema/GatewayFrame.json", "python/relay_contract/validation.py"]) {
    t.ok(files.includes(path), `${path} is packed`);
  }
  t.notOk(files.some((f) => f.includes("__pycache__")), "no bytecode caches");
});

t.test("the README's two Python recipes run and find the missing botId", async (t) => {
  t.equal(pythonBlocks.length, 2, "two recipes");
  const [withPackage, withJsonschema] = pythonBlocks as [string, string];
  const pkg = spawnSync(PYTHON, ["-c", withPackage], { cwd: root, encoding: "utf8", env: { ...process.env, PYTHONPATH: `${root}python` } });
  t.equal(pkg.status, 0, pkg.stderr);
  t.match(pkg.stdout, /^\/ required .*'botId' is a required property/m);
  // Inside the package, node_modules/relay-contract/ is the package root.
  const plain = spawnSync(PYTHON, ["-c", withJsonschema.replaceAll("node_modules/relay-contract/", root)], { cwd: root, encoding: "utf8" });
  t.equal(plain.status, 0, plain.stderr);
  t.match(plain.stdout, /^\/ 'botId' is a required property$/m);
});
