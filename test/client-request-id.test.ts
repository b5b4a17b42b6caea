/**
 * Request ids are made like the gateway's (`uuid4().hex`), from a pooled block of random bytes:
 * the form, the version and variant bits, no repeats across several refills of the pool, and
 * the producer's own `requestId` rule (strict `OutboundFrame`) for every one.
 */
import t from "tap";
import { newRequestId } from "../src/client/request-id.js";
import { validateFrame } from "../src/validation.js";

t.test("uuid4().hex form, unique across pool refills", async (t) => {
  const seen = new Set<string>();
  let bad = 0;
  for (let i = 0; i < 5_000; i++) {
    const id = newRequestId();
    // Version nibble 4; variant 10xx (8, 9, a or b).
    if (!/^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/.test(id)) bad++;
    seen.add(id);
  }
  t.equal(bad, 0, "every id is 32 lowercase hex characters of a version-4 UUID");
  t.equal(seen.size, 5_000, "no id repeats");
  const frame = { type: "outbound", requestId: newRequestId(), action: { op: "typing", chat_id: "c1" } };
  t.ok(validateFrame(frame, { mode: "strict" }).ok, "valid under the producer's rule");
});

t.test("the nibbles vary: the ids come from the random bytes, not a counter", async (t) => {
  const a = newRequestId();
  const b = newRequestId();
  let differing = 0;
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) differing++;
  t.ok(differing > 8, `${differing} of 32 characters differ between two consecutive ids`);
});
