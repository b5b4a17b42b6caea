/**
 * Completeness of docs/relay-connector-contract.md: a section per definition, an example per
 * frame type and op, no unknown or unrendered placeholder, every internal link resolving, the
 * required prose sections and diagrams present, and the file on disk equal to the rendering.
 * Each check is also run against a deliberately broken rendering, so it is known to fail.
 */
import t from "tap";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ACTIONS, CONNECTOR_FRAMES, DEFINITIONS, GATEWAY_FRAMES } from "../schema/index.js";
import { CLOSE_CODES } from "../src/close-codes.js";
import { buildAuthVectors } from "../scripts/auth-vectors.js";
import { buildVectors, type VectorFiles } from "../scripts/generate/vectors.js";
import {
  buildContractDoc,
  DOC_PATH,
  GENERATED_COMMENT,
  headingsOf,
  PLACEHOLDER_PATTERN,
  PLACEHOLDERS,
  TEMPLATES_DIR,
} from "../scripts/generate/docs.js";
import { CONTRACT_SECTIONS } from "./helpers/contract-sections.js";

const root = new URL("..", import.meta.url);
const vectors = buildVectors();
const rendered = buildContractDoc(DEFINITIONS, vectors);
const names = DEFINITIONS.map((d) => d.$id as string);
const FRAMES: Record<string, string> = Object.fromEntries(
  [...Object.entries(GATEWAY_FRAMES), ...Object.entries(CONNECTOR_FRAMES)].map(([type, s]) => [type, s.$id as string]),
);
const OPS: Record<string, string> = Object.fromEntries(Object.entries(ACTIONS).map(([op, s]) => [op, s.$id as string]));

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** `\n### 4.1 name\n` (sections are numbered), for `### name`. */
function headingPattern(level: "##" | "###", name: string, flags = ""): RegExp {
  return new RegExp(`\\n${level} \\d+(?:\\.\\d+)?\\.? ${escape(name)}\\n`, flags);
}

/** The text of `### name` up to the next `##`/`###` heading. */
function section(doc: string, name: string): string | undefined {
  const start = doc.search(headingPattern("###", name));
  if (start < 0) return undefined;
  const rest = doc.slice(start + 1);
  const end = rest.slice(1).search(/\n#{2,3} /);
  return end < 0 ? rest : rest.slice(0, end + 1);
}

function exampleOf(text: string): unknown {
  const match = /\*\*Example\*\*[^\n]*\n\n```json\n([\s\S]*?)\n```/.exec(text);
  return match ? JSON.parse(match[1]!) : undefined;
}

/** Everything the completeness test demands, as a list of problems. */
function problemsOf(doc: string): string[] {
  const problems: string[] = [];
  for (const name of names) {
    const count = [...doc.matchAll(headingPattern("###", name, "g"))].length;
    if (count !== 1) problems.push(`definition ${name}: ${count} sections`);
  }
  for (const [type, name] of Object.entries(FRAMES)) {
    const text = section(doc, name) ?? "";
    const example = exampleOf(text) as { type?: string } | undefined;
    if (example?.type !== type) problems.push(`frame ${type}: no example of its own type`);
    if (!text.includes(type === "hello" || type === "outbound" || type === "interrupt" || type === "going_idle" || type === "inbound_ack" ? "gateway → connector" : "connector → gateway")) {
      problems.push(`frame ${type}: direction missing`);
    }
  }
  for (const [op, name] of Object.entries(OPS)) {
    const text = section(doc, name) ?? "";
    const example = exampleOf(text) as { type?: string; action?: { op?: string } } | undefined;
    if (example?.type !== "outbound" || example.action?.op !== op) problems.push(`op ${op}: no example`);
    if (!/\*\*Result:\*\*.*\[`\w+Result`\]/.test(text)) problems.push(`op ${op}: result definition missing`);
  }
  const placeholders = doc.match(PLACEHOLDER_PATTERN);
  if (placeholders) problems.push(`unrendered placeholders: ${placeholders.join(", ")}`);
  const anchors = new Set(headingsOf(doc).map((h) => h.slug));
  for (const [, target] of doc.matchAll(/\]\(#([^)]+)\)/g)) {
    if (!anchors.has(target!)) problems.push(`broken link #${target}`);
  }
  return problems;
}

t.test("the committed document is the rendered one", async (t) => {
  const onDisk = readFileSync(new URL(DOC_PATH, root), "utf8");
  t.ok(onDisk === rendered, `${DOC_PATH} is up to date (run \`npm run generate\`)`);
  t.equal(buildContractDoc(DEFINITIONS, vectors), rendered, "rendering is deterministic");
  t.ok(rendered.startsWith(`${GENERATED_COMMENT}\n`), "starts with the generated-file comment");
  t.match(rendered, /> \*\*Generated file\.\*\*.*Edit those, never this file/, "visible generated notice");
});

t.test("complete: every definition has a section, every frame type and op an example", async (t) => {
  t.same(problemsOf(rendered), []);
  t.ok(names.length > 60, `${names.length} definitions`);
  t.equal(Object.keys(FRAMES).length, 11);
  t.equal(Object.keys(OPS).length, 14);
});

t.test("the completeness check fails when something is missing", async (t) => {
  const withoutOne = buildContractDoc(DEFINITIONS.filter((d) => d.$id !== "ReplyTo"), vectors);
  t.ok(problemsOf(withoutOne).includes("definition ReplyTo: 0 sections"), "a missing definition section");

  const noDraft: VectorFiles = { frames: vectors.frames.filter((v) => v.op !== "draft"), http: vectors.http };
  const noDraftProblems = problemsOf(buildContractDoc(DEFINITIONS, noDraft));
  t.same(noDraftProblems, ["op draft: no example"], "a missing op example, and nothing else");
  t.match(section(buildContractDoc(DEFINITIONS, noDraft), "DraftAction"), /no test vector exercises this definition yet/, "the doc says so");

  const noVectors = problemsOf(buildContractDoc(DEFINITIONS, undefined));
  for (const type of Object.keys(FRAMES)) t.ok(noVectors.includes(`frame ${type}: no example of its own type`), `no vectors: ${type} reported`);

  t.ok(problemsOf(`${rendered}\n{{decisions}}\n`).some((p) => p.startsWith("unrendered placeholders")), "a leftover placeholder");
  t.ok(problemsOf(`${rendered}\n[x](#no-such-heading)\n`).includes("broken link #no-such-heading"), "a broken link");
});

t.test("templates: only known placeholders, every template used, errors on anything else", async (t) => {
  const known = new Set<string>(PLACEHOLDERS);
  const templates = readdirSync(TEMPLATES_DIR).filter((f) => f.endsWith(".md"));
  const included = new Set<string>();
  for (const file of templates) {
    for (const [whole, inner] of readFileSync(join(TEMPLATES_DIR, file), "utf8").matchAll(PLACEHOLDER_PATTERN)) {
      const include = /^include ([a-z0-9-]+)$/.exec(inner!.trim());
      if (include) {
        t.ok(templates.includes(`${include[1]}.md`), `${file}: ${whole} names an existing template`);
        included.add(`${include[1]}.md`);
      } else t.ok(known.has(inner!.trim()), `${file}: ${whole} is a known placeholder`);
    }
  }
  t.same(templates.filter((f) => f !== "contract.md" && !included.has(f)), [], "every template is included");

  const scratch = mkdtempSync(join(tmpdir(), "relay-contract-templates-"));
  t.teardown(() => rmSync(scratch, { recursive: true, force: true }));
  const variant = (name: string, edit: (dir: string) => void) => {
    const dir = join(scratch, name);
    cpSync(TEMPLATES_DIR, dir, { recursive: true });
    edit(dir);
    return () => buildContractDoc(DEFINITIONS, vectors, { templatesDir: dir });
  };
  t.equal(variant("same", () => {})(), rendered, "a copy of the templates renders the same document");
  t.throws(variant("unknown", (d) => writeFileSync(join(d, "framing.md"), "## Framing\n\n{{frames}}\n")), /unknown placeholder \{\{frames\}\}/);
  t.throws(variant("malformed", (d) => writeFileSync(join(d, "framing.md"), "## Framing\n\n{{ Close Codes }}\n")), /malformed placeholder/);
  t.throws(variant("missing", (d) => rmSync(join(d, "framing.md"))), /missing template docs\/templates\/framing\.md/);
  t.throws(variant("orphan", (d) => writeFileSync(join(d, "stray.md"), "## Stray\n")), /templates never included: stray\.md/);
  t.throws(variant("cycle", (d) => writeFileSync(join(d, "framing.md"), "## Framing\n\n{{include contract}}\n")), /include cycle/);
  t.throws(variant("duplicate-anchor", (d) => writeFileSync(join(d, "framing.md"), "## Close codes\n")), /share the anchor #close-codes/);
});

t.test("the hand-written sections and their diagrams are there", async (t) => {
  const headings = headingsOf(rendered).map((h) => h.text);
  // Every numbered section, the contents above them, and the subsection the versioning policy names.
  const required = ["Contents", ...CONTRACT_SECTIONS, "Non-additive exceptions"];
  for (const heading of required) t.ok(headings.includes(heading), `section "${heading}"`);

  const sectionOf = (heading: string) => {
    const start = rendered.search(headingPattern("##", heading));
    const end = rendered.indexOf("\n## ", start + 1);
    return rendered.slice(start, end < 0 ? undefined : end);
  };
  for (const heading of ["Handshake sequence", "Request/response correlation", "Buffering, replay and `inbound_ack`", "Going idle and dormant"]) {
    t.match(sectionOf(heading), /```mermaid\nsequenceDiagram\n/, `${heading}: a Mermaid sequence diagram`);
  }
  t.match(sectionOf("Ordering and concurrency"), /[Hh]ead-of-line/, "head-of-line blocking note");
  t.match(sectionOf("Framing: the newline-delimited-JSON transport"), /trailing newline is load-bearing/);
  t.match(sectionOf("Versioning policy"), /`guild_id` → `scope_id`/);
  t.match(sectionOf("Versioning policy"), /`media_capabilities` dropped/);
  for (const step of ["P3", "V-mid", "V-late", "V-latest", "V-sidecar"]) t.match(sectionOf("Versioning policy"), new RegExp(`\\| \\*\\*${step}\\*\\* \\|`), `steps table: ${step}`);

  const unauthorized = sectionOf("4401 before and after a handshake");
  t.match(unauthorized, /\| 4401 after ≥ 1 descriptor on this transport \|/, "the §4.6 table");
  t.match(unauthorized, /The contract's position/);

  const closeCodes = sectionOf("Close codes");
  for (const entry of CLOSE_CODES) t.ok(closeCodes.includes(`| ${entry.code} | ${entry.name} |`), `close code ${entry.code} ${entry.name}`);

  const mint = buildAuthVectors().mint[0]!;
  const auth = sectionOf("Upgrade authentication");
  for (const value of [mint.signed, mint.signature, mint.token]) t.ok(auth.includes(`\`${value}\``), `worked vector shows ${value.slice(0, 20)}…`);
});

t.test("every recorded decision is collected in Decisions", async (t) => {
  const decisions = rendered.slice(rendered.search(headingPattern("##", "Decisions")), rendered.search(/\n## \d+\. Definitions: /));
  const marked: string[] = [];
  JSON.stringify(DEFINITIONS, (key, value) => {
    if (key === "description" && typeof value === "string" && (value.includes("Decision:") || value.includes("(uncertain)"))) marked.push(value);
    return value;
  });
  t.ok(marked.length >= 5, `${marked.length} decisions in the schema`);
  for (const text of new Set(marked)) t.ok(decisions.includes(text.replace(/\|/g, "\\|")), `collected: ${text.slice(0, 60)}…`);
});
