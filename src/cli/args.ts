/**
 * A small argv parser: `--flag`, `--flag value`, `--flag=value`, repeatable flags, positionals,
 * and everything after `--` kept verbatim (the command of `conformance gateway`).
 */

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface FlagSpec {
  /** Takes a value (`--port 8080`); otherwise boolean. */
  value?: boolean;
  /** May be given several times. */
  repeat?: boolean;
}

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string[]>;
  /** After `--`. */
  rest: string[] | undefined;
}

export function parseArgs(argv: readonly string[], spec: Record<string, FlagSpec>): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string[]>();
  let rest: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      rest = argv.slice(i + 1);
      break;
    }
    if (!arg.startsWith("--") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const option = spec[name];
    if (option === undefined) throw new UsageError(`unknown option --${name}`);
    let value: string;
    if (option.value) {
      if (eq !== -1) value = arg.slice(eq + 1);
      else {
        const next = argv[i + 1];
        if (next === undefined || next === "--") throw new UsageError(`--${name} needs a value`);
        value = next;
        i++;
      }
    } else {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      value = "true";
    }
    const list = flags.get(name) ?? [];
    if (list.length > 0 && !option.repeat) throw new UsageError(`--${name} given more than once`);
    list.push(value);
    flags.set(name, list);
  }
  return { positionals, flags, rest };
}

export function flag(args: ParsedArgs, name: string): string | undefined {
  return args.flags.get(name)?.[0];
}

export function flags(args: ParsedArgs, name: string): string[] {
  return args.flags.get(name) ?? [];
}

export function bool(args: ParsedArgs, name: string): boolean {
  return args.flags.has(name);
}

export function intFlag(args: ParsedArgs, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = flag(args, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`}, got ${JSON.stringify(raw)}`);
  }
  return n;
}
