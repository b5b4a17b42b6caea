/**
 * The reporting validators: the same contract compiled to report every error of a value (the
 * receive path stops at the first). They are loaded on first use, with `require` (the module is
 * CommonJS for that), so a process that never asks for a report never loads them.
 */
import { createRequire } from "node:module";
import type { RawError } from "./validation-messages.js";

export interface ReportValidator {
  (data: unknown): boolean;
  errors?: RawError[] | null;
}

let loaded: Record<string, ReportValidator> | undefined;

export function reportValidator(mode: "strict" | "tolerant", definition: string): ReportValidator {
  loaded ??= createRequire(import.meta.url)("../generated/validators-report.cjs") as Record<string, ReportValidator>;
  const fn = loaded[`${mode}_${definition}`];
  if (fn === undefined) throw new Error(`no generated reporting validator for ${definition}`);
  return fn;
}
