/**
 * The receive-path validators (generated/validators.js) count the failed checks of an `if`
 * condition without building error objects for them (scripts/generate/validators.ts); the
 * reporting validators (validators-report.cjs) are compiled without that rewrite. Both must decide
 * every value alike, and the first error a frame gets must be the one the unrewritten code
 * reports: every vector, and every op's valid action placed under every other op.
 */
import t, { type Test } from "tap";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as fast from "../generated/validators.js";
import { validateFrame } from "../src/validation.js";
import { buildValidatorModule } from "../scripts/generate/validators.js";

type Validator = ((value: unknown) => boolean) & { errors?: Array<{ instancePath: string; keyword: string }> | null };
const require = createRequire(import.meta.url);
const report = require("../generated/validators-report.cjs") as Record<string, Validator>;
const receive = fast as unknown as Record<string, Validator>;
const source = readFileSync(new URL("../generated/validators.js", import.meta.url), "utf8");

interface Vector {
  id: string;
  definition: string;
  valid: boolean;
  value: unknown;
}
const vectors = (JSON.parse(readFileSync(new URL("../generated/vectors/frames.json", import.meta.url), "utf8")) as { vectors: Vector[] }).vectors;

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function agree(t: Test, definition: string, value: unknown, what: string): void {
  for (const mode of ["strict", "tolerant"] as const) {
    const a = receive[`${mode}_${definition}`] as Validator;
    const b = report[`${mode}_${definition}`] as Validator;
    const ok = a(clone(value));
    t.equal(ok, b(clone(value)), `${what}: ${mode} decides like the reporting validator`);
    if (!ok) {
      // The reporting validator lists every error; the first-error one must stop at one of them.
      const first = a.errors?.find((e) => e.keyword !== "if");
      t.ok(first && b.errors?.some((e) => e.instancePath === first.instancePath && e.keyword === first.keyword), `${what}: ${mode} error ${first?.instancePath} ${first?.keyword} is a real one`);
    }
  }
}

t.test("no error object is built for a failed `if` condition", async (t) => {
  t.notMatch(source, /const err\d+ = \{\};/, "conditions only count");
  t.match(source, /errors\+\+;/);
});

t.test("every vector is decided alike", async (t) => {
  for (const v of vectors) {
    agree(t, v.definition, v.value, v.id);
    t.equal(receive[`strict_${v.definition}`]?.(clone(v.value)), v.valid, `${v.id}: strict as the vector says`);
  }
});

t.test("every op's action under every other op is decided alike", async (t) => {
  const outbound = vectors.filter((v) => v.definition === "OutboundFrame" && v.valid);
  const ops = [...new Set(outbound.map((v) => (v.value as { action: { op: string } }).action.op))];
  t.ok(ops.length >= 10, `${ops.length} ops`);
  for (const v of outbound) {
    for (const op of [...ops, "unknown_op"]) {
      const frame = clone(v.value) as { action: Record<string, unknown> };
      frame.action.op = op;
      agree(t, "OutboundFrame", frame, `${v.id} as ${op}`);
      const { op: _dropped, ...noOp } = frame.action;
      agree(t, "OutboundFrame", { ...frame, action: noOp }, `${v.id} without op`);
    }
  }
  const withBotOnly = clone(outbound[0]?.value) as Record<string, unknown>;
  delete withBotOnly.platform;
  withBotOnly.botId = "b";
  agree(t, "OutboundFrame", withBotOnly, "botId without platform");
  const result = validateFrame(withBotOnly, { mode: "strict" });
  t.equal(result.ok, false);
});

t.test("the rewrite refuses a condition that references another definition", async (t) => {
  const bundle = (id: string) => ({
    $id: id,
    definitions: {
      A: { type: "object", if: { properties: { k: { $ref: `${id}#/definitions/B` } } }, then: { required: ["x"] } },
      B: { type: "string" },
    },
  });
  t.throws(() => buildValidatorModule(bundle("s"), bundle("u"), ["A", "B"]), /references/);
  const negated = (id: string) => ({ $id: id, definitions: { A: { type: "object", not: { $ref: `${id}#/definitions/B` } }, B: { required: ["x"] } } });
  t.throws(() => buildValidatorModule(negated("s"), negated("u"), ["A", "B"]), /references/, "a `not` too");
  t.doesNotThrow(() => buildValidatorModule(bundle("s"), bundle("u"), ["A", "B"], [], true), "the reporting module is not rewritten");
});
