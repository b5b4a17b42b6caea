/** Which way a frame travels on the relay socket. */
export type FrameDirection = "gateway-to-connector" | "connector-to-gateway";

/**
 * `strict`: exactly the contract — the producer rules, for producers and contract tests.
 * `tolerant`: what a receiver must accept. A receiver checks only what it needs to act: the types
 * of the fields it reads and the presence of the fields without which it cannot act. Every other
 * rule is a producer rule; a receiver accepts a value that breaks it (an advisory), drops invalid
 * entries of the lists it filters one by one, and ignores frame types it does not know.
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
  | {
      ok: true;
      /** The value as a receiver uses it: in tolerant mode, invalid entries of filtered lists removed. */
      value: T;
      /** Tolerant mode: entries (or non-list values) of filtered lists that were removed, each with its reason. */
      dropped?: ValidationIssue[];
      /** With `report`: producer rules the value breaks (tolerant mode accepts it anyway). */
      advisories?: ValidationIssue[];
      /** Tolerant mode: a frame a receiver ignores (an unknown type, or one travelling the other way). */
      ignored?: string;
    }
  | { ok: false; issues: ValidationIssue[] };
