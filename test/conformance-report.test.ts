/**
 * The kit's bookkeeping without sockets: the requirement registry, verdicts, expected failures
 * (exact, unexpected, stale), the three renderers, the runner's handling of broken scenarios,
 * the lenient wire reader, and the kit's own payloads against the strict schema.
 */
import t from "tap";
import {
  ALL_OPS,
  buildReport,
  compareExpectedFailures,
  descriptorFor,
  ExpectedFailuresError,
  GATEWAY_SCENARIOS,
  GATEWAY_TRANSPORT_SCENARIOS,
  CONNECTOR_SCENARIOS,
  parseExpectedFailures,
  passthroughFor,
  renderHuman,
  renderJson,
  renderJunit,
  REQUIREMENTS,
  requirementById,
  requirementsFor,
  runScenarios,
  sampleAction,
  textEvent,
  type Scenario,
  type ScenarioResult,
} from "../src/conformance/index.js";
import { validateDefinition, validateFrame } from "../src/validation.js";
import { WireLog } from "../src/conformance/wire.js";

t.test("requirement registry: unique ids, levels, roles, references", async (t) => {
  const ids = REQUIREMENTS.map((r) => r.id);
  t.equal(new Set(ids).size, ids.length, "ids are unique");
  for (const r of REQUIREMENTS) {
    t.match(r.id, /^RC-[A-Z]+-\d{3}$/, r.id);
    t.ok(r.level === "MUST" || r.level === "SHOULD", `${r.id} level`);
    t.ok(["gateway", "connector", "both"].includes(r.role), `${r.id} role`);
    t.ok(r.title.length > 10 && r.ref.length > 0, `${r.id} title and ref`);
  }
  t.ok(requirementsFor("gateway").every((r) => r.role !== "connector"));
  t.ok(requirementsFor("connector").every((r) => r.role !== "gateway"));
  // Every scenario names only registered requirements.
  for (const s of [...GATEWAY_SCENARIOS, ...CONNECTOR_SCENARIOS]) {
    for (const id of s.requirements) t.ok(requirementById(id), `${s.id} → ${id}`);
  }
});

t.test("the kit's own payloads are strictly valid", async (t) => {
  for (const op of ALL_OPS) {
    const r = validateFrame({ type: "outbound", requestId: "0123456789abcdef0123456789abcdef", action: sampleAction(op) }, { mode: "strict" });
    t.ok(r.ok, `${op}: ${r.ok ? "" : JSON.stringify(r.issues)}`);
  }
  t.equal(ALL_OPS.length, 14);
  for (const p of ["discord", "telegram", "slack", "whatsapp"]) {
    t.ok(validateDefinition("CapabilityDescriptor", descriptorFor(p)).ok, `descriptor ${p}`);
    t.ok(validateFrame({ type: "inbound", event: textEvent("hi", p) }).ok, `inbound ${p}`);
  }
  t.ok(validateFrame({ type: "passthrough_forward", forward: passthroughFor('{"type":3}') }).ok, "passthrough");
});

function scenarioResult(id: string, checks: ScenarioResult["checks"], error?: string): ScenarioResult {
  return { id, title: id, durationMs: 12, checks, ...(error !== undefined && { error }) };
}

const passing = scenarioResult("s1", [
  { requirement: "RC-HS-002", name: "hellos", status: "pass" },
  { requirement: "RC-WIRE-001", name: "wire G→C: a receiver accepts every frame the gateway sent", status: "pass", wire: { direction: "G→C", frames: 2, frameTypes: { hello: 2 } } },
]);
const mustFails = scenarioResult("s2", [
  { requirement: "RC-ACK-002", name: "no ack for live <inbound> & \"more\"", status: "fail", message: "acked <live> & \"quoted\"\u0001" },
  { requirement: "RC-ACK-002", name: "second", status: "pass" },
]);
const shouldFails = scenarioResult("s3", [{ requirement: "RC-AUTH-004", name: "re-dial", status: "fail", message: "no re-dial" }]);

function report(scenarios: ScenarioResult[], extra: { expected?: string[]; strict?: boolean } = {}) {
  return buildReport({
    role: "gateway",
    target: "test gateway",
    startedAt: new Date(0),
    durationMs: 1000,
    scenarios,
    ...(extra.expected !== undefined && { expectedFailures: { ids: extra.expected, file: "ef.txt" } }),
    ...(extra.strict !== undefined && { strict: extra.strict }),
  });
}

t.test("verdicts: MUST fails, SHOULD is tolerated unless strict", async (t) => {
  const ok = report([passing]);
  t.equal(ok.ok, true);
  t.equal(ok.requirements.find((r) => r.id === "RC-HS-002")?.status, "pass");
  t.equal(ok.requirements.find((r) => r.id === "RC-ACK-001")?.status, "untested");
  t.notOk(ok.requirements.some((r) => r.id === "RC-DESC-001"), "connector requirements are not listed for a gateway run");

  const must = report([passing, mustFails]);
  t.equal(must.ok, false);
  t.same(must.summary.mustFailed, ["RC-ACK-002"]);
  t.match(must.requirements.find((r) => r.id === "RC-ACK-002"), { status: "fail", checks: 2, failed: 1 });

  const should = report([passing, shouldFails]);
  t.equal(should.ok, true, "a SHOULD failure alone passes");
  t.same(should.summary.shouldFailed, ["RC-AUTH-004"]);
  t.equal(report([passing, shouldFails], { strict: true }).ok, false, "--strict fails on SHOULD");

  t.equal(report([scenarioResult("boom", [], "kaput")]).ok, false, "a scenario error fails the run");
});

t.test("expected failures: exact match passes, unexpected and stale entries fail", async (t) => {
  const exact = report([passing, mustFails, shouldFails], { expected: ["RC-ACK-002", "RC-AUTH-004"] });
  t.equal(exact.ok, true);
  t.same(exact.expectedFailures?.matched, ["RC-ACK-002", "RC-AUTH-004"]);
  t.equal(exact.requirements.find((r) => r.id === "RC-ACK-002")?.expected, true);

  const missing = report([passing, mustFails, shouldFails], { expected: ["RC-ACK-002"] });
  t.equal(missing.ok, false, "a failure that is not listed fails — even a SHOULD");
  t.same(missing.expectedFailures?.unexpected, ["RC-AUTH-004"]);

  const stale = report([passing, mustFails], { expected: ["RC-ACK-002", "RC-HS-002"] });
  t.equal(stale.ok, false, "a listed requirement that passed is stale");
  t.same(stale.expectedFailures?.stale, ["RC-HS-002"]);

  const untestedStale = report([passing], { expected: ["RC-IDLE-001"] });
  t.equal(untestedStale.ok, false, "a listed requirement that was not tested is stale too");

  t.equal(report([passing, scenarioResult("x", [], "err")], { expected: [] }).ok, false, "expected failures never excuse a scenario error");
  t.same(compareExpectedFailures(["A", "B"], ["B", "C"]), { listed: ["B", "C"], matched: ["B"], unexpected: ["A"], stale: ["C"] });
});

t.test("expected-failures files: text, JSON array, JSON object; unknown ids refused", async (t) => {
  t.same(parseExpectedFailures("# our gateway is V-mid\nRC-AUTH-004   stops at once\n\nRC-AUTH-006 # expired is terminal for us\n"), ["RC-AUTH-004", "RC-AUTH-006"]);
  t.same(parseExpectedFailures('["RC-AUTH-004"]'), ["RC-AUTH-004"]);
  t.same(parseExpectedFailures('{"expectedFailures":[{"id":"RC-AUTH-004","reason":"V-mid"},"RC-FRM-002"]}'), ["RC-AUTH-004", "RC-FRM-002"]);
  t.same(parseExpectedFailures(""), []);
  t.throws(() => parseExpectedFailures("RC-NOPE-001"), ExpectedFailuresError);
  t.throws(() => parseExpectedFailures("{not json"), ExpectedFailuresError);
  t.throws(() => parseExpectedFailures('{"other":[]}'), ExpectedFailuresError);
});

t.test("renderers: human summary, JSON, JUnit XML", async (t) => {
  const r = report([passing, mustFails, shouldFails], { expected: ["RC-ACK-002", "RC-HS-002"] });
  const human = renderHuman(r);
  t.match(human, /conformance gateway: FAIL/);
  t.match(human, /stale:\s+RC-HS-002/);
  t.match(human, /! RC-ACK-002 MUST no ack for live/, "failed checks are listed under their scenario (an expected one marked !)");
  t.match(human, /✗ RC-AUTH-004 SHOULD re-dial — no re-dial/, "with an expected-failures list, an unlisted SHOULD failure blocks");
  t.notMatch(human, /every frame the gateway sent/, "passing wire checks are folded unless verbose");
  t.match(renderHuman(r, { verbose: true }), /wire G→C: a receiver accepts every frame the gateway sent/);

  t.same(JSON.parse(renderJson(r)), JSON.parse(JSON.stringify(r)), "JSON is the report itself");

  const xml = renderJunit(r);
  t.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites /);
  t.match(xml, /<testsuite name="gateway.s2" tests="2" failures="0" errors="0" skipped="1"/, "an expected failure renders as skipped");
  t.match(xml, /<failure type="SHOULD" message="no re-dial">/, "an unlisted SHOULD failure is a failure when expectations are given");
  t.match(renderJunit(report([shouldFails])), /<skipped message="SHOULD not met \(tolerated\): no re-dial"\/>/, "without expectations a SHOULD failure renders as skipped");
  t.match(xml, /<testcase classname="RC-HS-002" name="listed as an expected failure"><failure type="stale"/, "a stale entry is a failure");
  t.match(xml, /acked &lt;live&gt; &amp; &quot;quoted&quot;\ufffd/, "text is escaped; control characters replaced");
  t.notMatch(xml, /\u0001/);
  // Every opened element is closed (a cheap well-formedness check).
  const opened = (xml.match(/<(testsuites|testsuite|testcase)[\s>]/g) ?? []).length;
  const closed = (xml.match(/<\/(testsuites|testsuite|testcase)>/g) ?? []).length;
  t.equal(opened, closed);

  const blocking = renderJunit(report([mustFails]));
  t.match(blocking, /<failure type="MUST" message="acked &lt;live&gt;/, "a MUST failure without expectations is a JUnit failure");
  t.match(renderJunit(report([scenarioResult("boom", [], "kaput\nstack")])), /<error message="kaput">kaput\nstack<\/error>/);
});

t.test("runner: a throwing or overrunning scenario is an error, checks still count, unknown ids are kit bugs", async (t) => {
  const scenarios: Array<Scenario<null>> = [
    { id: "throws", title: "", requirements: [], run: async (ctx) => { ctx.check("RC-HS-002", "before", true); throw new Error("kaput"); } },
    { id: "hangs", title: "", requirements: [], run: (ctx) => new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => { ctx.check("RC-HS-001", "cleanup ran", true); resolve(); })) },
    { id: "bad-id", title: "", requirements: [], run: async (ctx) => void ctx.check("RC-NOPE-001", "x", true) },
    { id: "fine", title: "", requirements: [], run: async (ctx) => void ctx.check("RC-HS-003", "ok", true) },
  ];
  const results = await runScenarios(scenarios, null, { scenarioTimeoutMs: 100 });
  t.equal(results.length, 4);
  t.match(results[0], { id: "throws", error: /kaput/, checks: [{ requirement: "RC-HS-002", status: "pass" }] });
  t.match(results[1], { id: "hangs", error: /did not finish within 100 ms/, checks: [{ name: "cleanup ran" }] });
  t.match(results[2], { id: "bad-id", error: /unknown requirement RC-NOPE-001/ });
  t.notOk(results[3]?.error);
  const only = await runScenarios(scenarios, null, { only: ["fine"] });
  t.same(only.map((s) => s.id), ["fine"]);
});

t.test("wire log: strict validation of every frame, one check per type, lenient reading, framing checks", async (t) => {
  const checks: Array<{ requirement: string; status: string; name: string; message?: string }> = [];
  const ctx = {
    scenarioId: "x",
    signal: new AbortController().signal,
    check: (requirement: string, name: string, ok: boolean, message?: string) => (checks.push({ requirement, name, status: ok ? "pass" : "fail", ...(message !== undefined && { message }) }), ok),
    skip: () => undefined,
    record: (c: { requirement: string; status: string; name: string; message?: string }) => void checks.push(c),
    log: () => undefined,
    setPeerOutput: () => undefined,
    setPeerExit: () => undefined,
  };
  const log = new WireLog(ctx, "C→G");
  const reader = log.reader();
  const descriptor = JSON.stringify({ type: "descriptor", descriptor: descriptorFor("discord") });
  t.equal(reader.push(descriptor + "\n" + '{"type":"going_idle_ack"}\n').length, 2, "two frames in one message");
  t.equal(reader.push('{"type":"inbound","event":{"text":"a","message_type":"text","source":{"platform":"discord","chat_id":"c","chat_type":"group","chat_name":null,').length, 0, "a split frame waits");
  t.equal(reader.push('"user_id":null,"user_name":null,"thread_id":null,"chat_topic":null}}}\n').length, 1, "…and completes");
  t.equal(reader.push('{"type":"going_idle_ack"}').length, 1, "a complete object without its newline is still read");
  reader.push("not json\n");
  log.finish();
  const byReq = (id: string) => checks.filter((c) => c.requirement === id);
  t.match(byReq("RC-DESC-001"), [{ status: "pass", wire: { frames: 1, frameTypes: { descriptor: 1 } } }], "descriptor validity is its own requirement");
  t.match(byReq("RC-INB-001"), [{ status: "fail", message: /^1 of 1 invalid: #3: .*scope_id.*advisory: a receiver accepts it/ }], "a Discord group source without scope_id fails strict validation, naming the frame; a receiver would accept it");
  t.match(byReq("RC-WIRE-002"), [{ status: "fail", name: "wire C→G: every other frame the connector sent is strictly valid", message: /^1 of 3 invalid: #5: invalid JSON/, wire: { frames: 3, frameTypes: { going_idle_ack: 2, "(not JSON)": 1 } } }], "one check per requirement, however many frames");
  t.match(byReq("RC-FRM-001"), [{ status: "fail", message: /1 message\(s\) without the trailing newline/ }]);
  t.match(byReq("RC-FRM-002"), [{ status: "fail", message: /1 message\(s\) carried several frames/ }]);
});

t.test("docs/conformance.md carries the registry's table and every scenario", async (t) => {
  const { readFileSync } = await import("node:fs");
  const { renderRequirementTable } = await import("../src/conformance/index.js");
  const doc = readFileSync(new URL("../docs/conformance.md", import.meta.url), "utf8");
  const between = /<!-- requirements:start -->\n([\s\S]*?)<!-- requirements:end -->/.exec(doc)?.[1];
  t.equal(between, renderRequirementTable(), "the requirement table is the registry's rendering (regenerate with `relay-contract requirements --markdown`)");
  for (const s of GATEWAY_SCENARIOS) t.match(doc, new RegExp(`\\| \`${s.id}\` \\|`), `gateway scenario ${s.id} documented`);
  for (const s of CONNECTOR_SCENARIOS) t.match(doc, new RegExp(`\\| \`${s.id}\` \\|`), `connector scenario ${s.id} documented`);
  for (const s of GATEWAY_TRANSPORT_SCENARIOS) t.match(doc, new RegExp(`\\| \`${s.id}\` \\|`), `transport scenario ${s.id} documented`);
  for (const v of [
    "RELAY_URL", "RELAY_GATEWAY_ID", "RELAY_SECRET", "RELAY_IDENTITIES", "RELAY_SCENARIO", "RELAY_PROFILE", "RELAY_BACKOFF_BASE_MS", "RELAY_BACKOFF_MAX_MS", "RELAY_REQUEST_TIMEOUT_MS",
    "GATEWAY_RELAY_URL", "GATEWAY_RELAY_ID", "GATEWAY_RELAY_SECRET", "GATEWAY_RELAY_PLATFORMS", "GATEWAY_RELAY_BOT_IDS",
  ]) {
    t.match(doc, v, `${v} documented`);
  }
});

t.test("docs/conformance.md names exactly the JSON report's fields", async (t) => {
  const { readFileSync } = await import("node:fs");
  const doc = readFileSync(new URL("../docs/conformance.md", import.meta.url), "utf8");
  const table = /<!-- json-fields:start -->\n([\s\S]*?)<!-- json-fields:end -->/.exec(doc)?.[1] ?? "";
  const documented = new Map<string, string[]>();
  for (const row of table.split("\n").slice(2)) {
    const cells = row.split("|").map((c) => c.trim());
    if (cells.length < 3 || cells[1] === "") continue;
    documented.set(cells[1] as string, [...(cells[2] as string).matchAll(/`([^`]+)`/g)].map((m) => m[1] as string).sort());
  }
  // A report with every optional field present, through the JSON renderer.
  const report = buildReport({
    role: "gateway",
    profile: "transport",
    target: "t",
    startedAt: new Date(0),
    durationMs: 1,
    scenarios: [
      {
        ...scenarioResult("s", [
          { requirement: "RC-HS-002", name: "a", status: "fail", message: "m" },
          { requirement: "RC-WIRE-001", name: "w", status: "pass", wire: { direction: "G→C", frames: 1, frameTypes: { hello: 1 } } },
          { requirement: "RC-INT-002", name: "s", status: "skip", message: "why" },
        ], "boom"),
        peerOutput: "out",
        peerExit: "exited with status 3",
      },
    ],
    expectedFailures: { ids: ["RC-HS-002"], file: "ef.txt" },
  });
  const json = JSON.parse(renderJson(report)) as Record<string, unknown> & { scenarios: Array<Record<string, unknown> & { checks: Array<Record<string, unknown>> }>; requirements: Array<Record<string, unknown>> };
  const keysOf = (objects: Array<Record<string, unknown>>): string[] => [...new Set(objects.flatMap((o) => Object.keys(o)))].sort();
  const seen: Record<string, string[]> = {
    report: keysOf([json]),
    summary: keysOf([json.summary as Record<string, unknown>]),
    scenario: keysOf(json.scenarios),
    check: keysOf(json.scenarios.flatMap((s) => s.checks)),
    wire: keysOf(json.scenarios.flatMap((s) => s.checks).flatMap((c) => (c.wire === undefined ? [] : [c.wire as Record<string, unknown>]))),
    requirement: keysOf(json.requirements),
    expectedFailures: keysOf([json.expectedFailures as Record<string, unknown>]),
  };
  t.same([...documented.keys()].sort(), Object.keys(seen).sort(), "one row per object of the report");
  for (const [object, keys] of Object.entries(seen)) t.same(documented.get(object), keys, `${object}: the documented fields are the report's`);
});
