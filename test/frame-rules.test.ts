/** The cross-field rule JSON Schema cannot state: each prompt option's hp1 token ≤ 64 bytes. */
import t from "tap";
import { validateFrame } from "../src/validation.js";
import { checkFrameRules, promptToken } from "../src/frame-rules.js";

const prompt = (promptId: string, optionIds: string[]) => ({
  type: "outbound",
  requestId: "0123456789abcdef0123456789abcdef",
  action: { op: "prompt", chat_id: "c", content: "?", prompt_kind: "choice", prompt_id: promptId, options: optionIds.map((id) => ({ id, label: id })) },
});

t.test("a token of exactly 64 bytes passes, 65 fails at the option's id", async (t) => {
  const promptId = "p".repeat(27); // hp1: + 27 + : + 32 = 64
  t.equal(Buffer.byteLength(promptToken(promptId, "o".repeat(32))), 64);
  t.ok(validateFrame(prompt(promptId, ["once", "o".repeat(32)])).ok, "64 bytes");
  const tooLong = validateFrame(prompt(`${promptId}x`, ["once", "o".repeat(32)]));
  t.notOk(tooLong.ok, "65 bytes");
  if (!tooLong.ok) {
    t.same(tooLong.issues.map((i) => [i.path, i.keyword]), [["/action/options/1/id", "hp1TokenLength"]]);
    t.match(tooLong.issues[0]!.message, /65 bytes/);
  }
});

t.test("receivers (tolerant) do not apply producer rules; other frames are untouched", async (t) => {
  t.ok(validateFrame(prompt("p".repeat(32), ["o".repeat(32)]), { mode: "tolerant" }).ok);
  t.same(checkFrameRules({ type: "going_idle" }), []);
  t.same(checkFrameRules({ type: "outbound", action: { op: "send" } } as never), []);
});
