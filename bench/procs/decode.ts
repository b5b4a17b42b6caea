/**
 * Child process of the decode section (decode + validate). One process per case: a fresh JIT, first warmed with
 * every fixture frame through both decoders so the measured call sites are as polymorphic as in a
 * receiver that sees mixed traffic, then the case's variants interleaved (lib/micro.ts).
 */
import { FrameDecoder } from "../../src/codec/index.js";
import { validateFrame, type FrameDirection } from "../../src/validation.js";
import * as fx from "../lib/fixtures.js";
import { measure, type Variant } from "../lib/micro.js";
import { config, serve } from "./rpc.js";

const { root } = config<{ root: string }>();

type Json = fx.Json;
const C2G: FrameDirection = "connector-to-gateway";
const G2C: FrameDirection = "gateway-to-connector";

const wire = (frame: Json): Buffer => Buffer.from(JSON.stringify(frame) + "\n", "utf8");

function decodeVariants(frame: Json, direction: FrameDirection): Variant[] {
  const buf = wire(frame);
  const tolerant = new FrameDecoder({ direction, mode: "tolerant" });
  const strict = new FrameDecoder({ direction, mode: "strict" });
  return [
    // The baseline: bytes to string, JSON.parse, nothing else.
    { name: "baseline", op: () => (JSON.parse(buf.toString()) as Json).type },
    { name: "tolerant", op: () => tolerant.push(buf).length },
    { name: "strict", op: () => strict.push(buf).length },
  ];
}

function validationVariants(frames: Record<string, Json>, direction: FrameDirection): Variant[] {
  const out: Variant[] = [];
  for (const [size, frame] of Object.entries(frames)) {
    const value = JSON.parse(JSON.stringify(frame)) as Json;
    for (const mode of ["tolerant", "strict"] as const) {
      out.push({ name: `${mode}@${size}`, op: () => validateFrame(value, { mode, direction }).ok });
    }
  }
  return out;
}

interface Case {
  bytes: Record<string, number>;
  variants: Variant[];
}

function buildCase(id: string): Case {
  switch (id) {
    case "inbound": {
      const f = fx.inboundFrame(root);
      return { bytes: { frame: fx.wireBytes(f) }, variants: decodeVariants(f, C2G) };
    }
    case "send": {
      const f = fx.sendFrame(root);
      return { bytes: { frame: fx.wireBytes(f) }, variants: decodeVariants(f, G2C) };
    }
    case "outbound_result": {
      const f = fx.outboundResultFrame(root);
      return { bytes: { frame: fx.wireBytes(f) }, variants: decodeVariants(f, C2G) };
    }
    case "interrupt_inbound": {
      const f = fx.interruptInboundFrame(root);
      return { bytes: { frame: fx.wireBytes(f) }, variants: decodeVariants(f, C2G) };
    }
    case "descriptor": {
      const f = fx.descriptorFrame(root);
      return { bytes: { frame: fx.wireBytes(f) }, variants: decodeVariants(f, C2G) };
    }
    case "inbound-4k":
    case "inbound-32k": {
      const f = fx.inboundWithText(root, id.endsWith("4k") ? 4096 : 32768);
      return { bytes: { frame: fx.wireBytes(f) }, variants: decodeVariants(f, C2G) };
    }
    case "send-4k":
    case "send-32k": {
      const f = fx.sendFrame(root, id.endsWith("4k") ? 4096 : 32768);
      return { bytes: { frame: fx.wireBytes(f) }, variants: decodeVariants(f, G2C) };
    }
    case "validate-inbound-sizes": {
      const frames = { small: fx.inboundFrame(root), "4k": fx.inboundWithText(root, 4096), "32k": fx.inboundWithText(root, 32768) };
      return { bytes: Object.fromEntries(Object.entries(frames).map(([k, f]) => [k, fx.wireBytes(f)])), variants: validationVariants(frames, C2G) };
    }
    case "validate-send-sizes": {
      const frames = { small: fx.sendFrame(root), "4k": fx.sendFrame(root, 4096), "32k": fx.sendFrame(root, 32768) };
      return { bytes: Object.fromEntries(Object.entries(frames).map(([k, f]) => [k, fx.wireBytes(f)])), variants: validationVariants(frames, G2C) };
    }
    default:
      throw new Error(`unknown case ${id}`);
  }
}

/** Mixed traffic through both decoders and the facade, so no call site is measured monomorphic. */
function warmMixed(): void {
  const c2g = [fx.inboundFrame(root), fx.outboundResultFrame(root), fx.interruptInboundFrame(root), fx.descriptorFrame(root), fx.vector(root, "inbound.valid.buffered-slack-rich")].map(wire);
  const g2c = [fx.sendFrame(root), fx.vector(root, "op.edit.valid.basic"), fx.vector(root, "inbound_ack.valid.stream-id"), fx.vector(root, "op.typing.valid.indicator")].map(wire);
  for (const mode of ["tolerant", "strict"] as const) {
    const a = new FrameDecoder({ direction: C2G, mode });
    const b = new FrameDecoder({ direction: G2C, mode });
    for (let i = 0; i < 3000; i++) {
      for (const m of c2g) a.push(m);
      for (const m of g2c) b.push(m);
    }
  }
}

serve({
  case(args) {
    const c = buildCase(String(args.id));
    warmMixed();
    const samples = measure(c.variants, { rounds: Number(args.rounds), batchMs: Number(args.batchMs), warmupMs: Number(args.batchMs) * 2 });
    return { bytes: c.bytes, samples };
  },
});
