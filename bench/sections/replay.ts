/**
 * Buffered replay: a backlog of 10,000 inbound frames drained to a reconnecting gateway,
 * ack-gated, exactly once and in order. The chosen replay options against the ceiling of the same
 * batching written straight on `ws` (bench/procs/raw-*); a grid of other options (frames per
 * message × ack window) against the per-frame push, for the choice.
 */
import { interleave, interleaveArms } from "../lib/interleave.js";
import { repeatCount, repeated } from "../lib/repeat.js";
import { pairedFigures, round, spread } from "../lib/stats.js";
import type { BenchContext, Row, Section, SectionResult } from "../lib/types.js";
import { spawnWorker, withWorkers, type Worker } from "../lib/worker.js";
import { GATEWAY_ID, pushRate, SECRET, type Pair } from "./loopback.js";

export const BACKLOG = 10_000;

export interface ReplayConfig {
  framesPerMessage: number;
  window: number;
}

/** The configuration this project chose (docs/performance.md) — the headline row. */
export const CHOSEN: ReplayConfig = { framesPerMessage: 64, window: 1024 };

const key = (c: ReplayConfig): string => `${c.framesPerMessage}×${c.window}`;

/** The other configurations measured for the choice (quick runs: the server helper's defaults only). */
function grid(quick: boolean): ReplayConfig[] {
  return quick
    ? [{ framesPerMessage: 1, window: 64 }]
    : [1, 16, 64, 256].flatMap((framesPerMessage) => [64, 256, 1024].map((window) => ({ framesPerMessage, window })));
}

/**
 * Frames/s of one full drain of a fresh backlog to a freshly connected gateway, timed by the
 * connector from the drain's start (drainStart, the handshake done, before the first frame is
 * written) to its end (drainEnd, after the last ack) — the span the ceiling's `replay` times;
 * checks exactly-once order.
 */
async function replayRate(server: Worker, client: Worker, port: number): Promise<number> {
  await server.call("fillBacklog", { gatewayId: GATEWAY_ID, count: BACKLOG });
  await client.call("expect", { count: BACKLOG, record: true });
  const since = await server.call<number>("now");
  const arrived = client.call("received");
  await client.call("connect", { port, gatewayId: GATEWAY_ID, secret: SECRET });
  await arrived;
  const drain = await server.call<{ startedAt: number; at: number; stats: { replayed: number } }>("drained", { since });
  const order = await client.call<{ ok: boolean; delivered: number; firstBad: number }>("checkOrder", { count: BACKLOG });
  const { size } = await server.call<{ size: number }>("bufferSize", { gatewayId: GATEWAY_ID });
  await client.call("close");
  if (!order.ok) throw new Error(`replay not exactly-once in order: ${order.delivered} delivered, first wrong position ${order.firstBad}`);
  if (size !== 0) throw new Error(`replay left ${size} entries unacked in the buffer`);
  // One drain replayed the whole backlog (a restarted drain would leave its start time short).
  if (drain.startedAt < since || drain.stats.replayed !== BACKLOG) throw new Error(`replay timed ${drain.stats.replayed} frames of one drain, not ${BACKLOG}`);
  return BACKLOG / ((drain.at - drain.startedAt) / 1000);
}

/**
 * The same replay written straight on ws (frames batched, acks coalesced, windowed): the ceiling
 * of the design here, timed by its connector from the first frame to the last ack.
 */
async function rawReplayRate(raw: Pair, c: ReplayConfig): Promise<number> {
  await raw.client.call("expect", { count: BACKLOG });
  const { ms } = await raw.server.call<{ ms: number }>("replay", { count: BACKLOG, perMessage: c.framesPerMessage, window: c.window });
  return BACKLOG / (ms / 1000);
}

interface Procs {
  raw: Pair;
  relayServer: Worker;
  relayClient: Worker;
}

const configName = (c: ReplayConfig): string => `${c.framesPerMessage} frame${c.framesPerMessage > 1 ? "s" : ""}/message, ack window ${c.window}`;

/**
 * One repeat, fresh processes: the chosen configuration against its ceiling and against the
 * per-frame push, rotating all three within each round; in repeat 0 (full runs) also the grid.
 */
async function replayOnce(ctx: BenchContext, repeat: number, rounds: number): Promise<Row[]> {
  const config = { root: ctx.root };
  return withWorkers(
    [
      spawnWorker(ctx, "raw-server", { config }),
      spawnWorker(ctx, "raw-client", { config }),
      spawnWorker(ctx, "relay-server", { config: { ...config, replay: CHOSEN } }),
      spawnWorker(ctx, "relay-client", { config }),
    ],
    async ([rawServer, rawClient, relayServer, relayClient]) => {
      const p: Procs = { raw: { server: rawServer!, client: rawClient! }, relayServer: relayServer!, relayClient: relayClient! };
      await p.raw.client.call("connect", { port: p.raw.server.info.port });
      const relayPort = p.relayServer.info.port as number;
      // Warm-up of all three arms, the same number of frames each.
      await pushRate(p.raw, BACKLOG);
      await rawReplayRate(p.raw, CHOSEN);
      await replayRate(p.relayServer, p.relayClient, relayPort);

      const [push, ceiling, replay] = (await interleaveArms(rounds, [
        () => pushRate(p.raw, BACKLOG),
        () => rawReplayRate(p.raw, CHOSEN),
        () => replayRate(p.relayServer, p.relayClient, relayPort),
      ])) as [number[], number[], number[]];
      const rows: Row[] = [
        {
          name: `replay ${BACKLOG.toLocaleString("en-US")} frames, ${configName(CHOSEN)} (chosen), against the same batching on raw ws`,
          unit: "frames/s",
          baselineLabel: "the same batching, window and coalesced acks written straight on ws (the ceiling)",
          ...pairedFigures(ceiling, replay),
          target: { kind: "min", limit: 0.9, label: "≥ 0.9× the ceiling" },
          headline: true,
          details: { ...CHOSEN, rounds, spreadBaseline: round(spread(ceiling)), spreadSubject: round(spread(replay)) },
        },
        {
          name: `replay ${BACKLOG.toLocaleString("en-US")} frames, ${configName(CHOSEN)} (chosen), against per-frame push`,
          unit: "frames/s",
          baselineLabel: "per-frame push on ws",
          ...pairedFigures(push, replay),
        },
        {
          name: `ceiling: ${configName(CHOSEN)} and coalesced acks written straight on ws, against per-frame push`,
          unit: "frames/s",
          baselineLabel: "per-frame push on ws",
          ...pairedFigures(push, ceiling),
        },
      ];
      if (repeat > 0) return rows;
      for (const c of grid(ctx.quick)) {
        if (key(c) === key(CHOSEN)) continue;
        ctx.log(`replay: ${configName(c)}`);
        const { port } = await p.relayServer.call<{ port: number }>("restart", { replay: c });
        await replayRate(p.relayServer, p.relayClient, port); // warm-up
        const s = await interleave(rounds, () => pushRate(p.raw, BACKLOG), () => replayRate(p.relayServer, p.relayClient, port));
        rows.push({
          name: `replay ${BACKLOG.toLocaleString("en-US")} frames, ${configName(c)}, against per-frame push`,
          unit: "frames/s",
          baselineLabel: "per-frame push on ws",
          ...pairedFigures(s.baseline, s.subject),
          details: { ...c, rounds, spreadBaseline: round(spread(s.baseline)), spreadSubject: round(spread(s.subject)) },
        });
      }
      return rows;
    },
  );
}

export const replaySection: Section = {
  id: "replay",
  short: "replay",
  title: "Buffered replay of 10,000 frames (separate processes)",
  async run(ctx: BenchContext): Promise<SectionResult> {
    const rounds = ctx.quick ? 3 : 5;
    const repeats = repeatCount(ctx, 5);
    const rows = await repeated(ctx, "replay", repeats, (i) => replayOnce(ctx, i, rounds));
    return {
      rows,
      notes: [
        `Subject: \`createRelayServer({ replay: { framesPerMessage, window } })\` with ${BACKLOG.toLocaleString("en-US")} entries in its in-memory delivery buffer, flipped idle; a new \`createRelayClient\` (acks coalesced) connects, the server drains the backlog (each frame with its bufferId), the client's handler runs and it acks each frame. Timed by the connector from drainStart (handshake done, before the first frame is written) to drainEnd (the last ack in), the span the ceiling times from its first frame to its last ack: the dial, upgrade and hello/descriptor exchange are not replay and the ceiling has none, and neither arm's span holds a message to or from the benchmark's parent process. Every run checks that the handler saw ids 0…${BACKLOG - 1} exactly once, in order, and that the buffer is empty afterwards.`,
        "Target: the chosen configuration against its ceiling — bench/procs/raw-server.ts `replay` and raw-client.ts: the same frames with bufferIds, encoded before the timed span as the subject's buffer encodes them at append, batched and windowed the same way, the gateway acking each received message's frames in one message, with JSON.parse and a validator and nothing else. It bounds what any implementation of this batching reaches on this machine.",
        `${repeats} independent repeats (fresh processes each); in each, ${rounds} rounds rotate the replay, its ceiling and the per-frame push (the loopback section's push of ${BACKLOG.toLocaleString("en-US")} frames, one ws message each, no acks), which is shown for scale; the push is timed by the parent, from its command to the gateway's last frame, so its span holds one round trip to the child processes more than the replay's (under 1 % of a 10,000-frame push). Every arm is warmed with one run of 10,000 frames per repeat. The grid of other configurations runs in the first repeat only, against the per-frame push.`,
        "Choice and reasoning: docs/performance.md.",
      ],
    };
  },
};
