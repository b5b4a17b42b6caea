/**
 * The one checker of numeric options, shared by the client and the server helper. A value must be
 * a finite number: a timer cannot wait for ever (Node runs a timeout of `Infinity` after 1 ms), and
 * a bound of `Infinity` would be an unbounded queue. Options that may be switched off say so with
 * `zero`; options without a bound by default leave it `undefined` instead of passing `Infinity`.
 */
export function numberOption(owner: string, name: string, value: number | undefined, fallback: number, zero: "zero-allowed" | "positive" = "positive"): number {
  const v = value ?? fallback;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || (zero === "positive" && v === 0)) {
    throw new RangeError(`${owner}: ${name} must be a finite ${zero === "positive" ? "positive" : "non-negative"} number`);
  }
  return v;
}
