// After tsc: copy the precompiled validators (plain JS, not compiled by tsc) beside their
// compiled importers, and make the CLI entry executable for `npx relay-contract` and `bin`.
import { chmodSync, copyFileSync, existsSync, mkdirSync } from "node:fs";

const from = (path) => new URL(`../${path}`, import.meta.url);
mkdirSync(from("dist/generated"), { recursive: true });
for (const file of ["validators.js", "validators.d.ts", "validators-report.cjs"]) copyFileSync(from(`generated/${file}`), from(`dist/generated/${file}`));
const cli = from("dist/src/cli/main.js");
if (existsSync(cli)) chmodSync(cli, 0o755);
