// The shape of src/: each room (top-level folder or module) with its size, its largest units, and
// the arrows between rooms from the import statements; exits 1 when the rooms' arrows form a cycle.
// Run `node scripts/house.mjs [DIR]` on any checkout (DIR defaults to ./src).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, dirname, resolve, sep } from "node:path";

const root = resolve(process.argv[2] ?? "src");
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) files.push(path);
  }
})(root);

const roomOf = (path) => {
  const rel = relative(root, path);
  const first = rel.split(sep)[0];
  return rel.includes(sep) ? first : first.replace(/\.ts$/, "");
};
const rooms = new Map();
const arrows = new Map();
for (const file of files) {
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n").length;
  const room = roomOf(file);
  const r = rooms.get(room) ?? { lines: 0, files: 0, largest: [] };
  r.lines += lines;
  r.files += 1;
  r.largest.push([relative(root, file), lines]);
  rooms.set(room, r);
  for (const m of text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+["'](\.[^"']+)["']/gm)) {
    const target = resolve(dirname(file), m[1].replace(/\.js$/, ".ts"));
    if (!target.startsWith(root)) continue;
    const to = roomOf(target);
    if (to === room) continue;
    const set = arrows.get(room) ?? new Set();
    set.add(to);
    arrows.set(room, set);
  }
}

console.log(`${files.length} files, ${[...rooms.values()].reduce((a, r) => a + r.lines, 0)} lines in ${relative(process.cwd(), root) || "."}\n`);
console.log("room               files  lines  largest units");
for (const [name, r] of [...rooms].sort((a, b) => b[1].lines - a[1].lines)) {
  const largest = r.largest.sort((a, b) => b[1] - a[1]).slice(0, 3).map(([f, n]) => `${f} ${n}`).join(", ");
  console.log(`${name.padEnd(18)} ${String(r.files).padStart(5)} ${String(r.lines).padStart(6)}  ${largest}`);
}
console.log("\narrows (room → rooms it imports)");
for (const [from, to] of [...arrows].sort()) console.log(`  ${from} → ${[...to].sort().join(", ")}`);

// A cycle among rooms means a layer points back up.
const state = new Map();
const cycle = [];
const visit = (n, stack) => {
  state.set(n, 1);
  for (const m of arrows.get(n) ?? []) {
    if (state.get(m) === 1) { cycle.push([...stack, n, m].slice(stack.indexOf(m) >= 0 ? stack.indexOf(m) : 0).join(" → ")); continue; }
    if (!state.has(m)) visit(m, [...stack, n]);
  }
  state.set(n, 2);
};
for (const n of rooms.keys()) if (!state.has(n)) visit(n, []);
if (cycle.length > 0) {
  console.log(`\ncycles between rooms:\n  ${cycle.join("\n  ")}`);
  process.exitCode = 1;
} else console.log("\nno cycles between rooms");
