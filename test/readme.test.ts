/**
 * The README's promises: one set-up command, one main command (the demo), one test command that
 * .ci/run calls, and the codec, connector and gateway snippets exactly as the tested examples show them.
 */
import t from "tap";
import { readFileSync } from "node:fs";

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), "utf8");
const readme = read("README.md");
const codeOf = (markdown: string) => markdown.match(/```ts\n([\s\S]*?)```/)?.[1] ?? "";

t.test("the README names the set-up, main and test commands, and CI runs the test command", async (t) => {
  t.match(readme, /npm ci\b/);
  t.match(readme, /npx relay-contract demo/);
  t.match(readme, /npm test\b/);
  t.match(read(".ci/run"), /^npm test$/m, ".ci/run runs the README's test command");
  t.match(readme, /TypeScript[\s\S]{0,80}5\.9/, "says which TypeScript it pins");
});

t.test("README snippets are the tested examples' snippets", async (t) => {
  for (const snippet of ["docs/snippets/codec.md", "docs/snippets/server.md", "docs/snippets/client.md"]) {
    const code = codeOf(read(snippet));
    t.ok(code.length > 200, `${snippet} has code`);
    t.ok(readme.includes(code), `README carries ${snippet} verbatim`);
  }
});
