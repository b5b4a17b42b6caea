/**
 * Fidelity over real sockets on 127.0.0.1: what the reference gateway legitimately sends or
 * accepts gets through both roles of this package. Citations name the reference code read
 * (NousResearch/hermes-agent; file, function, commit) — see test/fidelity/ for the corpus.
 */
import t from "tap";
import type { HelloFrame, MessageEvent, ThreadRenameAction } from "../generated/types.js";
import type { DecodeError } from "../src/codec/index.js";
import { validateFrame } from "../src/validation.js";
import { connectedClient, record } from "./helpers/fake-connector.js";
import { startRelay } from "./helpers/raw-gateway.js";
import { descriptor, messageEvent } from "./helpers/fixtures.js";
import { until } from "./helpers/time.js";

// gateway/relay/command_manifest.py build_relay_command_manifest @ 1fb1a58a9ab3: plugin commands
// are appended with their registered name and description as given.
const PLUGIN_MANIFEST = [
  { name: "new", description: "Start a new conversation" },
  { name: "MyPlugin", description: "Plugin command" },
  { name: "summarize", description: "s".repeat(130) },
  { name: "model", description: "Show or change the model", options: [{ type: 3, name: "name", description: "Model name. Leave empty to see current.", required: false }] },
];

t.test("server: a hello with bad manifest entries gets its descriptor; the entries are dropped and reported", async (t) => {
  const hellos: HelloFrame[] = [];
  const errors: DecodeError[] = [];
  const relay = await startRelay(t, {
    onHello: (hello) => {
      hellos.push(hello);
      return descriptor(hello.platform);
    },
  });
  relay.server.on("protocolError", ({ error }) => errors.push(error));
  const gw = await relay.gateway();
  gw.hello("discord", "bot-1", { command_manifest: PLUGIN_MANIFEST });
  const d = await gw.waitForType("descriptor");
  t.equal(d.descriptor.platform, "discord", "the handshake completes");
  t.strictSame(hellos[0]?.command_manifest?.map((c) => c.name), ["new", "model"], "the handler sees the valid entries, in order");
  t.match(errors, [{ code: "entry_dropped", frameType: "hello", issues: [{ path: "/command_manifest/1", keyword: "pattern" }, { path: "/command_manifest/2", keyword: "maxLength" }] }]);

  // Drops are reports, not garbage: more of them than the invalid-frame budget (20) close nothing.
  for (let i = 0; i < 24; i++) gw.hello("discord", `bot-${i + 2}`, { command_manifest: PLUGIN_MANIFEST });
  await gw.waitForCount((f) => f.type === "descriptor", 25);
  t.ok(gw.isOpen, "the socket stays open");
  t.equal(errors.length, 25);
});

t.test("server: an unguarded thread_rename and `_` metadata keys reach their handlers", async (t) => {
  const renames: ThreadRenameAction[] = [];
  const edits: Record<string, unknown>[] = [];
  const relay = await startRelay(t, {
    onHello: (hello) => descriptor(hello.platform, { supported_ops: ["send", "edit", "typing", "follow_up", "thread_rename"] }),
    handlers: {
      thread_rename: (action) => {
        renames.push(action);
        return { success: true };
      },
      edit: (action) => {
        edits.push(action.metadata ?? {});
        return { success: true, message_id: action.message_id };
      },
    },
  });
  const gw = await relay.gateway();
  gw.hello("discord", "bot-1");
  await gw.waitForType("descriptor");
  // gateway/relay/adapter.py RelayAdapter.rename_thread @ 026b75e414a0: both guards default off;
  // neither key is set when the caller passes neither.
  const rename = { op: "thread_rename", chat_id: "chan-1", message_id: "thread-9", thread_name: "Deploy review", metadata: { scope_id: "guild-1" } };
  // gateway/relay/adapter.py RelayAdapter.edit_message @ 026b75e414a0: metadata goes through
  // _text_metadata as given, so a stream consumer's `_stream_reply_to_message_id` is on the wire.
  const edit = { op: "edit", chat_id: "chan-1", message_id: "m-1", content: "edited", metadata: { _stream_reply_to_message_id: "m-0", scope_id: "guild-1" } };
  const renameId = gw.outbound(rename);
  const editId = gw.outbound(edit);
  t.match((await gw.waitForResult(renameId)).result, { success: true });
  t.match((await gw.waitForResult(editId)).result, { success: true, message_id: "m-1" });
  t.match(renames, [{ thread_name: "Deploy review" }]);
  t.notOk("only_if_connector_created" in (renames[0] ?? {}) || "only_if_current_name" in (renames[0] ?? {}), "no guard");
  t.strictSame(edits, [{ _stream_reply_to_message_id: "m-0", scope_id: "guild-1" }]);
  for (const action of [rename, edit]) {
    const frame = { type: "outbound", requestId: "0123456789abcdef0123456789abcdef", action };
    t.ok(validateFrame(frame, { mode: "strict" }).ok, `${action.op}: strict accepts it`);
    t.ok(validateFrame(frame, { mode: "tolerant" }).ok, `${action.op}: tolerant accepts it`);
  }
});

t.test("client: a poison buffered delivery is reported and acked; the backlog behind it is delivered", async (t) => {
  const seen: string[] = [];
  const { client, conn } = await connectedClient(t, {}, {
    handlers: {
      inbound: (event) => {
        seen.push(event.text);
      },
    },
  });
  const errors = record(client, "protocolError");
  // An event the handler cannot take (not an object), between two good buffered deliveries.
  conn.inbound(messageEvent("first"), "b-1");
  conn.send({ type: "inbound", event: "not an event", bufferId: "b-2" });
  conn.inbound(messageEvent("third"), "b-3");
  await until(() => conn.acks.length === 3, 5000);
  t.strictSame(conn.acks, ["b-1", "b-2", "b-3"], "acked in arrival order, the poison one included");
  t.strictSame(seen, ["first", "third"]);
  t.match(errors.find((e) => e.error.code === "poison_delivery")?.error, { frameType: "inbound", issues: [{ path: "/event", keyword: "type" }] });
});

t.test("client: what the reference accepts from a connector is delivered (dropped entries reported)", async (t) => {
  const events: MessageEvent[] = [];
  const { client, conn } = await connectedClient(t, {}, {
    handlers: {
      inbound: (event) => {
        events.push(event);
      },
    },
  });
  const errors = record(client, "protocolError");
  // gateway/relay/ws_transport.py _media_types_from_wire, _render_relay_context,
  // WebSocketRelayTransport._on_inbound @ 00067189dfec: media items without a usable url and
  // context items without text are skipped; a bufferId is acked as str(bufferId).
  conn.send({
    type: "inbound",
    bufferId: 42,
    event: {
      ...messageEvent("with attachments"),
      message_type: "image",
      media_urls: ["https://cdn.example/a.png", 7, ""],
      media: [{ url: "https://cdn.example/a.png", mime: "image/png" }, { kind: "image", mime: "image/png" }],
      context: [{ text: "earlier", source: { user_name: "Ada" } }, { source: { user_name: "Bob" } }],
    },
  });
  await until(() => conn.acks.length === 1, 5000);
  t.strictSame(conn.acks, ["42"], "an integer bufferId is acked as its decimal string");
  // _event_from_wire: MessageType("image") raises ValueError and the event becomes TEXT; the
  // client hands handlers the reference's message types, so `image` arrives as `text`.
  t.equal(events[0]?.message_type, "text");
  t.strictSame(events[0]?.media_urls, ["https://cdn.example/a.png"]);
  t.strictSame(events[0]?.media, [{ url: "https://cdn.example/a.png", mime: "image/png" }]);
  t.strictSame(events[0]?.context, [{ text: "earlier", source: { user_name: "Ada" } }]);
  t.match(errors, [{ error: { code: "entry_dropped", frameType: "inbound" } }]);
  t.strictSame(errors[0]?.error.issues?.map((i) => i.path), ["/event/media_urls/1", "/event/media_urls/2", "/event/media/1", "/event/context/1"]);
});

t.test("client: a descriptor whose supported_ops is not a list completes the handshake with the legacy set", async (t) => {
  // gateway/relay/descriptor.py CapabilityDescriptor.from_json @ 09ffeaec0c93: supported_ops
  // that is not a list becomes () (the legacy set); chat_info defaults in ws_transport.py
  // get_chat_info @ 00067189dfec.
  const errors: string[] = [];
  const { client } = await connectedClient(t, {
    descriptorFor: (hello) => ({ ...descriptor(String(hello.platform)), supported_ops: "send,edit" as never }),
    onOutbound: () => ({ success: false }),
  });
  client.on("protocolError", (e) => errors.push(e.error.code));
  t.equal(client.state, "ready");
  t.equal(client.defaultDescriptor?.supported_ops, undefined, "treated as absent");
  t.match(await client.send({ chat_id: "c", content: "hi" }), { success: false }, "a failed result without error is accepted");
  t.notOk(errors.includes("schema"), "and not reported as invalid");
});

t.test("server: frames that break only producer rules are answered, and never add up to a 4400 close", async (t) => {
  const sent: string[] = [];
  const relay = await startRelay(t, {
    handlers: {
      send: (action) => {
        sent.push(action.content);
        return { success: true, message_id: `m-${sent.length}` };
      },
    },
  });
  const gw = await relay.gateway();
  gw.hello("telegram", "bot-1");
  await gw.waitForType("descriptor");
  // 30 requests (over the 20 invalid frames a window allows), each breaking producer rules only:
  // no reply_to key, a `_` metadata marker and an unknown field: the handler can still act.
  const ids: string[] = [];
  for (let i = 0; i < 30; i++) {
    const id = `${String(i).padStart(2, "0")}${"a".repeat(30)}`;
    ids.push(id);
    gw.send({ type: "outbound", requestId: id, action: { op: "send", chat_id: "42", content: `n${i}`, metadata: { _interim_send: true }, extra: 1 } });
  }
  for (const id of ids) t.match((await gw.waitForResult(id)).result, { success: true }, `${id} answered`);
  t.equal(sent.length, 30);
  t.ok(gw.isOpen, "the connection stays open");
});
