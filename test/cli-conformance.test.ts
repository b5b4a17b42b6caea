/**
 * `relay-contract conformance …` and `mock-connector` as processes (through tsx): expected
 * failures (exact, stale, missing), usage errors, and the mock connector's descriptor file,
 * script and wire log. (`conformance gateway` with spawned gateways: cli-conformance-gateway.)
 */
import t from "tap";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRelayClient } from "../src/client/index.js";
import { REQUIREMENTS, descriptorFor, textEvent } from "../src/conformance/index.js";
import { startRawConnector } from "./helpers/broken-peers/index.js";
import { ROOT, runCli as cli, TSX_CLI } from "./helpers/cli.js";
import { sleep } from "./helpers/time.js";

const dir = mkdtempSync(join(tmpdir(), "relay-cli-conformance-"));


t.test("expected failures: exact list passes, a stale entry fails, a missing entry fails", async (t) => {
  // One connector per run: two kits sharing a gateway id would steal each other's connection.
  const urls = await Promise.all(
    [0, 1, 2, 3, 4].map(async () => {
      const broken = await startRawConnector({ gatewayId: "gw-cli", secret: "cli-secret", fault: "no-idle-ack" });
      t.teardown(() => broken.close());
      return broken.url;
    }),
  );
  const args = (i: number): string[] => ["conformance", "connector", "--url", urls[i] as string, "--gateway-id", "gw-cli", "--secret", "cli-secret", "--step-timeout", "2500", "--quiet-ms", "400", "--scenario", "handshake", "--scenario", "idle-replay"];
  const exact = join(dir, "exact.txt");
  writeFileSync(exact, "# this connector never acks going_idle\nRC-IDLE-003\n");
  const stale = join(dir, "stale.json");
  writeFileSync(stale, JSON.stringify({ expectedFailures: ["RC-IDLE-003", { id: "RC-HS-004", reason: "fixed long ago" }] }));
  const none = join(dir, "none.json");
  writeFileSync(none, "[]");
  const bogus = join(dir, "bogus.txt");
  writeFileSync(bogus, "RC-NOT-A-REQUIREMENT\n");

  const [plain, ok, withStale, withNone, withBogus] = await Promise.all([
    cli(args(0)),
    cli([...args(1), "--expected-failures", exact]),
    cli([...args(2), "--expected-failures", stale]),
    cli([...args(3), "--expected-failures", none]),
    cli([...args(4), "--expected-failures", bogus]),
  ]);
  t.equal(plain.status, 1, "without a list the MUST failure fails the run");
  t.match(plain.stdout, /✗ RC-IDLE-003 MUST going_idle is answered with going_idle_ack/);
  t.equal(ok.status, 0, ok.stdout);
  t.match(ok.stdout, /matched:\s+RC-IDLE-003/);
  t.equal(withStale.status, 1, "a stale entry fails the run");
  t.match(withStale.stdout, /stale:\s+RC-HS-004 \(listed but not failing/);
  t.equal(withNone.status, 1);
  t.match(withNone.stdout, /unexpected: RC-IDLE-003/);
  t.equal(withBogus.status, 2, "an unknown id in the list is a usage error");
  t.match(withBogus.stderr, /unknown requirement id\(s\): RC-NOT-A-REQUIREMENT/);
});

t.test("usage errors, --list and requirements", async (t) => {
  const [noCommand, noUrl, badRole, list, reqs] = await Promise.all([
    cli(["conformance", "gateway"]),
    cli(["conformance", "connector", "--gateway-id", "x", "--secret", "y"]),
    cli(["conformance", "sideways"]),
    cli(["conformance", "gateway", "--list"]),
    cli(["requirements", "--json"]),
  ]);
  t.equal(noCommand.status, 2);
  t.match(noCommand.stderr, /needs the gateway's command after --/);
  t.equal(noUrl.status, 2);
  t.match(noUrl.stderr, /needs --url, --gateway-id and --secret/);
  t.equal(badRole.status, 2);
  t.equal(list.status, 0);
  t.match(list.stdout, /^handshake\s+/m);
  t.match(list.stdout, /^auth-after-handshake\s+.*\[RC-AUTH-004, RC-AUTH-005\]/m);
  t.equal(reqs.status, 0);
  t.same(JSON.parse(reqs.stdout).map((r: { id: string }) => r.id), REQUIREMENTS.map((r) => r.id));
});

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms: ${text}`)), timeoutMs);
    child.stdout?.on("data", (d) => {
      text += d;
      const m = pattern.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
  });
}

t.test("mock-connector: descriptor file, scripted pushes, validated log, clean stop", async (t) => {
  const descriptorFile = join(dir, "descriptor.json");
  writeFileSync(descriptorFile, JSON.stringify({ ...descriptorFor("discord"), label: "Mock Discord", supported_ops: ["send", "edit", "typing"] }));
  const scriptFile = join(dir, "script.json");
  writeFileSync(
    scriptFile,
    JSON.stringify([
      { inbound: textEvent("scripted hello") },
      { wait_ms: 20 },
      { interrupt_inbound: { session_key: "agent:main:discord:group:chanA:userX", chat_id: "chanA" } },
      { inbound: textEvent("scripted replay"), bufferId: "script-b1" },
    ]),
  );
  const child = spawn(process.execPath, [...TSX_CLI, "mock-connector", "--port", "0", "--gateway-id", "gw-mock", "--secret", "mock-secret", "--descriptor", descriptorFile, "--script", scriptFile], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  t.teardown(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  const [, url] = await waitForLine(child, /listening on (ws:\/\/127\.0\.0\.1:\d+)/, 10_000);

  const inbound: Array<{ text: string; bufferId: string | undefined }> = [];
  const interrupts: string[] = [];
  const client = createRelayClient({
    url: url as string,
    gatewayId: "gw-mock",
    secret: "mock-secret",
    identities: [{ platform: "discord", botId: "1122334455667788990" }],
    reconnect: false,
    handlers: {
      inbound: (event, ctx) => void inbound.push({ text: event.text, bufferId: ctx.bufferId }),
      interruptInbound: (frame) => void interrupts.push(frame.session_key),
    },
  });
  t.teardown(() => client.close());
  const descriptor = await client.connect();
  t.equal(descriptor.label, "Mock Discord", "the descriptor file answers the hello");
  t.same(descriptor.supported_ops, ["send", "edit", "typing"]);
  const result = await client.send({ chat_id: "chanA", content: "hi" });
  t.equal(result.success, true, "ops are answered");
  const deadline = Date.now() + 5000;
  while ((inbound.length < 2 || interrupts.length < 1) && Date.now() < deadline) await sleep(20);
  t.same(inbound, [
    { text: "scripted hello", bufferId: undefined },
    { text: "scripted replay", bufferId: "script-b1" },
  ], "scripted inbound, live then buffered");
  t.same(interrupts, ["agent:main:discord:group:chanA:userX"]);
  const acked = Date.now() + 5000;
  while (!/script: inbound buffered \(acked script-b1\)/.test(log) && Date.now() < acked) await sleep(20);
  t.match(log, /script: inbound buffered \(acked script-b1\)/, "the script waited for the ack of its buffered step");
  await client.close();
  t.match(log, /← gw-mock hello \[ok\]/, "gateway frames are logged with their verdict");
  t.match(log, /← gw-mock outbound \[ok\]/);
  t.match(log, /→ gw-mock descriptor \[ok\]/);
  t.match(log, /← gw-mock inbound_ack \[ok\] \{"type":"inbound_ack","bufferId":"script-b1"\}/);
  child.kill("SIGTERM");
  t.equal(await exited, 0, "SIGTERM stops it cleanly");
  t.match(log, /mock-connector: stopped; 0 invalid frame\(s\) seen/);
});

t.test("mock-connector: a partial descriptor fills in over the default; a platform map; an invalid one is refused at start-up", async (t) => {
  const start = async (content: unknown): Promise<{ url: string; stop: () => void }> => {
    const file = join(dir, `descriptor-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(content));
    const child = spawn(process.execPath, [...TSX_CLI, "mock-connector", "--port", "0", "--host", "127.0.0.1", "--descriptor", file, "--quiet"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    t.teardown(() => void (child.exitCode === null && child.kill("SIGKILL")));
    const [, url] = await waitForLine(child, /listening on (ws:\/\/127\.0\.0\.1:\d+)/, 10_000);
    return { url: url as string, stop: () => child.kill("SIGTERM") };
  };
  const handshake = async (url: string, platform: string) => {
    const client = createRelayClient({ url, gatewayId: "gw-any", secret: "unused", identities: [{ platform, botId: "b1" }], reconnect: false });
    try {
      return await client.connect();
    } finally {
      await client.close();
    }
  };

  const partial = await start({ contract_version: 1, label: "Partial", supported_ops: ["send"] });
  const d = await handshake(partial.url, "telegram");
  t.equal(d.label, "Partial", "the file's keys answer the hello");
  t.same(d.supported_ops, ["send"]);
  t.equal(d.platform, "telegram", "platform is the hello's");
  t.equal(d.max_message_length, descriptorFor("telegram").max_message_length, "the rest is the default descriptor");
  partial.stop();

  const map = await start({ discord: { label: "Mapped Discord" } });
  t.equal((await handshake(map.url, "discord")).label, "Mapped Discord", "a platform map answers its platform");
  t.equal((await handshake(map.url, "slack")).label, descriptorFor("slack").label, "other platforms get the default");
  map.stop();

  const file = join(dir, "bad-descriptor.json");
  writeFileSync(file, JSON.stringify({ max_message_length: "big" }));
  const bad = await cli(["mock-connector", "--port", "0", "--descriptor", file]);
  t.equal(bad.status, 2, "an invalid descriptor is a usage error");
  t.match(bad.stderr, /bad-descriptor\.json: not a valid descriptor: \/max_message_length/);
  t.equal(bad.stderr.trim().split("\n").length, 1, "one line, no stack trace");
  t.notMatch(bad.stderr + bad.stdout, /sent as is/);
});
