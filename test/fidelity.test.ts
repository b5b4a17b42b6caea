/**
 * The fidelity corpus (test/fidelity/): frames and HTTP bodies built from reading the reference
 * gateway's code, each citing file, function and commit. Everything passes tolerant validation
 * (what a receiver accepts); what the gateway produces also passes strict validation (the
 * producer contract); entries a receiver filters are dropped exactly where the reference skips
 * them; Python's jsonschema reads the shipped bundles the same way.
 */
import t from "tap";
import { readFileSync } from "node:fs";
import { ACTION_DEFINITIONS, CONNECTOR_FRAME_DEFINITIONS, GATEWAY_FRAME_DEFINITIONS, type DefinitionName } from "../generated/registry.js";
import { validateDefinition, validateFrame } from "../src/validation.js";
import { GATEWAY_ACCEPTED } from "./fidelity/gateway-accepted.js";
import { GATEWAY_PRODUCED } from "./fidelity/gateway-produced.js";
import { REFERENCE, type CorpusEntry } from "./fidelity/reference.js";
import { runPythonJson } from "./helpers/python.js";

const CORPUS: CorpusEntry[] = [...GATEWAY_PRODUCED, ...GATEWAY_ACCEPTED];
const direction = (e: CorpusEntry) => (e.kind === "produced" ? "gateway-to-connector" : "connector-to-gateway");

t.test("every entry cites a reference file read at a pinned commit", async (t) => {
  const ids = new Set<string>();
  for (const e of CORPUS) {
    t.notOk(ids.has(e.id), `${e.id}: unique id`);
    ids.add(e.id);
    t.match(REFERENCE[e.cite.file], /^[0-9a-f]{40}$/, `${e.id}: ${e.cite.file} pinned`);
    t.ok(e.cite.function.length > 0, `${e.id}: names the function`);
    t.ok((e.frame === undefined) !== (e.http === undefined), `${e.id}: a frame or an HTTP body`);
  }
});

t.test("the corpus covers every frame and op the reference emits or accepts, and every HTTP body", async (t) => {
  const produced = GATEWAY_PRODUCED.flatMap((e) => (e.frame ? [e.frame] : []));
  const accepted = GATEWAY_ACCEPTED.flatMap((e) => (e.frame ? [e.frame] : []));
  for (const type of Object.keys(GATEWAY_FRAME_DEFINITIONS)) t.ok(produced.some((f) => f.type === type), `gateway frame ${type}`);
  for (const type of Object.keys(CONNECTOR_FRAME_DEFINITIONS)) t.ok(accepted.some((f) => f.type === type), `connector frame ${type}`);
  for (const op of Object.keys(ACTION_DEFINITIONS)) t.ok(produced.some((f) => (f.action as { op?: string } | undefined)?.op === op), `op ${op}`);
  const bodies = new Set(CORPUS.flatMap((e) => (e.http ? [e.http.definition] : [])));
  for (const body of ["EnrollRequest", "EnrollResponse", "ProvisionRequest", "ProvisionResponse", "RelayPolicyRequest", "MediaUploadResponse", "HttpErrorBody"]) t.ok(bodies.has(body), `HTTP ${body}`);
});

t.test("a receiver accepts every entry; what the gateway produces is valid for producers too", async (t) => {
  for (const e of CORPUS) {
    if (e.http !== undefined) {
      const definition = e.http.definition as DefinitionName;
      t.ok(validateDefinition(definition, e.http.body, "tolerant").ok, `${e.id}: tolerant`);
      if (e.kind === "produced") t.same(validateDefinition(definition, e.http.body, "strict"), { ok: true, value: e.http.body }, `${e.id}: strict`);
      continue;
    }
    const tolerant = validateFrame(e.frame, { mode: "tolerant", direction: direction(e) });
    t.ok(tolerant.ok, `${e.id}: tolerant`);
    if (!tolerant.ok) {
      t.comment(JSON.stringify(tolerant.issues));
      continue;
    }
    t.same(tolerant.dropped?.map((i) => i.path), e.dropped, `${e.id}: dropped entries`);
    if (e.kind === "produced") {
      const strict = validateFrame(e.frame, { mode: "strict", direction: direction(e), report: true });
      t.same(strict.ok ? [] : strict.issues, [], `${e.id}: strict`);
    }
  }
});

t.test("what a connector sends outside the producer rules is reported as advisories, not refused", async (t) => {
  const outside = GATEWAY_ACCEPTED.filter((e) => e.frame !== undefined && !validateFrame(e.frame, { mode: "strict" }).ok);
  t.ok(outside.length >= 10, `${outside.length} accepted frames break a producer rule`);
  for (const e of outside) {
    const r = validateFrame(e.frame, { mode: "tolerant", direction: "connector-to-gateway", report: true });
    t.ok(r.ok, `${e.id}: accepted`);
    if (r.ok) t.ok((r.advisories?.length ?? 0) + (r.dropped?.length ?? 0) > 0 || r.ignored !== undefined, `${e.id}: advisory, drop or ignore reported`);
  }
});

t.test("Python jsonschema agrees: tolerant accepts every entry, strict accepts what the gateway produces", async (t) => {
  const bundle = JSON.parse(readFileSync(new URL("../generated/schema/bundle.json", import.meta.url), "utf8"));
  const tolerant = JSON.parse(readFileSync(new URL("../generated/schema/bundle.tolerant.json", import.meta.url), "utf8"));
  const definitionOf = (e: CorpusEntry): string => {
    if (e.http) return e.http.definition;
    const type = String(e.frame?.type);
    const table: Record<string, string> = e.kind === "produced" ? GATEWAY_FRAME_DEFINITIONS : CONNECTOR_FRAME_DEFINITIONS;
    // A type the receiver does not act on is checked against the union, as it travels.
    return table[type] ?? "RelayFrame";
  };
  const vectors = CORPUS.map((e) => ({ id: e.id, definition: definitionOf(e), value: e.http?.body ?? e.frame }));
  type Check = { valid: boolean };
  const out = runPythonJson<{ results: Record<string, Record<string, { strict: Check; tolerant: Check }>> }>(new URL("./python/validate_vectors.py", import.meta.url).pathname, { bundle, tolerant, vectors });
  for (const e of CORPUS) {
    for (const draft of ["draft7", "draft2020"]) {
      const r = out.results[e.id]?.[draft];
      t.equal(r?.tolerant.valid, true, `${e.id} ${draft}: tolerant`);
      if (e.kind === "produced") t.equal(r?.strict.valid, true, `${e.id} ${draft}: strict`);
    }
  }
});

t.test("the contract document states what a receiver must accept, per frame", async (t) => {
  const doc = readFileSync(new URL("../docs/relay-connector-contract.md", import.meta.url), "utf8");
  // Sections are numbered (`## 14. What a receiver must accept`, `### 14.1 Receiving …`).
  const start = doc.search(/## \d+\. What a receiver must accept/);
  t.ok(start > 0, "the section exists");
  const section = doc.slice(start, doc.indexOf("\n## ", start + 10));
  for (const type of [...Object.keys(GATEWAY_FRAME_DEFINITIONS), ...Object.keys(CONNECTOR_FRAME_DEFINITIONS)]) {
    t.match(section, new RegExp(`### \\d+\\.\\d+ Receiving \`${type}\``), `a subsection for ${type}`);
  }
  t.match(section, /\| `command_manifest` \| a filtered list: each entry must be/);
  t.match(section, /action \(`op: thread_rename`\) \| required: `op`, `chat_id`, `message_id`, `thread_name`;/);
  t.match(section, /\| `descriptor\.supported_ops` \| a filtered list/);
});
