// The CLI entry must be executable for `npx relay-contract` and the `bin` link.
import { chmodSync, existsSync } from "node:fs";
const cli = new URL("../dist/src/cli/main.js", import.meta.url);
if (existsSync(cli)) chmodSync(cli, 0o755);
