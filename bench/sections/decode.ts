/**
 * Decode + validate per frame type, with the generated tolerant and strict validators,
 * against `Buffer → string + JSON.parse` alone; and whether validation cost grows with the size
 * of `text` / `content` (it must not: large text is bounded by the frame size, not by ajv).
 */
import { repeatCount, repeated } from "../lib/repeat.js";
import { pairedFigures, round, spread } from "../lib/stats.js";
import type { BenchContext, Row, Section, SectionResult } from "../lib/types.js";
import { spawnWorker, withWorkers } from "../lib/worker.js";

interface CaseResult {
  bytes: Record<string, number>;
  samples: Record<string, number[]>;
}

const FRAME_CASES: Array<{ id: string; label: string; target?: boolean }> = [
  { id: "inbound", label: "inbound", target: true },
  { id: "send", label: "outbound send" },
  { id: "outbound_result", label: "outbound_result" },
  { id: "interrupt_inbound", label: "interrupt_inbound" },
  { id: "descriptor", label: "descriptor" },
  { id: "inbound-4k", label: "inbound, text 4 KiB" },
  { id: "inbound-32k", label: "inbound, text 32 KiB" },
  { id: "send-4k", label: "outbound send, content 4 KiB" },
  { id: "send-32k", label: "outbound send, content 32 KiB" },
];

const FLATNESS_LIMIT = 1.25;

async function runCase(ctx: BenchContext, id: string): Promise<CaseResult> {
  const rounds = ctx.quick ? 31 : 101;
  const batchMs = ctx.quick ? 3 : 5;
  return withWorkers([spawnWorker(ctx, "decode", { config: { root: ctx.root } })], ([w]) =>
    w!.call<CaseResult>("case", { id, rounds, batchMs }),
  );
}

const kib = (bytes: number): string => (bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} B`);

export const decodeSection: Section = {
  id: "decode",
  short: "decode",
  title: "Decode + validate (one frame, in process)",
  async run(ctx: BenchContext): Promise<SectionResult> {
    const repeats = repeatCount(ctx, 3);
    const rows = await repeated(ctx, "decode", repeats, (repeat) => decodeOnce(ctx, repeat));
    return {
      rows,
      notes: [
        "Each case runs in a fresh child process whose decoders are first warmed with mixed frame types (so the measured call sites are polymorphic, as in a real receiver); baseline and subject are interleaved, rounds rotate their order, and the ratio is the median of per-round ratios.",
        `Cases with a target run in ${repeats} independent repeats (a fresh process each); the others once.`,
        "Subject: `new FrameDecoder({ direction, mode }).push(buffer)` — the receive path (newline framing, JSON.parse, type/direction checks, generated validator, event object). Baseline: `JSON.parse(buffer.toString())` alone.",
        `"Flat" means validating a frame with 4 KiB or 32 KiB of text costs at most ${FLATNESS_LIMIT}× validating the small frame (validateFrame on an already-parsed value).`,
      ],
    };
  },
};

/** One repeat: every case in repeat 0, only the cases with a target after that. */
async function decodeOnce(ctx: BenchContext, repeat: number): Promise<Row[]> {
  const rows: Row[] = [];
  for (const c of FRAME_CASES) {
    if (repeat > 0 && c.target !== true) continue;
    ctx.log(`decode: ${c.label}`);
    const r = await runCase(ctx, c.id);
    const base = r.samples.baseline as number[];
    for (const mode of ["tolerant", "strict"] as const) {
      const subj = r.samples[mode] as number[];
      rows.push({
        name: `decode + validate ${c.label} (${kib(r.bytes.frame as number)}), ${mode}`,
        unit: "ns/frame",
        baselineLabel: "buf.toString() + JSON.parse",
        ...pairedFigures(base, subj),
        ...(c.target && { target: { kind: "max" as const, limit: 1.5 }, headline: true }),
        details: { spreadBaseline: round(spread(base)), spreadSubject: round(spread(subj)), rounds: base.length },
      });
    }
  }
  for (const [caseId, label] of [
    ["validate-inbound-sizes", "inbound text"],
    ["validate-send-sizes", "send content"],
  ] as const) {
    ctx.log(`decode: validation cost vs ${label} size`);
    const r = await runCase(ctx, caseId);
    for (const mode of ["tolerant", "strict"] as const) {
      const small = r.samples[`${mode}@small`] as number[];
      for (const size of ["4k", "32k"] as const) {
        const big = r.samples[`${mode}@${size}`] as number[];
        rows.push({
          name: `validation alone, ${label} ${size === "4k" ? "4 KiB" : "32 KiB"} vs ${kib(r.bytes.small as number)} frame, ${mode}`,
          unit: "ns/frame",
          baselineLabel: `validateFrame on the ${kib(r.bytes.small as number)} frame`,
          ...pairedFigures(small, big),
          target: { kind: "max", limit: FLATNESS_LIMIT, label: `≤ ${FLATNESS_LIMIT}× (flat)` },
          ...(size === "32k" && mode === "strict" && { headline: true }),
        });
      }
    }
  }
  return rows;
}
