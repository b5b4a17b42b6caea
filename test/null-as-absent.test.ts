/**
 * Which `null`s a receiver reads as absent comes from the schema's `x-null-as-absent` marks
 * through the generated registry: the marked definitions are the registry's, the listed keys are
 * exactly the ones the shipped tolerant schema widens to accept `null`, and the client's
 * descriptor and the server's outbound metadata both strip through that one rule.
 */
import t from "tap";
import { readFileSync } from "node:fs";
import { NULL_AS_ABSENT } from "../generated/registry.js";
import { DEFINITIONS } from "../schema/index.js";
import { readsNullAsAbsent, withoutAbsentNulls } from "../src/null-as-absent.js";

type Node = { type?: unknown; properties?: Record<string, Node> };
const strict = JSON.parse(readFileSync(new URL("../generated/schema/bundle.json", import.meta.url), "utf8")).definitions as Record<string, Node>;
const tolerant = JSON.parse(readFileSync(new URL("../generated/schema/bundle.tolerant.json", import.meta.url), "utf8")).definitions as Record<string, Node>;

t.test("the registry lists exactly the definitions schema/ marks x-null-as-absent", async (t) => {
  const marked = DEFINITIONS.filter((d) => (d as { "x-null-as-absent"?: unknown })["x-null-as-absent"] === true).map((d) => d.$id as string);
  t.ok(marked.length > 0, "some definitions carry the mark");
  t.same(Object.keys(NULL_AS_ABSENT).sort(), marked.sort());
});

t.test("each list is the keys the shipped tolerant schema widens to accept null", async (t) => {
  const acceptsNull = (node: Node | undefined) => Array.isArray(node?.type) && node.type.includes("null");
  for (const [name, rule] of Object.entries(NULL_AS_ABSENT)) {
    const widened = Object.keys(tolerant[name]?.properties ?? {}).filter((key) => acceptsNull(tolerant[name]?.properties?.[key]) && !acceptsNull(strict[name]?.properties?.[key]));
    t.same([...rule.nullable].sort(), widened.sort(), `${name}: nullable`);
    t.same([...rule.declared].sort(), Object.keys(strict[name]?.properties ?? {}).sort(), `${name}: declared`);
  }
});

t.test("withoutAbsentNulls strips listed and undeclared nulls, keeps the rest", async (t) => {
  const metadata = { thread_id: null, scope_id: "g1", format_hints: null, custom_key: null };
  t.ok(readsNullAsAbsent("OutboundMetadata", "thread_id"), "a listed key");
  t.ok(readsNullAsAbsent("OutboundMetadata", "custom_key"), "an undeclared key");
  t.notOk(readsNullAsAbsent("OutboundMetadata", "format_hints"), "a declared key outside the list (an object)");
  t.same(withoutAbsentNulls(metadata, "OutboundMetadata"), { scope_id: "g1", format_hints: null });
  t.same(metadata, { thread_id: null, scope_id: "g1", format_hints: null, custom_key: null }, "the input is not changed");
  const clean = { scope_id: "g1" };
  t.equal(withoutAbsentNulls(clean, "OutboundMetadata"), clean, "nothing to strip: the same object");
  t.notOk(readsNullAsAbsent("CapabilityDescriptor", "contract_version"), "a required key the receiver needs keeps its null (the schema refuses it)");
});
