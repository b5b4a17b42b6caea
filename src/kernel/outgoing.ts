/**
 * The one check of frames a role builds from caller data before it sends them, used by the
 * client for every frame it writes and by the server helper for descriptors, pushes and
 * interrupts. `validateOutgoing` means the same on both: `"strict"` holds the producer's contract
 * (the default), `"tolerant"` only what a receiver accepts, `"off"` nothing.
 */
import { FrameValidationError, validateFrame, type ValidateFrameOptions } from "../validation.js";
import type { FrameDirection } from "../validation-types.js";

export type OutgoingValidation = "strict" | "tolerant" | "off";

/** The error a frame that must not be sent under `mode` throws; `undefined` for one that may. */
/** The options of each checking mode and direction, built once: a frame is checked on every send. */
const OPTIONS = {
  strict: { "gateway-to-connector": { mode: "strict", direction: "gateway-to-connector" }, "connector-to-gateway": { mode: "strict", direction: "connector-to-gateway" } },
  tolerant: { "gateway-to-connector": { mode: "tolerant", direction: "gateway-to-connector" }, "connector-to-gateway": { mode: "tolerant", direction: "connector-to-gateway" } },
} as const satisfies Record<"strict" | "tolerant", Record<FrameDirection, ValidateFrameOptions>>;

export function outgoingFrameError(frame: { readonly type: string }, mode: OutgoingValidation, direction: FrameDirection): FrameValidationError | undefined {
  if (mode === "off") return undefined;
  const result = validateFrame(frame, (OPTIONS[mode] as Record<FrameDirection, ValidateFrameOptions> | undefined)?.[direction] ?? { mode, direction });
  return result.ok ? undefined : new FrameValidationError(result.issues, typeof frame.type === "string" ? `"${frame.type}" frame` : "frame");
}

/** Throws `FrameValidationError` for a frame that must not be sent under `mode`. */
export function checkOutgoingFrame(frame: { readonly type: string }, mode: OutgoingValidation, direction: FrameDirection): void {
  const error = outgoingFrameError(frame, mode, direction);
  if (error !== undefined) throw error;
}
