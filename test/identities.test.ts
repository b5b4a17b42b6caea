/**
 * The identity table of one connection: the same answers whether it scans its short list or
 * looks pairs up in the index it builds for a long one.
 */
import t from "tap";
import { IdentityTable } from "../src/server/identities.js";

t.test("lookups agree below and above the scan limit", async (t) => {
  const table = new IdentityTable();
  const added: Array<[string, string]> = [];
  for (let i = 0; i < 20; i++) {
    const pair: [string, string] = [`p${i % 3}`, `b${i}`];
    t.equal(table.add(...pair), true, `adds ${pair.join(":")}`);
    t.equal(table.add(...pair), false, `refuses ${pair.join(":")} again`);
    added.push(pair);
    t.equal(table.size, added.length);
    for (const [platform, botId] of added) {
      t.equal(table.has(platform, botId), true);
      t.same(table.get(platform, botId), { platform, botId });
    }
    t.equal(table.has("p0", "nobody"), false);
    t.equal(table.get("nowhere", "b0"), undefined);
    t.same(table.first, { platform: "p0", botId: "b0" }, "the first hello'd stays the default");
    for (const platform of ["p0", "p1", "p2"]) {
      const first = added.find(([p]) => p === platform);
      t.same(table.firstOf(platform), first === undefined ? undefined : { platform: first[0], botId: first[1] }, `firstOf ${platform} after ${added.length}`);
    }
    t.same(
      table.list().map((i) => [i.platform, i.botId]),
      added,
      "announcement order",
    );
  }
  t.ok(Object.isFrozen(table.get("p1", "b1")), "identities are frozen");
});
