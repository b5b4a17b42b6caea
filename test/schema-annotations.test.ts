/**
 * Every definition has `$id`, `title`, `description` and the step that introduced it; every
 * property says what it means and since when. The shipped files stay in the draft-07 ∩ 2020-12
 * subset.
 */
import t from "tap";
import { readFileSync } from "node:fs";
import { STEPS } from "../generated/registry.js";

const bundle = JSON.parse(readFileSync(new URL("../generated/schema/bundle.json", import.meta.url), "utf8"));
type Node = Record<string, unknown>;

function* properties(node: unknown, path: string): Generator<[string, Node]> {
  if (Array.isArray(node)) {
    for (const [i, child] of node.entries()) yield* properties(child, `${path}/${i}`);
    return;
  }
  if (typeof node !== "object" || node === null) return;
  const n = node as Node;
  if (typeof n.properties === "object" && n.properties !== null) {
    for (const [name, schema] of Object.entries(n.properties as Node)) yield [`${path}.${name}`, schema as Node];
  }
  for (const [key, child] of Object.entries(n)) {
    if (key === "properties" || key === "enum" || key === "const" || key === "default" || key === "examples") continue;
    yield* properties(child, `${path}/${key}`);
  }
}

t.test("definitions are named, described and dated", async (t) => {
  const definitions = Object.entries(bundle.definitions as Record<string, Node>);
  t.ok(definitions.length >= 60, `${definitions.length} definitions`);
  for (const [name, def] of definitions) {
    t.equal(def.title, name, `${name}: title`);
    t.ok(typeof def.description === "string" && def.description.length > 10, `${name}: description`);
    t.ok(STEPS.includes(def["x-since"] as never), `${name}: x-since ${String(def["x-since"])}`);
    const file = JSON.parse(readFileSync(new URL(`../generated/schema/${name}.json`, import.meta.url), "utf8"));
    t.match(file.$id, new RegExp(`/${name}\\.json$`), `${name}: $id`);
  }
});

t.test("every property has a description and a step; only draft-07 ∩ 2020-12 keywords", async (t) => {
  const text = JSON.stringify(bundle);
  for (const keyword of ["prefixItems", "$defs", "dependentRequired", "dependentSchemas", "unevaluatedProperties", "dependencies", "$dynamicRef", "$recursiveRef"]) {
    t.notOk(text.includes(`"${keyword}"`), `no ${keyword}`);
  }
  let count = 0;
  for (const [path, schema] of properties(bundle.definitions, "")) {
    // Inside if/then rules, `properties` restate a discriminator; they are not fields.
    if (/\/(if|then|allOf|anyOf|oneOf)\b/.test(path)) continue;
    count++;
    t.ok(typeof schema.description === "string" && schema.description.length > 0, `${path}: description`);
    t.ok(STEPS.includes(schema["x-since"] as never), `${path}: x-since`);
  }
  t.ok(count > 150, `${count} properties checked`);
});

t.test("items are never tuple arrays and $ref has no validating siblings", async (t) => {
  const walk = (node: unknown, path: string) => {
    if (Array.isArray(node)) return node.forEach((c, i) => walk(c, `${path}/${i}`));
    if (typeof node !== "object" || node === null) return;
    const n = node as Node;
    if ("items" in n) t.notOk(Array.isArray(n.items), `${path}: items is a schema, not a tuple`);
    if ("$ref" in n) {
      const extra = Object.keys(n).filter((k) => !["$ref", "description", "x-since", "x-removed", "default", "title"].includes(k));
      t.same(extra, [], `${path}: only annotations beside $ref`);
    }
    for (const [k, v] of Object.entries(n)) if (!["enum", "const", "default", "examples"].includes(k)) walk(v, `${path}/${k}`);
  };
  walk(bundle, "");
});
