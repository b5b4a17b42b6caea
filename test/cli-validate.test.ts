/**
 * `relay-contract validate`, run as a process through tsx (so a stale dist/ cannot hide a bug):
 * NDJSON and JSON input, line numbers (also inside pretty-printed frames), JSON paths and
 * reasons, --direction, --tolerant, --json, exit statuses.
 */
import t from "tap";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

function cli(args: string[], input?: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

const dir = mkdtempSync(join(tmpdir(), "relay-validate-"));
const hello = { type: "hello", platform: "telegram", botId: "7012345678" };
const ack = { type: "inbound_ack", bufferId: "b-1" };
const badTyping = { type: "outbound", requestId: "0123456789abcdef0123456789abcdef", action: { op: "typing", chat_id: "" } };
const mixed = join(dir, "mixed.ndjson");
writeFileSync(mixed, [JSON.stringify(hello), "", JSON.stringify(badTyping), "{not json", JSON.stringify(ack), JSON.stringify({ type: "inbound_ack" })].join("\n") + "\n");
const good = join(dir, "good.ndjson");
writeFileSync(good, [hello, ack, { type: "going_idle" }].map((f) => JSON.stringify(f)).join("\n") + "\n");

t.test("NDJSON: every problem with its line, path and reason; exit 1", async (t) => {
  const r = await cli(["validate", mixed]);
  t.equal(r.status, 1);
  const lines = r.stdout.trim().split("\n");
  t.equal(lines.length, 3, r.stdout);
  t.match(lines[0], new RegExp(`^${mixed.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:3: "outbound" at /action/chat_id: .*minLength.* \\[minLength\\]$`));
  t.match(lines[1], /:4: at \/: not valid JSON/);
  t.match(lines[2], /:6: "inbound_ack" at \/: the value is missing the required property "bufferId" \[required\]/);
  t.match(r.stderr, /validate: 5 frames, 3 invalid \(strict, either direction\)/);
});

t.test("valid input exits 0; stdin with -", async (t) => {
  const r = await cli(["validate", good]);
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stdout, "");
  t.match(r.stderr, /3 frames, 0 invalid/);
  const s = await cli(["validate", "-"], JSON.stringify(hello) + "\n");
  t.equal(s.status, 0);
  t.match(s.stderr, /1 frame, 0 invalid/);
});

t.test("one pretty-printed JSON value: the line of the failing property; arrays report the item", async (t) => {
  const frame = { type: "inbound", event: { text: "hi", message_type: "text", source: { platform: "discord", chat_id: "c", chat_type: "group", chat_name: null, user_id: null, user_name: null, thread_id: null, chat_topic: null, guild_id: "g-1" } } };
  const text = JSON.stringify(frame, null, 2);
  const r = await cli(["validate"], text);
  t.equal(r.status, 1);
  const sourceLine = text.split("\n").findIndex((l) => l.includes('"source"')) + 1;
  t.match(r.stdout, new RegExp(`^<stdin>:${sourceLine}: "inbound" at /event/source: .*scope_id`), "points at the line where /event/source starts");
  const arr = await cli(["validate"], JSON.stringify([hello, { type: "hello", platform: "x" }], null, 2));
  t.equal(arr.status, 1);
  t.match(arr.stdout, /<stdin>:7: "hello" item 1 at \/: .*botId/);
});

t.test("--direction and --tolerant", async (t) => {
  const wrongWay = await cli(["validate", "--direction", "connector-to-gateway"], JSON.stringify(hello) + "\n");
  t.equal(wrongWay.status, 1);
  t.match(wrongWay.stdout, /at \/type: .*gateway-to-connector frame type, not connector-to-gateway/);
  t.equal((await cli(["validate", "--direction=g2c"], JSON.stringify(hello) + "\n")).status, 0);

  const extra = JSON.stringify({ ...hello, tenant: "t1" }) + "\n";
  const strict = await cli(["validate"], extra);
  t.equal(strict.status, 1);
  t.match(strict.stdout, /unknown property "tenant" \[additionalProperties\]/);
  const tolerant = await cli(["validate", "--tolerant"], extra);
  t.equal(tolerant.status, 0, "a receiver accepts unknown fields");
  t.match(tolerant.stderr, /tolerant/);
});

t.test("--json output", async (t) => {
  const r = await cli(["validate", "--json", mixed]);
  t.equal(r.status, 1);
  const out = JSON.parse(r.stdout);
  t.match(out, { format: "ndjson", frames: 5, invalidFrames: 3, mode: "strict", direction: "any" });
  t.match(out.problems[0], { line: 3, path: "/action/chat_id", keyword: "minLength", frameType: "outbound" });
});

t.test("usage and input errors exit 2; empty input exits 1", async (t) => {
  t.equal((await cli(["validate", "--direction", "sideways"], "{}")).status, 2);
  const missing = await cli(["validate", join(dir, "nope.ndjson")]);
  t.equal(missing.status, 2);
  t.match(missing.stderr, /cannot read/);
  t.equal((await cli(["validate", "--bogus"], "")).status, 2);
  const empty = await cli(["validate"], "\n\n");
  t.equal(empty.status, 1);
  t.match(empty.stderr, /no frames found/);
});
