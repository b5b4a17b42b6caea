/**
 * Child side of lib/worker.ts: announce readiness, then answer commands. A command handler's
 * throw becomes an error reply, never a crash, so the parent always learns what went wrong.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
export type Handler = (args: Record<string, unknown>) => unknown;

export function config<T>(): T {
  return JSON.parse(process.argv[2] ?? "{}") as T;
}

export function serve(handlers: Record<string, Handler>, ready: Record<string, unknown> = {}, onExit?: () => Promise<void> | void): void {
  process.on("message", (m: unknown) => {
    const { id, cmd, args } = m as { id: number; cmd: string; args: Record<string, unknown> };
    if (cmd === "exit") {
      void Promise.resolve(onExit?.()).finally(() => process.exit(0));
      return;
    }
    // Every child answers `cpu` (its CPU time so far, µs, and on Linux its read/write system call
    // counts) and `profileStart` / `profileStop` (a V8 CPU profile of just the measured part,
    // written to `args.file`; bench/profile.ts).
    const handler = BUILTIN[cmd] ?? handlers[cmd];
    Promise.resolve()
      .then(() => {
        if (handler === undefined) throw new Error(`unknown command ${cmd}`);
        return handler(args);
      })
      .then(
        (result) => process.send?.({ id, ok: true, result }),
        (err: unknown) => process.send?.({ id, ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) }),
      );
  });
  // The parent going away ends us too.
  process.on("disconnect", () => process.exit(0));
  process.send?.({ ready });
}

function syscalls(): { syscr?: number; syscw?: number } {
  try {
    const io = readFileSync("/proc/self/io", "utf8");
    const field = (name: string): number | undefined => {
      const m = new RegExp(`^${name}: (\\d+)$`, "m").exec(io);
      return m ? Number(m[1]) : undefined;
    };
    return { syscr: field("syscr"), syscw: field("syscw") };
  } catch {
    return {};
  }
}

let session: Session | undefined;

function post(method: string, params?: object): Promise<unknown> {
  return new Promise((resolve, reject) => {
    (session as Session).post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

const BUILTIN: Record<string, Handler> = {
  cpu: () => ({ ...process.cpuUsage(), ...syscalls() }),
  async profileStart() {
    session ??= new Session();
    session.connect();
    await post("Profiler.enable");
    await post("Profiler.setSamplingInterval", { interval: 200 });
    await post("Profiler.start");
    return {};
  },
  async profileStop(args) {
    const { profile } = (await post("Profiler.stop")) as { profile: unknown };
    writeFileSync(String(args.file), JSON.stringify(profile));
    session?.disconnect();
    session = undefined;
    return {};
  },
};

export const now = (): number => Number(process.hrtime.bigint()) / 1e6;
