/**
 * Every shipped vector, checked three ways that must agree: the generated (precompiled) ajv
 * validators, `validateFrame`'s type dispatch, and Python's jsonschema under draft-07 and 2020-12.
 */
import t from "tap";
import { readFileSync } from "node:fs";
import { validateDefinition, validateFrame } from "../src/validation.js";
import { runPythonJson } from "./helpers/python.js";
import { FRAME_VECTORS, loadVectors, type Vector } from "./helpers/vectors.js";
import type { DefinitionName } from "../generated/registry.js";
import { ACTION_DEFINITIONS, CONNECTOR_FRAME_DEFINITIONS, GATEWAY_FRAME_DEFINITIONS } from "../generated/registry.js";

const frames = FRAME_VECTORS;
const http = loadVectors("http.json");
const all = [...frames, ...http];
const FRAME_DEFINITIONS = new Set<string>([...Object.values(GATEWAY_FRAME_DEFINITIONS), ...Object.values(CONNECTOR_FRAME_DEFINITIONS)]);

t.test("every frame type and every op has ≥ 2 valid and ≥ 3 invalid vectors", async (t) => {
  const count = (pred: (v: Vector) => boolean) => [frames.filter((v) => pred(v) && v.valid).length, frames.filter((v) => pred(v) && !v.valid).length];
  for (const definition of FRAME_DEFINITIONS) {
    const [valid, invalid] = count((v) => v.definition === definition);
    t.ok(valid! >= 2 && invalid! >= 3, `${definition}: ${valid} valid, ${invalid} invalid`);
  }
  for (const op of Object.keys(ACTION_DEFINITIONS)) {
    const [valid, invalid] = count((v) => v.op === op);
    t.ok(valid! >= 2 && invalid! >= 3, `op ${op}: ${valid} valid, ${invalid} invalid`);
  }
  for (const definition of new Set(http.map((v) => v.definition))) {
    const [valid, invalid] = [http.filter((v) => v.definition === definition && v.valid).length, http.filter((v) => v.definition === definition && !v.valid).length];
    t.ok(valid >= 2 && invalid >= 3, `${definition}: ${valid} valid, ${invalid} invalid`);
  }
});

t.test("generated validators: valid vectors pass, invalid ones fail for their stated reason", async (t) => {
  for (const v of all) {
    const strict = validateDefinition(v.definition as DefinitionName, v.value, "strict");
    const tolerant = validateDefinition(v.definition as DefinitionName, v.value, "tolerant");
    if (v.valid) {
      t.ok(strict.ok, `${v.id} passes strict`);
      t.ok(tolerant.ok, `${v.id} passes tolerant`);
      continue;
    }
    t.notOk(strict.ok, `${v.id} fails strict`);
    if (!strict.ok) {
      t.ok(
        strict.issues.some((i) => i.path === v.error!.path && i.keyword === v.error!.keyword),
        `${v.id}: ${v.error!.keyword} at "${v.error!.path}" (got ${JSON.stringify(strict.issues)})`,
      );
      t.ok(strict.issues.every((i) => i.message.length > 0), `${v.id}: readable message`);
    }
    t.equal(tolerant.ok, v.tolerant, `${v.id}: tolerant=${v.tolerant}`);
  }
});

t.test("validateFrame dispatches on type and agrees with the definition's validator", async (t) => {
  const directionOf = (definition: string) =>
    Object.values(GATEWAY_FRAME_DEFINITIONS).includes(definition as never) ? "gateway-to-connector" : "connector-to-gateway";
  for (const v of frames) {
    const result = validateFrame(v.value, { direction: directionOf(v.definition) });
    t.equal(result.ok, v.valid, `${v.id}`);
    if (result.ok || v.valid) continue;
    // A wrong `type` is reported by the dispatch itself (the frame matches no definition).
    const expected = v.error!.path === "/type" ? { path: "/type" } : v.error!;
    t.ok(result.issues.some((i) => i.path === expected.path && (!("keyword" in expected) || i.keyword === expected.keyword)), `${v.id}: same reason via validateFrame (${JSON.stringify(result.issues)})`);
  }
});

t.test("validateFrame: direction, unknown types and non-objects", async (t) => {
  const inbound = frames.find((v) => v.definition === "InboundFrame" && v.valid)!.value;
  const wrongWay = validateFrame(inbound, { direction: "gateway-to-connector" });
  t.notOk(wrongWay.ok);
  if (!wrongWay.ok) t.match(wrongWay.issues[0], { path: "/type", keyword: "enum", message: /connector-to-gateway/ });
  const unknown = validateFrame({ type: "heartbeat" });
  t.notOk(unknown.ok);
  if (!unknown.ok) t.match(unknown.issues[0]!.message, /not a frame type of contract_version 1/);
  for (const value of [null, 42, "x", [], [{ type: "hello" }]]) {
    const r = validateFrame(value);
    t.notOk(r.ok, `${JSON.stringify(value)} rejected`);
  }
  const noType = validateFrame({ platform: "x" });
  t.notOk(noType.ok);
  if (!noType.ok) t.equal(noType.issues[0]!.keyword, "required");
});

t.test("Python jsonschema (draft-07 and 2020-12) agrees with every vector", async (t) => {
  const bundle = JSON.parse(readFileSync(new URL("../generated/schema/bundle.json", import.meta.url), "utf8"));
  const tolerant = JSON.parse(readFileSync(new URL("../generated/schema/bundle.tolerant.json", import.meta.url), "utf8"));
  type Check = { valid: boolean; errors: { path: string; keywords: string[] }[] };
  const out = runPythonJson<{ version: string; results: Record<string, Record<string, { strict: Check; tolerant: Check }>> }>(
    new URL("./python/validate_vectors.py", import.meta.url).pathname,
    { bundle, tolerant, vectors: all },
  );
  t.comment(`python jsonschema ${out.version}`);
  for (const v of all) {
    for (const draft of ["draft7", "draft2020"]) {
      const r = out.results[v.id]?.[draft];
      if (!r) {
        t.fail(`${v.id}: no ${draft} result`);
        continue;
      }
      t.equal(r.strict.valid, v.valid, `${v.id} ${draft}: strict valid=${v.valid}`);
      if (!v.valid) {
        t.ok(r.strict.errors.some((e) => e.path === v.error!.path && e.keywords.includes(v.error!.keyword)), `${v.id} ${draft}: ${v.error!.keyword} at "${v.error!.path}" (got ${JSON.stringify(r.strict.errors)})`);
        t.equal(r.tolerant.valid, v.tolerant, `${v.id} ${draft}: tolerant=${v.tolerant}`);
      } else {
        t.ok(r.tolerant.valid, `${v.id} ${draft}: tolerant valid`);
      }
    }
  }
});
