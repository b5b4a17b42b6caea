/**
 * validateDefinition's mode argument and the wording of pattern messages: what a caller of the
 * public validation API sees.
 */
import t from "tap";
import { validateDefinition, validateFrame } from "../src/validation.js";
import { REQUEST_ID_PATTERN } from "../src/index.js";

const enroll = { secret: "s", tenant: 7, gatewayId: "g" };

t.test("validateDefinition: mode as a string or as { mode }, like validateFrame", async (t) => {
  t.equal(validateDefinition("EnrollResponse", enroll).ok, false, "default strict");
  t.equal(validateDefinition("EnrollResponse", enroll, "strict").ok, false);
  t.equal(validateDefinition("EnrollResponse", enroll, { mode: "strict" }).ok, false);
  t.equal(validateDefinition("EnrollResponse", { secret: "s", extra: 1 }, "tolerant").ok, true);
  t.equal(validateDefinition("EnrollResponse", { secret: "s", extra: 1 }, { mode: "tolerant" }).ok, true, "{ mode: 'tolerant' } is tolerant");
  t.equal(validateDefinition("EnrollResponse", { secret: "s", extra: 1 }, {}).ok, false, "{} means the default, strict");
});

t.test("validateDefinition: any other mode is a TypeError naming the accepted values", async (t) => {
  for (const mode of ["lenient", 1, { mode: "loose" }, null]) {
    t.throws(
      () => validateDefinition("EnrollResponse", enroll, mode as never),
      { name: "TypeError", message: /mode must be "strict" or "tolerant"/ },
      `mode ${JSON.stringify(mode)}`,
    );
  }
});

t.test("pattern messages show the rule without the Python end-of-string guard", async (t) => {
  t.match(REQUEST_ID_PATTERN, /\(\?!\\n\)\$$/, "the shipped regex keeps the guard");
  const result = validateFrame({ type: "hello", platform: "discord", botId: "b", command_manifest: [{ name: "Bad Name", description: "d" }] });
  t.equal(result.ok, false);
  const messages = result.ok ? [] : result.issues.map((i) => i.message);
  const pattern = messages.find((m) => m.includes("must match the pattern"));
  t.ok(pattern, "a pattern message");
  t.notMatch(pattern ?? "", /\(\?!/, "no lookahead in the message");
  t.match(pattern ?? "", /\{1,32\}\$$/, "the pattern ends in a plain $");
});
