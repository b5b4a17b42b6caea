/** Small helpers for emitting Python source text: literals, comments and docstrings. */

/** A Python literal for a JSON value (JSON string escapes are valid Python escapes). */
export function pyLiteral(value: unknown): string {
  if (value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`no Python literal for ${value}`);
    return String(value);
  }
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `(${value.map(pyLiteral).join(", ")}${value.length === 1 ? "," : ""})`;
  throw new Error(`no Python literal for ${JSON.stringify(value)}`);
}

/** Greedy word wrap; a word longer than `width` stays on its own line. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (line !== "" && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else line = line === "" ? word : `${line} ${word}`;
    }
    lines.push(line);
  }
  return lines;
}

/** `#: …` comment lines (the attribute-doc form Sphinx and IDEs read), indented. */
export function docComment(text: string, indent: string, width = 100): string[] {
  return wrap(text, width - indent.length - 3).map((line) => `${indent}#: ${line}`.trimEnd());
}

/** A triple-quoted docstring, indented. */
export function docstring(text: string, indent: string, width = 100): string[] {
  const escaped = text.replace(/\\/g, "\\\\").replace(/"""/g, '\\"\\"\\"');
  // The opening quotes share the first line.
  const lines = wrap(escaped, width - indent.length - 3);
  if (lines.length === 1 && lines[0]!.length + indent.length + 6 <= width) return [`${indent}"""${lines[0]}"""`];
  return [`${indent}"""${lines[0]}`, ...lines.slice(1).map((l) => (l === "" ? "" : `${indent}${l}`)), `${indent}"""`];
}
