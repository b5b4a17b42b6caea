/**
 * §5, run as `node startup.js <what>` in a fresh process (not over IPC: nothing else loaded).
 * Prints JSON: milliseconds from just before the import to validators ready (one frame
 * validated, so the generated module is parsed, evaluated and its code reached), and since the
 * process started.
 */
import { performance } from "node:perf_hooks";

const what = process.argv[2];
const t0 = performance.now();
let ok: boolean;
switch (what) {
  case "root": {
    const m = await import("../../src/index.js");
    ok = m.validateFrame({ type: "inbound_ack", bufferId: "1" }, { mode: "tolerant" }).ok;
    break;
  }
  case "validation": {
    const m = await import("../../src/validation.js");
    ok = m.validateFrame({ type: "inbound_ack", bufferId: "1" }, { mode: "tolerant" }).ok;
    break;
  }
  case "ws": {
    const m = await import("ws");
    ok = typeof m.WebSocket === "function";
    break;
  }
  default:
    throw new Error(`unknown start-up probe ${what}`);
}
const t1 = performance.now();
process.stdout.write(JSON.stringify({ ok, importMs: t1 - t0, sinceStartMs: t1 }) + "\n");
