/**
 * Property tests of the codec: round trip, re-chunking invariance, and "no input can make the
 * decoder throw or emit a frame the schema rejects" (100,000 random inputs).
 */
import t from "tap";
import fc from "fast-check";
import { isDeepStrictEqual } from "node:util";
import { DECODE_ERROR_CODES, encodeFrame, FrameDecoder, type DecodeEvent, type DecoderInput } from "../src/codec/index.js";
import { frameDirectionOf, validateFrame } from "../src/validation.js";
import type { FrameDirection } from "../src/validation-types.js";
import { CONNECTOR_FRAME_DEFINITIONS, GATEWAY_FRAME_DEFINITIONS } from "../generated/registry.js";
import { FRAME_VECTORS } from "./helpers/vectors.js";

type Frame = { type: string } & Record<string, unknown>;

const FRAME_DEFINITIONS = new Set<string>([...Object.values(GATEWAY_FRAME_DEFINITIONS), ...Object.values(CONNECTOR_FRAME_DEFINITIONS)]);

const corpus = FRAME_VECTORS.filter((v) => FRAME_DEFINITIONS.has(v.definition));
const source = "generated/vectors/frames.json";
const valid = corpus.filter((v) => v.valid).map((v) => v.value as Frame);
const invalid = corpus.filter((v) => !v.valid);
const directionOf = (f: Frame) => frameDirectionOf(f.type) as FrameDirection;
t.comment(`round-trip corpus: ${valid.length} valid frames from ${source}`);

function framesOf(events: DecodeEvent[]): unknown[] {
  return events.map((e) => (e.kind === "frame" ? e.frame : { error: e.error.code, message: e.error.message }));
}

t.test("every valid vector survives encode → decode in both modes", async (t) => {
  t.ok(valid.length >= 8);
  for (const frame of valid) {
    const line = encodeFrame(frame, { validate: true, direction: directionOf(frame) });
    for (const mode of ["strict", "tolerant"] as const) {
      const events = new FrameDecoder({ mode, direction: directionOf(frame) }).push(line);
      t.strictSame(framesOf(events), [frame], `${frame.type} (${mode})`);
    }
  }
});

const DEFINITION_OF_TYPE = new Map<string, string>([...Object.entries(GATEWAY_FRAME_DEFINITIONS), ...Object.entries(CONNECTOR_FRAME_DEFINITIONS)]);

t.test("invalid vectors: strict decoders reject, tolerant ones follow the vector's verdict", async (t) => {
  for (const v of invalid) {
    // A vector like `{type:"going_idle"}` for GoingIdleAckFrame tests a definition's `type`
    // const; on the wire it is simply the other frame, dispatched by its type.
    const type = (v.value as { type?: unknown } | null)?.type;
    const dispatched = typeof type === "string" ? DEFINITION_OF_TYPE.get(type) : undefined;
    if (dispatched !== undefined && dispatched !== v.definition) continue;
    const line = `${JSON.stringify(v.value)}\n`;
    const strict = new FrameDecoder({ mode: "strict" }).push(line);
    t.equal(strict[0]?.kind, "error", `${v.id} strict`);
    // A receiver may deliver the frame after reporting entries it dropped (entry_dropped).
    const tolerant = new FrameDecoder({ mode: "tolerant" }).push(line);
    t.equal(tolerant.some((e) => e.kind === "frame"), v.tolerant === true, `${v.id} tolerant`);
    for (const e of tolerant) if (e.kind === "error" && v.tolerant) t.equal(e.error.code, "entry_dropped", `${v.id}: only drop reports`);
  }
});

const frameArb = fc.constantFrom(...valid);
const terminator = fc.constantFrom("\n", "\r\n");
const blank = fc.constantFrom("", "", "", "\n", "   \n", "\r\n", "\t \r\n");

/** A stream of frames with CRLF/LF terminators and blank lines between them. */
const streamArb = fc.array(fc.tuple(frameArb, terminator, blank), { minLength: 1, maxLength: 8 }).map((items) => ({
  frames: items.map(([f]) => f),
  text: items.map(([f, end, gap]) => JSON.stringify(f) + end + gap).join(""),
}));

t.test("byte-level re-chunking (splits inside UTF-8 characters) yields the same frames", async (t) => {
  fc.assert(
    fc.property(streamArb, fc.array(fc.nat(), { maxLength: 12 }), fc.constantFrom("buffer", "arraybuffer", "fragments"), ({ frames, text }, cuts, kind) => {
      const bytes = Buffer.from(text);
      const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
      const chunks: Buffer[] = [];
      let prev = 0;
      for (const p of [...points, bytes.length]) {
        chunks.push(bytes.subarray(prev, p));
        prev = p;
      }
      const d = new FrameDecoder();
      const events: DecodeEvent[] = [];
      for (const c of chunks) {
        const input: DecoderInput =
          kind === "buffer" ? c : kind === "arraybuffer" ? (c.buffer as ArrayBuffer).slice(c.byteOffset, c.byteOffset + c.length) : [c.subarray(0, c.length >> 1), c.subarray(c.length >> 1)];
        events.push(...d.push(input));
      }
      events.push(...d.end());
      return isDeepStrictEqual(framesOf(events), frames);
    }),
    { numRuns: 2000 },
  );
  t.pass("2000 random chunkings");
});

t.test("mixed text/binary re-chunking at character boundaries yields the same frames", async (t) => {
  fc.assert(
    fc.property(streamArb, fc.array(fc.tuple(fc.nat(), fc.boolean()), { maxLength: 12 }), ({ frames, text }, cuts) => {
      const chars = Array.from(text);
      const points = [...new Map(cuts.map(([c, bin]) => [c % (chars.length + 1), bin])).entries()].sort((a, b) => a[0] - b[0]);
      const d = new FrameDecoder();
      const events: DecodeEvent[] = [];
      let prev = 0;
      for (const [p, bin] of [...points, [chars.length, false] as [number, boolean]]) {
        const piece = chars.slice(prev, p).join("");
        events.push(...d.push(bin ? Buffer.from(piece) : piece));
        prev = p;
      }
      events.push(...d.end());
      return isDeepStrictEqual(framesOf(events), frames);
    }),
    { numRuns: 2000 },
  );
  t.pass("2000 random chunkings");
});

t.test("arbitrary input never throws and never yields a frame the schema rejects (100,000 runs)", async (t) => {
  const lines = valid.map((f) => `${JSON.stringify(f)}\n`);
  const invalidLines = invalid.map((v) => `${JSON.stringify(v.value)}\n`);
  // Known type, damaged body: what the schema step (not the JSON step) must catch.
  const damaged = fc.tuple(frameArb, fc.nat(), fc.option(fc.jsonValue({ maxDepth: 1 }), { nil: undefined })).map(([frame, i, replacement]) => {
    const copy: Record<string, unknown> = { ...frame };
    const keys = Object.keys(copy).filter((k) => k !== "type");
    const key = keys.length > 0 ? (keys[i % keys.length] as string) : "extra";
    if (replacement === undefined) delete copy[key];
    else copy[key] = replacement;
    return `${JSON.stringify(copy)}\n`;
  });
  const tokens = ["{", "}", "[", "]", ",", ":", '"', "\\", "\n", "\r", " ", '"type"', '"hello"', '"inbound"', '"going_idle"', '"descriptor"', '"__proto__"', "null", "1e400", "é", "🌍", "\ud800", "\u0000"];
  const textChunk = fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength: 24 }) },
    { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
    { weight: 3, arbitrary: fc.array(fc.constantFrom(...tokens), { maxLength: 12 }).map((a) => a.join("")) },
    { weight: 3, arbitrary: fc.constantFrom(...lines) },
    { weight: 3, arbitrary: damaged },
    ...(invalidLines.length > 0 ? [{ weight: 2, arbitrary: fc.constantFrom(...invalidLines) }] : []),
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...lines), fc.nat(), fc.nat()).map(([l, a, b]) => l.slice(Math.min(a, b) % l.length, Math.max(a, b) % (l.length + 1))) },
  );
  const chunk: fc.Arbitrary<DecoderInput> = fc.oneof(
    { weight: 4, arbitrary: textChunk },
    { weight: 2, arbitrary: textChunk.map((s) => Buffer.from(s)) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 24 }) },
  );
  const options = fc.record({
    direction: fc.constantFrom<FrameDirection | undefined>(undefined, "gateway-to-connector", "connector-to-gateway"),
    maxLineBytes: fc.constantFrom(8, 64, 1_048_576),
  });
  const knownCodes = new Set<string>(DECODE_ERROR_CODES);
  let frameEvents = 0;
  let errorEvents = 0;
  let schemaErrors = 0;

  fc.assert(
    fc.property(options, fc.array(chunk, { maxLength: 5 }), fc.boolean(), (opts, chunks, finish) => {
      const d = new FrameDecoder(opts);
      const events: DecodeEvent[] = [];
      for (const c of chunks) events.push(...d.push(c));
      if (finish) events.push(...d.end());
      for (const e of events) {
        if (e.kind === "error") {
          errorEvents++;
          if (e.error.code === "schema") schemaErrors++;
          if (!knownCodes.has(e.error.code) || typeof e.error.message !== "string") return false;
          if (e.error.excerpt !== undefined && e.error.excerpt.length > 200) return false;
          continue;
        }
        frameEvents++;
        if (e.frame.type !== e.type) return false;
        if (opts.direction !== undefined && frameDirectionOf(e.type) !== opts.direction) return false;
        if (!validateFrame(e.frame, { mode: "tolerant", direction: opts.direction }).ok) return false;
      }
      return d.bufferedBytes <= opts.maxLineBytes;
    }),
    { numRuns: 100_000 },
  );
  t.ok(frameEvents > 1000, `frames were produced (${frameEvents}) and checked`);
  t.ok(errorEvents > 1000, `errors were produced (${errorEvents})`);
  t.ok(schemaErrors > 1000, `schema errors were produced (${schemaErrors})`);
  t.equal(({} as Record<string, unknown>).polluted, undefined);
});

t.test("a message of many lines decodes to the same events as each of its lines sent alone (invalid UTF-8, limits, pending lines)", async (t) => {
  // The decoder decodes a message's complete lines in one call when none can be over the limit;
  // a line sent alone is decoded on its own. Both must give the same events, whatever the bytes.
  const lines = valid.map((f) => Buffer.from(`${JSON.stringify(f)}\n`));
  const byteChunk = fc.oneof(
    fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a)),
    fc.array(fc.constantFrom(0x0a, 0x0a, 0x7b, 0x7d, 0x22, 0x20, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x8c, 0x8d, 0xff, 0xfe, 0x80, 0xed, 0xa0), { maxLength: 24 }).map((a) => Buffer.from(a)),
    fc.constantFrom(...lines),
    fc.tuple(fc.constantFrom(...lines), fc.nat()).map(([l, cut]) => l.subarray(0, cut % (l.length + 1))),
  );
  fc.assert(
    fc.property(fc.array(byteChunk, { minLength: 1, maxLength: 8 }), fc.constantFrom(8, 64, 700, 1_048_576), fc.nat(), (chunks, maxLineBytes, split) => {
      const all = Buffer.concat(chunks);
      // Optionally a first piece that leaves a line pending, so the rest starts by finishing it.
      const at = split % (all.length + 1);
      const whole = new FrameDecoder({ maxLineBytes });
      const got = [...whole.push(all.subarray(0, at)), ...whole.push(all.subarray(at)), ...whole.end()];
      const alone = new FrameDecoder({ maxLineBytes });
      const want = [...alone.push(all.subarray(0, at))];
      let start = at;
      for (let nl = all.indexOf(0x0a, at); nl !== -1; nl = all.indexOf(0x0a, start)) {
        want.push(...alone.push(all.subarray(start, nl + 1)));
        start = nl + 1;
      }
      want.push(...alone.push(all.subarray(start)), ...alone.end());
      return isDeepStrictEqual(got, want);
    }),
    { numRuns: 20_000 },
  );
  t.pass("20,000 random messages");
});
