/** The shipped test vectors (generated/vectors/), loaded one way for every test that reads them. */
import { readFileSync } from "node:fs";

export interface Vector {
  id: string;
  definition: string;
  /** Outbound actions: the op. */
  op?: string;
  valid: boolean;
  value: unknown;
  /** Invalid vectors: where and why the strict schema refuses it. */
  error?: { path: string; keyword: string };
  /** Invalid vectors: whether a receiver (tolerant mode) still accepts it. */
  tolerant?: boolean;
}

/** The vectors of one shipped file. */
export function loadVectors(file: "frames.json" | "http.json"): Vector[] {
  return (JSON.parse(readFileSync(new URL(`../../generated/vectors/${file}`, import.meta.url), "utf8")) as { vectors: Vector[] }).vectors;
}

/** The frame vectors. */
export const FRAME_VECTORS: readonly Vector[] = loadVectors("frames.json");

/** The value of the frame vector `id` (throws when there is none: a renamed vector fails loudly). */
export function frameVector(id: string): unknown {
  const vector = FRAME_VECTORS.find((v) => v.id === id);
  if (vector === undefined) throw new Error(`no frame vector ${id}`);
  return vector.value;
}
