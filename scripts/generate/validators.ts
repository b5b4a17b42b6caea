/**
 * Precompiles every definition, strict and tolerant, into one standalone ES module, so the
 * runtime never compiles a schema and never calls `eval`/`new Function`.
 */
import Ajv from "ajv";
import standaloneCode from "ajv/dist/standalone/index.js";
import type { JsonObject } from "./json-schemas.js";

/** Annotation keywords our schemas carry that ajv must know in strict mode. */
export const ANNOTATION_KEYWORDS = ["x-since", "x-removed", "x-direction"];

export function createAjv(options: { code?: boolean; allErrors?: boolean; esm?: boolean } = {}) {
  const ajv = new Ajv.default({
    strict: true,
    strictRequired: false, // `then: { required: [...] }` names properties defined beside the `if`
    strictTypes: false, // `if`/`then` members intentionally omit `type`
    // The fast path stops at the first error; the reporting validators collect every one.
    allErrors: options.allErrors === true,
    messages: false, // messages are built from keyword + params by src/validation.ts
    allowUnionTypes: true,
    validateFormats: false,
    inlineRefs: false, // one function per definition, called by reference: a much smaller module
    code: options.code ? { source: true, esm: options.esm !== false, optimize: true } : {},
  });
  for (const keyword of ANNOTATION_KEYWORDS) ajv.addKeyword({ keyword, schemaType: ["string"] });
  ajv.addKeyword({ keyword: "x-contract-version", schemaType: ["number"] });
  return ajv;
}

/** Export name of a definition's validator. */
export const validatorName = (variant: "strict" | "tolerant", definition: string) => `${variant}_${definition}`;

/**
 * ajv's standalone output `require`s its runtime helper for `maxLength` (code-point counting).
 * Inline it so the generated module has no dependency on ajv at run time. This is ajv's own
 * algorithm (a `charCodeAt` loop): a `for…of` iterator is several times slower per character.
 */
const UCS2LENGTH_REQUIRE = /const (\w+) = require\("ajv\/dist\/runtime\/ucs2length"\)\.default;/g;
const UCS2LENGTH_INLINE = (name: string) =>
  `const ${name} = function ucs2length(str) { const len = str.length; let length = 0; let pos = 0; while (pos < len) { length++; const c = str.charCodeAt(pos++); if (c >= 0xd800 && c <= 0xdbff && pos < len && (str.charCodeAt(pos) & 0xfc00) === 0xdc00) pos++; } return length; };`;

/**
 * Counting code points is linear in the string, and ajv calls the counter for every `minLength`
 * / `maxLength` check, so a long `chat_id` or `requestId` costs per character on every frame.
 * A string of `u` UTF-16 units holds between ⌈u/2⌉ and u code points, so the count is needed only
 * when `u` alone cannot decide: `cp > n` is impossible when `u <= n`, `cp < n` when `u >= 2n`.
 * Same results as ajv's check, in O(1) for every string that is not near the limit.
 */
const LENGTH_CHECK = (counter: string) => new RegExp(`\\b${counter}\\((data\\d*)\\) ([<>]) (\\d+)\\b`, "g");
function boundLengthChecks(code: string, counter: string): string {
  const calls = code.split(`${counter}(`).length - 1;
  let rewritten = 0;
  const out = code.replace(LENGTH_CHECK(counter), (_m, data: string, op: string, limit: string) => {
    rewritten++;
    const n = Number(limit);
    return op === ">"
      ? `(${data}.length > ${n} && ${counter}(${data}) > ${n})`
      : `(${data}.length < ${2 * n} && ${counter}(${data}) < ${n})`;
  });
  // Every call must have had the `counter(data) <op> limit` shape, or a check was missed.
  if (rewritten !== calls) throw new Error(`bounded ${rewritten} of ${calls} string-length checks`);
  return out;
}

/**
 * ajv compiles an `if` condition (and a `not`) with `createErrors: false`: a failed check there
 * creates an empty error object and pushes it (in a fresh array when none is pending), only for
 * the count, and the whole list is truncated back once the condition is decided. A dispatch chain
 * of n branches therefore allocates about 2(n − 1) objects for every valid frame. Counting alone
 * is the same decision: inside such a condition nothing reads the list before it is truncated,
 * and the only thing that re-derives the count from the list (`errors = vErrors.length`, after a
 * `$ref` call) never occurs in a condition, which `assertRefFreeConditions` checks.
 */
const UNREPORTED_ERROR = /const (err\d+) = \{\};if\(vErrors === null\)\{vErrors = \[\1\];\}else \{vErrors\.push\(\1\);\}errors\+\+;/g;
function countOnlyConditionErrors(code: string): string {
  const sites = (code.match(/const err\d+ = \{\};/g) ?? []).length;
  let rewritten = 0;
  const out = code.replace(UNREPORTED_ERROR, () => {
    rewritten++;
    return "errors++;";
  });
  // Every empty error object must have had the pushed-then-counted shape, or one was missed.
  if (rewritten !== sites) throw new Error(`rewrote ${rewritten} of ${sites} unreported condition errors`);
  return out;
}

/** Throws when an `if` or `not` anywhere in `node` references another definition (see above). */
function assertRefFreeConditions(node: unknown, inCondition = false): void {
  if (Array.isArray(node)) {
    for (const child of node) assertRefFreeConditions(child, inCondition);
    return;
  }
  if (typeof node !== "object" || node === null) return;
  for (const [key, value] of Object.entries(node)) {
    if (inCondition && key === "$ref") throw new Error(`an \`if\` or \`not\` references ${String(value)}: counting its errors needs the list`);
    assertRefFreeConditions(value, inCondition || key === "if" || key === "not");
  }
}

/** Annotations do not validate; leaving them out keeps the generated module small. */
const ANNOTATIONS = new Set(["title", "description", "default", "examples", "x-contract-version", ...ANNOTATION_KEYWORDS]);

function withoutAnnotations(node: unknown, parentKey = ""): unknown {
  if (Array.isArray(node)) return node.map((child) => withoutAnnotations(child));
  if (typeof node !== "object" || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    // Inside `properties`/`definitions` the keys are names, not keywords.
    const isNameMap = parentKey === "properties" || parentKey === "definitions";
    if (!isNameMap && ANNOTATIONS.has(key)) continue;
    out[key] = key === "enum" || key === "const" ? value : withoutAnnotations(value, isNameMap ? "" : key);
  }
  return out;
}

export interface EntrySchema {
  /** Export name (`entry_<Definition>_<property>`). */
  name: string;
  /** The receiver variant of a filtered list's item schema; refs point into the tolerant bundle. */
  schema: JsonObject;
}

/**
 * One standalone module. `report: false` (validators.js, ESM): the receive path — stops at the
 * first error, plus the entry validators of the lists a receiver filters. `report: true`
 * (validators-report.cjs, CommonJS so the runtime can load it lazily with `require`): every
 * error of a value, for `validate`, advisories and the conformance kit.
 */
export function buildValidatorModule(
  strictBundle: JsonObject,
  tolerantBundle: JsonObject,
  names: string[],
  entries: EntrySchema[] = [],
  report = false,
): string {
  const ajv = createAjv({ code: true, allErrors: report, esm: !report });
  ajv.addSchema(withoutAnnotations(strictBundle) as object);
  ajv.addSchema(withoutAnnotations(tolerantBundle) as object);
  const exports: Record<string, string> = {};
  for (const name of names) {
    exports[validatorName("strict", name)] = `${strictBundle.$id}#/definitions/${name}`;
    exports[validatorName("tolerant", name)] = `${tolerantBundle.$id}#/definitions/${name}`;
  }
  for (const entry of report ? [] : entries) {
    const id = `${tolerantBundle.$id}/${entry.name}`;
    ajv.addSchema({ ...(withoutAnnotations(entry.schema) as object), $id: id });
    exports[entry.name] = id;
  }
  let code = standaloneCode.default(ajv, exports);
  const counters: string[] = [];
  code = code.replace(UCS2LENGTH_REQUIRE, (_m, name: string) => {
    counters.push(name);
    return UCS2LENGTH_INLINE(name);
  });
  for (const counter of counters) code = boundLengthChecks(code, counter);
  if (!report) {
    assertRefFreeConditions(strictBundle);
    assertRefFreeConditions(tolerantBundle);
    for (const entry of entries) assertRefFreeConditions(entry.schema);
    code = countOnlyConditionErrors(code);
  }
  if (/require\(/.test(code)) throw new Error("generated validators still require a runtime module");
  return [
    "/* eslint-disable */",
    "// GENERATED by `npm run generate` from schema/ — do not edit.",
    `// Precompiled ajv validators (standalone${report ? ", every error reported" : ""}): no schema compilation and no eval at run time.`,
    code,
    "",
  ].join("\n");
}

/** Declarations for the module above, in our own terms (no ajv type is exposed). */
export function buildValidatorDeclarations(names: string[], entries: string[] = []): string {
  const lines = [
    "// GENERATED by `npm run generate` from schema/ — do not edit.",
    "/** One reason a value failed, as the precompiled validator reports it. */",
    "export interface GeneratedValidationError {",
    "  instancePath: string;",
    "  schemaPath: string;",
    "  keyword: string;",
    "  params: Record<string, unknown>;",
    "  propertyName?: string;",
    "}",
    "/** A precompiled validator: returns whether `data` is valid and leaves the reasons in `errors`. */",
    "export interface GeneratedValidator {",
    "  (data: unknown): boolean;",
    "  errors?: GeneratedValidationError[] | null;",
    "}",
  ];
  for (const name of names) {
    lines.push(`export declare const ${validatorName("strict", name)}: GeneratedValidator;`);
    lines.push(`export declare const ${validatorName("tolerant", name)}: GeneratedValidator;`);
  }
  for (const entry of entries) lines.push(`export declare const ${entry}: GeneratedValidator;`);
  return `${lines.join("\n")}\n`;
}
