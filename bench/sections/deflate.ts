/**
 * permessage-deflate, measured once: the loopback section's baseline pair with the extension negotiated
 * versus without, for small frames (the relay's traffic). The server helper keeps it off
 * (docs/performance.md records why).
 */
import { deflateRawSync } from "node:zlib";
import * as fx from "../lib/fixtures.js";
import { pairedFigures, quantile } from "../lib/stats.js";
import type { BenchContext, Row, Section, SectionResult } from "../lib/types.js";
import { spawnWorker, withWorkers, type Worker } from "../lib/worker.js";
import { interleave } from "../lib/interleave.js";
import { pushRate, type Pair } from "./loopback.js";

async function pair(server: Worker, client: Worker): Promise<Pair> {
  await client.call("connect", { port: server.info.port });
  return { server, client };
}

export const deflateSection: Section = {
  id: "deflate",
  short: "deflate",
  title: "permessage-deflate on vs off (ws baseline pair)",
  async run(ctx: BenchContext): Promise<SectionResult> {
    const rounds = ctx.quick ? 3 : 7;
    const off = { root: ctx.root, deflate: false };
    const on = { root: ctx.root, deflate: true };
    return withWorkers(
      [
        spawnWorker(ctx, "raw-server", { config: off }),
        spawnWorker(ctx, "raw-client", { config: off }),
        spawnWorker(ctx, "raw-server", { config: on }),
        spawnWorker(ctx, "raw-client", { config: on }),
      ],
      async ([s0, c0, s1, c1]) => {
        const plain = await pair(s0!, c0!);
        const deflate = await pair(s1!, c1!);
        const rt = (p: Pair) => async () => quantile((await p.client.call<{ latencies: number[] }>("roundtrip", { count: ctx.quick ? 400 : 1500 })).latencies, 0.5);
        const push = (p: Pair) => () => pushRate(p, ctx.quick ? 5000 : 20000);
        for (const p of [plain, deflate]) {
          await rt(p)();
          await push(p)();
        }
        ctx.log("deflate: round trip and push, on vs off");
        const rts = await interleave(rounds, rt(plain), rt(deflate));
        const pushes = await interleave(rounds, push(plain), push(deflate));
        const frame = JSON.stringify(fx.inboundFrame(ctx.root)) + "\n";
        const compressed = deflateRawSync(Buffer.from(frame)).length;
        const rows: Row[] = [
          {
            name: "round trip send → outbound_result, p50, deflate on vs off",
            unit: "µs",
            baselineLabel: "deflate off",
            ...pairedFigures(rts.baseline, rts.subject),
          },
          {
            name: `push inbound (~${fx.INBOUND_BYTES} B), deflate on vs off`,
            unit: "frames/s",
            baselineLabel: "deflate off",
            ...pairedFigures(pushes.baseline, pushes.subject),
            details: { frameBytes: Buffer.byteLength(frame), deflatedBytes: compressed },
          },
        ];
        return {
          rows,
          notes: [
            `Enabled with \`ws\` defaults on both sides (\`perMessageDeflate: true\`: context takeover, so the 1 KiB threshold does not apply and every message is compressed; \`ws\` compresses one message at a time per socket through zlib's thread pool). One ${Buffer.byteLength(frame)}-byte inbound frame deflates to ${compressed} bytes on its own. Decision: off by default (docs/performance.md).`,
          ],
        };
      },
    );
  },
};
