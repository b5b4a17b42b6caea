/**
 * Realistic frames for the benchmarks, taken from the generated test vectors (so they are valid
 * contract frames by construction) and resized where a measurement needs a given size.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export type Json = Record<string, unknown>;

interface Vector {
  id: string;
  valid: boolean;
  value: Json;
}

let cache: Map<string, Json> | undefined;

export function vector(root: string, id: string): Json {
  if (cache === undefined) {
    const file = JSON.parse(readFileSync(join(root, "generated/vectors/frames.json"), "utf8")) as { vectors: Vector[] };
    cache = new Map(file.vectors.filter((v) => v.valid).map((v) => [v.id, v.value]));
  }
  const v = cache.get(id);
  if (v === undefined) throw new Error(`no valid vector ${id}`);
  return structuredClone(v);
}

const WORDS =
  "the deploy finished but the canary in eu-west shows a spike in p99 latency since 14:05 — can you check whether the " +
  "cache warm-up ran, summarise the last three incidents in #ops, and draft a short note for the on-call rotation? " +
  "Danke schön, and please keep it under five bullet points ✅ ";

/** Deterministic chat-like text of exactly `chars` UTF-16 units (mostly ASCII, a few non-ASCII). */
export function text(chars: number): string {
  let out = "";
  while (out.length < chars) out += WORDS;
  return out.slice(0, chars);
}

const bytes = (frame: Json): number => Buffer.byteLength(JSON.stringify(frame) + "\n", "utf8");

/** Wire size of the realistic inbound frame: at least 600 B, the size of a live Discord group message. */
export const INBOUND_BYTES = 660;

/** The realistic inbound frame: a live Discord group message, at least `minBytes` on the wire. */
export function inboundFrame(root: string, minBytes = INBOUND_BYTES): Json {
  const frame = vector(root, "inbound.valid.live-discord");
  const event = frame.event as Json;
  event.text = "";
  const overhead = bytes(frame);
  event.text = text(Math.max(0, minBytes - overhead));
  while (bytes(frame) < minBytes) event.text += ".";
  return frame;
}

/** An inbound frame whose `text` is `chars` long (4 KiB / 32 KiB measurements). */
export function inboundWithText(root: string, chars: number): Json {
  const frame = vector(root, "inbound.valid.live-discord");
  (frame.event as Json).text = text(chars);
  return frame;
}

export function sendFrame(root: string, contentChars?: number): Json {
  const frame = vector(root, "op.send.valid.discord");
  if (contentChars !== undefined) (frame.action as Json).content = text(contentChars);
  return frame;
}

export const outboundResultFrame = (root: string): Json => vector(root, "outbound_result.valid.send-ok");
export const interruptInboundFrame = (root: string): Json => vector(root, "interrupt_inbound.valid.basic");
export const descriptorFrame = (root: string): Json => vector(root, "descriptor.valid.discord");

/** The wire size of a frame (compact JSON plus the newline). */
export const wireBytes = bytes;
