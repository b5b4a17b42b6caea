/**
 * Reads one version of the contract: a strict bundle file (`generated/schema/bundle.json`,
 * with its `bundle.tolerant.json` beside it when present), a package folder, or a packed
 * package tarball (`npm pack`). Without a tolerant bundle, receivers are taken to accept what
 * producers send plus unknown fields (the contract's rule for every receiver).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Json, SchemaNode } from "./compare.js";
import type { ContractSnapshot } from "./diff.js";
import { readTarball } from "./tarball.js";

/** The input cannot be read as a contract version (exit 2 in the CLI). */
export class ContractLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ContractLoadError";
  }
}

const BUNDLE = "generated/schema/bundle.json";
const TOLERANT = "generated/schema/bundle.tolerant.json";

interface Bundle {
  definitions: Record<string, SchemaNode>;
  contractVersion: number | undefined;
  tolerant: boolean;
}

function parseBundle(text: string, where: string): Bundle {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ContractLoadError(`${where}: not JSON (${(err as Error).message})`);
  }
  const bundle = value as { definitions?: unknown; description?: unknown; title?: unknown; "x-contract-version"?: unknown };
  if (typeof value !== "object" || value === null || typeof bundle.definitions !== "object" || bundle.definitions === null || Array.isArray(bundle.definitions)) {
    throw new ContractLoadError(`${where}: not a schema bundle (no "definitions" object)`);
  }
  const declared = bundle["x-contract-version"];
  const described = typeof bundle.description === "string" ? /contract_version (\d+)/.exec(bundle.description)?.[1] : undefined;
  return {
    definitions: bundle.definitions as Record<string, SchemaNode>,
    contractVersion: typeof declared === "number" ? declared : described !== undefined ? Number(described) : undefined,
    tolerant: typeof bundle.title === "string" && /tolerant/i.test(bundle.title),
  };
}

/** Receivers of a bundle shipped without its tolerant variant: unknown fields allowed. */
function deriveTolerant(definitions: Record<string, SchemaNode>): Record<string, SchemaNode> {
  const open = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(open);
    if (typeof node !== "object" || node === null) return node;
    const out: SchemaNode = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === "additionalProperties" && value === false) continue;
      out[key] = key === "enum" || key === "const" || key === "default" || key === "examples" ? value : open(value);
    }
    return out;
  };
  return open(definitions) as Record<string, SchemaNode>;
}

function snapshot(source: string, strictText: string, tolerantText: string | undefined): ContractSnapshot {
  const strict = parseBundle(strictText, source);
  if (strict.tolerant) throw new ContractLoadError(`${source}: this is the tolerant bundle; give the strict one (bundle.json)`);
  const tolerant = tolerantText === undefined ? undefined : parseBundle(tolerantText, `${source} (tolerant)`);
  return {
    source,
    contractVersion: strict.contractVersion,
    strict: strict.definitions,
    tolerant: tolerant?.definitions ?? deriveTolerant(strict.definitions),
    tolerantDerived: tolerant === undefined,
  };
}

function fromTarball(path: string, bytes: Buffer): ContractSnapshot {
  let files: Map<string, Buffer>;
  try {
    files = readTarball(bytes);
  } catch (err) {
    throw new ContractLoadError(`${path}: not a readable package tarball (${(err as Error).message})`);
  }
  // npm pack puts everything under one top folder (`package/`).
  const find = (suffix: string) => [...files].find(([name]) => name.split("/").slice(1).join("/") === suffix)?.[1];
  const strict = find(BUNDLE);
  if (strict === undefined) throw new ContractLoadError(`${path}: the tarball has no ${BUNDLE}`);
  return snapshot(path, strict.toString("utf8"), find(TOLERANT)?.toString("utf8"));
}

/** One version of the contract from a bundle file, a package folder or a package tarball. */
export function loadContract(path: string): ContractSnapshot {
  if (!existsSync(path)) throw new ContractLoadError(`${path}: no such file or folder`);
  if (statSync(path).isDirectory()) {
    for (const candidate of [join(path, BUNDLE), join(path, "bundle.json")]) if (existsSync(candidate)) return loadContract(candidate);
    throw new ContractLoadError(`${path}: a folder without ${BUNDLE} or bundle.json`);
  }
  const bytes = readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return fromTarball(path, bytes);
  const sibling = basename(path) === "bundle.json" ? join(dirname(path), "bundle.tolerant.json") : undefined;
  const tolerant = sibling !== undefined && existsSync(sibling) ? readFileSync(sibling, "utf8") : undefined;
  return snapshot(path, bytes.toString("utf8"), tolerant);
}
