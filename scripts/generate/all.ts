/** Everything `npm run generate` produces, as relative path → content (pure, deterministic). */
import type { TSchema } from "@sinclair/typebox";
import { CONNECTOR_FRAMES, DEFINITIONS, GATEWAY_FRAMES } from "../../schema/index.js";
import { buildSchemaSet, droppableLists, nameOf } from "./json-schemas.js";
import { buildValidatorDeclarations, buildValidatorModule } from "./validators.js";
import { buildTypes } from "./types.js";
import { buildRegistry } from "./registry.js";
import { buildVectors, proveVectors, vectorFile } from "./vectors.js";
import { buildAuthVectors } from "../auth-vectors.js";
import { buildAsyncApi } from "./asyncapi.js";
import { buildContractDoc, DOC_PATH } from "./docs.js";
import { buildPythonModels } from "./python-models.js";
import { buildPythonConstants } from "./python-constants.js";

/** The Python package; its hand-written modules sit beside the generated ones. */
export const PYTHON_PACKAGE_DIR = "python/relay_contract";

/** Folders owned entirely by the generator (stale files there fail the check). */
export const GENERATED_DIRS = ["generated"];

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export async function generateAll(definitions: TSchema[] = DEFINITIONS): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const set = buildSchemaSet(definitions);
  for (const [name, schema] of set.files) files.set(`generated/schema/${name}.json`, json(schema));
  files.set("generated/schema/bundle.json", json(set.strictBundle));
  files.set("generated/schema/bundle.tolerant.json", json(set.tolerantBundle));
  const byName = new Map(definitions.map((d) => [nameOf(d), d]));
  const lists = droppableLists({ ...GATEWAY_FRAMES, ...CONNECTOR_FRAMES }, byName, `${set.tolerantBundle.$id}#/definitions/`);
  const entries = [...new Map(lists.map((l) => [l.entry, { name: l.entry, schema: l.itemSchema }])).values()];
  const names = definitions.map(nameOf);
  // Plain JS + declarations: tsc would re-print (and double) the precompiled code; the build copies it.
  files.set("generated/validators.js", buildValidatorModule(set.strictBundle, set.tolerantBundle, names, entries));
  files.set("generated/validators.d.ts", buildValidatorDeclarations(names, entries.map((e) => e.name)));
  files.set("generated/validators-report.cjs", buildValidatorModule(set.strictBundle, set.tolerantBundle, names, [], true));
  files.set("generated/types.ts", await buildTypes(set.typesBundle));
  files.set("generated/registry.ts", buildRegistry(definitions, lists));
  const vectors = buildVectors();
  const problems = proveVectors([...vectors.frames, ...vectors.http], set.strictBundle, set.tolerantBundle);
  if (problems.length > 0) throw new Error(`test vectors do not hold:\n  ${problems.join("\n  ")}`);
  files.set("generated/vectors/frames.json", json(vectorFile(vectors.frames, "Every frame type and every outbound op.")));
  files.set("generated/vectors/http.json", json(vectorFile(vectors.http, "The HTTP bodies of the contract.")));
  files.set("generated/vectors/auth-tokens.json", json(buildAuthVectors()));
  files.set("generated/asyncapi.json", buildAsyncApi(definitions, vectors));
  // Outside GENERATED_DIRS (hand-written files live beside them) but still checked for drift.
  files.set(`${PYTHON_PACKAGE_DIR}/models.py`, buildPythonModels(definitions));
  files.set(`${PYTHON_PACKAGE_DIR}/constants.py`, buildPythonConstants(definitions, lists, String(set.tolerantBundle.$id)));
  files.set(DOC_PATH, buildContractDoc(definitions, vectors));
  return files;
}
