/**
 * `relay-contract diff`: crafted pairs of contract versions, each made from the current bundles
 * by one edit, classified by whom they break; then the command itself (exit codes, JSON, package
 * folders and tarballs, usage errors).
 */
import t from "tap";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { diffContracts, loadContract, type ContractChange, type ContractDiff, type ContractSnapshot } from "../src/contract-diff/index.js";

type Node = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const root = fileURLToPath(new URL("..", import.meta.url));
const read = (file: string) => JSON.parse(readFileSync(join(root, "generated/schema", file), "utf8")) as { definitions: Node };
const STRICT = read("bundle.json");
const TOLERANT = read("bundle.tolerant.json");
const clone = <T>(v: T): T => structuredClone(v);

function version(source: string, edit?: (strict: Node, tolerant: Node) => void): ContractSnapshot {
  const strict = clone(STRICT.definitions);
  const tolerant = clone(TOLERANT.definitions);
  edit?.(strict, tolerant);
  return { source, contractVersion: 1, strict, tolerant, tolerantDerived: false };
}
type Edit = (strict: Node, tolerant: Node) => void;
const base = version("old");
/** Both versions start from `setup` (the case's premise); the new one also gets `edit`. */
const diffFrom = (setup: Edit, edit: Edit): ContractDiff =>
  diffContracts(
    version("old", setup),
    version("new", (s, tl) => {
      setup(s, tl);
      edit(s, tl);
    }),
  );
const diffTo = (edit: (strict: Node, tolerant: Node) => void): ContractDiff => diffContracts(base, version("new", edit));
const only = (d: ContractDiff): ContractChange => {
  if (d.changes.length !== 1) throw new Error(`expected one change, got ${JSON.stringify(d.changes, null, 2)}`);
  return d.changes[0]!;
};
/** The same edit on both schemas (a field both producers and receivers see the same way). */
const both = (fn: (defs: Node) => void) => (s: Node, tl: Node) => {
  fn(s);
  fn(tl);
};

t.test("the same contract has no changes", async (t) => {
  const d = diffContracts(base, version("new"));
  t.same(d.changes, []);
  t.equal(d.breaking, false);
  const annotated = diffTo(
    both((d) => {
      d.HelloFrame.description = "Reworded.";
      d.HelloFrame.properties.platform["x-drop-invalid-entries"] = true;
      d.HelloFrame.properties.platform.examples = ["matrix"];
    }),
  );
  t.same(annotated.changes, [], "descriptions, examples and x- keywords are annotations, not changes");
});

t.test("a new optional field is additive; producers and consumers come from the frame's direction", async (t) => {
  const c = only(diffTo(both((d) => (d.SessionSource.properties.locale = { type: "string", description: "x", "x-since": "V-latest" }))));
  t.match(c, { definition: "SessionSource", path: "/properties/locale", impact: "additive", producers: ["connector"], consumers: ["gateway"] });
  t.match(c.change, /optional field locale added/);
});

t.test("a new required field breaks producers", async (t) => {
  const d = diffTo(
    both((d) => {
      d.HelloFrame.properties.region = { type: "string", description: "x", "x-since": "V-latest" };
      d.HelloFrame.required.push("region");
    }),
  );
  t.match(only(d), { definition: "HelloFrame", impact: "breaking-for-producers", producers: ["gateway"], consumers: ["connector"] });
  t.equal(d.breaking, true);
});

t.test("narrowed enum, type, length and a new pattern break producers", async (t) => {
  const premise: Edit = both((d) => {
    d.SessionSource.properties.chat_type = { type: "string", enum: ["dm", "group", "forum"] };
    d.SessionSource.properties.thread_id = { type: ["string", "null"] };
    d.HelloFrame.properties.platform = { type: "string", minLength: 1 };
    d.HelloFrame.properties.botId = { type: "string" };
  });
  t.match(only(diffFrom(premise, both((d) => (d.SessionSource.properties.chat_type.enum = ["dm", "group"])))), { impact: "breaking-for-producers", change: 'values: removed "forum"' });
  t.match(only(diffFrom(premise, both((d) => (d.SessionSource.properties.thread_id.type = "string")))), { impact: "breaking-for-producers", change: 'type: removed "null"' });
  t.match(only(diffFrom(premise, both((d) => (d.HelloFrame.properties.platform.maxLength = 64)))), { impact: "breaking-for-producers", change: "maxLength none → 64" });
  t.match(only(diffFrom(premise, both((d) => (d.HelloFrame.properties.platform.minLength = 2)))), { impact: "breaking-for-producers", change: "minLength 1 → 2" });
  t.match(only(diffFrom(premise, both((d) => (d.HelloFrame.properties.botId.pattern = "^[0-9]+$")))), { impact: "breaking-for-producers", change: /pattern added/ });
});

t.test("a widened producer rule is additive when old receivers already accept it, else it breaks consumers", async (t) => {
  // An open string for receivers: a new value reaches old receivers fine.
  const openForReceivers: Edit = (_s, tl) => (tl.SessionSource.properties.chat_type = { type: "string", default: "dm" });
  t.match(only(diffFrom(openForReceivers, (s) => s.SessionSource.properties.chat_type.enum.push("broadcast"))), { impact: "additive", change: 'values: added "broadcast"' });
  // A closed enum for receivers too: old connectors reject the new value.
  const closedForReceivers: Edit = both((d) => (d.SendMediaAction.properties.media_kind = { type: "string", enum: ["image", "voice"] }));
  t.match(only(diffFrom(closedForReceivers, both((d) => d.SendMediaAction.properties.media_kind.enum.push("sticker")))), {
    definition: "SendMediaAction",
    impact: "breaking-for-consumers",
    producers: ["gateway"],
    consumers: ["connector"],
  });
  // A field no longer required: old receivers with a default for it are fine, others are not.
  const receiversDefaultIt: Edit = (s, tl) => {
    s.SessionSource.required = ["platform", "chat_id", "chat_type"];
    tl.SessionSource.required = ["platform", "chat_id"];
  };
  t.match(only(diffFrom(receiversDefaultIt, (s) => (s.SessionSource.required = ["platform", "chat_id"]))), { impact: "additive", change: "field chat_type no longer required" });
  const receiversNeedIt: Edit = both((d) => (d.HelloFrame.required = ["type", "platform", "botId"]));
  t.match(only(diffFrom(receiversNeedIt, both((d) => (d.HelloFrame.required = ["type", "platform"])))), { impact: "breaking-for-consumers", change: "field botId no longer required" });
});

t.test("a producer-only rule turned into an advisory: additive where receivers never enforced it", async (t) => {
  const pattern = "^(?:[A-Za-z0-9+/]{4})*$";
  const dropPattern: Edit = (s) => delete s.PassthroughForward.properties.bodyB64.pattern;
  const producerOnly: Edit = (s, tl) => {
    s.PassthroughForward.properties.bodyB64 = { type: "string", pattern };
    tl.PassthroughForward.properties.bodyB64 = { type: "string" };
  };
  t.match(only(diffFrom(producerOnly, dropPattern)), { definition: "PassthroughForward", impact: "additive", change: /pattern removed/ });
  const receiversToo: Edit = both((d) => (d.PassthroughForward.properties.bodyB64 = { type: "string", pattern }));
  t.match(only(diffFrom(receiversToo, dropPattern)), { impact: "breaking-for-consumers", change: /pattern removed/ });
  // A changed pattern cannot be proven wider or narrower: both.
  t.match(only(diffFrom(receiversToo, both((d) => (d.PassthroughForward.properties.bodyB64.pattern = "^[A-Za-z0-9+/=]*$")))), { impact: "breaking-for-producers-and-consumers" });
});

t.test("receiver-only changes: widening is additive, narrowing breaks producers only below what they may send", async (t) => {
  const platform: Edit = both((d) => (d.HelloFrame.properties.platform = { type: "string", minLength: 1 }));
  const widened = diffFrom(platform, (_s, tl) => (tl.HelloFrame.properties.platform.minLength = 0));
  t.match(only(widened), { impact: "additive", schema: "tolerant", change: /^receivers: minLength 1 → 0/ });
  t.equal(widened.breaking, false);
  const closedKinds: Edit = both((d) => (d.SendMediaAction.properties.media_kind = { type: "string", enum: ["image", "voice"] }));
  t.match(only(diffFrom(closedKinds, (_s, tl) => delete tl.SendMediaAction.properties.media_kind.enum)), { impact: "additive", schema: "tolerant" });
  // Receivers rejecting values producers may still send: old producers break.
  t.match(only(diffFrom(platform, (_s, tl) => (tl.HelloFrame.properties.platform.maxLength = 8))), { impact: "breaking-for-producers", schema: "tolerant" });
  // Receivers rejecting what producers never send: harmless.
  const chatType: Edit = (s, tl) => {
    s.SessionSource.properties.chat_type = { type: "string", enum: ["dm", "group"] };
    tl.SessionSource.properties.chat_type = { type: "string" };
  };
  t.match(only(diffFrom(chatType, (_s, tl) => (tl.SessionSource.properties.chat_type.enum = ["dm", "group"]))), { impact: "additive", schema: "tolerant", change: /^receivers: values now limited to/ });
});

t.test("a removed field breaks producers (closed objects) and consumers (they read it)", async (t) => {
  const d = diffTo(
    both((d) => {
      delete d.SessionSource.properties.chat_topic;
      if (d.SessionSource.required) d.SessionSource.required = d.SessionSource.required.filter((n: string) => n !== "chat_topic");
    }),
  );
  t.match(only(d), { impact: "breaking-for-producers-and-consumers", change: "required field chat_topic removed" });
});

t.test("the historical rename guild_id → scope_id is breaking", async (t) => {
  // Before: a P3 source with guild_id and no scope_id (nor the rules that require it).
  const before = version("P3", (s, tl) => {
    for (const d of [s, tl]) {
      delete d.SessionSource.properties.scope_id;
      delete d.SessionSource.allOf;
      d.SessionSource.properties.guild_id = { type: ["string", "null"], description: "Discord guild id.", "x-since": "P3" };
    }
  });
  const after = version("V-late", (s, tl) => {
    for (const d of [s, tl]) {
      delete d.SessionSource.properties.guild_id;
      delete d.SessionSource.allOf;
    }
  });
  const d = diffContracts(before, after);
  t.equal(d.breaking, true);
  t.match(d.changes, [
    { definition: "SessionSource", path: "/properties/guild_id", impact: "breaking-for-producers-and-consumers", change: "optional field guild_id removed (renamed to scope_id?)" },
    { definition: "SessionSource", path: "/properties/scope_id", impact: "additive", change: "optional field scope_id added (renamed from guild_id?)" },
  ]);
  t.same(d.changes.map((c) => c.producers), [["connector"], ["connector"]]);
});

t.test("removed op and frame are breaking; new ones are additive (receivers ignore unknown types and ops)", async (t) => {
  const noReact = diffTo(
    both((d) => {
      d.OutboundAction.properties.op.enum = d.OutboundAction.properties.op.enum?.filter((o: string) => o !== "react");
      d.OutboundAction.allOf = d.OutboundAction.allOf.filter((m: Node) => m.if.properties.op.const !== "react");
      delete d.ReactAction;
      delete d.ReactResult;
    }),
  );
  t.equal(noReact.breaking, true);
  t.match(noReact.changes.find((c) => c.definition === "OutboundAction"), { impact: "breaking-for-producers", change: 'values: removed "react"', producers: ["gateway"] });
  t.match(noReact.changes.find((c) => c.definition === "ReactAction"), { change: "definition removed", impact: "breaking-for-producers-and-consumers" });
  t.notOk(noReact.changes.some((c) => /rule for op/.test(c.change) && c.impact !== "additive"), "the op's dispatch rule goes with the op");

  const noInterrupt = diffTo(both((d) => (d.GatewayFrame.properties.type.enum = d.GatewayFrame.properties.type.enum?.filter((x: string) => x !== "interrupt"))));
  t.match(noInterrupt.changes, [{ definition: "GatewayFrame", impact: "breaking-for-producers", change: 'values: removed "interrupt"' }]);

  const newOp = diffTo((s, tl) => {
    for (const d of [s, tl]) {
      d.PinAction = { type: "object", title: "PinAction", description: "Pin.", "x-since": "V-latest", required: ["op"], properties: { op: { const: "pin", type: "string", description: "Op.", "x-since": "V-latest" } } };
      d.OutboundAction.allOf.push({ if: { properties: { op: { const: "pin" } }, required: ["op"] }, then: { $ref: "#/definitions/PinAction" } });
    }
    s.OutboundAction.properties.op.enum.push("pin");
  });
  t.equal(newOp.breaking, false, JSON.stringify(newOp.changes));
  t.match(newOp.changes.find((c) => c.definition === "PinAction"), { change: "definition added", impact: "additive", producers: ["gateway"] });
});

t.test("a changed receiver default breaks producers (an omitted field means something else)", async (t) => {
  const premise: Edit = both((d) => (d.SessionSource.properties.chat_type = { type: "string", default: "dm" }));
  t.match(only(diffFrom(premise, both((d) => (d.SessionSource.properties.chat_type.default = "group")))), { impact: "breaking-for-producers", change: 'receiver default "dm" → "group"' });
});

t.test("directions: annotated roots, nested definitions, the HTTP bodies, and bundles without annotations", async (t) => {
  const edit = (name: string) => both((d) => (d[name].properties.extra = { type: "string", description: "x", "x-since": "V-latest" }));
  t.match(only(diffTo(edit("EnrollRequest"))), { producers: ["gateway"], consumers: ["connector"] });
  t.match(only(diffTo(edit("EnrollResponse"))), { producers: ["connector"], consumers: ["gateway"] });
  t.match(only(diffTo(edit("ChatInfo"))), { producers: ["connector"], consumers: ["gateway"] }, "reached through OutboundResultFrame");
  // Without x-direction (older bundles): frames by their union, HTTP bodies unknown (either side).
  const strip = (defs: Node) => Object.values(defs).forEach((d) => delete d["x-direction"]);
  const old = version("old", (s, tl) => (strip(s), strip(tl)));
  const d = diffContracts(old, version("new", (s, tl) => (strip(s), strip(tl), edit("EnrollRequest")(s, tl), edit("MessageEvent")(s, tl))));
  t.match(d.changes.find((c) => c.definition === "MessageEvent"), { producers: ["connector"], consumers: ["gateway"] });
  t.match(d.changes.find((c) => c.definition === "EnrollRequest"), { producers: ["gateway", "connector"], consumers: ["gateway", "connector"] });
});

// The command.
const dir = mkdtempSync(join(tmpdir(), "relay-contract-diff-"));
function writeVersion(name: string, v: ContractSnapshot, withTolerant = true): string {
  const folder = join(dir, name, "generated/schema");
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, "bundle.json"), JSON.stringify({ title: "RelayContract", "x-contract-version": v.contractVersion, definitions: v.strict }));
  if (withTolerant) writeFileSync(join(folder, "bundle.tolerant.json"), JSON.stringify({ title: "RelayContractTolerant", definitions: v.tolerant }));
  return join(folder, "bundle.json");
}
function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "diff", ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

const oldFile = writeVersion("old", base);
const additiveFile = writeVersion("additive", version("additive", (s) => s.SessionSource.properties.chat_type.enum.push("broadcast")));
const breakingFile = writeVersion("breaking", version("breaking", both((d) => (d.SessionSource.properties.chat_type.enum = ["dm"]))));

t.test("diff: exit 0 without breaking changes, human report by definition", async (t) => {
  const r = await cli([oldFile, additiveFile]);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /compatible: 1 additive change, none breaking/);
  t.match(r.stdout, /SessionSource — produced by connector, consumed by gateway\n {2}additive {2}\/properties\/chat_type {2}values: added "broadcast"/);
});

t.test("diff --json: exit 1 on a breaking change, with the classification", async (t) => {
  const r = await cli([join(dir, "old"), join(dir, "breaking"), "--json"]);
  t.equal(r.status, 1, r.stderr);
  const report = JSON.parse(r.stdout) as ContractDiff;
  t.match(report, { breaking: true, old: { contractVersion: 1, tolerantDerived: false }, summary: { breakingForProducers: 1, breakingForConsumers: 0 } });
  t.match(report.changes[0], { definition: "SessionSource", impact: "breaking-for-producers", producers: ["connector"], consumers: ["gateway"] });
});

t.test("diff reads packed package tarballs", async (t) => {
  const tgz = join(dir, "old.tgz");
  // The npm pack layout: everything under package/.
  mkdirSync(join(dir, "pack/package"), { recursive: true });
  const tar = spawnSync("tar", ["-czf", tgz, "-C", join(dir, "old"), "--transform", "s,^\\.,package,", "."]);
  t.equal(tar.status, 0, String(tar.stderr));
  const loaded = loadContract(tgz);
  t.equal(loaded.tolerantDerived, false, "the tolerant bundle came out of the tarball too");
  t.equal(Object.keys(loaded.strict).length, Object.keys(STRICT.definitions).length);
  const r = await cli([tgz, breakingFile]);
  t.equal(r.status, 1);
});

t.test("diff without a tolerant bundle takes receivers to accept unknown fields", async (t) => {
  const oldStrictOnly = writeVersion("strict-only-old", base, false);
  const newStrictOnly = writeVersion("strict-only-new", version("new", both((defs) => (defs.SessionSource.properties.locale = { type: "string", description: "x", "x-since": "V-latest" }))), false);
  const d = diffContracts(loadContract(oldStrictOnly), loadContract(newStrictOnly));
  t.equal(d.old.tolerantDerived, true);
  t.match(only(d), { impact: "additive", change: "optional field locale added" });
});

t.test("diff usage errors exit 2", async (t) => {
  const one = await cli([oldFile]);
  t.equal(one.status, 2);
  t.match(one.stderr, /diff needs OLD and NEW/);
  const notBundle = join(dir, "package.json");
  writeFileSync(notBundle, JSON.stringify({ name: "x" }));
  const bad = await cli([notBundle, oldFile]);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /not a schema bundle/);
  const tolerant = await cli([join(dir, "old/generated/schema/bundle.tolerant.json"), oldFile]);
  t.equal(tolerant.status, 2);
  t.match(tolerant.stderr, /give the strict one/);
  t.equal((await cli([join(dir, "missing.json"), oldFile])).status, 2);
});
