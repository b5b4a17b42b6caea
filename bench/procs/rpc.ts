/**
 * Child side of lib/worker.ts: announce readiness, then answer commands. A command handler's
 * throw becomes an error reply, never a crash, so the parent always learns what went wrong.
 */
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
    const handler = handlers[cmd];
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

export const now = (): number => Number(process.hrtime.bigint()) / 1e6;
