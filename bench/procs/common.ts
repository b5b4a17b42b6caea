/** Pieces shared by the baseline and subject child processes, so both do the same exchange. */
import { setTimeout as sleep } from "node:timers/promises";
import * as fx from "../lib/fixtures.js";

export interface ProcConfig {
  root: string;
  /** Turn permessage-deflate on (raw baseline only; the deflate section). */
  deflate?: boolean;
}

/** Bytes queued on the socket above which a pusher waits (well under the server helper's 1 MiB high-water mark). */
export const PUSH_HIGH_WATER = 512 * 1024;

/**
 * Sends `count` items as fast as the socket takes them: while more than `highWater` bytes are
 * queued, yield to the event loop (which writes them out) and look again. Both pushers use it.
 */
export async function pump(count: number, sendOne: (i: number) => void, queued: () => number, highWater = PUSH_HIGH_WATER): Promise<void> {
  for (let i = 0; i < count; ) {
    if (queued() > highWater) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      continue;
    }
    sendOne(i++);
  }
}

/** The event pushed in the loopback and replay sections: the realistic ≥ 600-byte inbound frame's event, numbered. */
export function pushEvent(root: string): (i: number) => fx.Json {
  const event = fx.inboundFrame(root).event as fx.Json;
  return (i) => ({ ...event, message_id: `m-${i}` });
}

/** The action sent in the loopback section: the realistic Discord `send` from the vectors. */
export function sendAction(root: string): fx.Json {
  return fx.sendFrame(root).action as fx.Json;
}

/** 32 lowercase hex digits, as the contract's requestId pattern requires. */
export function requestIdOf(n: number, salt: number): string {
  return (salt.toString(16).padStart(8, "0") + n.toString(16).padStart(24, "0")).slice(-32);
}

/** Writes a heap snapshot (memory diagnosis: bench/tools/heap-diff.ts compares two). */
export async function heapSnapshot(file: string): Promise<{ file: string }> {
  const { writeHeapSnapshot } = await import("node:v8");
  (globalThis as { gc?: () => void }).gc?.();
  return { file: writeHeapSnapshot(file) };
}

/** Full GCs until the heap stops shrinking, then the process's memory. Needs `--expose-gc`. */
export async function settledMemory(): Promise<{ rss: number; heapUsed: number; heapTotal: number; newSpace: number; external: number; arrayBuffers: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("memory measurement needs --expose-gc");
  let last = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 10; i++) {
    gc();
    await sleep(20);
    const used = process.memoryUsage().heapUsed;
    if (Math.abs(last - used) < 64 * 1024) break;
    last = used;
  }
  const { getHeapSpaceStatistics } = await import("node:v8");
  const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === "new_space")?.space_size ?? 0;
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, newSpace, external: m.external, arrayBuffers: m.arrayBuffers };
}

/**
 * The baselines' framing: a message is one frame (JSON.parse takes the trailing newline as
 * whitespace), parsed whole, with nothing else in the way. Only the replay ceiling
 * sends several frames per message; only when the whole does not parse is it split into lines.
 * Returns the number of lines that were not JSON.
 */
export function onText(text: string, onFrame: (frame: Record<string, unknown>) => void): number {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text) as Record<string, unknown>;
  } catch {
    let bad = 0;
    for (const line of text.split("\n")) {
      if (line === "") continue;
      try {
        onFrame(JSON.parse(line) as Record<string, unknown>);
      } catch {
        bad++;
      }
    }
    return bad;
  }
  onFrame(value);
  return 0;
}
