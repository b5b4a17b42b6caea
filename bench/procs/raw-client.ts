/**
 * Baseline gateway: `ws` + JSON.parse + one generated validator per received frame, and nothing
 * else — results matched to requests by a Map, inbound frames counted.
 */
import WebSocket from "ws";
import * as V from "../../generated/validators.js";
import { onText } from "./common.js";
import { config, now, serve } from "./rpc.js";
import { requestIdOf, sendAction, type ProcConfig } from "./common.js";

const cfg = config<ProcConfig>();
const action = sendAction(cfg.root);

let ws: WebSocket | undefined;
const waiting = new Map<string, () => void>();
let invalid = 0;
let received = 0;
let expected = Number.POSITIVE_INFINITY;
let onAllReceived: (() => void) | undefined;
let onDescriptor: (() => void) | undefined;
let salt = 1;

/** Acks of one received message, sent as one message after it (the coalescing the subject client does). */
let acks = "";

function onMessage(data: WebSocket.RawData): void {
  invalid += onText((data as Buffer).toString(), onFrame);
  if (acks !== "") {
    (ws as WebSocket).send(acks);
    acks = "";
  }
}

function onFrame(frame: { type?: unknown; requestId?: string; bufferId?: string }): void {
  switch (frame.type) {
    case "outbound_result": {
      if (!V.tolerant_OutboundResultFrame(frame)) invalid++;
      const done = waiting.get(frame.requestId as string);
      if (done !== undefined) {
        waiting.delete(frame.requestId as string);
        done();
      }
      return;
    }
    case "inbound":
      if (!V.tolerant_InboundFrame(frame)) invalid++;
      if (frame.bufferId !== undefined) acks += JSON.stringify({ type: "inbound_ack", bufferId: frame.bufferId }) + "\n";
      if (++received >= expected) onAllReceived?.();
      return;
    case "descriptor":
      if (!V.tolerant_DescriptorFrame(frame)) invalid++;
      onDescriptor?.();
      return;
    default:
      invalid++;
  }
}

function request(n: number): Promise<void> {
  const requestId = requestIdOf(n, salt);
  return new Promise<void>((resolve) => {
    waiting.set(requestId, resolve);
    (ws as WebSocket).send(JSON.stringify({ type: "outbound", requestId, action }) + "\n");
  });
}

serve({
  async connect(args) {
    // A bearer only when talking to the subject server (cross-pairs in bench/profile.ts).
    const headers = args.authorization === undefined ? {} : { Authorization: String(args.authorization) };
    const socket = new WebSocket(`ws://127.0.0.1:${Number(args.port)}/relay`, { perMessageDeflate: cfg.deflate === true, headers });
    ws = socket;
    socket.on("message", onMessage);
    socket.on("error", () => undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    const described = new Promise<void>((resolve) => (onDescriptor = resolve));
    socket.send(JSON.stringify({ type: "hello", platform: "discord", botId: "1122334455667788990" }) + "\n");
    await described;
    return {};
  },
  /** One request at a time; latencies in µs. */
  async roundtrip(args) {
    salt++;
    const latencies: number[] = [];
    for (let i = 0; i < Number(args.count); i++) {
      const t0 = now();
      await request(i);
      latencies.push((now() - t0) * 1000);
    }
    return { latencies };
  },
  /** `inflight` requests outstanding at all times; elapsed ms for `count`. */
  async pipelined(args) {
    salt++;
    const count = Number(args.count);
    let next = 0;
    const t0 = now();
    const lane = async (): Promise<void> => {
      while (next < count) await request(next++);
    };
    await Promise.all(Array.from({ length: Number(args.inflight) }, lane));
    return { ms: now() - t0 };
  },
  /** Arms a counter; `received` resolves once `count` inbound frames arrived after arming. */
  expect(args) {
    received = 0;
    expected = Number(args.count);
    return {};
  },
  received() {
    if (received >= expected) return { ms: 0 };
    return new Promise((resolve) => {
      onAllReceived = () => {
        onAllReceived = undefined;
        resolve({});
      };
    });
  },
  stats: () => ({ invalid, received }),
  async close() {
    ws?.close();
    return {};
  },
});
