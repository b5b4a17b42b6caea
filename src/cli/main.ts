#!/usr/bin/env node
/**
 * The `relay-contract` command. Exit status: 0 success, 1 a check failed (invalid frames, a
 * failed conformance run, a failed demo step), 2 usage, input or environment errors (one line,
 * no stack trace).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { FrameDirection } from "../validation-types.js";
import {
  commandGateway,
  ExpectedFailuresError,
  loadExpectedFailures,
  renderHuman,
  renderJson,
  renderJunit,
  REQUIREMENTS,
  renderRequirementTable,
  runConnectorConformance,
  runGatewayConformance,
  summaryLine,
  normalizeRelayUrl,
  gatewayScenarios,
  CONNECTOR_SCENARIOS,
  type GatewayProfile,
  type ConformanceReport,
  type KitIdentity,
} from "../conformance/index.js";
import { startGatewayAgent } from "../conformance/agents/gateway-agent.js";
import { bool, flag, flags, intFlag, parseArgs, UsageError, type FlagSpec, type ParsedArgs } from "./args.js";
import { runDemo } from "./demo.js";
import { cmdPythonPath } from "./python-path.js";
import { cmdDiff } from "./diff.js";
import { startMockConnector } from "./mock-connector.js";
import { formatProblem, readInput, validateText } from "./validate.js";

const USAGE = `relay-contract — the executable contract of the Hermes relay protocol (contract_version 1)

Usage:
  relay-contract demo [--full]
      A connector and a gateway from this package on 127.0.0.1, every frame type and every op
      over a tapped wire, each frame validated against the strict schema. No configuration.

  relay-contract validate [FILE|-] [--direction gateway-to-connector|connector-to-gateway]
                          [--tolerant] [--fail-on-advisory] [--json]
      Validate one JSON value (a frame or an array of frames) or newline-delimited frames
      (stdin when FILE is absent or "-"). Prints line, JSON path and reason for every problem
      of every frame, including a frame over the 1 MiB wire limit and a UTF-8 byte order mark.
      Strict (default): the producer contract. --tolerant: what a receiver accepts (§ "What a
      receiver must accept" of docs/relay-connector-contract.md); producer rules a frame breaks
      are warnings (advisories), dropped list entries are warnings, unknown frame types are
      notes (exit 0). --fail-on-advisory: warnings fail the run too.

  relay-contract mock-connector [--port N] [--host H] [--gateway-id ID --secret S]
                                [--descriptor FILE.json] [--script FILE.json] [--quiet]
      A connector to develop a gateway against: answers hellos (configurable descriptor) and
      every op, pushes scripted frames after each handshake, logs and validates all traffic.
      Without --gateway-id/--secret it accepts unauthenticated upgrades (development only).
      --descriptor: a JSON descriptor, complete or partial (its keys replace the default's,
      "platform" is the hello's), or {"PLATFORM": descriptor, ...} for per-platform ones; an
      invalid result is refused at start-up (exit 2). --script: a JSON array of steps run after
      each handshake ({"steps": [...], "once": true} runs them after the first only):
      {"wait_ms": N}, {"inbound": MessageEvent, "bufferId"?: ID} (waits for its ack),
      {"interrupt_inbound": {"session_key": K, "chat_id": C}}, {"passthrough": ..., "bufferId"?: ID}.

  relay-contract conformance connector --url ws://HOST:PORT --gateway-id ID --secret S
                                       [--identity PLATFORM:BOTID]... [common options]
      The kit acts as a gateway against a running connector (which must front the loopback
      platform, see docs/conformance.md).

  relay-contract conformance gateway [--profile full|transport] [common options] -- COMMAND [ARGS...]
      For each scenario the kit starts a fake connector and spawns COMMAND with RELAY_URL,
      RELAY_GATEWAY_ID, RELAY_SECRET, RELAY_IDENTITIES, RELAY_SCENARIO, RELAY_PROFILE,
      RELAY_BACKOFF_BASE_MS, RELAY_BACKOFF_MAX_MS and RELAY_REQUEST_TIMEOUT_MS in its environment,
      and the reference gateway's own GATEWAY_RELAY_URL, GATEWAY_RELAY_ID, GATEWAY_RELAY_SECRET,
      GATEWAY_RELAY_PLATFORMS and GATEWAY_RELAY_BOT_IDS. --profile full (default): the gateway
      behaves as the conformance agent. --profile transport: any gateway, unmodified — only
      checks that need no cooperation from its agent (the others are reported untested).

  Common conformance options:
      --json                    print the JSON report on stdout (summary on stderr)
      --junit FILE              also write a JUnit XML report
      --expected-failures FILE  pass only if exactly these requirement ids fail (stale entries fail)
      --strict                  SHOULD failures fail the run too
      --scenario ID             run only this scenario (repeatable); --list shows them
      --step-timeout MS         longest wait for the peer to act (default 5000)
      --quiet-ms MS             window in which the peer must not act (default 1000)
      --start-timeout MS        gateway: wait for its first dial of a scenario (default 20000)
      --verbose                 every check, and the gateway's output

  relay-contract agent
      The conformance agent on this package's client, configured from RELAY_* variables:
      \`relay-contract conformance gateway -- relay-contract agent\` checks the client itself.
      Exits 0 on SIGTERM/SIGINT, 3 after a terminal 4401 (revoked).

  relay-contract requirements [--json|--markdown]
      The requirement registry (ids, MUST/SHOULD, one-liners).

  relay-contract python-path
      The directory to put on PYTHONPATH for the \`relay_contract\` Python package (types,
      constants, validation, upgrade tokens): PYTHONPATH="$(npx relay-contract python-path)".

  relay-contract diff OLD NEW [--json]
      What changed in the contract between two versions (schema bundle.json files, package
      folders or packed package tarballs), per definition, with who produces and who consumes
      it: breaking for producers, breaking for consumers, or additive. Exit 1 when breaking.

  relay-contract --version | help
      Every command also takes --help (its own usage). Errors are one line on stderr, exit 2
      (RELAY_CONTRACT_DEBUG=1 adds the stack).
`;

type Io = { out: (text: string) => void; err: (text: string) => void };

function packageVersion(): string {
  for (const rel of ["../../package.json", "../../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(fileURLToPath(new URL(rel, import.meta.url)), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "relay-contract" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // try the next candidate
    }
  }
  return "unknown";
}

function parseDirection(value: string | undefined): FrameDirection | undefined {
  if (value === undefined) return undefined;
  const v = value.toLowerCase();
  if (v === "gateway-to-connector" || v === "g2c" || v === "gateway") return "gateway-to-connector";
  if (v === "connector-to-gateway" || v === "c2g" || v === "connector") return "connector-to-gateway";
  throw new UsageError(`--direction must be gateway-to-connector or connector-to-gateway, got ${JSON.stringify(value)}`);
}

async function cmdValidate(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, { direction: { value: true }, tolerant: {}, "fail-on-advisory": {}, json: {} });
  if (args.positionals.length > 1) throw new UsageError("validate takes at most one file");
  const direction = parseDirection(flag(args, "direction"));
  let input: { text: string; name: string };
  try {
    input = readInput(args.positionals[0]);
  } catch (err) {
    throw new UsageError(`cannot read ${args.positionals[0] ?? "stdin"}: ${(err as Error).message}`);
  }
  const mode = bool(args, "tolerant") ? "tolerant" : "strict";
  const outcome = validateText({ text: input.text, name: input.name, mode, ...(direction !== undefined && { direction }) });
  const failOnAdvisory = bool(args, "fail-on-advisory");
  if (bool(args, "json")) {
    io.out(JSON.stringify({ file: input.name, mode, direction: direction ?? "any", ...outcome }, null, 2) + "\n");
  } else {
    for (const p of outcome.problems) io.out(formatProblem(input.name, p) + "\n");
    const scope = `${mode}, ${direction ?? "either direction"}`;
    const warned = outcome.framesWithWarnings > 0 ? `, ${outcome.framesWithWarnings} with warnings${failOnAdvisory ? " (--fail-on-advisory)" : ""}` : "";
    if (outcome.frames === 0) io.err(`validate: ${input.name}: no frames found\n`);
    else io.err(`validate: ${outcome.frames} frame${outcome.frames === 1 ? "" : "s"}, ${outcome.invalidFrames} invalid${warned} (${scope})\n`);
  }
  if (outcome.frames === 0 || outcome.invalidFrames > 0) return 1;
  return failOnAdvisory && outcome.framesWithWarnings > 0 ? 1 : 0;
}

async function cmdDemo(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, { full: {}, color: {}, "step-timeout": { value: true } });
  const result = await runDemo({
    write: (line) => io.out(line + "\n"),
    full: bool(args, "full"),
    color: bool(args, "color") || (process.stdout.isTTY === true && process.env.NO_COLOR === undefined),
    stepTimeoutMs: intFlag(args, "step-timeout", 5000, 1),
  });
  return result.ok ? 0 : 1;
}

async function cmdMockConnector(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, {
    port: { value: true },
    host: { value: true },
    "gateway-id": { value: true },
    secret: { value: true },
    descriptor: { value: true },
    script: { value: true },
    quiet: {},
  });
  const gatewayId = flag(args, "gateway-id");
  const secret = flag(args, "secret");
  if ((gatewayId === undefined) !== (secret === undefined)) throw new UsageError("--gateway-id and --secret go together");
  const quiet = bool(args, "quiet");
  const mock = await startMockConnector({
    port: intFlag(args, "port", 8787, 0, 65535),
    host: flag(args, "host") ?? "127.0.0.1",
    ...(gatewayId !== undefined && { gatewayId }),
    ...(secret !== undefined && { secret }),
    ...(flag(args, "descriptor") !== undefined && { descriptorFile: flag(args, "descriptor") }),
    ...(flag(args, "script") !== undefined && { scriptFile: flag(args, "script") }),
    log: (line) => {
      if (!quiet || line.startsWith("warning") || line.includes("INVALID")) io.out(line + "\n");
    },
  });
  io.out(`mock-connector listening on ${mock.url} (gateways dial ${mock.url}/relay)${gatewayId === undefined ? " — unauthenticated (development only)" : ` — gateway ${gatewayId}`}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await mock.close();
  io.out(`mock-connector: stopped; ${mock.invalidFrames} invalid frame(s) seen\n`);
  return 0;
}

const CONFORMANCE_FLAGS: Record<string, FlagSpec> = {
  json: {},
  junit: { value: true },
  "expected-failures": { value: true },
  strict: {},
  scenario: { value: true, repeat: true },
  "step-timeout": { value: true },
  "quiet-ms": { value: true },
  "start-timeout": { value: true },
  profile: { value: true },
  verbose: {},
  list: {},
  url: { value: true },
  "gateway-id": { value: true },
  secret: { value: true },
  identity: { value: true, repeat: true },
};

function isWsUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "ws:" || url.protocol === "wss:";
  } catch {
    return false;
  }
}

function parseProfile(role: "connector" | "gateway", value: string | undefined): GatewayProfile {
  if (value === undefined) return "full";
  if (role === "connector") throw new UsageError("--profile is for conformance gateway");
  if (value !== "full" && value !== "transport") throw new UsageError(`--profile must be full or transport, got ${JSON.stringify(value)}`);
  return value;
}

function parseIdentities(args: ParsedArgs): KitIdentity[] | undefined {
  const list = flags(args, "identity");
  if (list.length === 0) return undefined;
  return list.map((spec) => {
    const colon = spec.indexOf(":");
    if (colon <= 0) throw new UsageError(`--identity must be PLATFORM:BOTID, got ${JSON.stringify(spec)}`);
    return { platform: spec.slice(0, colon), botId: spec.slice(colon + 1) };
  });
}

async function cmdConformance(argv: string[], io: Io): Promise<number> {
  const [role, ...rest] = argv;
  if (role !== "connector" && role !== "gateway") throw new UsageError('conformance needs "connector" or "gateway"');
  const args = parseArgs(rest, CONFORMANCE_FLAGS);
  const profile = parseProfile(role, flag(args, "profile"));
  if (bool(args, "list")) {
    for (const s of role === "gateway" ? gatewayScenarios(profile) : CONNECTOR_SCENARIOS) io.out(`${s.id.padEnd(32)} ${s.title}  [${s.requirements.join(", ")}]\n`);
    return 0;
  }
  const file = flag(args, "expected-failures");
  let expected: { ids: string[]; file: string } | undefined;
  if (file !== undefined) {
    try {
      expected = { ids: loadExpectedFailures(file), file };
    } catch (err) {
      if (err instanceof ExpectedFailuresError) throw new UsageError(err.message);
      throw err;
    }
  }
  const verbose = bool(args, "verbose");
  const common = {
    stepTimeoutMs: intFlag(args, "step-timeout", 5000, 1),
    quietMs: intFlag(args, "quiet-ms", 1000, 1),
    strict: bool(args, "strict"),
    ...(expected !== undefined && { expectedFailures: expected }),
    ...(flags(args, "scenario").length > 0 && { scenarios: flags(args, "scenario") }),
    onScenarioEnd: (r: { id: string; checks: Array<{ status: string }>; error?: string }) => {
      const failed = r.checks.filter((c) => c.status === "fail").length;
      io.err(`  ${failed > 0 || r.error ? "✗" : "✓"} ${r.id}${failed > 0 ? ` (${failed} failed)` : ""}${r.error ? ` — error: ${r.error.split("\n")[0]}` : ""}\n`);
    },
  };
  const identities = parseIdentities(args);
  let report: ConformanceReport;
  try {
    if (role === "connector") {
      const url = flag(args, "url");
      const gatewayId = flag(args, "gateway-id");
      const secret = flag(args, "secret");
      if (url === undefined || gatewayId === undefined || secret === undefined) throw new UsageError("conformance connector needs --url, --gateway-id and --secret");
      if (args.rest !== undefined) throw new UsageError("conformance connector takes no command after --");
      if (!isWsUrl(normalizeRelayUrl(url))) throw new UsageError(`invalid connector URL ${JSON.stringify(url)} (expected ws(s):// or http(s):// HOST:PORT)`);
      io.err(`conformance connector: ${url}\n`);
      report = await runConnectorConformance({ url, gatewayId, secret, ...(identities !== undefined && { identities }), ...common });
    } else {
      if (args.rest === undefined || args.rest.length === 0) throw new UsageError("conformance gateway needs the gateway's command after --");
      for (const f of ["url", "gateway-id", "secret"]) if (args.flags.has(f)) throw new UsageError(`--${f} is for conformance connector; the gateway kit makes its own`);
      io.err(`conformance gateway: ${args.rest.join(" ")}\n`);
      report = await runGatewayConformance({
        gateway: commandGateway(args.rest, verbose ? { echo: process.stderr } : {}),
        profile,
        startTimeoutMs: intFlag(args, "start-timeout", 20_000, 1),
        ...(identities !== undefined && { identities }),
        ...common,
      });
    }
  } catch (err) {
    if (err instanceof RangeError) throw new UsageError(err.message);
    throw err;
  }
  const junit = flag(args, "junit");
  if (junit !== undefined) writeFileSync(junit, renderJunit(report));
  if (bool(args, "json")) {
    io.out(renderJson(report));
    io.err(summaryLine(report) + "\n");
  } else {
    io.out(renderHuman(report, { verbose, color: process.stdout.isTTY === true && process.env.NO_COLOR === undefined }));
  }
  return report.ok ? 0 : 1;
}

async function cmdAgent(argv: string[], io: Io): Promise<number> {
  if (argv.length > 0) throw new UsageError(`agent takes no arguments (it reads RELAY_* variables), got ${JSON.stringify(argv[0])}`);
  if (!process.env.RELAY_URL) throw new UsageError("agent: RELAY_URL is not set (conformance gateway sets it; see docs/conformance.md)");
  let revoked = false;
  const client = startGatewayAgent(process.env, {
    log: (line) => io.err(`agent: ${line}\n`),
    onRevoked: () => {
      revoked = true;
    },
  });
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
    client.on("revoked", () => resolve());
  });
  await client.close();
  return revoked ? 3 : 0;
}

function cmdRequirements(argv: string[], io: Io): number {
  const args = parseArgs(argv, { json: {}, markdown: {} });
  if (bool(args, "json")) io.out(JSON.stringify(REQUIREMENTS, null, 2) + "\n");
  else if (bool(args, "markdown")) io.out(renderRequirementTable());
  else for (const r of REQUIREMENTS) io.out(`${r.id.padEnd(12)} ${r.level.padEnd(7)} ${r.role.padEnd(10)} ${r.title}\n`);
  return 0;
}

/** A command's own usage: its `relay-contract COMMAND …` entries of USAGE (conformance adds its common options). */
export function helpFor(command: string): string | undefined {
  const sections = USAGE.split(/\n\n/).map((section) => section.replace(/^Usage:\n/, "").replace(/\n+$/, ""));
  const mine = sections.filter(
    (section) => section.startsWith(`  relay-contract ${command} `) || section.startsWith(`  relay-contract ${command}\n`) || (command === "conformance" && section.startsWith("  Common conformance options")),
  );
  return mine.length === 0 ? undefined : `Usage:\n${mine.join("\n\n")}\n`;
}

/** `--help`/`-h` among a command's own arguments (not after `--`, which belong to a gateway's command). */
function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === "--help" || a === "-h");
}

/**
 * One line for anything that stops a command — a usage mistake or the environment (a port in
 * use, a missing variable, an invalid URL): the message, not a stack trace. RELAY_CONTRACT_DEBUG=1
 * prints the stack too.
 */
function errorLine(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (process.env.RELAY_CONTRACT_DEBUG) return err.stack ?? err.message;
  return (err.message.split("\n")[0] ?? "").trim() || err.name;
}

async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    const help = command === undefined ? undefined : helpFor(command);
    if (help !== undefined && wantsHelp(rest)) {
      io.out(help);
      return 0;
    }
    switch (command) {
      case "demo":
        return await cmdDemo(rest, io);
      case "validate":
        return await cmdValidate(rest, io);
      case "mock-connector":
        return await cmdMockConnector(rest, io);
      case "conformance":
        return await cmdConformance(rest, io);
      case "agent":
        return await cmdAgent(rest, io);
      case "requirements":
        return cmdRequirements(rest, io);
      case "python-path":
        if (rest.length > 0) throw new UsageError("python-path takes no arguments");
        return cmdPythonPath(io);
      case "diff":
        return cmdDiff(rest, io);
      case "--version":
      case "-v":
      case "version":
        io.out(packageVersion() + "\n");
        return 0;
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      const help = command !== undefined && helpFor(command) !== undefined ? `relay-contract ${command} --help` : "relay-contract help";
      io.err(`relay-contract: ${err.message} (see "${help}")\n`);
      return 2;
    }
    io.err(`relay-contract: ${command === undefined ? "" : `${command}: `}${errorLine(err)}\n`);
    return 2;
  }
}

const io: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };
const code = await main(process.argv.slice(2), io);
// Let stdout drain before exiting: a piped report must not be cut short.
process.stdout.write("", () => process.exit(code));
