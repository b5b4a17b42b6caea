/**
 * `validateOutgoing` has the server helper's meaning on the client: "strict" (default) refuses a
 * frame the producer's contract forbids, "tolerant" only what a receiver would refuse, "off"
 * nothing; booleans stay accepted as "strict" / "off".
 */
import t from "tap";
import type { OutboundAction } from "../generated/types.js";
import { createRelayClient } from "../src/client/index.js";
import { connectedClient } from "./helpers/fake-connector.js";

// An unknown property: a strict producer must not send it, a tolerant receiver accepts it.
const extra = { op: "send", chat_id: "c1", content: "x", reply_to: null, not_in_contract: 1 } as unknown as OutboundAction;
// A required field missing: refused in both modes.
const missing = { op: "send", chat_id: "c1", reply_to: null } as unknown as OutboundAction;

for (const [mode, sendsExtra, sendsMissing] of [
  [undefined, false, false],
  ["strict", false, false],
  [true, false, false],
  ["tolerant", true, false],
  ["off", true, true],
  [false, true, true],
] as const) {
  t.test(`validateOutgoing: ${String(mode)}`, async (t) => {
    const { client, conn } = await connectedClient(t, {}, mode === undefined ? {} : { validateOutgoing: mode });
    for (const [action, sent] of [
      [extra, sendsExtra],
      [missing, sendsMissing],
    ] as const) {
      const before = conn.outbounds.length;
      const outcome = await client.request(action, { timeoutMs: 2000 }).then(
        () => "sent",
        (err: Error) => err.name,
      );
      if (sent) {
        t.equal(conn.outbounds.length, before + 1, "written");
      } else {
        t.equal(outcome, "FrameValidationError", "refused before the wire");
        t.equal(conn.outbounds.length, before, "nothing written");
      }
    }
  });
}

t.test("an unknown value is a configuration error", async (t) => {
  t.throws(() => createRelayClient({ url: "ws://127.0.0.1:1", validateOutgoing: "loose" as never }), TypeError);
});
