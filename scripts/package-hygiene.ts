/**
 * What the packed tarball must hold, checked on its files (path inside the package → bytes):
 * a LICENSE, source maps that carry their sources, no TypeScript sources, no large file shipped
 * twice, and no import of a package that is not a dependency or peer (a dev dependency is not
 * installed for users).
 */
import { createHash } from "node:crypto";
import { builtinModules } from "node:module";

export interface PackageJson {
  license?: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** Files at least this large count as duplicates when shipped twice. */
const DUPLICATE_MIN_BYTES = 4096;
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)["']([^"'.\/][^"']*)["']/g;

/** The package a bare specifier names (`@scope/name/sub` → `@scope/name`), or undefined for built-ins. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith("node:") || builtinModules.includes(specifier)) return undefined;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** Bare specifiers imported by JavaScript or declaration text (comments included: conservative). */
export function importsOf(text: string): string[] {
  return [...text.matchAll(SPECIFIER)].map((m) => m[1]!);
}

export function inspectPackageFiles(files: Map<string, Buffer>, pkg: PackageJson): string[] {
  const problems: string[] = [];
  const license = files.get("LICENSE")?.toString("utf8");
  if (license === undefined) problems.push("no LICENSE file");
  else if (pkg.license === "MIT" && !/MIT License|Permission is hereby granted, free of charge/.test(license)) problems.push("LICENSE is not the MIT license package.json names");

  const allowed = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {})]);
  const byHash = new Map<string, string>();
  for (const [path, bytes] of files) {
    if (/\.(ts|mts|cts)$/.test(path) && !/\.d\.(ts|mts|cts)$/.test(path)) problems.push(`${path}: a TypeScript source (users run the compiled JavaScript)`);
    if (path.endsWith(".map")) {
      try {
        const map = JSON.parse(bytes.toString("utf8")) as { sources?: unknown[]; sourcesContent?: unknown[] };
        const sources = map.sources ?? [];
        const contents = map.sourcesContent ?? [];
        if (sources.length > 0 && (contents.length !== sources.length || contents.some((c) => typeof c !== "string"))) {
          problems.push(`${path}: a source map without sourcesContent points at sources the package does not ship`);
        }
      } catch {
        problems.push(`${path}: not a JSON source map`);
      }
    }
    if (bytes.length >= DUPLICATE_MIN_BYTES) {
      const hash = createHash("sha256").update(bytes).digest("hex");
      const first = byHash.get(hash);
      if (first !== undefined) problems.push(`${path}: the same ${Math.round(bytes.length / 1024)} KiB as ${first}, shipped twice`);
      else byHash.set(hash, path);
    }
    if (/\.(m?js|cjs|m?ts|cts)$/.test(path)) {
      for (const specifier of importsOf(bytes.toString("utf8"))) {
        const name = packageOf(specifier);
        if (name !== undefined && !allowed.has(name)) problems.push(`${path}: imports ${specifier}, which is not a dependency or peer dependency`);
      }
    }
  }
  return problems;
}
