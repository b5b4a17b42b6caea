/**
 * Parent side of the child processes: `fork` a built entry point from bench/procs/, wait for it
 * to say it is ready, then call commands on it over the IPC channel. Client and server of a
 * loopback measurement always live in different processes, so each has a core of its own and
 * neither's garbage collector pauses the other.
 */
import { fork, type ChildProcess } from "node:child_process";
import type { BenchContext } from "./types.js";

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export interface Worker {
  readonly name: string;
  readonly pid: number;
  /** Whatever the child announced when it became ready (e.g. its listening port). */
  readonly info: Record<string, unknown>;
  call<T = unknown>(cmd: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /** Extra `node` flags (e.g. `--expose-gc`). */
  execArgv?: string[];
  /** Write a V8 CPU profile of the child's whole life into this directory. */
  cpuProfileDir?: string;
  /** Passed to the child as JSON in argv[2]. */
  config?: Record<string, unknown>;
  readyTimeoutMs?: number;
}

/** Forks `bench/procs/<proc>.ts` (built) and resolves once it reports ready. */
export async function spawnWorker(ctx: BenchContext, proc: string, opts: SpawnOptions = {}): Promise<Worker> {
  const entry = ctx.build.path(`bench/procs/${proc}.ts`);
  const execArgv = [...(opts.execArgv ?? [])];
  if (opts.cpuProfileDir !== undefined) execArgv.push("--cpu-prof", `--cpu-prof-dir=${opts.cpuProfileDir}`, `--cpu-prof-name=${proc}.cpuprofile`);
  const child: ChildProcess = fork(entry, [JSON.stringify(opts.config ?? {})], {
    execArgv,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    cwd: ctx.root,
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  let nextId = 1;
  let exited = false;
  const name = `${proc}[${child.pid}]`;

  const info = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: not ready within ${opts.readyTimeoutMs ?? 15_000} ms`)), opts.readyTimeoutMs ?? 15_000);
    child.once("message", (m: unknown) => {
      clearTimeout(timer);
      resolve((m as { ready?: Record<string, unknown> }).ready ?? {});
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name}: exited (${code}) before it was ready`));
    });
  });

  child.on("message", (m: unknown) => {
    const reply = m as Reply;
    const p = pending.get(reply.id);
    if (p === undefined) return;
    pending.delete(reply.id);
    clearTimeout(p.timer);
    if (reply.ok) p.resolve(reply.result);
    else p.reject(new Error(`${name}: ${reply.error}`));
  });
  child.on("exit", (code, signal) => {
    exited = true;
    for (const p of pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(`${name}: exited (${code ?? signal}) during a call`));
    }
    pending.clear();
  });

  return {
    name,
    pid: child.pid as number,
    info,
    call<T>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 120_000): Promise<T> {
      if (exited) return Promise.reject(new Error(`${name}: not running`));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${name}: ${cmd} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
        child.send({ id, cmd, args });
      });
    },
    async stop(): Promise<void> {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.send({ id: 0, cmd: "exit", args: {} });
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** Runs `fn` with workers that are always stopped afterwards, whatever happens. */
export async function withWorkers<T>(spawned: Array<Promise<Worker>>, fn: (workers: Worker[]) => Promise<T>): Promise<T> {
  const settled = await Promise.allSettled(spawned);
  const workers = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  try {
    const failed = settled.find((s) => s.status === "rejected");
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
    return await fn(workers);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}
