/**
 * The CLI's usage surface: `--help` on every command, and one line (no stack trace, exit 2) for
 * usage and environment errors — a bad port, a port in use, a missing RELAY_URL, invalid URLs.
 */
import t, { type Test } from "tap";
import { createServer } from "node:net";
import { runCli } from "./helpers/cli.js";



const cli = (args: string[], env: Record<string, string | undefined> = {}) => runCli(args, { env: { RELAY_CONTRACT_DEBUG: "", ...env } });

const COMMANDS = ["demo", "validate", "mock-connector", "conformance", "agent", "requirements", "python-path", "diff"];

t.test("--help on every command prints its own usage and exits 0", async (t) => {
  const runs = await Promise.all(COMMANDS.map((c) => cli([c, "--help"])));
  COMMANDS.forEach((command, i) => {
    const r = runs[i] as Awaited<ReturnType<typeof cli>>;
    t.equal(r.status, 0, `${command} --help: ${r.stderr}`);
    t.match(r.stdout, new RegExp(`^Usage:\\n  relay-contract ${command}\\b`), `${command}: its usage`);
    t.notMatch(r.stdout, /relay-contract (demo|agent) .*\n[\s\S]*relay-contract (validate|diff) /, `${command}: not the whole usage`);
  });
  const [sub, short] = await Promise.all([cli(["conformance", "gateway", "--help"]), cli(["mock-connector", "-h"])]);
  t.match(sub.stdout, /--profile full\|transport/);
  t.match(sub.stdout, /Common conformance options/);
  t.equal(short.status, 0);
  t.match(short.stdout, /relay-contract mock-connector \[--port N\]/);
});

/** One line on stderr, no stack frame, exit 2. */
function oneLine(t: Test, r: Awaited<ReturnType<typeof cli>>, pattern: RegExp, what: string): void {
  t.equal(r.status, 2, `${what}: exit 2`);
  t.equal(r.stderr.trimEnd().split("\n").length, 1, `${what}: one line (${JSON.stringify(r.stderr)})`);
  t.match(r.stderr, pattern, what);
  t.notMatch(r.stderr, /\n\s+at /, `${what}: no stack trace`);
}

t.test("usage and environment errors: one line, exit 2", async (t) => {
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
  t.teardown(() => busy.close());
  const port = (busy.address() as { port: number }).port;
  const [badPort, inUse, noUrl, badUrl, badScheme, badConnectorUrl] = await Promise.all([
    cli(["mock-connector", "--port", "99999"]),
    cli(["mock-connector", "--port", String(port), "--host", "127.0.0.1"]),
    cli(["agent"], { RELAY_URL: undefined }),
    cli(["agent"], { RELAY_URL: "not a url" }),
    cli(["agent"], { RELAY_URL: "ftp://example.com" }),
    cli(["conformance", "connector", "--url", "::nope", "--gateway-id", "g", "--secret", "s"]),
  ]);
  oneLine(t, badPort, /--port must be an integer from 0 to 65535, got "99999"/, "bad port");
  oneLine(t, inUse, /mock-connector: .*EADDRINUSE.*address already in use/, "port in use");
  oneLine(t, noUrl, /agent: RELAY_URL is not set/, "missing RELAY_URL");
  oneLine(t, badUrl, /agent: .*invalid relay URL "not a url"/, "invalid URL");
  oneLine(t, badScheme, /agent: .*must be http\(s\) or ws\(s\)/, "URL with another scheme");
  oneLine(t, badConnectorUrl, /invalid connector URL "::nope"/, "invalid connector URL");
});
