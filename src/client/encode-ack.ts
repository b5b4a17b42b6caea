/**
 * The `inbound_ack` line of a handled buffered delivery, checked under `validateOutgoing` like
 * every frame the client writes, without the general path's per-frame cost.
 *
 * Only the id varies, so the check is the ack definition's generated validator alone, which is
 * what `validateFrame` reaches for an ack: its dispatch on `type` and the direction are an ack's
 * own, and it adds no cross-field rule and no entry dropping (an ack holds no list). The line is
 * the frame's JSON written out: `JSON.stringify({ type, bufferId })` is exactly this text. An id
 * the validator refuses takes the general path, which throws its `FrameValidationError`.
 */
import { encodeFrame } from "../codec/encode.js";
import { checkOutgoingFrame, type OutgoingValidation } from "../kernel/outgoing.js";
import { validateDefinition } from "../validation.js";

const HEAD = '{"type":"inbound_ack","bufferId":';

export function encodeAck(bufferId: string, mode: OutgoingValidation): string {
  if (typeof bufferId === "string" && (mode === "off" || validateDefinition("InboundAckFrame", { type: "inbound_ack", bufferId }, mode).ok)) {
    return HEAD + JSON.stringify(bufferId) + "}\n";
  }
  return encodeAckChecked(bufferId, mode);
}

/** The general path: `validateOutgoing`'s full frame check, then the codec's encoder. */
export function encodeAckChecked(bufferId: string, mode: OutgoingValidation): string {
  const frame = { type: "inbound_ack", bufferId } as const;
  checkOutgoingFrame(frame, mode, "gateway-to-connector");
  return encodeFrame(frame);
}
