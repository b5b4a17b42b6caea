/**
 * The one check of frames a role builds from caller data before it sends them, used by the
 * client for every frame it writes and by the server helper for descriptors, pushes and
 * interrupts. `validateOutgoing` means the same on both: `"strict"` holds the producer's contract
 * (the default), `"tolerant"` only what a receiver accepts, `"off"` nothing.
 */
import { FrameValidationError, validateFrame } from "../validation.js";
import type { FrameDirection } from "../validation-types.js";

export type OutgoingValidation = "strict" | "tolerant" | "off";

/** The error a frame that must not be sent under `mode` throws; `undefined` for one that may. */
export function outgoingFrameError(frame: { readonly type: string }, mode: OutgoingValidation, direction: FrameDirection): FrameValidationError | undefined {
  if (mode === "off") return undefined;
  const result = validateFrame(frame, { mode, direction });
  return result.ok ? undefined : new FrameValidationError(result.issues, typeof frame.type === "string" ? `"${frame.type}" frame` : "frame");
}

/** Throws `FrameValidationError` for a frame that must not be sent under `mode`. */
export function checkOutgoingFrame(frame: { readonly type: string }, mode: OutgoingValidation, direction: FrameDirection): void {
  const error = outgoingFrameError(frame, mode, direction);
  if (error !== undefined) throw error;
}
