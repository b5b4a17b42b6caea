/**
 * The contract without a role (docs/snippets/codec.md): validate a frame, encode one, and turn a
 * receiver's WebSocket messages into frames. The code between the markers is the README snippet
 * verbatim, except that it imports from the source tree instead of "relay-contract".
 * Run it: `npx tsx examples/codec.ts`.
 */
// snippet:start
import { validateFrame, encodeFrame, FrameDecoder, type RelayFrame } from "../src/index.js";

// Strict: may a producer send this? Each issue names the JSON path that breaks the contract.
const result = validateFrame({ type: "inbound_ack", bufferId: "" }, { mode: "strict" });
if (!result.ok) console.log(result.issues.map((i) => `${i.path} ${i.keyword}`).join("; ")); // "/bufferId minLength"

const wire = encodeFrame({ type: "going_idle" }); // '{"type":"going_idle"}\n': the newline is mandatory

// A receiver's stream: one message may hold several frames, and a frame may span messages.
const decoder = new FrameDecoder({ direction: "gateway-to-connector" });
export function onMessage(message: string | Buffer, handle: (frame: RelayFrame) => void): void {
  for (const event of decoder.push(message)) {
    if (event.kind === "frame") handle(event.frame);
    else console.warn(event.error.code, event.error.message); // skipped and reported, never thrown
  }
}
onMessage(wire + '{"type":"inbound_ack","bufferId":"b-1"}\n{"type":"interr', (frame) => console.log(frame.type));
onMessage('upt","session_key":"s1","reason":null}\nnot json\n', (frame) => console.log(frame.type));
// snippet:end
