/** Writes the auth vectors for local testing (`npm run generate` owns the real output). */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildAuthVectors } from "./auth-vectors.js";

const out = resolve(dirname(fileURLToPath(import.meta.url)), "../generated/vectors/auth-tokens.json");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(buildAuthVectors(), null, 2) + "\n");
process.stdout.write(`wrote ${out}\n`);
