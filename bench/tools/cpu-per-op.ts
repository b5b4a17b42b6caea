/**
 * `npx tsx bench/tools/cpu-per-op.ts <rt|replay|replay-connector|replay-gateway> [--at=<rev>] [repeats]` — CPU time per operation
 * of the library's own JavaScript, both roles in one process over the in-memory link
 * (`createMemoryLink`): no sockets, no system calls, so the figure is the code's cost alone and
 * stays readable on a loaded machine (CPU time, not wall time). `--at` measures a commit's
 * sources (built like `npm run bench -- --at`), to compare before and after a change.
 *
 * - `rt`: `client.send()` answered by a `send` handler, one at a time; beside it the same work
 *   done raw (stringify, parse + generated validator, on both ends, a turn apart).
 * - `replay`: a backlog of 10,000 inbound frames drained with 64 frames per message and an ack
 *   window of 1,024 to a client that coalesces its acks (the replay benchmark's configuration).
 * - `replay-connector`, `replay-gateway`: one role of that replay against its raw counterpart (the
 *   ceiling's side: stringify, JSON.parse and a validator), the other end a minimal peer both share.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildForBench } from "../lib/build.js";
import * as fx from "../lib/fixtures.js";
import { median } from "../lib/stats.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const positional = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const scenario = positional[0] ?? "rt";
const repeats = Number(positional[1] ?? 9);
const at = process.argv.find((a) => a.startsWith("--at="))?.slice("--at=".length);
const build = await buildForBench(root, at);

/* eslint-disable @typescript-eslint/no-explicit-any */
const C: any = await import(build.path("src/client/index.ts"));
const S: any = await import(build.path("src/server/index.ts"));
const V: any = await import(build.path("generated/validators.js"));
const descriptor = fx.descriptorFrame(root).descriptor;
const identities = [{ platform: "discord", botId: "1122334455667788990" }];

function link(server: any): unknown {
  return C.createMemoryLink(async (end: any) => {
    const binding = server.adopt(end, { gatewayId: "gw" });
    end.attach({ message: (d: unknown) => binding.receive(d), close: (c: number, r: string) => binding.closed(c, r) });
    return true;
  });
}

/** CPU µs per operation of `count` operations. */
async function cpu(count: number, run: () => Promise<void>): Promise<number> {
  const c0 = process.cpuUsage();
  await run();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / count;
}

/** Three warm-up runs of each arm, then `repeats` alternating: each arm's CPU µs per op, per repeat. */
async function alternate(library: () => Promise<number>, raw: () => Promise<number>): Promise<{ library: number[]; raw: number[] }> {
  for (let i = 0; i < 3; i++) {
    await library();
    await raw();
  }
  const out = { library: [] as number[], raw: [] as number[] };
  for (let i = 0; i < repeats; i++) {
    out.library.push(await library());
    out.raw.push(await raw());
  }
  return out;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function rt(): Promise<void> {
  const { op: _op, ...fields } = fx.sendFrame(root).action as Record<string, unknown>;
  let n = 0;
  const server = S.createRelayServer({ auth: { unauthenticated: true, gatewayId: () => "gw" }, onHello: () => descriptor, handlers: { send: () => ({ success: true, message_id: `m-${n++}` }) } });
  const client = C.createRelayClient({ url: "http://127.0.0.1:1", gatewayId: "gw", secret: "x".repeat(32), identities, dialer: link(server), reconnect: false });
  await client.connect();
  const count = 3000;
  const relay = () =>
    cpu(count, async () => {
      for (let i = 0; i < count; i++) if (!(await client.send(fields)).success) throw new Error("send failed");
    });
  const raw = () =>
    cpu(count, async () => {
      for (let i = 0; i < count; i++) {
        const requestId = i.toString(16).padStart(32, "0");
        const line = JSON.stringify({ type: "outbound", requestId, action: { op: "send", ...fields } }) + "\n";
        await turn();
        const request = JSON.parse(line);
        if (!V.tolerant_OutboundFrame(request)) throw new Error("invalid");
        const answer = JSON.stringify({ type: "outbound_result", requestId: request.requestId, result: { success: true, message_id: `m-${n++}` } }) + "\n";
        await turn();
        if (!V.tolerant_OutboundResultFrame(JSON.parse(answer))) throw new Error("invalid");
      }
    });
  const { library: b, raw: a } = await alternate(relay, raw);
  console.log(`rt${at ? ` at ${at}` : ""}: library ${median(b).toFixed(1)} µs CPU per round trip (both roles), raw ${median(a).toFixed(1)} µs; library per repeat: ${b.map((v) => v.toFixed(1)).join(" ")}`);
  await client.close();
  await server.close();
}

async function replay(): Promise<void> {
  const event = fx.inboundFrame(root).event as Record<string, unknown>;
  const count = 10_000;
  const server = S.createRelayServer({ auth: { unauthenticated: true, gatewayId: () => "gw" }, onHello: () => descriptor, replay: { framesPerMessage: 64, window: 1024 } });
  let drained: (() => void) | undefined;
  server.on("drainEnd", () => drained?.());
  const dialer = link(server);
  const once = async (): Promise<number> => {
    for (let i = 0; i < count; i++) await server.buffer.append("gw", { type: "inbound", event: { ...event, message_id: `m-${i}` } });
    await server.buffer.setIdle("gw", true);
    let received = 0;
    let all: (() => void) | undefined;
    const client = C.createRelayClient({
      url: "http://127.0.0.1:1",
      gatewayId: "gw",
      secret: "x".repeat(32),
      identities,
      dialer,
      reconnect: false,
      coalesceAcks: true,
      handlers: { inbound: () => void (++received === count && all?.()) },
    });
    const result = await cpu(count, async () => {
      const handled = new Promise<void>((resolve) => (all = resolve));
      const ended = new Promise<void>((resolve) => (drained = resolve));
      await client.connect();
      await Promise.all([handled, ended]);
    });
    await client.close();
    if ((await server.buffer.size("gw")) !== 0) throw new Error("replay left entries unacked");
    return result;
  };
  for (let i = 0; i < 3; i++) await once();
  const v: number[] = [];
  for (let i = 0; i < repeats; i++) v.push(await once());
  console.log(`replay${at ? ` at ${at}` : ""}: ${median(v).toFixed(2)} µs CPU per replayed frame (both roles); per repeat: ${v.map((x) => x.toFixed(1)).join(" ")}`);
  await server.close();
}

const BUFFER_ID_IN_LINE = /"bufferId":"([^"]*)"/g;

/**
 * One role of the replay against its raw counterpart, the other end a minimal peer shared by both
 * (a regular expression for the bufferIds, no validation): what each side costs on its own. Each
 * repeat runs the library's side, then the raw one; the ratio is the median of the per-repeat ratios.
 */
async function replayRole(role: "connector" | "gateway"): Promise<void> {
  const event = fx.inboundFrame(root).event as Record<string, unknown>;
  const count = 10_000;
  const perMessage = 64;
  const window = 1024;
  const ack = (id: string): string => `{"type":"inbound_ack","bufferId":"${id}"}\n`;
  /** The minimal gateway: acks each message's frames in one message. */
  const gateway = (end: any, each: () => void = () => undefined): void =>
    end.attach({
      message: (d: string) => {
        let acks = "";
        for (const m of d.matchAll(BUFFER_ID_IN_LINE)) {
          acks += ack(m[1] as string);
          each();
        }
        if (acks !== "") end.send(acks, () => undefined);
      },
      close: () => undefined,
    });
  /** The raw connector: frames built and stringified as sent, acks parsed and validated, window refilled by whole messages. */
  const rawConnector = (end: any, done: () => void): (() => void) => {
    let sent = 0;
    let acked = 0;
    const fill = (): void => {
      while (sent < count && sent - acked < window) {
        let message = "";
        for (let k = 0; k < perMessage && sent < count && sent - acked < window; k++, sent++) message += JSON.stringify({ type: "inbound", event: { ...event, message_id: `m-${sent}` }, bufferId: String(sent + 1) }) + "\n";
        end.send(message, () => undefined);
      }
    };
    end.attach({
      message: (d: string) => {
        for (const line of d.split("\n")) {
          if (line === "") continue;
          const frame = JSON.parse(line);
          if (frame.type !== "inbound_ack" || !V.tolerant_InboundAckFrame(frame)) continue;
          if (++acked === count) done();
          else if (sent - acked <= window - perMessage) fill();
        }
      },
      close: () => undefined,
    });
    return fill;
  };
  let library: () => Promise<number>;
  let raw: () => Promise<number>;
  if (role === "connector") {
    const server = S.createRelayServer({ auth: { unauthenticated: true, gatewayId: () => "gw" }, onHello: () => descriptor, replay: { framesPerMessage: perMessage, window } });
    let drained: (() => void) | undefined;
    server.on("drainEnd", () => drained?.());
    library = async () => {
      for (let i = 0; i < count; i++) await server.buffer.append("gw", { type: "inbound", event: { ...event, message_id: `m-${i}` } });
      await server.buffer.setIdle("gw", true);
      const [near, far] = C.MemoryEnd.pair();
      const binding = server.adopt(far, { gatewayId: "gw" });
      far.attach({ message: (d: unknown) => binding.receive(d), close: (c: number, r: string) => binding.closed(c, r) });
      gateway(near);
      const result = await cpu(count, async () => {
        const ended = new Promise<void>((resolve) => (drained = resolve));
        near.send(JSON.stringify({ type: "hello", platform: "discord", botId: identities[0]!.botId }) + "\n", () => undefined);
        await ended;
      });
      near.close(1000, "");
      if ((await server.buffer.size("gw")) !== 0) throw new Error("replay left entries unacked");
      return result;
    };
    raw = async () => {
      const [near, far] = C.MemoryEnd.pair();
      let done: () => void = () => undefined;
      const fill = rawConnector(far, () => done());
      gateway(near);
      const result = await cpu(count, () => new Promise<void>((resolve) => {
        done = resolve;
        fill();
      }));
      near.close(1000, "");
      return result;
    };
  } else {
    const descriptorLine = JSON.stringify({ type: "descriptor", descriptor }) + "\n";
    const lines = Array.from({ length: count }, (_, i) => JSON.stringify({ type: "inbound", event: { ...event, message_id: `m-${i}` }, bufferId: String(i + 1) }) + "\n");
    const messages: string[] = [];
    for (let i = 0; i < count; i += perMessage) messages.push(lines.slice(i, i + perMessage).join(""));
    /** A connector replaying messages encoded beforehand (no stringify in the measured part), refilled by whole messages. */
    const replayer = (end: any, done: () => void): void => {
      let next = 0;
      let acked = 0;
      const fill = (): void => {
        while (next < messages.length && next * perMessage - acked <= window - perMessage) end.send(messages[next++], () => undefined);
      };
      end.attach({
        message: (d: string) => {
          if (d.includes('"hello"')) {
            end.send(descriptorLine, () => undefined);
            fill();
            return;
          }
          for (const _ of d.matchAll(BUFFER_ID_IN_LINE)) acked++;
          if (acked >= count) done();
          else fill();
        },
        close: () => undefined,
      });
    };
    let finished: () => void = () => undefined;
    const dialer = C.createMemoryLink(async (end: any) => {
      replayer(end, () => finished());
      return true;
    });
    library = async () => {
      let received = 0;
      const client = C.createRelayClient({ url: "http://127.0.0.1:1", gatewayId: "gw", secret: "x".repeat(32), identities, dialer, reconnect: false, coalesceAcks: true, handlers: { inbound: () => void received++ } });
      const result = await cpu(count, async () => {
        const done = new Promise<void>((resolve) => (finished = resolve));
        await client.connect();
        await done;
      });
      await client.close();
      if (received !== count) throw new Error(`${received} of ${count} delivered`);
      return result;
    };
    raw = async () => {
      const [near, far] = C.MemoryEnd.pair();
      const done = new Promise<void>((resolve) => (finished = resolve));
      replayer(far, () => finished());
      near.attach({
        message: (d: string) => {
          let acks = "";
          for (const line of d.split("\n")) {
            if (line === "") continue;
            const frame = JSON.parse(line);
            if (frame.type === "inbound" && V.tolerant_InboundFrame(frame)) acks += JSON.stringify({ type: "inbound_ack", bufferId: frame.bufferId }) + "\n";
          }
          if (acks !== "") near.send(acks, () => undefined);
        },
        close: () => undefined,
      });
      const result = await cpu(count, async () => {
        near.send(JSON.stringify({ type: "hello", platform: "discord", botId: identities[0]!.botId }) + "\n", () => undefined);
        await done;
      });
      near.close(1000, "");
      return result;
    };
  }
  const { library: b, raw: a } = await alternate(library, raw);
  const ratio = median(b.map((x, i) => x / (a[i] as number)));
  console.log(`replay ${role}${at ? ` at ${at}` : ""}: library ${median(b).toFixed(2)} µs CPU per replayed frame, raw ${median(a).toFixed(2)} µs; library ÷ raw ${ratio.toFixed(2)}; library per repeat: ${b.map((v) => v.toFixed(1)).join(" ")}`);
}

if (scenario === "rt") await rt();
else if (scenario === "replay") await replay();
else if (scenario === "replay-connector") await replayRole("connector");
else if (scenario === "replay-gateway") await replayRole("gateway");
else throw new Error(`unknown scenario ${scenario}`);
