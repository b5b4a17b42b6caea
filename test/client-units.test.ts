/**
 * The client's pure parts: URL normalisation (§1.1), the backoff ladder (§1.5), the reconnect
 * decision table (§1.6, §4.6), supported_ops gating (§3.2, §7.6), base64 bodies (§3.9).
 */
import t from "tap";
import { backoffCeilingMs, backoffDelayMs, isOpSupported, nextStepAfter, normalizeRelayUrl, supportedOpsOf, type ConnectionEnd } from "../src/client/index.js";
import { ReconnectLadder } from "../src/client/backoff.js";
import { decodeBase64 } from "../src/client/normalize.js";
import { descriptor } from "./helpers/fixtures.js";

t.test("URL normalisation as the reference _ws_dial_url", async (t) => {
  const cases: Array<[string, string]> = [
    ["ws://127.0.0.1:8080", "ws://127.0.0.1:8080/relay"],
    ["wss://connector.example/relay/", "wss://connector.example/relay"],
    ["https://connector.example", "wss://connector.example/relay"],
    ["http://connector.example/", "ws://connector.example/relay"],
    ["  https://connector.example/base//  ", "wss://connector.example/base/relay"],
    ["ws://h/relay", "ws://h/relay"],
    ["HTTPS://h", "HTTPS://h/relay"],
  ];
  for (const [input, want] of cases) {
    t.equal(normalizeRelayUrl(input), want, JSON.stringify(input));
    t.equal(normalizeRelayUrl(normalizeRelayUrl(input)), want, "idempotent");
  }
});

t.test("backoff: d = min(base·2^(n−1), max), delay uniform in [d/2, d]", async (t) => {
  t.same([1, 2, 3, 4, 5, 6, 7].map((n) => backoffCeilingMs(n, 1000, 30_000)), [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  t.equal(backoffCeilingMs(5000, 1000, 30_000), 30_000, "no overflow");
  t.equal(backoffCeilingMs(1, 0, 30_000), 0, "base ≤ 0 disables the wait");
  t.equal(backoffCeilingMs(1, 1000, 0), 0, "max ≤ 0 disables the wait");
  const at = (r: number) => backoffDelayMs(3, { baseMs: 1000, maxMs: 30_000, random: () => r });
  t.equal(at(0), 2000);
  t.equal(at(0.5), 3000);
  t.equal(at(1), 4000);
  t.equal(at(Number.NaN), 2000, "a broken random source cannot produce NaN");
  t.equal(at(7), 4000, "nor exceed d");
  t.equal(at(-1), 2000, "nor go below d/2");

  const ladder = new ReconnectLadder({ baseMs: 1000, maxMs: 30_000, random: () => 1 });
  t.same([ladder.next(), ladder.next(), ladder.next(), ladder.next()], [1000, 2000, 4000, 8000], "waits 1, 2, 4, 8 s (reference test)");
  t.equal(ladder.attempt, 4);
  ladder.reset();
  t.equal(ladder.attempt, 0);
  t.equal(ladder.next(), 1000);
});

t.test("reconnect decision table", async (t) => {
  const base: ConnectionEnd = { code: 1011, reason: "", authRetry: false, everHandshaked: true, dormant: false, upMs: 5, stableMs: 60_000 };
  const kind = (patch: Partial<ConnectionEnd>) => nextStepAfter({ ...base, ...patch }).kind;
  t.equal(kind({}), "backoff", "ordinary close");
  t.equal(kind({ code: 1000 }), "backoff", "a 1000 from the connector is unexpected too");
  t.equal(kind({ dormant: true, code: 1000 }), "dormant");
  t.equal(kind({ code: 4401, reason: "unauthorized", everHandshaked: false, upMs: undefined }), "backoff", "pre-handshake 4401 is retryable");
  t.equal(kind({ code: 4401, reason: "unauthorized" }), "auth-retry", "post-handshake 4401 is provisional");
  t.equal(kind({ code: 4401, reason: "", upMs: undefined }), "auth-retry", "…also on a later dial that never handshaked, reason missing");
  t.equal(kind({ code: 4401, reason: "unauthorized", authRetry: true }), "terminal", "4401 on the fresh-token connection");
  t.equal(kind({ code: 4401, reason: "revoked", authRetry: true, upMs: undefined }), "terminal", "any reason but expired");
  t.equal(kind({ code: 4401, reason: "expired" }), "backoff", "expired is never a revocation");
  t.equal(kind({ code: 4401, reason: "expired", authRetry: true }), "backoff", "not even on the retry");
  t.equal(kind({ code: 1011, authRetry: true }), "backoff", "a non-auth failure of the retry goes to the ladder");
  t.equal(nextStepAfter({ ...base, upMs: 60_000 }).resetLadder, true, "up for the stable time");
  t.equal(nextStepAfter({ ...base, upMs: 59_999 }).resetLadder, false);
  t.equal(nextStepAfter({ ...base, upMs: undefined }).resetLadder, false, "never handshaked");
});

t.test("supported_ops gating", async (t) => {
  t.same([...supportedOpsOf(undefined)].sort(), ["edit", "follow_up", "send", "typing"], "no descriptor: legacy set");
  t.same([...supportedOpsOf(descriptor("x", { supported_ops: [] }))].sort(), ["edit", "follow_up", "send", "typing"], "empty: legacy set");
  t.same([...supportedOpsOf(descriptor("x", { supported_ops: ["send", "", 3 as never, "react"] }))], ["send", "react"], "cleaned list");
  t.same([...supportedOpsOf(descriptor("x", { supported_ops: "send" as never }))].sort(), ["edit", "follow_up", "send", "typing"], "non-list counts as empty");
  t.equal(isOpSupported("get_chat_info", descriptor("x")), false, "get_chat_info is not legacy");
  t.equal(isOpSupported("task_card", descriptor("x", { supported_ops: ["send"] })), false, "new ops never fail open");
  t.equal(isOpSupported("edit", descriptor("x", { supported_ops: ["send"] })), false, "a list replaces the legacy set");
  t.equal(isOpSupported("draft", descriptor("x", { supported_ops: ["draft"], supports_draft_streaming: true })), true);
  t.equal(isOpSupported("draft", descriptor("x", { supported_ops: ["draft"] })), false, "draft needs supports_draft_streaming too");
});

// The reference decodes with Python's base64.b64decode (validate=False): whitespace is skipped,
// wrong padding raises (ws_transport.py `_passthrough_from_wire`, hermes-agent 00067189).
t.test("passthrough bodies: standard base64, ASCII whitespace ignored, padding enforced", async (t) => {
  t.same(decodeBase64("AP8K"), Buffer.from([0x00, 0xff, 0x0a]));
  t.same(decodeBase64(""), Buffer.alloc(0));
  t.same(decodeBase64("YQ=="), Buffer.from("a"));
  t.equal(decodeBase64("YQ"), undefined, "padding required");
  t.equal(decodeBase64("YQ="), undefined, "short padding refused");
  t.equal(decodeBase64("Y Q"), undefined, "padding required after whitespace is removed");
  t.equal(decodeBase64("a-_b"), undefined, "base64url alphabet refused");
  t.same(decodeBase64("YW Jj"), Buffer.from("abc"), "a space inside");
  t.same(decodeBase64("YWJj\nZGVm\n"), Buffer.from("abcdef"), "MIME line wrapping");
  t.same(decodeBase64("\tYWJj\r\nZGVm\u000b\fYQ==  "), Buffer.from("abcdefa"), "every ASCII whitespace character");
  t.equal(decodeBase64("YWJj\u00a0ZGVm"), undefined, "non-ASCII whitespace is not skipped");
});
