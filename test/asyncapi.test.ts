/**
 * The AsyncAPI document: it parses cleanly with @asyncapi/parser (v3), and it covers every frame
 * type, every op, the request/reply pairing, `requestId` correlation and the upgrade bearer.
 */
import t from "tap";
import { readFileSync } from "node:fs";
import { Parser } from "@asyncapi/parser";
import { ACTIONS, CONNECTOR_FRAMES, DEFINITIONS, GATEWAY_FRAMES } from "../schema/index.js";
import { buildAsyncApi } from "../scripts/generate/asyncapi.js";
import { buildVectors } from "../scripts/generate/vectors.js";

type Obj = Record<string, any>;

const text = readFileSync(new URL("../generated/asyncapi.json", import.meta.url), "utf8");
const doc = JSON.parse(text) as Obj;
const parser = new Parser();

/** Error-severity diagnostics (0 = error in the parser's DiagnosticSeverity). */
async function errorsOf(source: string): Promise<string[]> {
  const { diagnostics } = await parser.parse(source);
  return diagnostics.filter((d) => d.severity === 0).map((d) => `${d.code}: ${d.message} at ${d.path.join("/")}`);
}

t.test("the committed document is what the generator produces, deterministically", async (t) => {
  const vectors = buildVectors();
  const once = buildAsyncApi(DEFINITIONS, vectors);
  t.equal(once, buildAsyncApi(DEFINITIONS, vectors), "same input, same bytes");
  t.equal(text, once, "generated/asyncapi.json is up to date");
});

t.test("@asyncapi/parser parses it with no error diagnostics", async (t) => {
  const { document, diagnostics } = await parser.parse(text);
  t.ok(document, "a document model");
  t.same(diagnostics.filter((d) => d.severity === 0).map((d) => d.message), [], "no errors");
  t.equal(document?.version(), "3.0.0");

  const outbound = document!.operations().get("receiveOutbound");
  t.ok(outbound?.isReceive(), "the connector receives outbound");
  t.same(outbound?.reply()?.messages().all().map((m) => m.name()), ["outbound_result"], "outbound replies with outbound_result");
  for (const name of ["outbound", "outbound_result"]) {
    const message = document!.messages().all().find((m) => m.name() === name);
    t.equal(message?.correlationId()?.location(), "$message.payload#/requestId", `${name} correlates on requestId`);
  }

  const requirement = document!.servers().get("connector")?.security()[0]?.all()[0];
  t.equal(requirement?.scheme().type(), "http");
  t.equal(requirement?.scheme().scheme(), "bearer");
  t.match(requirement?.scheme().bearerFormat() ?? "", /HMAC/, "bearerFormat names the HMAC token");
});

t.test("the parser check has teeth: a broken reference is an error", async (t) => {
  const broken = JSON.parse(text) as Obj;
  broken.operations.receiveOutbound.reply.messages[0].$ref = "#/channels/relay/messages/no_such_frame";
  t.not((await errorsOf(JSON.stringify(broken))).length, 0, "dangling reply reference reported");
  const noVersion = JSON.parse(text) as Obj;
  delete noVersion.info.version;
  t.not((await errorsOf(JSON.stringify(noVersion))).length, 0, "schema violation reported");
});

t.test("every frame type is a message with its strict payload and an operation of the right direction", async (t) => {
  const frames = [
    ...Object.entries(GATEWAY_FRAMES).map(([type, s]) => ({ type, def: s.$id as string, action: "receive" })),
    ...Object.entries(CONNECTOR_FRAMES).map(([type, s]) => ({ type, def: s.$id as string, action: "send" })),
  ];
  t.equal(frames.length, 11, "11 frame types");
  const messages = doc.channels.relay.messages as Obj;
  t.same(Object.keys(messages).sort(), frames.map((f) => f.type).sort(), "exactly one message per frame type");
  for (const frame of frames) {
    const message = messages[frame.type];
    t.equal(message?.payload?.$ref, `#/components/schemas/${frame.def}`, `${frame.type}: payload`);
    t.equal(doc.components.schemas[frame.def]?.properties?.type?.const, frame.type, `${frame.type}: schema pins type`);
    t.equal(doc.components.schemas[frame.def]?.additionalProperties, false, `${frame.type}: strict payload`);
    const ops = Object.values(doc.operations as Obj).filter((op) => op.messages.some((m: Obj) => m.$ref === `#/channels/relay/messages/${frame.type}`));
    t.same(ops.map((op) => op.action), [frame.action], `${frame.type}: one ${frame.action} operation`);
    t.ok((message.examples ?? []).length > 0, `${frame.type}: has examples`);
    for (const example of message.examples ?? []) t.equal(example.payload.type, frame.type, `${frame.type}: example ${example.name}`);
  }
});

t.test("every op is reachable from the outbound payload and has an example", async (t) => {
  const schemas = doc.components.schemas as Obj;
  const branches = (schemas.OutboundAction.allOf as Obj[]).map((m) => [m.if.properties.op.const, m.then.$ref]);
  const examples = (doc.channels.relay.messages.outbound.examples as Obj[]).map((e) => e.payload.action.op);
  for (const [op, schema] of Object.entries(ACTIONS)) {
    t.equal(schemas[schema.$id as string]?.properties?.op?.const, op, `${op}: action schema`);
    t.ok(branches.some(([tag, ref]) => tag === op && ref === `#/components/schemas/${schema.$id}`), `${op}: dispatched from OutboundAction`);
    t.ok(examples.includes(op), `${op}: an outbound example`);
  }
});

t.test("every definition is under components.schemas and every $ref is local to it", async (t) => {
  const schemas = doc.components.schemas as Obj;
  t.same(Object.keys(schemas), DEFINITIONS.map((d) => d.$id), "all definitions, in order");
  const refs: string[] = [];
  JSON.stringify(schemas, (key, value) => {
    if (key === "$ref") refs.push(value as string);
    return value;
  });
  t.ok(refs.length > 0);
  for (const ref of new Set(refs)) {
    const name = /^#\/components\/schemas\/([A-Za-z]+)$/.exec(ref)?.[1];
    t.ok(name && name in schemas, `${ref} resolves`);
  }
  t.notMatch(text, /"\$id"|"x-tolerant"|"x-dispatch"|"tsType"/, "no generation-only keywords");
});

t.test("the upgrade is described: server, channel address and Authorization header", async (t) => {
  t.equal(doc.servers.connector.protocol, "ws");
  t.equal(doc.channels.relay.address, "/relay");
  const scheme = doc.components.securitySchemes.upgradeToken;
  t.same([scheme.type, scheme.scheme], ["http", "bearer"]);
  t.match(scheme.description, /HMAC-SHA256/);
  const ws = doc.channels.relay.bindings.ws;
  t.equal(ws.method, "GET");
  t.match(ws.headers.properties.Authorization.pattern, /^\^Bearer /);
  t.ok(new RegExp(ws.headers.properties.Authorization.pattern).test("Bearer Z3ctaGVybWVzOjE3NTA"), "pattern accepts a bearer token");
});
