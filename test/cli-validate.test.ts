/**
 * `relay-contract validate`: the checking logic in process (line numbers — also inside
 * pretty-printed frames —, JSON paths, reasons, --direction, --tolerant), then the command as a
 * process through tsx (so a stale dist/ cannot hide a bug): output format, stdin, --json, exit
 * statuses.
 */
import t from "tap";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatProblem, validateText } from "../src/cli/validate.js";
import { runCli } from "./helpers/cli.js";



const cli = (args: string[], input?: string) => runCli(args, { input });

const hello = { type: "hello", platform: "telegram", botId: "7012345678" };
const ack = { type: "inbound_ack", bufferId: "b-1" };
const badTyping = { type: "outbound", requestId: "0123456789abcdef0123456789abcdef", action: { op: "typing", chat_id: "" } };
const mixedText = [JSON.stringify(hello), "", JSON.stringify(badTyping), "{not json", JSON.stringify(ack), JSON.stringify({ type: "inbound_ack" })].join("\n") + "\n";
const strict = (text: string, extra: Partial<Parameters<typeof validateText>[0]> = {}) => validateText({ text, name: "x", mode: "strict", ...extra });

t.test("NDJSON: line, path and reason for every problem", async (t) => {
  const out = strict(mixedText);
  t.match(out, { format: "ndjson", frames: 5, invalidFrames: 3 });
  t.match(out.problems, [
    { line: 3, path: "/action/chat_id", keyword: "minLength", frameType: "outbound" },
    { line: 4, path: "", keyword: "json", message: /not valid JSON/ },
    { line: 6, path: "", keyword: "required", message: /"bufferId"/, frameType: "inbound_ack" },
  ]);
  t.equal(formatProblem("f.ndjson", out.problems[0] as never), 'f.ndjson:3: "outbound" at /action/chat_id: /action/chat_id violates minLength 1 [minLength]');
  t.match(strict("\r\n" + JSON.stringify(hello) + "\r\n"), { frames: 1, invalidFrames: 0 }, "CRLF input");
});

t.test("one pretty-printed JSON value: the line of the failing property; arrays report the item", async (t) => {
  const frame = { type: "inbound", event: { text: "hi", message_type: "text", source: { platform: "discord", chat_id: "c", chat_type: "group", chat_name: null, user_id: null, user_name: null, thread_id: null, chat_topic: null, guild_id: "g-1" } } };
  const text = JSON.stringify(frame, null, 2);
  const out = strict(text);
  t.equal(out.format, "json");
  const sourceLine = text.split("\n").findIndex((l) => l.includes('"source"')) + 1;
  t.match(out.problems, [{ line: sourceLine, path: "/event/source", message: /scope_id/ }], "points at the line where /event/source starts");
  const deep = JSON.stringify({ ...badTyping, action: { op: "typing", chat_id: "c", content: 5 } }, null, 2);
  const contentLine = deep.split("\n").findIndex((l) => l.includes('"content"')) + 1;
  t.match(strict(deep).problems, [{ line: contentLine, path: "/action/content" }]);
  const arr = strict(JSON.stringify([hello, { type: "hello", platform: "x" }], null, 2));
  t.match(arr, { frames: 2, invalidFrames: 1, problems: [{ line: 7, item: 1, keyword: "required" }] });
});

t.test("--direction and --tolerant", async (t) => {
  const line = JSON.stringify(hello) + "\n";
  t.match(strict(line, { direction: "connector-to-gateway" }).problems, [{ path: "/type", message: /gateway-to-connector frame type, not connector-to-gateway/ }]);
  t.equal(strict(line, { direction: "gateway-to-connector" }).invalidFrames, 0);
  const extra = JSON.stringify({ ...hello, tenant: "t1" }) + "\n";
  t.match(strict(extra).problems, [{ keyword: "additionalProperties", message: /"tenant"/ }]);
  t.equal(strict(extra, { mode: "tolerant" }).invalidFrames, 0, "a receiver accepts unknown fields");
});

t.test("the command: output, stdin, --json, flags, exit statuses", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "relay-validate-"));
  const mixed = join(dir, "mixed.ndjson");
  writeFileSync(mixed, mixedText);
  const good = join(dir, "good.ndjson");
  writeFileSync(good, [hello, ack, { type: "going_idle" }].map((f) => JSON.stringify(f)).join("\n") + "\n");
  const [bad, ok, stdin, json, wrongWay, tolerant, usage, missing, empty] = await Promise.all([
    cli(["validate", mixed]),
    cli(["validate", good]),
    cli(["validate", "-"], JSON.stringify(hello) + "\n"),
    cli(["validate", "--json", mixed]),
    cli(["validate", "--direction=c2g", good]),
    cli(["validate", "--tolerant"], JSON.stringify({ ...hello, tenant: "t1" })),
    cli(["validate", "--direction", "sideways"], "{}"),
    cli(["validate", join(dir, "nope.ndjson")]),
    cli(["validate"], "\n\n"),
  ]);
  t.equal(bad.status, 1, "invalid input exits 1");
  const lines = bad.stdout.trim().split("\n");
  t.equal(lines.length, 3, bad.stdout);
  t.equal(lines[0], `${mixed}:3: "outbound" at /action/chat_id: /action/chat_id violates minLength 1 [minLength]`);
  t.match(lines[1], /:4: at \/: not valid JSON/);
  t.match(lines[2], /:6: "inbound_ack" at \/: the value is missing the required property "bufferId" \[required\]/);
  t.match(bad.stderr, /validate: 5 frames, 3 invalid \(strict, either direction\)/);

  t.equal(ok.status, 0, ok.stderr);
  t.equal(ok.stdout, "");
  t.match(ok.stderr, /3 frames, 0 invalid/);
  t.equal(stdin.status, 0);
  t.match(stdin.stderr, /<stdin>|1 frame, 0 invalid/);

  t.equal(json.status, 1);
  t.match(JSON.parse(json.stdout), { file: mixed, format: "ndjson", frames: 5, invalidFrames: 3, mode: "strict", direction: "any", problems: [{ line: 3, path: "/action/chat_id" }] });

  t.equal(wrongWay.status, 1, "--direction applies");
  t.match(wrongWay.stderr, /connector-to-gateway/);
  t.equal(tolerant.status, 0, "--tolerant applies");
  t.match(tolerant.stderr, /tolerant/);

  t.equal(usage.status, 2, "a bad flag value is a usage error");
  t.equal(missing.status, 2, "an unreadable file is an input error");
  t.match(missing.stderr, /cannot read/);
  t.equal(empty.status, 1, "nothing to validate fails");
  t.match(empty.stderr, /no frames found/);
});

t.test("every problem of a frame, not only the first", async (t) => {
  // Three independent defects in one frame: all three are reported.
  const frame = { type: "outbound", requestId: "not-hex", action: { op: "send", chat_id: "", content: 5, reply_to: null } };
  const out = strict(JSON.stringify(frame) + "\n");
  t.equal(out.invalidFrames, 1);
  t.match(
    out.problems.map((p) => [p.path, p.keyword]),
    [["/requestId", "pattern"], ["/action/chat_id", "minLength"], ["/action/content", "type"]],
  );
});

t.test("wire limit and byte order mark are named", async (t) => {
  const big = JSON.stringify({ type: "inbound_ack", bufferId: "b".repeat(300) });
  const over = validateText({ text: big + "\n", name: "x", mode: "tolerant", maxFrameBytes: 100 });
  t.equal(over.invalidFrames, 1, "a frame over the limit is refused, whatever its schema says");
  t.match(over.problems, [{ keyword: "maxFrameBytes", severity: "error", message: /wire limit is 100/ }]);
  const bomLine = strict("\uFEFF" + JSON.stringify(hello) + "\n" + JSON.stringify(ack) + "\n");
  t.match(bomLine, { frames: 2, invalidFrames: 1 });
  t.match(bomLine.problems, [{ line: 1, keyword: "bom", severity: "error", message: /byte order mark/ }]);
  const bomWhole = strict("\uFEFF" + JSON.stringify(hello, null, 2));
  t.match(bomWhole, { format: "json", frames: 1, invalidFrames: 1, problems: [{ keyword: "bom" }] });
});

t.test("tolerant: advisories and dropped entries are warnings, unknown types are notes", async (t) => {
  const manifest = { type: "hello", platform: "discord", botId: "1", command_manifest: [{ name: "Bad Name", description: "x" }, { name: "ok", description: "y" }] };
  const rename = { type: "outbound", requestId: "r-1", action: { op: "thread_rename", chat_id: "c", message_id: "t", thread_name: "n" } };
  const text = [manifest, rename, { type: "future_frame", x: 1 }].map((f) => JSON.stringify(f)).join("\n") + "\n";
  const out = validateText({ text, name: "x", mode: "tolerant" });
  t.match(out, { frames: 3, invalidFrames: 0, framesWithWarnings: 2 });
  t.match(out.problems, [
    { line: 1, path: "/command_manifest/0", severity: "warning", message: /dropped/ },
    { line: 2, path: "/requestId", keyword: "pattern", severity: "warning", message: /advisory/ },
    { line: 3, path: "/type", keyword: "ignored", severity: "note", message: /ignored: unknown type/ },
  ]);
  t.equal(formatProblem("f", out.problems[2] as never), 'f:3: note: "future_frame" at /type: ignored: unknown type: a receiver skips this frame [ignored]');
  t.match(strict(text), { invalidFrames: 3 }, "strict: the producer contract refuses all three");

  const [tolerant, failing] = await Promise.all([cli(["validate", "--tolerant", "-"], text), cli(["validate", "--tolerant", "--fail-on-advisory", "-"], text)]);
  t.equal(tolerant.status, 0, "warnings and notes do not fail a tolerant run");
  t.match(tolerant.stdout, /note: "future_frame" at \/type: ignored: unknown type/);
  t.match(tolerant.stdout, /warning: "hello" at \/command_manifest\/0/);
  t.match(tolerant.stderr, /3 frames, 0 invalid, 2 with warnings \(tolerant/);
  t.equal(failing.status, 1, "--fail-on-advisory");
  t.match(failing.stderr, /--fail-on-advisory/);
});
