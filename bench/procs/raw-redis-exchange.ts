/**
 * The Redis part of a cross-instance push written directly on ioredis, without the relay: the
 * dependency's share of the cross-instance section. The offering side publishes each push's bus
 * message (`{g, m: {kind: "deliver", origin, id, frame}}`, the same frame) batched per turn of
 * the event loop, the answering side decodes each batch and publishes one `delivered` answer per
 * offer, batched the same way, and an offer completes when its answer is back. Offers and
 * answers use separate channels, so neither side receives its own traffic (what the relay's
 * single channel costs the offering instance is not counted here: this is the floor).
 */
import type { Redis } from "ioredis";

interface Side {
  pub: Redis;
  sub: Redis;
}

/** Per-turn batching of texts published on one channel. */
function batcher(pub: Redis, channel: string): (text: string) => void {
  let texts: string[] = [];
  return (text) => {
    texts.push(text);
    if (texts.length > 1) return;
    setImmediate(() => {
      const out = `{"b":[${texts.join(",")}]}`;
      texts = [];
      void pub.publish(channel, out);
    });
  };
}

/** Answers every offer published on `<prefix>raw-offers`. */
export async function serveRawAnswers(side: Side, prefix: string, nodeId: string): Promise<void> {
  const answer = batcher(side.pub, `${prefix}raw-answers`);
  side.sub.on("messageBuffer", (_channel: Buffer, payload: Buffer) => {
    const { b } = JSON.parse(payload.toString()) as { b: Array<{ g: string; m: { origin: string; id: string } }> };
    for (const { g, m } of b) answer(JSON.stringify({ g, m: { kind: "delivered", origin: nodeId, to: m.origin, id: m.id, mode: "live" } }));
  });
  await side.sub.subscribe(`${prefix}raw-offers`);
}

/** Makes offers, `inflight` unanswered at most, until `count` were answered. */
export function makeRawOffers(side: Side, prefix: string, nodeId: string, frameOf: (i: number) => unknown, count: number, inflight: number): Promise<void> {
  const offer = batcher(side.pub, `${prefix}raw-offers`);
  const waiting = new Map<string, () => void>();
  const onAnswers = (_channel: Buffer, payload: Buffer): void => {
    const { b } = JSON.parse(payload.toString()) as { b: Array<{ m: { to: string; id: string } }> };
    for (const { m } of b) if (m.to === nodeId) waiting.get(m.id)?.();
  };
  side.sub.on("messageBuffer", onAnswers);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const id = `${nodeId}-${i}`;
      await new Promise<void>((resolve) => {
        waiting.set(id, () => {
          waiting.delete(id);
          resolve();
        });
        offer(JSON.stringify({ g: "gw", m: { kind: "deliver", origin: nodeId, id, frame: frameOf(i) } }));
      });
    }
  };
  return Promise.all(Array.from({ length: Math.min(inflight, count) }, lane)).then(() => void side.sub.off("messageBuffer", onAnswers));
}
