/**
 * A real `redis-server` (the Debian package of scripts/system-deps.mjs, installed by the first
 * step of `npm test`) on a free loopback port with a
 * temporary directory, for tests that need Redis. Stopped (and the directory removed) by `stop()`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REDIS_SERVER } from "../../scripts/system-deps.mjs";
import { sleep } from "./time.js";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${port} within ${timeoutMs} ms`);
    await sleep(25);
  }
}

export interface RedisServer {
  port: number;
  url: string;
  /** Stop the server (SIGTERM, then SIGKILL), keeping the data directory. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Start it again on the same port and directory (AOF keeps the data across restarts). */
  restart(): Promise<void>;
  /** Stop for good and remove the directory. */
  stop(): Promise<void>;
}

export async function startRedisServer(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), "relay-contract-redis-"));
  const port = await freePort();
  let child: ChildProcess | undefined;

  const launch = async () => {
    const proc = spawn(
      REDIS_SERVER,
      ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--protected-mode", "no", "--loglevel", "warning"],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    proc.stderr?.on("data", (d) => (stderr += String(d)));
    const failed = new Promise<never>((_, reject) => {
      proc.once("error", (err) => reject(new Error(`cannot start ${REDIS_SERVER}: ${err.message} (system packages: node scripts/provision-system.mjs --check)`)));
      proc.once("exit", (code) => reject(new Error(`redis-server exited ${code}: ${stderr}`)));
    });
    failed.catch(() => undefined);
    await Promise.race([waitForPort(port, 10_000), failed]);
    child = proc;
  };

  const kill = async (signal: NodeJS.Signals = "SIGTERM") => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  };

  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    restart: async () => {
      await kill();
      await launch();
    },
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
