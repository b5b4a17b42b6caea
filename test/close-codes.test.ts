import t from "tap";
import { CLOSE_CODES, CloseCode, CloseReason, findCloseCode, renderCloseCodeTable } from "../src/close-codes.js";

t.test("the §1.6 codes and reasons are all present, exactly", async (t) => {
  const pairs = CLOSE_CODES.map((e) => `${e.code} ${e.reason}`);
  for (const required of [
    "1000 ",
    "1011 keepalive ping timeout",
    "4401 unauthorized",
    "4401 expired",
    "4404 relay endpoint not found",
    "4429 Gateway already connected",
    "4503 Slack connection failed",
  ]) {
    t.ok(pairs.includes(required), required);
  }
  for (const code of [1001, 1009, 1011, 4400]) t.ok(findCloseCode(code), `${code} documented`);
  t.equal(new Set(pairs).size, pairs.length, "no duplicate (code, reason) pair");
  t.equal(CloseCode.Unauthorized, 4401);
  t.equal(CloseReason.Expired, "expired");
  t.equal(CloseReason.Unauthorized, "unauthorized");
});

t.test("entries are well-formed and consistent with the constants", async (t) => {
  const names = Object.keys(CloseCode) as (keyof typeof CloseCode)[];
  for (const e of CLOSE_CODES) {
    t.equal(CloseCode[e.name as keyof typeof CloseCode], e.code, `${e.code} ${e.name}`);
    t.ok(["connector", "gateway", "either", "library"].includes(e.sentBy));
    t.ok(["yes", "no", "once-with-fresh-token"].includes(e.clientRetries));
    t.ok(e.meaning.length > 20 && e.since.length > 0);
    t.ok(e.code === 1000 || e.code === 1006 || (e.code >= 1000 && e.code <= 1014) || (e.code >= 4000 && e.code <= 4999), "valid close code range");
    t.ok(Buffer.byteLength(e.reason) <= 123, "fits a close frame");
    t.ok(Object.isFrozen(e));
  }
  for (const name of names) t.ok(CLOSE_CODES.some((e) => e.code === CloseCode[name]), `${name} has an entry`);
  t.ok(Object.isFrozen(CLOSE_CODES) && Object.isFrozen(CloseCode) && Object.isFrozen(CloseReason));
  t.equal(findCloseCode(CloseCode.Unauthorized, "unauthorized")?.clientRetries, "once-with-fresh-token");
  t.equal(findCloseCode(CloseCode.Unauthorized, "expired")?.clientRetries, "yes", "expired is never a revocation");
  t.equal(findCloseCode(CloseCode.Unauthorized, "something else")?.reason, "unauthorized", "unknown reason → the code's first entry");
  t.equal(findCloseCode(CloseCode.Unauthorized)?.reason, "unauthorized");
  t.equal(findCloseCode(4999), undefined);
});

t.test("renderCloseCodeTable", async (t) => {
  const table = renderCloseCodeTable();
  const lines = table.trimEnd().split("\n");
  t.equal(lines.length, CLOSE_CODES.length + 2, "header, separator, one row per entry");
  t.match(lines[0], /^\| Code \| Name \| Reason \| Sent by \| Client retries \| Since \| Meaning \|$/);
  const columns = (line: string) => line.replace(/\\\|/g, "").split("|").length;
  for (const line of lines) t.equal(columns(line), columns(lines[0] as string), "same column count (pipes escaped)");
  t.match(table, /\| 4401 \| Unauthorized \| `"expired"` \|/);
  t.match(table, /\| 1000 \| Normal \| \(none\) \|/);
  t.notMatch(table, /\n\n/, "no blank lines inside the table");
});
