/**
 * The Python package's validators (python/relay_contract/validation.py: Debian's jsonschema on
 * the shipped bundles) against the TypeScript ones: every shipped vector gets the same verdict
 * in both languages, per mode, for its definition and — for frames — through the frame
 * dispatch; invalid vectors fail for their stated reason in Python too.
 */
import t from "tap";
import { fileURLToPath } from "node:url";
import { validateDefinition, validateFrame, frameDirectionOf } from "../src/validation.js";
import type { DefinitionName } from "../generated/registry.js";
import type { FrameDirection, ValidationIssue } from "../src/validation-types.js";
import { runPythonJson } from "./helpers/python.js";
import { FRAME_VECTORS, frameVector, loadVectors, type Vector } from "./helpers/vectors.js";
import { CLOSE_CODES, findCloseCode } from "../src/close-codes.js";
import { DEFAULT_MAX_LINE_BYTES } from "../src/codec/index.js";
import { DEFAULT_UPGRADE_TOKEN_TTL_SECONDS, MAX_TOKEN_LENGTH } from "../src/auth/token.js";
import { MAX_PROMPT_TOKEN_BYTES } from "../src/frame-rules.js";
import { CONNECTOR_FRAME_DEFINITIONS, CONTRACT_VERSION, GATEWAY_FRAME_DEFINITIONS, LEGACY_OPS } from "../generated/registry.js";

const frames = FRAME_VECTORS;
const vectors = frameVector;
const all = [...frames, ...loadVectors("http.json")];
const MODES = ["strict", "tolerant"] as const;

interface FrameInput {
  value: unknown;
  direction?: FrameDirection;
}
type Issues = ValidationIssue[];
interface DriverOutput {
  vectors: Record<string, { strict: Issues; tolerant: Issues }>;
  frames: { strict: Issues; tolerant: Issues }[];
}
const driver = fileURLToPath(new URL("./python/relay_contract_driver.py", import.meta.url));
const python = (input: { vectors?: Vector[]; frames?: FrameInput[]; receive?: FrameInput[] }) => runPythonJson<DriverOutput>(driver, input);
const directionOfDefinition = (v: Vector) => frameDirectionOf((v.value as { type: string }).type);
const isFrameVector = (v: Vector) => typeof (v.value as { type?: unknown })?.type === "string" && /Frame$/.test(v.definition);

// Frames beyond the vectors: the dispatch's own outcomes and the cross-field rule.
const longId = "o".repeat(32);
const EXTRA_FRAMES: { name: string; input: FrameInput }[] = [
  { name: "not an object", input: { value: [{ type: "hello" }] } },
  { name: "null", input: { value: null } },
  { name: "no type", input: { value: { platform: "x" } } },
  { name: "non-string type", input: { value: { type: 7 } } },
  { name: "unknown type", input: { value: { type: "heartbeat" } } },
  { name: "wrong direction", input: { value: { type: "hello", platform: "relay", botId: "" }, direction: "connector-to-gateway" } },
  {
    name: "prompt token over 64 bytes (strict only)",
    input: {
      value: {
        type: "outbound",
        requestId: "0123456789abcdef0123456789abcdef",
        action: { op: "prompt", chat_id: "c", content: "?", prompt_kind: "choice", prompt_id: "p".repeat(32), options: [{ id: "ok", label: "OK" }, { id: longId, label: "Long" }] },
      },
      direction: "gateway-to-connector",
    },
  },
];

const out = python({
  vectors: all,
  frames: [...frames.filter(isFrameVector).map((v) => ({ value: v.value, direction: directionOfDefinition(v) })), ...EXTRA_FRAMES.map((f) => f.input)],
});

t.test("validate_definition: every vector, the same verdict as TypeScript in both modes", async (t) => {
  for (const v of all) {
    const py = out.vectors[v.id];
    if (!py) {
      t.fail(`${v.id}: no Python result`);
      continue;
    }
    for (const mode of MODES) {
      const ts = validateDefinition(v.definition as DefinitionName, v.value, mode);
      t.equal(py[mode].length === 0, ts.ok, `${v.id} ${mode}: ${ts.ok ? "valid" : "invalid"} in both (Python: ${JSON.stringify(py[mode])})`);
    }
    t.equal(py.strict.length === 0, v.valid, `${v.id}: strict verdict is the vector's`);
    t.equal(py.tolerant.length === 0, v.valid || v.tolerant === true, `${v.id}: tolerant verdict is the vector's`);
    if (!v.valid) {
      t.ok(
        py.strict.some((i) => i.path === v.error!.path && i.keyword === v.error!.keyword),
        `${v.id}: ${v.error!.keyword} at "${v.error!.path}" (got ${JSON.stringify(py.strict.map((i) => [i.path, i.keyword]))})`,
      );
      t.ok(py.strict.every((i) => i.message.length > 0), `${v.id}: readable messages`);
    }
  }
});

t.test("validate_frame: every frame vector and the dispatch's own cases agree with validateFrame", async (t) => {
  const inputs = [
    ...frames.filter(isFrameVector).map((v) => ({ name: v.id, input: { value: v.value, direction: directionOfDefinition(v) } as FrameInput, vector: v })),
    ...EXTRA_FRAMES.map((f) => ({ ...f, vector: undefined })),
  ];
  t.equal(out.frames.length, inputs.length);
  for (const [i, { name, input, vector }] of inputs.entries()) {
    const py = out.frames[i]!;
    for (const mode of MODES) {
      const ts = validateFrame(input.value, { mode, ...(input.direction && { direction: input.direction }) });
      t.equal(py[mode].length === 0, ts.ok, `${name} ${mode}: ${ts.ok ? "valid" : "invalid"} in both (Python: ${JSON.stringify(py[mode])})`);
      if (!ts.ok && (vector === undefined || vector.error?.path === "/type")) {
        // The dispatch's own verdicts name the same path and keyword in both languages.
        t.strictSame(py[mode].map((x) => [x.path, x.keyword]), ts.issues.map((x) => [x.path, x.keyword]), `${name} ${mode}: same issues`);
      }
    }
  }
});

t.test("validate_definition refuses names that are not definitions", async (t) => {
  const r = runPythonJson<{ error: string }>(fileURLToPath(new URL("./python/bad_definition_name.py", import.meta.url)), {});
  t.match(r.error, /'NoSuchFrame' is not a definition of the contract/);
});

t.test("constants: the same values as the TypeScript runtime; find_close_code matches findCloseCode", async (t) => {
  const lookups: { code: number; reason?: string }[] = [...CLOSE_CODES.map((e) => ({ code: e.code, reason: e.reason })), { code: 4401, reason: "no such reason" }, { code: 4401 }, { code: 3999 }];
  const { constants } = runPythonJson<{ constants: Record<string, unknown> & { lookups: unknown[] } }>(driver, { lookups });
  t.strictSame(
    constants,
    {
      CONTRACT_VERSION,
      MAX_LINE_BYTES: DEFAULT_MAX_LINE_BYTES,
      UPGRADE_TOKEN_TTL_SECONDS: DEFAULT_UPGRADE_TOKEN_TTL_SECONDS,
      MAX_TOKEN_LENGTH,
      MAX_PROMPT_TOKEN_BYTES,
      GATEWAY_FRAME_DEFINITIONS,
      CONNECTOR_FRAME_DEFINITIONS,
      LEGACY_OPS,
      CLOSE_CODES: CLOSE_CODES.map(({ code, reason, meaning, sentBy, clientRetries, since }) => ({ code, reason, meaning, sentBy, clientRetries, since })),
      lookups: lookups.map((q) => {
        const e = findCloseCode(q.code, q.reason);
        return e === undefined ? null : { code: e.code, reason: e.reason };
      }),
    },
    "same values",
  );
});

t.test("the typical use that mypy checks also runs", async (t) => {
  const out = runPythonJson<{ issues: unknown[] }>(fileURLToPath(new URL("./python/typing_ok.py", import.meta.url)), {});
  t.strictSame(out, { issues: [] });
});

t.test("receive_frame: the receiver's view (ignored types, invalid list entries dropped) is validateFrame's in tolerant mode", async (t) => {
  const descriptor = vectors("descriptor.valid.discord") as { descriptor: Record<string, unknown> };
  const inbound = vectors("inbound.valid.dm-minimal") as { event: Record<string, unknown> };
  const passthrough = frames.find((v) => v.definition === "PassthroughForwardFrame" && v.valid)!.value as { forward: Record<string, unknown> };
  const cases: FrameInput[] = [
    ...frames.filter(isFrameVector).map((v) => ({ value: v.value })),
    ...EXTRA_FRAMES.map((f) => f.input),
    { value: { type: "hello", platform: "discord", botId: "1", command_manifest: [{ name: "BAD NAME", description: "x" }, { name: "ok", description: "y" }, 7] } },
    { value: { type: "hello", platform: "discord", botId: "1", command_manifest: "not a list" } },
    { value: { ...descriptor, descriptor: { ...descriptor.descriptor, supported_ops: ["send", "", 5, "draft"] } }, direction: "connector-to-gateway" },
    { value: { ...inbound, event: { ...inbound.event, media_urls: ["https://x.test/a", "", 3], media: [{ url: "https://x.test/a" }, { kind: "image" }], context: [{ text: "hi" }, { source: {} }] } } },
    { value: { ...passthrough, forward: { ...passthrough.forward, headers: [["a", "b"], ["only-one"], "x", ["c", "d"]] } } },
  ];
  const { receive } = python({ receive: cases }) as unknown as { receive: { ok: boolean; value: unknown; issues: Issues; dropped: Issues; ignored: string | null }[] };
  t.equal(receive.length, cases.length);
  let droppedSeen = 0;
  for (const [i, c] of cases.entries()) {
    const ts = validateFrame(c.value, { mode: "tolerant", ...(c.direction && { direction: c.direction }) });
    const py = receive[i]!;
    const name = `case ${i} (${String((c.value as { type?: unknown } | null)?.type)})`;
    t.equal(py.ok, ts.ok, `${name}: ok=${ts.ok}`);
    if (!ts.ok) continue;
    t.strictSame(py.value, ts.value, `${name}: the same value to act on`);
    t.strictSame(py.dropped.map((d) => d.path), (ts.dropped ?? []).map((d) => d.path), `${name}: the same entries dropped`);
    t.equal(py.ignored ?? undefined, ts.ignored, `${name}: ignored the same way`);
    droppedSeen += py.dropped.length;
  }
  t.ok(droppedSeen >= 8, `${droppedSeen} entries dropped in all`);
});
