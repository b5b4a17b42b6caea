import t from "tap";
import {
  DECODE_ERROR_CODES,
  DEFAULT_MAX_LINE_BYTES,
  encodeFrame,
  encodeFrameBatches,
  encodeFrames,
  FrameDecoder,
  FrameValidationError,
  MAX_MESSAGE_BYTES,
  type DecodeEvent,
  type DecodeErrorCode,
  type FrameDecoderOptions,
} from "../src/codec/index.js";
import { FrameValidationError as ContractFrameValidationError } from "../src/validation.js";

const HELLO = { type: "hello", platform: "discord", botId: "1234" } as const;
const IDLE = { type: "going_idle" } as const;
const ACK = { type: "inbound_ack", bufferId: "buf-1" } as const;
const INTERRUPT_INBOUND = { type: "interrupt_inbound", session_key: "agent:main:discord:group:c:u", chat_id: "c" } as const;
const RESULT = { type: "outbound_result", requestId: "0123456789abcdef0123456789abcdef", result: { success: true, message_id: "m-1" } } as const;

const G2C = "gateway-to-connector" as const;
const C2G = "connector-to-gateway" as const;

function decoder(opts: FrameDecoderOptions = {}): FrameDecoder {
  return new FrameDecoder(opts);
}

function frames(events: DecodeEvent[]): unknown[] {
  return events.map((e) => (e.kind === "frame" ? e.frame : { error: e.error.code }));
}

function codes(events: DecodeEvent[]): (DecodeErrorCode | "frame")[] {
  return events.map((e) => (e.kind === "frame" ? "frame" : e.error.code));
}

t.test("encodeFrame: compact JSON plus the mandatory newline", async (t) => {
  t.equal(encodeFrame(HELLO), '{"type":"hello","platform":"discord","botId":"1234"}\n');
  const line = encodeFrame({ type: "interrupt", session_key: "a\nb\r\u2028", reason: null });
  t.equal(line.indexOf("\n"), line.length - 1, "the terminator is the only newline");
  t.equal(encodeFrame(HELLO, { validate: true }), encodeFrame(HELLO), "valid frames pass strict validation");
  t.equal(encodeFrames([HELLO, IDLE]), encodeFrame(HELLO) + encodeFrame(IDLE));
  t.equal(encodeFrames([]), "");
  t.throws(() => encodeFrame(null as unknown as typeof HELLO), TypeError);
  t.throws(() => encodeFrame([] as unknown as typeof HELLO), TypeError);
});

t.test("encodeFrame({ validate }) refuses invalid frames", async (t) => {
  const bad = { type: "hello", platform: "discord" };
  const err = t.throws(() => encodeFrame(bad, { validate: true })) as unknown;
  t.ok(err instanceof FrameValidationError, "FrameValidationError");
  t.ok(err instanceof ContractFrameValidationError, "the contract's one class");
  const e = err as InstanceType<typeof FrameValidationError>;
  t.ok(e.issues.length > 0);
  t.match(e.message, /hello/);
  t.match(e.message, /botId/);

  const extra = { ...HELLO, surprise: 1 };
  t.throws(() => encodeFrame(extra, { validate: true }), FrameValidationError, "strict: unknown properties rejected");
  t.equal(encodeFrame(extra), JSON.stringify(extra) + "\n", "no validation unless asked");

  t.throws(() => encodeFrame(HELLO, { validate: true, direction: C2G }), FrameValidationError, "direction enforced");
  t.doesNotThrow(() => encodeFrame(HELLO, { validate: true, direction: G2C }));

  const seen: unknown[] = [];
  const custom = (value: unknown, opts?: unknown) => {
    seen.push(opts);
    return { ok: false as const, issues: [{ path: "/x", keyword: "custom", message: "/x is wrong" }] };
  };
  const e2 = t.throws(() => encodeFrames([HELLO], { validate: custom })) as InstanceType<typeof FrameValidationError>;
  t.match(e2.message, /\/x/, "message names the first path");
  t.strictSame(seen, [{ mode: "strict" }]);
  const e3 = t.throws(() => encodeFrame({ type: 5 } as unknown as typeof HELLO, { validate: true })) as InstanceType<typeof FrameValidationError>;
  t.ok(e3 instanceof FrameValidationError && e3.issues[0]?.path === "/type", "a non-string type is a validation failure");
});

t.test("encodeFrameBatches keeps order and the per-message bound", async (t) => {
  const many = Array.from({ length: 50 }, (_, i) => ({ type: "inbound_ack", bufferId: `b-${i}-${"é".repeat(i)}` }));
  const messages = encodeFrameBatches(many, { maxMessageBytes: 300 });
  t.ok(messages.length > 1);
  for (const m of messages) t.ok(Buffer.byteLength(m) <= 300, "under the bound");
  t.equal(messages.join(""), encodeFrames(many), "same bytes, same order");
  t.strictSame(encodeFrameBatches([]), []);
  t.strictSame(encodeFrameBatches([HELLO, IDLE]), [encodeFrames([HELLO, IDLE])], "default bound 1 MiB");
  t.equal(MAX_MESSAGE_BYTES, 1_048_576);
  const big = { type: "inbound_ack", bufferId: "x".repeat(400) };
  t.strictSame(encodeFrameBatches([IDLE, big, IDLE], { maxMessageBytes: 100 }), [encodeFrame(IDLE), encodeFrame(big), encodeFrame(IDLE)], "an oversized frame travels alone");
  t.throws(() => encodeFrameBatches([IDLE], { maxMessageBytes: 0 }), RangeError);
});

t.test("one frame per message, every input type", async (t) => {
  const line = encodeFrame(HELLO);
  const bytes = Buffer.from(line);
  const inputs: [string, Parameters<FrameDecoder["push"]>[0]][] = [
    ["string", line],
    ["Buffer", bytes],
    ["ArrayBuffer", bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)],
    ["Uint8Array", new Uint8Array(bytes)],
    ["DataView", new DataView(bytes.buffer, bytes.byteOffset, bytes.length)],
    ["Buffer[]", [bytes.subarray(0, 5), bytes.subarray(5)]],
  ];
  for (const [name, input] of inputs) {
    const events = decoder({ direction: G2C }).push(input);
    t.strictSame(events, [{ kind: "frame", type: "hello", frame: HELLO }], name);
  }
  t.throws(() => decoder().push(42 as unknown as string), TypeError, "caller bug, not peer data");
  t.throws(() => decoder().push(["x"] as unknown as Buffer[]), TypeError);
});

t.test("stream splitting: several per message, one over several, blanks, CRLF", async (t) => {
  const d = decoder();
  t.strictSame(frames(d.push(encodeFrames([HELLO, IDLE, ACK]))), [HELLO, IDLE, ACK], "three in one");

  const line = encodeFrame(RESULT);
  t.strictSame(d.push(line.slice(0, 10)), []);
  t.strictSame(d.push(line.slice(10, 30)), []);
  t.equal(d.bufferedBytes, 30);
  t.strictSame(frames(d.push(line.slice(30) + encodeFrame(IDLE).slice(0, 4))), [RESULT], "completed across three messages");
  t.strictSame(frames(d.push(encodeFrame(IDLE).slice(4))), [IDLE], "a partial tail carries over");
  t.equal(d.bufferedBytes, 0);

  t.strictSame(frames(d.push(`\n\n   \n\t\r\n\r\n${JSON.stringify(HELLO)}\r\n \u00a0\n`)), [HELLO], "blank, whitespace-only and CR-only lines skipped; CRLF accepted");
  t.strictSame(frames(d.push(`  ${JSON.stringify(IDLE)}  \n`)), [IDLE], "surrounding whitespace");
  t.strictSame(d.push("\n"), [], "a bare newline");
  t.strictSame(d.push(""), []);
  t.strictSame(d.push(Buffer.alloc(0)), []);
  t.strictSame(d.end(), []);
});

t.test("binary UTF-8 decoded across message boundaries", async (t) => {
  const frame = { type: "inbound_ack", bufferId: "é—🌍—中" };
  const bytes = Buffer.from(encodeFrame(frame));
  for (let cut = 1; cut < bytes.length; cut++) {
    const d = decoder();
    const events = [...d.push(bytes.subarray(0, cut)), ...d.push(bytes.subarray(cut))];
    t.strictSame(frames(events), [frame], `cut at byte ${cut}`);
  }
  const d = decoder();
  const events: DecodeEvent[] = [];
  for (const byte of bytes) events.push(...d.push(Buffer.from([byte])));
  t.strictSame(frames(events), [frame], "one byte per message");

  // A dangling partial character followed by a text message is replaced, not glued.
  const d2 = decoder();
  const partial = Buffer.from('{"type":"inbound_ack","bufferId":"🌍');
  t.strictSame(d2.push(partial.subarray(0, partial.length - 2)), []);
  const [ev] = d2.push('"}\n');
  t.equal(ev?.kind, "frame");
  t.equal(ev?.kind === "frame" ? (ev.frame as { bufferId: string }).bufferId : undefined, "\ufffd");

  const d3 = decoder();
  t.strictSame(frames(d3.push(Buffer.from([0x7b, 0xff, 0x0a]))), [{ error: "invalid_json" }], "invalid UTF-8 → U+FFFD → not JSON");
});

// JSON (RFC 8259) has no NaN or Infinity; Python's json.dumps writes them unless allow_nan=False,
// which the contract requires of producers. A receiver reports such a line as invalid_json.
t.test("NaN and Infinity are not JSON: invalid_json, as the contract states", async (t) => {
  for (const token of ["NaN", "Infinity", "-Infinity"]) {
    const line = `{"type": "outbound_result", "requestId": "${"a".repeat(32)}", "result": {"success": true, "duration": ${token}}}`;
    t.strictSame(codes(decoder().push(`${line}\n`)), ["invalid_json"], token);
  }
  const inString = `{"type": "outbound_result", "requestId": "${"a".repeat(32)}", "result": {"success": true, "note": "NaN"}}`;
  t.strictSame(frames(decoder().push(`${inString}\n`)).length, 1, "the text NaN inside a string is fine");
});

t.test("every error code", async (t) => {
  const cases: [string, DecodeErrorCode, Partial<{ frameType: string }>?][] = [
    ["{not json}", "invalid_json"],
    ['{"type":"hello"', "invalid_json"],
    ["[1,2]", "not_object"],
    ["42", "not_object"],
    ["true", "not_object"],
    ["null", "not_object"],
    ['"hello"', "not_object"],
    ["{}", "missing_type"],
    ['{"type":7}', "missing_type"],
    ['{"type":null}', "missing_type"],
    ['{"type":"bogus"}', "unknown_type", { frameType: "bogus" }],
    ['{"type":"__proto__"}', "unknown_type"],
    ['{"type":"constructor"}', "unknown_type"],
    ['{"type":"toString"}', "unknown_type"],
    ['{"type":"descriptor","descriptor":{}}', "wrong_direction", { frameType: "descriptor" }],
    ['{"type":"hello","platform":"discord"}', "schema", { frameType: "hello" }],
  ];
  for (const [line, code, extra] of cases) {
    const events = decoder({ direction: G2C }).push(`${line}\n`);
    t.equal(events.length, 1, line);
    const [ev] = events;
    if (ev?.kind !== "error") {
      t.fail(`${line}: expected an error`);
      continue;
    }
    t.equal(ev.error.code, code, line);
    t.equal(ev.error.excerpt, line, "excerpt is the line");
    t.type(ev.error.message, "string");
    if (extra?.frameType) t.equal(ev.error.frameType, extra.frameType);
  }

  const [schema] = decoder({ direction: G2C }).push('{"type":"hello","platform":"discord"}\n');
  t.ok(schema?.kind === "error" && schema.error.issues && schema.error.issues.length > 0, "schema errors carry issues");
  t.match(schema?.kind === "error" ? schema.error.message : "", /botId/);

  const d = decoder({ maxLineBytes: 10 });
  t.strictSame(codes(d.push('{"type":"going_idle"}\n')), ["line_too_long"]);
  t.strictSame(codes(d.push("0123456789a")), ["line_too_long"], "unterminated");
  const d2 = decoder();
  d2.push('{"type":"going_idle"}');
  const [inc] = d2.end();
  t.equal(inc?.kind === "error" ? inc.error.code : undefined, "incomplete_frame");
  t.equal(inc?.kind === "error" ? inc.error.excerpt : undefined, '{"type":"going_idle"}');

  // One bad manifest entry: reported (entry_dropped, before the frame), and the frame proceeds without it.
  const manifest = '{"type":"hello","platform":"discord","botId":"1","command_manifest":[{"name":"Bad Name","description":"x"},{"name":"ok","description":"y"}]}';
  const dropped = decoder({ direction: G2C }).push(`${manifest}\n`);
  t.strictSame(dropped.map((e) => e.kind), ["error", "frame"]);
  const [report, frame] = dropped;
  t.equal(report?.kind === "error" ? report.error.code : undefined, "entry_dropped");
  t.match(report?.kind === "error" ? report.error.issues : undefined, [{ path: "/command_manifest/0", keyword: "pattern" }]);
  t.strictSame(frame?.kind === "frame" ? (frame.frame as { command_manifest?: unknown }).command_manifest : undefined, [{ name: "ok", description: "y" }]);

  const covered = new Set(["invalid_json", "not_object", "missing_type", "unknown_type", "wrong_direction", "schema", "line_too_long", "incomplete_frame", "entry_dropped"]);
  t.strictSame([...DECODE_ERROR_CODES].sort(), [...covered].sort(), "every code exercised above");
});

t.test("unknown and wrong-direction frames are reported and the stream goes on", async (t) => {
  const d = decoder({ direction: C2G });
  const events = d.push(`{"type":"hello","platform":"x","botId":""}\n{"type":"future_frame","x":1}\n${JSON.stringify(RESULT)}\n`);
  t.strictSame(codes(events), ["wrong_direction", "unknown_type", "frame"]);
  t.strictSame(codes(decoder().push(`${JSON.stringify(HELLO)}\n${JSON.stringify(RESULT)}\n`)), ["frame", "frame"], "no direction: both accepted");
});

t.test("line too long: bounded buffer, one report, then recovery", async (t) => {
  const max = 64;
  const d = decoder({ maxLineBytes: max });
  const ok = `${JSON.stringify(IDLE)}\n`;

  t.strictSame(d.push("x".repeat(40)), []);
  t.strictSame(codes(d.push("y".repeat(40))), ["line_too_long"], "pending buffer over the bound");
  t.equal(d.bufferedBytes, 0, "dropped");
  t.strictSame(d.push("z".repeat(1000)), [], "discarding silently");
  t.equal(d.bufferedBytes, 0);
  t.strictSame(codes(d.push(`tail of the long line\n${ok}`)), ["frame"], "resumes after the next newline");
  t.strictSame(codes(d.push(ok)), ["frame"]);

  // Exactly at the bound is fine, one byte over is not; bytes are UTF-8 bytes.
  const fill = (n: number) => `{"type":"going_idle","p":"${"a".repeat(n - 28)}"}`;
  const lenient = decoder({ maxLineBytes: max, mode: "tolerant" });
  t.equal(Buffer.byteLength(fill(max)), max);
  t.strictSame(codes(lenient.push(`${fill(max)}\n`)), ["frame"], "exactly maxLineBytes");
  t.strictSame(codes(lenient.push(`${fill(max + 1)}\n`)), ["line_too_long"], "one byte over");
  const accented = `{"type":"going_idle","p":"${"é".repeat(20)}"}`; // 28 + 40 bytes, 48 chars
  t.strictSame(codes(lenient.push(`${accented}\n`)), ["line_too_long"], "multi-byte characters counted in bytes");
  t.strictSame(codes(lenient.push(Buffer.from(`${accented}\n`))), ["line_too_long"], "binary fast path too");
  t.strictSame(codes(lenient.push(`${fill(max)}\r\n`)), ["line_too_long"], "a CR counts as part of the line");

  const joined = decoder({ maxLineBytes: max });
  t.strictSame(joined.push(fill(max).slice(0, 50)), []);
  t.strictSame(codes(joined.push(`${fill(max).slice(50)}\n`)), ["frame"], "joined line exactly at the bound");
  t.strictSame(joined.push(fill(max + 1).slice(0, 50)), []);
  t.strictSame(codes(joined.push(`${fill(max + 1).slice(50)}\n${ok}`)), ["line_too_long", "frame"], "joined line over the bound, next line fine");

  const excerptDecoder = decoder({ maxLineBytes: 300 });
  excerptDecoder.push("a".repeat(150));
  excerptDecoder.push("b".repeat(150));
  const [ev] = excerptDecoder.push("c".repeat(150));
  t.equal(ev?.kind === "error" ? ev.error.excerpt : undefined, "a".repeat(150) + "b".repeat(50), "excerpt: first 200 characters");
  t.strictSame(excerptDecoder.end(), [], "an over-long tail is not reported twice");
  t.equal(DEFAULT_MAX_LINE_BYTES, 1_048_576);
  t.equal(decoder().maxLineBytes, 1_048_576);
});

t.test("end(): incomplete frames, flushed bytes, reuse", async (t) => {
  const d = decoder();
  t.strictSame(d.end(), [], "nothing pending");
  d.push("   ");
  t.strictSame(d.end(), [], "a blank tail is not a frame");
  d.push(Buffer.from([0x7b, 0xe2, 0x82]));
  const [ev] = d.end();
  t.equal(ev?.kind === "error" ? ev.error.code : undefined, "incomplete_frame");
  t.equal(ev?.kind === "error" ? ev.error.excerpt : undefined, "{\ufffd", "dangling bytes flushed as U+FFFD");
  t.strictSame(frames(d.push(encodeFrame(IDLE))), [IDLE], "reusable after end()");
  t.strictSame(frames(d.push(Buffer.from(encodeFrame(IDLE)))), [IDLE]);
});

t.test("validation modes", async (t) => {
  const extra = `${JSON.stringify({ ...HELLO, surprise: true })}\n`;
  t.strictSame(codes(decoder({ mode: "tolerant" }).push(extra)), ["frame"], "tolerant accepts unknown properties");
  t.strictSame(codes(decoder({ mode: "strict" }).push(extra)), ["schema"], "strict rejects them");
  t.strictSame(codes(decoder().push(extra)), ["frame"], "default is tolerant");

  const none = decoder({ mode: "none", direction: G2C });
  t.strictSame(codes(none.push('{"type":"hello"}\n{"type":"descriptor"}\n{"type":"nope"}\n')), ["frame", "wrong_direction", "unknown_type"], "none: no schema, but type and direction still checked");

  t.throws(() => new FrameDecoder({ mode: "lenient" as "none" }), RangeError);
  t.throws(() => new FrameDecoder({ direction: "up" as typeof G2C }), RangeError);
  for (const bad of [0, -1, 1.5, Number.POSITIVE_INFINITY, Number.NaN]) t.throws(() => new FrameDecoder({ maxLineBytes: bad }), RangeError);
});

t.test("injected validator and direction lookup", async (t) => {
  const calls: unknown[] = [];
  const d = new FrameDecoder({
    mode: "strict",
    validate: (value, opts) => {
      calls.push(opts);
      return (value as { ok?: boolean }).ok ? { ok: true, value } : { ok: false, issues: [{ path: "/ok", keyword: "const", message: "/ok must be true" }] };
    },
    frameDirectionOf: (type) => (type === "ping" ? C2G : undefined),
  });
  const events = d.push('{"type":"ping","ok":true}\n{"type":"ping"}\n{"type":"hello"}\n');
  t.strictSame(codes(events), ["frame", "schema", "unknown_type"]);
  t.strictSame(calls, [{ mode: "strict", direction: C2G }, { mode: "strict", direction: C2G }]);
  const schema = events[1];
  t.strictSame(schema?.kind === "error" ? schema.error.issues : undefined, [{ path: "/ok", keyword: "const", message: "/ok must be true" }]);
  t.match(schema?.kind === "error" ? schema.error.message : "", /\/ok/);

  const throwing = new FrameDecoder({
    validate: () => {
      throw new Error("boom");
    },
    frameDirectionOf: (type) => {
      if (type === "explode") throw new Error("lookup boom");
      return type === "constructor" ? (Object.prototype as unknown as typeof C2G) : C2G;
    },
  });
  t.strictSame(codes(throwing.push('{"type":"x"}\n{"type":"explode"}\n{"type":"constructor"}\n')), ["schema", "unknown_type", "unknown_type"], "nothing escapes");
});

t.test("hostile input", async (t) => {
  const d = decoder({ direction: C2G });
  const events = d.push('{"type":"inbound","__proto__":{"polluted":1}}\n');
  t.equal(events.length, 1);
  t.equal(({} as Record<string, unknown>).polluted, undefined, "Object.prototype untouched");

  const [ev] = d.push('{"type":"interrupt_inbound","session_key":"s","chat_id":"c","__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":3}}}\n');
  t.equal(({} as Record<string, unknown>).polluted, undefined);
  t.equal((Object.prototype as Record<string, unknown>).polluted, undefined);
  t.equal(ev?.kind, "frame", "tolerated as unknown properties");
  if (ev?.kind === "frame") {
    t.equal(Object.getPrototypeOf(ev.frame), Object.prototype, "prototype of the frame unchanged");
    t.ok(Object.hasOwn(ev.frame, "__proto__"), "__proto__ stays a plain own property");
    t.equal((ev.frame as unknown as { polluted?: unknown }).polluted, undefined);
  }
  d.push('{"type":"inbound","event":{"text":"x","message_type":"text","__proto__":{"polluted":2}},"__proto__":{"polluted":1}}\n');
  t.equal(({} as Record<string, unknown>).polluted, undefined, "nested __proto__ too");

  const deep = "[".repeat(100_000);
  t.strictSame(codes(d.push(`${deep}\n`)), ["invalid_json"], "100k unclosed brackets");
  t.strictSame(codes(d.push(`${"[".repeat(50_000)}${"]".repeat(50_000)}\n`)), ["not_object"], "deep but valid nesting");
  t.strictSame(codes(d.push(`{"type":"inbound","event":${'{"a":'.repeat(20_000)}1${"}".repeat(20_000)}}\n`)).length, 1, "deep object inside a frame");
  t.strictSame(codes(d.push('{"type":"interrupt_inbound","session_key":"s","chat_id":"c","n":1e400,"m":123456789012345678901234567890}\n')), ["frame"], "huge numbers are just numbers");
  t.strictSame(codes(d.push("\u0000\u0001\ufeff{}\n")), ["invalid_json"]);
  t.strictSame(codes(d.push(`{"type":"${"x".repeat(5000)}"}\n`)), ["unknown_type"]);
  const [unknown] = d.push(`{"type":"${"x".repeat(5000)}"}\n`);
  t.equal(unknown?.kind === "error" ? unknown.error.frameType?.length : undefined, 200, "reported type clipped");
  t.equal(unknown?.kind === "error" ? unknown.error.excerpt?.length : undefined, 200, "excerpt clipped");
});
