/**
 * The decoder against a peer that chops its lines hostilely: what it retains stays within a small
 * constant of the bytes it accounts however fine the pieces, and line length is counted in UTF-8
 * bytes identically on the one-message path and on every chunked path.
 */
import { runInNewContext } from "node:vm";
import { setFlagsFromString } from "node:v8";
import t from "tap";
import { FrameDecoder, type DecodeEvent } from "../src/codec/index.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const MiB = 1_048_576;

/** Live heap plus Buffer memory after a full collection: what is actually retained. */
function retained(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const codes = (events: DecodeEvent[]): string[] => events.map((e) => (e.kind === "frame" ? "frame" : e.error.code));

for (const kind of ["bytes", "text"] as const) {
  t.test(`a 1 MiB pending line sent in 2-byte ${kind} messages retains about 1 MiB, not one object per piece`, async (t) => {
    const d = new FrameDecoder({ mode: "none" });
    const head = '{"type":"going_idle","pad":"';
    const body = Buffer.from(head + "x".repeat(MiB - head.length - 8));
    const before = retained();
    for (let i = 0; i < body.length; i += 2) {
      const piece = body.subarray(i, i + 2);
      const events = d.push(kind === "bytes" ? Buffer.from(piece) : piece.toString("latin1"));
      if (events.length > 0) t.fail(`unexpected event at ${i}: ${codes(events).join(",")}`);
    }
    const held = retained() - before;
    t.equal(d.bufferedBytes, body.length, "every byte accounted");
    t.ok(d.retainedBytes <= (kind === "bytes" ? 2 : 4) * d.bufferedBytes + 1024, `storage ${d.retainedBytes} bytes for ${d.bufferedBytes} accounted`);
    t.ok(held < 5 * MiB, `retained ${(held / MiB).toFixed(2)} MiB for a ${(body.length / MiB).toFixed(2)} MiB line (bound 5 MiB)`);
    t.strictSame(codes(d.push('"}\n')), ["frame"], "the line still decodes whole");
    t.equal(d.retainedBytes, 0, "nothing held once the line ended");
  });
}

t.test("chopped at any width, storage stays within twice what the line occupies", async (t) => {
  const line = `{"type":"going_idle","pad":"${"é🌍x".repeat(5000)}"}`;
  const bytes = Buffer.from(line);
  for (const width of [1, 3, 7, 64, 4096]) {
    for (const kind of ["bytes", "text"] as const) {
      const d = new FrameDecoder({ mode: "none" });
      let worst = 0;
      // Text is held as UTF-16 (2 bytes per unit, so at most 2 per accounted UTF-8 byte).
      const perByte = kind === "bytes" ? 2 : 4;
      // Text pieces are cut by UTF-16 unit (so inside surrogate pairs), bytes inside characters.
      const n = kind === "bytes" ? bytes.length : line.length;
      for (let i = 0; i < n; i += width) {
        d.push(kind === "bytes" ? bytes.subarray(i, i + width) : line.slice(i, i + width));
        worst = Math.max(worst, d.retainedBytes - perByte * d.bufferedBytes);
      }
      t.ok(worst <= 1024, `${kind}, width ${width}: storage beyond ${perByte}× accounted at most ${worst} bytes`);
      t.equal(d.bufferedBytes, bytes.length, `${kind}, width ${width}: accounted the line's UTF-8 length`);
      const events = d.push("\n");
      t.strictSame(codes(events), ["frame"]);
    }
  }
});

t.test("a surrogate pair split across two text pieces counts 4 bytes, so a line exactly at the limit passes", async (t) => {
  const line = '{"type":"going_idle","p":"ab😀"}';
  const max = Buffer.byteLength(line);
  const cut = line.indexOf("😀") + 1; // between the high and the low surrogate
  const whole = new FrameDecoder({ maxLineBytes: max });
  t.strictSame(codes(whole.push(`${line}\n`)), ["frame"], "one message: exactly at the limit");
  const split = new FrameDecoder({ maxLineBytes: max });
  t.strictSame(codes(split.push(line.slice(0, cut))), []);
  t.strictSame(codes(split.push(`${line.slice(cut)}\n`)), ["frame"], "split inside the pair: still exactly at the limit");
  const over = new FrameDecoder({ maxLineBytes: max - 1 });
  over.push(line.slice(0, cut));
  t.strictSame(codes(over.push(`${line.slice(cut)}\n`)), ["line_too_long"], "and one byte less is refused on that path too");

  // A high surrogate that never gets its low half counts as the 3-byte replacement, on both paths.
  const lone = '{"type":"going_idle","p":"\ud83d"}';
  const loneMax = Buffer.byteLength(lone);
  const a = new FrameDecoder({ maxLineBytes: loneMax });
  t.strictSame(codes(a.push(`${lone}\n`)), ["frame"]);
  const b = new FrameDecoder({ maxLineBytes: loneMax });
  const at = lone.indexOf("\ud83d") + 1;
  b.push(lone.slice(0, at));
  t.strictSame(codes(b.push(`${lone.slice(at)}\n`)), ["frame"], "lone high surrogate at a piece boundary");
  const c = new FrameDecoder({ maxLineBytes: loneMax - 1 });
  c.push(lone.slice(0, at));
  t.strictSame(codes(c.push(`${lone.slice(at)}\n`)), ["line_too_long"]);
});

t.test("invalid UTF-8 is counted as received bytes on the one-message path and on every chunked path", async (t) => {
  const bytes = Buffer.concat([Buffer.from('{"type":"going_idle","p":"'), Buffer.from([0xff, 0xfe, 0xc3, 0xe2, 0x82, 0x41, 0xf0, 0x9f]), Buffer.from('"}')]);
  const max = bytes.length;
  const one = new FrameDecoder({ maxLineBytes: max });
  const oneEvents = one.push(Buffer.concat([bytes, Buffer.from("\n")]));
  t.strictSame(codes(oneEvents), ["frame"], "one message, exactly at the limit");
  for (const width of [1, 2, 3, 5]) {
    const d = new FrameDecoder({ maxLineBytes: max });
    for (let i = 0; i < bytes.length; i += width) t.strictSame(codes(d.push(bytes.subarray(i, i + width))), []);
    t.equal(d.bufferedBytes, bytes.length, `width ${width}: received bytes accounted`);
    const events = d.push(Buffer.from("\n"));
    t.strictSame(codes(events), ["frame"], `width ${width}: passes as on the one-message path`);
    t.strictSame(events[0], oneEvents[0], `width ${width}: the same frame (same replacement characters)`);
    const tight = new FrameDecoder({ maxLineBytes: max - 1 });
    const tightEvents: DecodeEvent[] = [];
    for (let i = 0; i < bytes.length; i += width) tightEvents.push(...tight.push(bytes.subarray(i, i + width)));
    tightEvents.push(...tight.push(Buffer.from("\n")));
    t.strictSame(codes(tightEvents), ["line_too_long"], `width ${width}: one byte less refused`);
  }
  const tightOne = new FrameDecoder({ maxLineBytes: max - 1 });
  t.strictSame(codes(tightOne.push(Buffer.concat([bytes, Buffer.from("\n")]))), ["line_too_long"], "one message, one byte less refused");
});
