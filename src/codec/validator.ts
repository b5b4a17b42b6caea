/**
 * The codec's seam to the schema validators: injected so the codec can be tested (and used)
 * without the generated validators, defaulting to the contract's own.
 */
import type { FrameDirection, ValidationMode, ValidationResult } from "../validation-types.js";
import { frameDirectionOf, validateFrame } from "../validation.js";

export type FrameValidator = (
  value: unknown,
  opts?: { mode?: ValidationMode; direction?: FrameDirection },
) => ValidationResult<unknown>;

/** Which way a known frame type travels; `undefined` for a type the contract does not define. */
export type FrameDirectionLookup = (type: string) => FrameDirection | undefined;

export const defaultValidate: FrameValidator = validateFrame;
export const defaultFrameDirectionOf: FrameDirectionLookup = frameDirectionOf;
