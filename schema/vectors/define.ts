/**
 * Authoring helpers for test vectors. An invalid vector is a valid base with one mutation and
 * the JSON path + keyword that must fail, so each invalid vector has exactly one defect.
 */
export interface Vector {
  id: string;
  definition: string;
  /** For `outbound` vectors: the op the vector exercises. */
  op?: string;
  valid: boolean;
  description: string;
  value: unknown;
  /** Invalid vectors: where and why a strict validator must reject the value. */
  error?: { path: string; keyword: string };
  /** Invalid vectors: whether a tolerant receiver accepts the value anyway. */
  tolerant?: boolean;
}

type Mutation = { set?: Record<string, unknown>; remove?: string[] };

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function walk(root: unknown, pointer: string): { parent: Record<string, unknown> | unknown[]; key: string } {
  const parts = pointer.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  let node = root as Record<string, unknown>;
  for (const part of parts.slice(0, -1)) {
    if (!(part in node)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  return { parent: node, key: parts[parts.length - 1]! };
}

export function mutate<T>(base: T, mutation: Mutation): T {
  const value = clone(base);
  for (const [pointer, newValue] of Object.entries(mutation.set ?? {})) {
    const { parent, key } = walk(value, pointer);
    (parent as Record<string, unknown>)[key] = clone(newValue);
  }
  for (const pointer of mutation.remove ?? []) {
    const { parent, key } = walk(value, pointer);
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete (parent as Record<string, unknown>)[key];
  }
  return value;
}

export class VectorSet {
  readonly vectors: Vector[] = [];
  constructor(private readonly prefix: string, private readonly definition: string, private readonly op?: string) {}

  valid(name: string, description: string, value: unknown): this {
    this.vectors.push({ id: `${this.prefix}.valid.${name}`, definition: this.definition, ...(this.op ? { op: this.op } : {}), valid: true, description, value });
    return this;
  }

  invalid(
    name: string,
    description: string,
    base: unknown,
    mutation: Mutation,
    error: { path: string; keyword: string },
    tolerant = false,
  ): this {
    this.vectors.push({
      id: `${this.prefix}.invalid.${name}`,
      definition: this.definition,
      ...(this.op ? { op: this.op } : {}),
      valid: false,
      description,
      value: mutate(base, mutation),
      error,
      tolerant,
    });
    return this;
  }
}
