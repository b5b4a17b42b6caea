/**
 * The start-up section's probe, run as `node startup.js <what>` in a fresh process (not over IPC:
 * nothing else loaded).
 * Prints JSON: milliseconds from just before the import to validators ready (one frame
 * validated, so the generated module is parsed, evaluated and its code reached), the CPU time
 * the process spent in that span (a shared machine delays wall time, not CPU time), and the time
 * since the process started.
 */
import { performance } from "node:perf_hooks";

const what = process.argv[2];
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let ok: boolean;
switch (what) {
  case "root": {
    const m = await import("../../src/index.js");
    ok = m.validateFrame({ type: "inbound_ack", bufferId: "1" }, { mode: "tolerant" }).ok;
    break;
  }
  case "codec": {
    const m = await import("../../src/codec/index.js");
    const events = new m.FrameDecoder({ direction: "gateway-to-connector" }).push('{"type":"inbound_ack","bufferId":"1"}\n');
    ok = events.length === 1 && events[0]?.kind === "frame";
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
const cpu = process.cpuUsage(cpu0);
process.stdout.write(JSON.stringify({ ok, importMs: t1 - t0, cpuMs: (cpu.user + cpu.system) / 1000, sinceStartMs: t1 }) + "\n");
