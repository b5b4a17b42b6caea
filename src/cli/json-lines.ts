/**
 * Where each value of a JSON text starts: JSON Pointer → 1-based line. Lets `validate` point at
 * the line of a failing property inside a pretty-printed frame, not just at the frame.
 */

export function lineIndex(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let i = 0;
  let line = 1;

  const ws = (): void => {
    for (; i < text.length; i++) {
      const c = text[i];
      if (c === "\n") line++;
      else if (c !== " " && c !== "\t" && c !== "\r") break;
    }
  };
  const str = (): string => {
    // At the opening quote; JSON.parse does the unescaping of the exact slice.
    const start = i++;
    for (; i < text.length; i++) {
      const c = text[i];
      if (c === "\\") i++;
      else if (c === '"') break;
    }
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return "";
    }
  };
  const escape = (key: string): string => key.replace(/~/g, "~0").replace(/\//g, "~1");
  const value = (pointer: string, depth: number): void => {
    ws();
    if (depth > 200 || i >= text.length) return;
    lines.set(pointer, line);
    const c = text[i];
    if (c === "{") {
      i++;
      for (;;) {
        ws();
        if (text[i] === "}") {
          i++;
          return;
        }
        if (text[i] !== '"') return;
        const key = str();
        ws();
        if (text[i] !== ":") return;
        i++;
        value(`${pointer}/${escape(key)}`, depth + 1);
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") {
          i++;
          return;
        } else return;
      }
    } else if (c === "[") {
      i++;
      for (let n = 0; ; n++) {
        ws();
        if (text[i] === "]") {
          i++;
          return;
        }
        value(`${pointer}/${n}`, depth + 1);
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") {
          i++;
          return;
        } else return;
      }
    } else if (c === '"') {
      str();
    } else {
      while (i < text.length && !/[\s,\]}]/.test(text[i] as string)) i++;
    }
  };
  value("", 0);
  return lines;
}

/** The line of `pointer`, or of its nearest ancestor that has one. */
export function lineOf(index: Map<string, number>, pointer: string): number | undefined {
  let p = pointer;
  for (;;) {
    const line = index.get(p);
    if (line !== undefined) return line;
    if (p === "") return undefined;
    p = p.slice(0, p.lastIndexOf("/"));
  }
}
