/**
 * The README's codec snippet (docs/snippets/codec.md) is examples/codec.ts verbatim, and that
 * example does what its comments say: the strict issue, the encoded frame, frames out of messages
 * split anywhere, a malformed line reported and skipped.
 */
import t from "tap";
import { snippetIsExample } from "./helpers/snippets.js";

snippetIsExample(t, { example: "examples/codec.ts", snippet: "docs/snippets/codec.md", imports: ["../src/index.js", "relay-contract"] });

t.test("the example validates, encodes and decodes as its comments say", async (t) => {
  const logged = t.capture(console, "log");
  const warned = t.capture(console, "warn");
  const { onMessage } = await import("../examples/codec.js");
  t.same(logged().map((c) => c.args.join(" ")), ["/bufferId minLength", "going_idle", "inbound_ack", "interrupt"]);
  t.match(warned().map((c) => c.args[0]), ["invalid_json"]);
  const frames: string[] = [];
  onMessage(Buffer.from('{"type":"going_idle"}\n\n'), (f) => frames.push(f.type));
  t.same(frames, ["going_idle"], "a blank line is not an error");
  t.equal(warned().length, 0);
});
