/**
 * References inside the package point inside the package: every `§N` cites a numbered section of
 * docs/relay-connector-contract.md, every anchor link lands on a heading, and no shipped file
 * names a document users do not have.
 */
import t from "tap";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { CONTRACT_SECTIONS } from "./helpers/contract-sections.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const CONTRACT = "docs/relay-connector-contract.md";
const contract = readFileSync(join(root, CONTRACT), "utf8");

/** Section numbers (`4`, `4.1`) and anchors (explicit ids and GitHub's heading slugs) of a document. */
function targetsOf(markdown: string): { numbers: Set<string>; anchors: Set<string> } {
  const numbers = new Set<string>();
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (/^(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const heading = /^#{1,6} (.+?)\s*$/.exec(line);
    if (heading) {
      anchors.add(heading[1]!.trim().toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(/ /g, "-"));
      const number = /^(\d+(?:\.\d+)?)\.? /.exec(heading[1]!);
      if (number) numbers.add(number[1]!);
    }
    for (const m of line.matchAll(/<a id="([^"]+)"><\/a>/g)) anchors.add(m[1]!);
  }
  return { numbers, anchors };
}

const targets = targetsOf(contract);

/** Problems of one file's text: dangling `§` references and anchor links, outside documents. */
export function danglingReferences(file: string, text: string): string[] {
  const problems: string[] = [];
  text.split("\n").forEach((line, i) => {
    const where = `${file}:${i + 1}`;
    if (/wire-protocol\.md/.test(line)) problems.push(`${where}: cites wire-protocol.md, which users do not have`);
    if (/\.\.\/shared\b|\/work\/shared/.test(line)) problems.push(`${where}: points outside the package (${line.trim().slice(0, 60)})`);
    // Benchmark sections are named, never numbered: every § outside an RFC citation is the contract's.
    for (const m of line.matchAll(/(RFC \d+ )?§(\d+(?:\.\d+)*)/g)) {
      if (m[1] !== undefined) continue;
      if (!targets.numbers.has(m[2]!)) problems.push(`${where}: §${m[2]} is not a section of ${CONTRACT}`);
    }
    for (const m of line.matchAll(/relay-connector-contract\.md#([\w-]+)/g)) {
      if (!targets.anchors.has(m[1]!)) problems.push(`${where}: ${CONTRACT}#${m[1]} does not exist`);
    }
    if (file === CONTRACT) {
      for (const m of line.matchAll(/\]\(#([^)\s]+)\)/g)) if (!targets.anchors.has(m[1]!)) problems.push(`${where}: #${m[1]} does not exist`);
    }
  });
  return problems;
}

/** The text files the package ships (package.json `files`; src/ stands for the dist/ built from it). */
function shippedFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(join(root, dir))) {
      const path = join(dir, name);
      if (name === "__pycache__") continue;
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else if (/\.(ts|md|json|py|mjs|js)$/.test(name)) out.push(path);
    }
  };
  for (const dir of ["src", "schema", "generated", "docs", "python", "examples/python_gateway"]) walk(dir);
  out.push("README.md");
  return out.map((p) => relative(root, join(root, p)));
}

t.test("the contract's sections are numbered as the references expect", async (t) => {
  const numbered = [...contract.matchAll(/^## (\d+)\. (.+)$/gm)].map((m) => [m[1], m[2]]);
  t.same(
    numbered,
    CONTRACT_SECTIONS.map((title, i) => [String(i + 1), title]),
    "sections renumbered: update the § references to every section after the change, then this list",
  );
  for (const title of ["handshake-sequence", "framing-the-newline-delimited-json-transport", "what-a-receiver-must-accept", "helloframe", "decisions"]) {
    t.ok(targets.anchors.has(title), `stable anchor #${title}`);
  }
});

t.test("no shipped file has a dangling reference or points outside the package", async (t) => {
  const files = shippedFiles();
  t.ok(files.length > 100, `${files.length} files`);
  const problems = files.flatMap((file) => danglingReferences(file, readFileSync(join(root, file), "utf8")));
  t.same(problems, [], "every § and anchor resolves; no outside document is cited");
});

t.test("the check catches what it must", async (t) => {
  t.match(danglingReferences("src/x.ts", "see §99 and §4.9"), [/§99 is not a section/, /§4\.9 is not a section/]);
  t.match(danglingReferences("docs/x.md", "[x](relay-connector-contract.md#no-such-section)"), [/#no-such-section does not exist/]);
  t.match(danglingReferences("src/x.ts", "(wire-protocol.md §1.2)"), [/cites wire-protocol\.md/, /§1\.2 is not a section/]);
  t.match(danglingReferences("README.md", "read ../shared/protocol/notes.md"), [/points outside the package/]);
  t.same(danglingReferences("src/x.ts", "RFC 3986 §3.1 and §4 and §13.1 and [a](relay-connector-contract.md#reconnect)"), [], "RFC sections and existing targets pass");
  t.same(danglingReferences("docs/performance.md", "contract §2"), []);
  t.match(danglingReferences("docs/performance.md", "contract §4.4"), [/§4\.4 is not a section/]);
  t.match(danglingReferences("README.md", "| §99 | round trip |"), [/§99 is not a section/], "benchmark tables carry no section numbers");
});
