/**
 * The public API report (`api/*.api.md`), one per entry point of the `exports` map, made by
 * @microsoft/api-extractor from the built declarations (dist/). `npm run check:api` (part of
 * `npm test`, after the build) fails when the API differs from the committed report;
 * `npm run api:update` rewrites the reports after a deliberate change.
 */
import { Extractor, ExtractorConfig, ExtractorLogLevel, type IConfigFile } from "@microsoft/api-extractor";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const update = process.argv.includes("--update");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { exports: Record<string, string | { types?: string }> };
// `--reports DIR` compares against another folder (the tests use a copy).
const reportsArg = process.argv.indexOf("--reports");
const reportFolder = reportsArg === -1 ? join(root, "api") : process.argv[reportsArg + 1]!;
const scratch = join(root, "node_modules/.cache/api-report");
mkdirSync(reportFolder, { recursive: true });
mkdirSync(scratch, { recursive: true });

/**
 * API Extractor marks every declaration without a doc comment `(undocumented)`; documenting one
 * is not an API change, so the committed report leaves the marks out.
 */
const normalize = (report: string) => report.replace(/\r\n/g, "\n").replace(/ \(undocumented\)$/gm, "").replace(/^[ \t]*\/\/[ \t]*\n/gm, "");

/** `.` → `relay-contract`, `./server` → `server`. */
const reportName = (entry: string) => (entry === "." ? "relay-contract" : entry.slice(2).replace(/\//g, "-"));
const entries = Object.entries(pkg.exports).flatMap(([entry, target]) => (typeof target === "object" && target.types ? [[entry, target.types] as const] : []));

/** The newest modification time of the `.ts` files under `dir`. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

// Declarations built before the last source edit would report the API as it was, and a stale
// report would pass (or be written) unnoticed: the report is made from a build of these sources only.
const sourcesChanged = Math.max(newestSource(join(root, "src")), newestSource(join(root, "generated")));
for (const [, types] of entries) {
  const dts = join(root, types);
  if (existsSync(dts) && statSync(dts).mtimeMs < sourcesChanged) {
    console.error(`check:api: ${types} is older than the sources — run npm run build first`);
    process.exit(1);
  }
}

const changed: string[] = [];
let failed = false;
for (const [entry, types] of entries) {
  const dts = join(root, types);
  if (!existsSync(dts)) {
    console.error(`check:api: ${types} is missing — run npm run build first`);
    process.exit(1);
  }
  const configObject: IConfigFile = {
    projectFolder: root,
    mainEntryPointFilePath: dts,
    compiler: { overrideTsconfig: { compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", lib: ["ES2023"], types: ["node"], strict: true, skipLibCheck: true } } },
    apiReport: { enabled: true, reportFileName: `${reportName(entry)}.api.md`, reportFolder: scratch, reportTempFolder: join(scratch, "temp") },
    docModel: { enabled: false },
    dtsRollup: { enabled: false },
    tsdocMetadata: { enabled: false },
    messages: {
      // The report records what is public; documentation style is not its job.
      extractorMessageReporting: { default: { logLevel: ExtractorLogLevel.None }, "ae-missing-release-tag": { logLevel: ExtractorLogLevel.None, addToApiReportFile: false }, "ae-undocumented": { logLevel: ExtractorLogLevel.None, addToApiReportFile: false } },
      tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
      compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Error } },
    },
  };
  const config = ExtractorConfig.prepare({ configObject, configObjectFullPath: join(root, "api", "api-extractor.json"), packageJsonFullPath: join(root, "package.json") });
  // Written to the scratch folder every time; compared (and, to update, copied) normalized.
  const result = Extractor.invoke(config, { localBuild: true, showVerboseMessages: false, messageCallback: (m) => void (m.logLevel === ExtractorLogLevel.Warning && (m.handled = true)) });
  if (!result.succeeded) {
    failed = true;
    continue;
  }
  const file = `${reportName(entry)}.api.md`;
  const fresh = normalize(readFileSync(join(scratch, file), "utf8"));
  const committed = join(reportFolder, file);
  if (!existsSync(committed) || readFileSync(committed, "utf8") !== fresh) {
    changed.push(`api/${file} (${entry})`);
    if (update) writeFileSync(committed, fresh);
  }
}
if (failed) process.exit(1);
if (changed.length > 0 && !update) {
  console.error(`check:api: the public API differs from the committed report:\n  ${changed.join("\n  ")}\nIf the change is deliberate: npm run api:update, commit api/, and add a changeset (the README's "Versions and changes" says which bump).`);
  process.exit(1);
}
console.log(update ? `api:update: ${changed.length} report(s) rewritten of ${entries.length}` : `check:api: ${entries.length} entry points match api/`);
