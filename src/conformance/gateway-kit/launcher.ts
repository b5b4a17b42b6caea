/**
 * How `conformance gateway` starts the gateway under test: once per scenario, with the fake
 * connector's URL, the credentials and the scenario's expectations in its environment.
 *
 * The environment contract (also in docs/conformance.md):
 *
 * | Variable | Meaning |
 * | --- | --- |
 * | `RELAY_URL` | connector **base** URL (`ws://127.0.0.1:PORT`); the gateway normalises it and dials `…/relay` |
 * | `RELAY_GATEWAY_ID`, `RELAY_SECRET` | mint the §2.1 bearer from these, freshly for every dial |
 * | `RELAY_IDENTITIES` | JSON array of `{"platform","botId"}`: one `hello` each, in this order |
 * | `RELAY_SCENARIO` | the scenario id (informational; the behaviour below does not depend on it) |
 * | `RELAY_BACKOFF_BASE_MS`, `RELAY_BACKOFF_MAX_MS` | reconnect ladder to use (short, so scenarios are fast); also the dormant re-dial delay |
 * | `RELAY_REQUEST_TIMEOUT_MS` | outbound result timeout to use |
 *
 * The gateway under test behaves as the "conformance agent" described in docs/conformance.md:
 * echo turns for inbound text, `/stop <key>` → `interrupt`, `/idle` → go dormant, reports of
 * `interrupt_inbound` and `passthrough_forward` as `send`s, acks after handling.
 */
import { spawn, type ChildProcess } from "node:child_process";

export const GATEWAY_ENV = Object.freeze({
  url: "RELAY_URL",
  gatewayId: "RELAY_GATEWAY_ID",
  secret: "RELAY_SECRET",
  identities: "RELAY_IDENTITIES",
  scenario: "RELAY_SCENARIO",
  backoffBaseMs: "RELAY_BACKOFF_BASE_MS",
  backoffMaxMs: "RELAY_BACKOFF_MAX_MS",
  requestTimeoutMs: "RELAY_REQUEST_TIMEOUT_MS",
} as const);

/** What one scenario hands the gateway under test. */
export interface GatewayEnv {
  RELAY_URL: string;
  RELAY_GATEWAY_ID: string;
  RELAY_SECRET: string;
  RELAY_IDENTITIES: string;
  RELAY_SCENARIO: string;
  RELAY_BACKOFF_BASE_MS: string;
  RELAY_BACKOFF_MAX_MS: string;
  RELAY_REQUEST_TIMEOUT_MS: string;
}

export interface RunningGateway {
  /** Stops it (and waits, bounded). Idempotent. */
  stop(): Promise<void>;
  /** Captured output (stdout + stderr), for reports. */
  output(): string;
  /** Settles with a description when the gateway ended on its own (a process exit). */
  exited?: Promise<string>;
}

/** A gateway the kit can start per scenario: a spawned command, or an in-process factory in tests. */
export interface GatewayUnderTest {
  /** For reports. */
  describe: string;
  start(env: GatewayEnv): Promise<RunningGateway>;
}

export interface CommandGatewayOptions {
  cwd?: string;
  /** Also copy the gateway's output to this stream (e.g. `--verbose`). */
  echo?: NodeJS.WritableStream;
  /** Kept from the captured output for reports. Default 200 lines. */
  maxOutputLines?: number;
  /** SIGTERM, then SIGKILL after this long. Default 2000 ms. */
  killGraceMs?: number;
}

/** Spawns `argv` (no shell) with the scenario's environment added to this process's. */
export function commandGateway(argv: readonly string[], opts: CommandGatewayOptions = {}): GatewayUnderTest {
  const [command, ...args] = argv;
  if (command === undefined) throw new TypeError("commandGateway: a command is required");
  return {
    describe: argv.join(" "),
    async start(env) {
      const lines: string[] = [];
      const max = opts.maxOutputLines ?? 200;
      const keep = (prefix: string) => (chunk: Buffer) => {
        const text = chunk.toString("utf8");
        opts.echo?.write(text.replace(/^(?=.)/gm, prefix));
        for (const line of text.split("\n")) if (line !== "") lines.push(prefix + line);
        if (lines.length > max) lines.splice(0, lines.length - max);
      };
      const child: ChildProcess = spawn(command, args, {
        cwd: opts.cwd,
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout?.on("data", keep(""));
      child.stderr?.on("data", keep(""));
      const exited = new Promise<string>((resolve) => {
        child.once("exit", (code, signal) => {
          const how = signal !== null ? `killed by ${signal}` : `exited with status ${code}`;
          lines.push(`(${how})`);
          resolve(`the gateway process ${how}`);
        });
        child.once("error", (err) => {
          lines.push(`(failed to start: ${err.message})`);
          resolve(`the gateway process failed to start: ${err.message}`);
        });
      });
      let stopping: Promise<void> | undefined;
      return {
        exited,
        output: () => lines.join("\n"),
        stop() {
          stopping ??= (async () => {
            if (child.exitCode !== null || child.signalCode !== null) return;
            child.kill("SIGTERM");
            const timer = setTimeout(() => child.kill("SIGKILL"), opts.killGraceMs ?? 2000);
            await exited;
            clearTimeout(timer);
          })();
          return stopping;
        },
      };
    },
  };
}
