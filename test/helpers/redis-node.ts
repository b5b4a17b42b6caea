/**
 * A connector instance in its own process for the multi-instance tests: `createRelayServer` on
 * the Redis bus and buffer (`createRedisScaleOut`), listening on 127.0.0.1:0, driven over IPC.
 * The same file is the child (run with `--relay-node <config json>`) and the parent-side API
 * (`startRedisNode`). Also a switchable TCP load balancer, so one gateway client with one URL can
 * be moved between instances the way a real balancer would.
 *
 * Child commands (`node.call(cmd, args)`): `push` (sendInbound; answers when the push was decided:
 * written live/remotely, or appended to the buffer), `receipts` (final outcome of pushes, waiting
 * for them if asked), `startPushing`/`stopPushing` (a steady stream of pushes), `revoke` (marks
 * the gateway revoked in Redis — the auth lookup refuses it from then on — and calls
 * `server.revoke`), `connections`, `ping`. Events (`node.events`): handshake, close, drainStart,
 * drainEnd, goingIdle, handlerError, interrupt, resubscribed.
 */
import { fork, type ChildProcess } from "node:child_process";
import { createServer, connect, type Server, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { sleep } from "./time.js";

export const NODE_SECRET = "s3cret-scale-out";

export interface RedisNodeConfig {
  name: string;
  redisUrl: string;
  keyPrefix: string;
  /** session_key → where its interrupts go; unknown keys go back to the interrupting gateway. */
  sessions?: Record<string, { gatewayId: string; chat_id: string }>;
  remoteDeliveryTimeoutMs?: number;
  commandTimeoutMs?: number;
  replay?: { window?: number; framesPerMessage?: number; ackTimeoutMs?: number };
}

export interface PushRecord {
  text: string;
  node: string;
  status: "pending" | "ok" | "error";
  mode?: "live" | "remote" | "buffered";
  bufferId?: string;
  /** The buffer entry this node appended for it, if it did. */
  appendedAs?: string;
  error?: { name: string; code?: string; message: string };
  /** ms from the call to the outcome. */
  ms?: number;
}

export type NodeEvent = { type: string; at: number } & Record<string, unknown>;

// ─────────────────────────────────────────────────────────────────────────────
// Child
// ─────────────────────────────────────────────────────────────────────────────

async function child(cfg: RedisNodeConfig): Promise<void> {
  const { Redis } = await import("ioredis");
  const { createRelayServer, createRedisScaleOut } = await import("../../src/server/index.js");
  const { descriptor, messageEvent } = await import("./fixtures.js");
  type Buffer = import("../../src/server/index.js").DeliveryBuffer;

  const emit = (type: string, fields: Record<string, unknown> = {}): void => {
    process.send?.({ event: { type, at: Date.now(), ...fields } });
  };
  const retryStrategy = (n: number): number => Math.min(n * 25, 200);
  const scale = createRedisScaleOut({
    redis: cfg.redisUrl,
    keyPrefix: cfg.keyPrefix,
    connectionName: cfg.name,
    commandTimeoutMs: cfg.commandTimeoutMs ?? 2000,
    redisOptions: { retryStrategy },
  });
  scale.bus.onResubscribed(() => emit("resubscribed"));
  // The application's own data (here: revoked gateways), on its own connection.
  const app = new Redis(cfg.redisUrl, { retryStrategy, connectionName: `${cfg.name}:app`, enableOfflineQueue: false });
  app.on("error", () => undefined);
  const revokedKey = (gatewayId: string): string => `${cfg.keyPrefix}test-revoked:{${gatewayId}}`;

  // The buffer as the server sees it, reporting each append (which push became which entry).
  const appendWaiters = new Map<string, (bufferId: string) => void>();
  const inner = scale.buffer;
  const buffer: Buffer = {
    append: async (gatewayId, frame) => {
      const id = await inner.append(gatewayId, frame);
      const messageId = frame.type === "inbound" ? frame.event.message_id : undefined;
      if (messageId !== undefined && messageId !== null) appendWaiters.get(String(messageId))?.(id);
      return id;
    },
    read: (g, after, limit) => inner.read(g, after, limit),
    ack: (g, id) => inner.ack(g, id),
    isIdle: (g) => inner.isIdle(g),
    setIdle: (g, idle) => inner.setIdle(g, idle),
    size: (g) => inner.size(g),
  };

  const server = createRelayServer({
    nodeId: cfg.name,
    auth: { secrets: async (id: string) => ((await app.exists(revokedKey(id))) === 1 ? undefined : [NODE_SECRET]) },
    onHello: (hello) => descriptor(hello.platform),
    bus: scale.bus,
    buffer,
    keepaliveIntervalMs: 0,
    idleCloseAfterMs: 0,
    remoteDeliveryTimeoutMs: cfg.remoteDeliveryTimeoutMs ?? 500,
    ...(cfg.replay !== undefined && { replay: cfg.replay }),
    onInterrupt: async (frame, ctx) => {
      const to = cfg.sessions?.[frame.session_key] ?? { gatewayId: ctx.gatewayId, chat_id: "" };
      const delivered = await server.sendInterruptInbound(to.gatewayId, { session_key: frame.session_key, chat_id: to.chat_id });
      emit("interrupt", { from: ctx.gatewayId, session_key: frame.session_key, reason: frame.reason, to: to.gatewayId, delivered });
    },
  });
  server.on("handshake", ({ connection }) => emit("handshake", { gatewayId: connection.gatewayId }));
  server.on("close", ({ connection, code, reason }) => emit("close", { gatewayId: connection.gatewayId, code, reason }));
  server.on("drainStart", ({ connection }) => emit("drainStart", { gatewayId: connection.gatewayId }));
  server.on("drainEnd", ({ connection, replayed, acked, aborted }) => emit("drainEnd", { gatewayId: connection.gatewayId, replayed, acked, aborted }));
  server.on("goingIdle", ({ connection }) => emit("goingIdle", { gatewayId: connection.gatewayId }));
  server.on("handlerError", ({ error: err, where }) => emit("handlerError", { where, name: (err as Error)?.name, message: (err as Error)?.message }));

  await scale.attach(server);
  const { port } = await server.listen({ host: "127.0.0.1", port: 0 });

  const records = new Map<string, PushRecord>();
  const settling = new Map<string, Promise<void>>();

  function push(text: string, gatewayId: string): { record: PushRecord; decided: Promise<void> } {
    const record: PushRecord = { text, node: cfg.name, status: "pending" };
    records.set(text, record);
    const event = messageEvent(text);
    const t0 = performance.now();
    const appended = new Promise<void>((resolve) =>
      appendWaiters.set(String(event.message_id), (id) => {
        record.appendedAs = id;
        resolve();
      }),
    );
    const settled = server.sendInbound(gatewayId, event).then(
      (receipt) => {
        record.status = "ok";
        record.mode = receipt.mode;
        if (receipt.bufferId !== undefined) record.bufferId = receipt.bufferId;
      },
      (err: unknown) => {
        const e = err as Error & { code?: string };
        record.status = "error";
        record.error = { name: e?.name, message: e?.message, ...(typeof e?.code === "string" && { code: e.code }) };
      },
    ).finally(() => {
      record.ms = performance.now() - t0;
      appendWaiters.delete(String(event.message_id));
    });
    settling.set(text, settled);
    return { record, decided: Promise.race([settled, appended]) };
  }

  let pusher: { stop: boolean; done: Promise<void>; texts: string[] } | undefined;

  const commands: Record<string, (args: Record<string, unknown>) => unknown> = {
    ping: () => "pong",
    async push(args) {
      const { record, decided } = push(String(args.text), String(args.gatewayId));
      await decided;
      return { ...record };
    },
    async receipts(args) {
      const prefix = args.prefix === undefined ? "" : String(args.prefix);
      const texts = [...records.keys()].filter((k) => k.startsWith(prefix));
      if (args.wait === true) await Promise.all(texts.map((k) => settling.get(k)));
      return texts.map((k) => ({ ...(records.get(k) as PushRecord) }));
    },
    startPushing(args) {
      const prefix = String(args.prefix);
      const gatewayId = String(args.gatewayId);
      const intervalMs = Number(args.intervalMs ?? 5);
      const state = { stop: false, texts: [] as string[], done: Promise.resolve() };
      state.done = (async () => {
        for (let n = 0; !state.stop; n++) {
          const text = `${prefix}-${n}`;
          state.texts.push(text);
          push(text, gatewayId);
          await sleep(intervalMs);
        }
      })();
      pusher = state;
      return {};
    },
    /** Stops, waits up to `settleMs` (default 10 000) for every push to settle, answers all records (pending ones too). */
    async stopPushing(args) {
      const p = pusher;
      if (p === undefined) return [];
      p.stop = true;
      await p.done;
      const all = Promise.all(p.texts.map((k) => settling.get(k)));
      await Promise.race([all, sleep(Number(args.settleMs ?? 10_000))]);
      pusher = undefined;
      return p.texts.map((k) => ({ ...(records.get(k) as PushRecord) }));
    },
    async revoke(args) {
      const gatewayId = String(args.gatewayId);
      // Revoke the credential first (every instance's auth reads it), then close the sockets.
      await app.set(revokedKey(gatewayId), "1");
      return server.revoke(gatewayId);
    },
    connections: () => server.connections().map((c) => ({ gatewayId: c.gatewayId, phase: c.phase, handshaked: c.handshaked })),
  };

  process.on("message", (m: unknown) => {
    const { id, cmd, args } = m as { id: number; cmd: string; args: Record<string, unknown> };
    if (cmd === "exit") {
      void (async () => {
        await server.close({ drainMs: 500 });
        await scale.close();
        app.disconnect();
      })().finally(() => process.exit(0));
      return;
    }
    Promise.resolve()
      .then(() => {
        const handler = commands[cmd];
        if (handler === undefined) throw new Error(`unknown command ${cmd}`);
        return handler(args ?? {});
      })
      .then(
        (result) => process.send?.({ id, ok: true, result }),
        (err: unknown) => process.send?.({ id, ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) }),
      );
  });
  process.on("disconnect", () => process.exit(0));
  process.send?.({ ready: { port } });
}

if (process.argv[2] === "--relay-node") {
  child(JSON.parse(process.argv[3] ?? "{}") as RedisNodeConfig).catch((err: unknown) => {
    process.stderr.write(`relay node failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}

// ─────────────────────────────────────────────────────────────────────────────
// Parent
// ─────────────────────────────────────────────────────────────────────────────

export interface RedisNode {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  /** `http://127.0.0.1:PORT` (the client appends `/relay`). */
  readonly url: string;
  readonly events: NodeEvent[];
  /** Resolves when the process exits. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly alive: boolean;
  call<T = unknown>(cmd: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  /** The first event (from index `from` of `events`) matching. */
  waitForEvent(predicate: (e: NodeEvent) => boolean, timeoutMs?: number, from?: number): Promise<NodeEvent>;
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Graceful: closes the server and its Redis connections, then exits. */
  stop(): Promise<void>;
}

const SELF = fileURLToPath(import.meta.url);

export async function startRedisNode(config: RedisNodeConfig): Promise<RedisNode> {
  const proc: ChildProcess = fork(SELF, ["--relay-node", JSON.stringify(config)], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  let output = "";
  proc.stdout?.on("data", (d) => (output += String(d)));
  proc.stderr?.on("data", (d) => (output += String(d)));
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once("exit", (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    }),
  );
  const events: NodeEvent[] = [];
  const listeners = new Set<() => void>();
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  let nextId = 1;

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${config.name}: not ready in 20 s\n${output}`)), 20_000);
    proc.on("message", (m: unknown) => {
      const msg = m as { ready?: { port: number }; event?: NodeEvent; id?: number; ok?: boolean; result?: unknown; error?: string };
      if (msg.ready !== undefined) {
        clearTimeout(timer);
        resolve(msg.ready.port);
      } else if (msg.event !== undefined) {
        events.push(msg.event);
        for (const l of [...listeners]) l();
      } else if (msg.id !== undefined) {
        const p = pending.get(msg.id);
        if (p === undefined) return;
        pending.delete(msg.id);
        clearTimeout(p.timer);
        if (msg.ok) p.resolve(msg.result);
        else p.reject(new Error(`${config.name}: ${msg.error}`));
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${config.name}: exited (${code ?? signal}) before it was ready\n${output}`));
      for (const p of pending.values()) {
        clearTimeout(p.timer);
        p.reject(new Error(`${config.name}: exited (${code ?? signal}) during a call`));
      }
      pending.clear();
    });
  });

  return {
    name: config.name,
    pid: proc.pid as number,
    port,
    url: `http://127.0.0.1:${port}`,
    events,
    exited,
    get alive() {
      return exitInfo === undefined;
    },
    call<T>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 15_000): Promise<T> {
      if (exitInfo !== undefined) return Promise.reject(new Error(`${config.name}: not running`));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${config.name}: ${cmd} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
        proc.send({ id, cmd, args });
      });
    },
    waitForEvent(predicate, timeoutMs = 10_000, from = 0) {
      const found = events.slice(from).find(predicate);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const e = events.slice(from).find(predicate);
          if (e === undefined) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve(e);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`${config.name}: event not seen in ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => e.type))}`));
        }, timeoutMs);
        listeners.add(check);
      });
    },
    async kill(signal) {
      if (exitInfo !== undefined) return;
      proc.kill(signal);
      await exited;
    },
    async stop() {
      if (exitInfo !== undefined) return;
      proc.send({ id: 0, cmd: "exit", args: {} });
      const timer = setTimeout(() => proc.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A TCP balancer on 127.0.0.1:0 forwarding each new connection to the current target (or refusing it). */
export interface LoadBalancer {
  readonly port: number;
  readonly url: string;
  /** Where new connections go; `undefined`: refuse them (no healthy instance). */
  setTarget(port: number | undefined): void;
  /** Cuts every forwarded connection (the gateway sees an abnormal close and re-dials). */
  dropAll(): void;
  close(): Promise<void>;
}

export async function startLoadBalancer(): Promise<LoadBalancer> {
  let target: number | undefined;
  const pairs = new Set<[Socket, Socket]>();
  const server: Server = createServer((downstream) => {
    downstream.on("error", () => undefined);
    if (target === undefined) {
      downstream.destroy();
      return;
    }
    const upstream = connect(target, "127.0.0.1");
    upstream.on("error", () => undefined);
    const pair: [Socket, Socket] = [downstream, upstream];
    pairs.add(pair);
    const end = (): void => {
      pairs.delete(pair);
      downstream.destroy();
      upstream.destroy();
    };
    downstream.on("close", end);
    upstream.on("close", end);
    downstream.pipe(upstream);
    upstream.pipe(downstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    setTarget: (p) => (target = p),
    dropAll: () => {
      for (const [d, u] of [...pairs]) {
        d.destroy();
        u.destroy();
      }
    },
    close: async () => {
      for (const [d, u] of [...pairs]) {
        d.destroy();
        u.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
