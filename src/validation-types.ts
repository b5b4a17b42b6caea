/** Which way a frame travels on the relay socket. */
export type FrameDirection = "gateway-to-connector" | "connector-to-gateway";

/**
 * `strict`: exactly the contract (unknown properties rejected) — for producers and contract tests.
 * `tolerant`: what a receiver must accept (unknown properties and open enum values allowed).
 */
export type ValidationMode = "strict" | "tolerant";

/** One reason a value does not satisfy the contract. */
export interface ValidationIssue {
  /** JSON Pointer (RFC 6901) into the validated value, `""` for the root. */
  path: string;
  /** The JSON Schema keyword that failed (`required`, `enum`, `additionalProperties`, …). */
  keyword: string;
  /** A readable sentence naming the path. */
  message: string;
}

export type ValidationResult<T> =
  | { ok: true; value: T }
  | { ok: false; issues: ValidationIssue[] };
