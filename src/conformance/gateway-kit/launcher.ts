/**
 * How `conformance gateway` starts the gateway under test: once per scenario, with the fake
 * connector's URL, the credentials and the scenario's expectations in its environment — both
 * the kit's `RELAY_*` variables and the reference gateway's own `GATEWAY_RELAY_*` ones, so an
 * unmodified Hermes gateway runs under the kit (docs/conformance.md has the table).
 */
import { spawn, type ChildProcess } from "node:child_process";

/** The kit's variable names (the reference gateway's own names are in `REFERENCE_GATEWAY_ENV`). */
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

/**
 * The variables the reference gateway reads (hermes-agent `gateway/relay/__init__.py`:
 * `relay_url`, `relay_connection_auth`, `relay_platform_identities`): the connector base URL,
 * the enrolled gateway id and its signing secret, the fronted platforms as a comma list (the
 * first is the primary) and their bot ids as a JSON map `{platform: {"botId": …}}`.
 */
export const REFERENCE_GATEWAY_ENV = Object.freeze({
  url: "GATEWAY_RELAY_URL",
  gatewayId: "GATEWAY_RELAY_ID",
  secret: "GATEWAY_RELAY_SECRET",
  platforms: "GATEWAY_RELAY_PLATFORMS",
  botIds: "GATEWAY_RELAY_BOT_IDS",
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
  /** The conformance profile of the run: `full` or `transport`. */
  RELAY_PROFILE: string;
  GATEWAY_RELAY_URL: string;
  GATEWAY_RELAY_ID: string;
  GATEWAY_RELAY_SECRET: string;
  GATEWAY_RELAY_PLATFORMS: string;
  GATEWAY_RELAY_BOT_IDS: string;
}

/**
 * The reference gateway's variables for these identities. Its bot-id map is keyed by platform,
 * so it can name one bot per platform: identities must have distinct platforms.
 */
export function referenceGatewayEnv(opts: {
  url: string;
  gatewayId: string;
  secret: string;
  identities: ReadonlyArray<{ platform: string; botId: string }>;
}): Pick<GatewayEnv, "GATEWAY_RELAY_URL" | "GATEWAY_RELAY_ID" | "GATEWAY_RELAY_SECRET" | "GATEWAY_RELAY_PLATFORMS" | "GATEWAY_RELAY_BOT_IDS"> {
  const platforms = opts.identities.map((i) => i.platform);
  const duplicate = platforms.find((p, i) => platforms.indexOf(p) !== i);
  if (duplicate !== undefined) throw new RangeError(`identities must name distinct platforms (GATEWAY_RELAY_BOT_IDS is keyed by platform): ${duplicate} appears twice`);
  const bad = platforms.find((p) => p === "" || p.includes(","));
  if (bad !== undefined) throw new RangeError(`a platform name cannot be empty or contain "," (GATEWAY_RELAY_PLATFORMS is a comma list): ${JSON.stringify(bad)}`);
  return {
    GATEWAY_RELAY_URL: opts.url,
    GATEWAY_RELAY_ID: opts.gatewayId,
    GATEWAY_RELAY_SECRET: opts.secret,
    GATEWAY_RELAY_PLATFORMS: platforms.join(","),
    GATEWAY_RELAY_BOT_IDS: JSON.stringify(Object.fromEntries(opts.identities.map((i) => [i.platform, { botId: i.botId }]))),
  };
}

/**
 * This process's environment for a spawned gateway: every inherited `GATEWAY_RELAY_*` variable
 * is dropped (a developer's own relay configuration — an endpoint, a wake URL — must not leak
 * into a run), then the scenario's variables are added.
 */
export function spawnEnvironment(base: NodeJS.ProcessEnv, env: GatewayEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) if (!key.startsWith("GATEWAY_RELAY_")) out[key] = value;
  return { ...out, ...env };
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
        env: spawnEnvironment(process.env, env),
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
