/**
 * `npx tsx bench/tools/heap-diff.ts [relay-server|raw-server] [n]` — where the memory of an idle
 * connection goes (the memory section): heap snapshots of a server holding n and 2n idle handshaked connections,
 * diffed by object kind; prints the retained-size growth per connection.
 */
import { readFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildForBench } from "../lib/build.js";
import type { BenchContext } from "../lib/types.js";
import { spawnWorker, withWorkers } from "../lib/worker.js";
import { SECRET } from "../sections/loopback.js";

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

/** Self size and count by "type:name". */
function tally(file: string): Map<string, { size: number; count: number }> {
  const s = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
  const fields = s.snapshot.meta.node_fields;
  const width = fields.length;
  const iType = fields.indexOf("type");
  const iName = fields.indexOf("name");
  const iSize = fields.indexOf("self_size");
  const types = s.snapshot.meta.node_types[0];
  const out = new Map<string, { size: number; count: number }>();
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + iType] as number] as string;
    let name = s.strings[s.nodes[i + iName] as number] as string;
    if (type === "string" || type === "concatenated string" || type === "sliced string") name = "(strings)";
    if (type === "code") name = "(code)";
    const key = `${type}:${name.slice(0, 60)}`;
    const e = out.get(key) ?? { size: 0, count: 0 };
    e.size += s.nodes[i + iSize] as number;
    e.count++;
    out.set(key, e);
  }
  return out;
}

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const proc = (process.argv[2] ?? "relay-server") as "relay-server" | "raw-server";
const n = Number(process.argv[3] ?? 500);
const dir = join(tmpdir(), "relay-contract-profiles", "heap");
mkdirSync(dir, { recursive: true });
const build = await buildForBench(root);
const ctx: BenchContext = { quick: true, root, build, log: () => undefined };

await withWorkers(
  [spawnWorker(ctx, proc, { config: { root }, execArgv: ["--expose-gc"] }), spawnWorker(ctx, "conn-client", { config: { secret: SECRET } })],
  async ([server, conns]) => {
    const port = server!.info.port;
    await conns!.call("openUntil", { port, total: n });
    const a = await server!.call<{ file: string }>("heapSnapshot", { file: join(dir, `${proc}-${n}.heapsnapshot`) });
    await conns!.call("openUntil", { port, total: 2 * n });
    const b = await server!.call<{ file: string }>("heapSnapshot", { file: join(dir, `${proc}-${2 * n}.heapsnapshot`) });
    const ta = tally(a.file);
    const tb = tally(b.file);
    const rows: Array<[string, number, number]> = [];
    let total = 0;
    for (const [key, e] of tb) {
      const before = ta.get(key) ?? { size: 0, count: 0 };
      const size = (e.size - before.size) / n;
      const count = (e.count - before.count) / n;
      total += size;
      if (Math.abs(size) >= 8) rows.push([key, size, count]);
    }
    rows.sort((x, y) => y[1] - x[1]);
    console.log(`${proc}: +${total.toFixed(0)} B of V8 heap per idle connection (${n} → ${2 * n})`);
    for (const [key, size, count] of rows.slice(0, 40)) console.log(`${size.toFixed(0).padStart(7)} B  ${count.toFixed(2).padStart(6)} objects  ${key}`);
    await conns!.call("closeAll");
  },
);
