/**
 * §3 — buffered replay: a backlog of 10,000 inbound frames drained to a reconnecting gateway,
 * ack-gated, exactly once and in order, for a grid of replay options (frames per message × ack
 * window); against the per-frame push baseline (one `ws` message per frame, bench/procs/raw-*).
 */
import { median, pairedRatio, round, spread } from "../lib/stats.js";
import type { BenchContext, Row, Section, SectionResult } from "../lib/types.js";
import { spawnWorker, withWorkers, type Worker } from "../lib/worker.js";
import { now } from "../procs/rpc.js";
import { GATEWAY_ID, interleave, pushRate, SECRET, type Pair } from "./loopback.js";

export const BACKLOG = 10_000;

export interface ReplayConfig {
  framesPerMessage: number;
  window: number;
}

/** The configuration this project chose (docs/performance.md) — the headline row. */
export const CHOSEN: ReplayConfig = { framesPerMessage: 64, window: 1024 };

const key = (c: ReplayConfig): string => `${c.framesPerMessage}×${c.window}`;

function grid(quick: boolean): ReplayConfig[] {
  const configs: ReplayConfig[] = quick
    ? [{ framesPerMessage: 1, window: 64 }, { framesPerMessage: 64, window: 64 }, { framesPerMessage: 1, window: 1024 }, CHOSEN]
    : [1, 16, 64, 256].flatMap((framesPerMessage) => [64, 256, 1024].map((window) => ({ framesPerMessage, window })));
  if (!configs.some((c) => key(c) === key(CHOSEN))) configs.push(CHOSEN);
  return configs;
}

/** Frames/s of one full drain of a fresh backlog to a freshly connected gateway; checks exactly-once order. */
async function replayRate(server: Worker, client: Worker, port: number): Promise<number> {
  await server.call("fillBacklog", { gatewayId: GATEWAY_ID, count: BACKLOG });
  await client.call("expect", { count: BACKLOG, record: true });
  const since = await server.call<number>("now");
  const t0 = now();
  const arrived = client.call("received");
  await client.call("connect", { port, gatewayId: GATEWAY_ID, secret: SECRET });
  await arrived;
  await server.call("drained", { since });
  const ms = now() - t0;
  const order = await client.call<{ ok: boolean; delivered: number; firstBad: number }>("checkOrder", { count: BACKLOG });
  const { size } = await server.call<{ size: number }>("bufferSize", { gatewayId: GATEWAY_ID });
  await client.call("close");
  if (!order.ok) throw new Error(`replay not exactly-once in order: ${order.delivered} delivered, first wrong position ${order.firstBad}`);
  if (size !== 0) throw new Error(`replay left ${size} entries unacked in the buffer`);
  return BACKLOG / (ms / 1000);
}

/** The same replay written straight on ws (frames batched, acks coalesced, windowed): the ceiling of the design here. */
async function rawReplayRate(raw: Pair, c: ReplayConfig): Promise<number> {
  await raw.client.call("expect", { count: BACKLOG });
  const t0 = now();
  await raw.server.call("replay", { count: BACKLOG, perMessage: c.framesPerMessage, window: c.window });
  return BACKLOG / ((now() - t0) / 1000);
}

export const replaySection: Section = {
  id: "replay",
  title: "Buffered replay of 10,000 frames (separate processes)",
  item: "issue 7 §3",
  async run(ctx: BenchContext): Promise<SectionResult> {
    const rounds = ctx.quick ? 3 : 7;
    const config = { root: ctx.root };
    return withWorkers(
      [
        spawnWorker(ctx, "raw-server", { config }),
        spawnWorker(ctx, "raw-client", { config }),
        spawnWorker(ctx, "relay-server", { config }),
        spawnWorker(ctx, "relay-client", { config }),
      ],
      async ([rawServer, rawClient, relayServer, relayClient]) => {
        const raw: Pair = { server: rawServer!, client: rawClient! };
        await raw.client.call("connect", { port: raw.server.info.port });
        await pushRate(raw, 3000); // warm-up
        const rows: Row[] = [];
        const samples: Record<string, { baseline: number[]; subject: number[] }> = {};
        for (const c of grid(ctx.quick)) {
          ctx.log(`replay: ${c.framesPerMessage} frames/message, window ${c.window}`);
          const { port } = await relayServer!.call<{ port: number }>("restart", { replay: c });
          await replayRate(relayServer!, relayClient!, port); // warm-up
          samples[key(c)] = await interleave(rounds, () => pushRate(raw, BACKLOG), () => replayRate(relayServer!, relayClient!, port));
        }
        ctx.log("replay: the same batching and acks on raw ws (ceiling)");
        await rawReplayRate(raw, CHOSEN); // warm-up
        const ceiling = await interleave(rounds, () => pushRate(raw, BACKLOG), () => rawReplayRate(raw, CHOSEN));
        for (const c of grid(ctx.quick)) {
          const s = samples[key(c)] as { baseline: number[]; subject: number[] };
          const chosen = key(c) === key(CHOSEN);
          rows.push({
            name: `replay ${BACKLOG.toLocaleString("en-US")} frames, ${c.framesPerMessage} frame${c.framesPerMessage > 1 ? "s" : ""}/message, ack window ${c.window}${chosen ? " (chosen)" : ""}`,
            unit: "frames/s",
            baselineLabel: "per-frame push on ws",
            baseline: median(s.baseline),
            subject: median(s.subject),
            ratio: pairedRatio(s.baseline, s.subject),
            ...(chosen && { target: { kind: "min" as const, limit: 2 }, headline: true }),
            details: { ...c, rounds, spreadBaseline: round(spread(s.baseline)), spreadSubject: round(spread(s.subject)) },
          });
        }
        rows.push({
          name: `ceiling: the chosen batching (${CHOSEN.framesPerMessage}/message, window ${CHOSEN.window}) and coalesced acks written straight on ws`,
          unit: "frames/s",
          baselineLabel: "per-frame push on ws",
          baseline: median(ceiling.baseline),
          subject: median(ceiling.subject),
          ratio: pairedRatio(ceiling.baseline, ceiling.subject),
          details: { rounds, spreadBaseline: round(spread(ceiling.baseline)), spreadSubject: round(spread(ceiling.subject)) },
        });
        return {
          rows,
          notes: [
            `Subject: \`createRelayServer({ replay: { framesPerMessage, window } })\` with ${BACKLOG.toLocaleString("en-US")} entries in its in-memory delivery buffer, flipped idle; a new \`createRelayClient\` connects, the server drains the backlog (each frame with its bufferId), the client's handler runs and it acks each frame. Timed from the dial to the server's drainEnd; every run checks that the handler saw ids 0…${BACKLOG - 1} exactly once, in order, and that the buffer is empty afterwards.`,
            `Baseline: the per-frame push of §2 (${BACKLOG.toLocaleString("en-US")} frames, one ws message each, no acks), interleaved with every replay run.`,
            "Ceiling: bench/procs/raw-server.ts `replay` and raw-client.ts — the same frames with bufferIds, batched and windowed, the gateway acking each received message's frames in one message — with JSON.parse and a validator and nothing else. It bounds what any implementation of this batching reaches on this machine.",
            "Choice and reasoning: docs/performance.md.",
          ],
        };
      },
    );
  },
};
