/** A README snippet (docs/snippets/*.md) is its example's code verbatim, with the package's import path. */
import { readFileSync } from "node:fs";
import type { Test } from "tap";

export interface SnippetCase {
  /** The example, relative to the repository root (its code sits between `// snippet:start` and `// snippet:end`). */
  example: string;
  /** The snippet document, relative to the repository root (one ```ts block). */
  snippet: string;
  /** The example's import path and what the snippet says instead. */
  imports: [local: string, published: string];
  /** The most code lines (not blank, not comments) a README block may have. */
  maxLines?: number;
}

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

/** Tests that the snippet is the example's code, and (with `maxLines`) that it is short enough for a README. */
export function snippetIsExample(t: Test, { example, snippet, imports, maxLines }: SnippetCase): void {
  t.test("the snippet is the example's code", async (t) => {
    const code = read(example).split("// snippet:start\n")[1]?.split("// snippet:end\n")[0];
    const block = /```ts\n([\s\S]*?)```/.exec(read(snippet))?.[1];
    t.ok(code && block);
    t.equal(block, code?.replace(`from "${imports[0]}"`, `from "${imports[1]}"`));
    if (maxLines === undefined) return;
    const lines = (block ?? "").split("\n").filter((l) => l.trim() !== "" && !l.trim().startsWith("//")).length;
    t.ok(lines <= maxLines, `short enough for a README (${lines} lines)`);
  });
}
