/**
 * Baseline connector: `ws` + JSON.parse + one generated validator per received frame, and
 * nothing else — no framing layer, no routing, no buffer, no outgoing validation. It answers
 * `hello` with a descriptor and `outbound` with a result, and pushes inbound frames on command.
 */
import { WebSocketServer, type WebSocket } from "ws";
import * as V from "../../generated/validators.js";
import * as fx from "../lib/fixtures.js";
import { onText } from "./common.js";
import { config, now, serve } from "./rpc.js";
import { heapSnapshot, pump, pushEvent, settledMemory, type ProcConfig } from "./common.js";

const cfg = config<ProcConfig>();
const descriptorLine = JSON.stringify(fx.descriptorFrame(cfg.root)) + "\n";
const eventOf = pushEvent(cfg.root);

const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: cfg.deflate === true, clientTracking: false, maxPayload: 1_048_576 });
await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
const port = (wss.address() as { port: number }).port;

const sockets = new Set<WebSocket>();
let latest: WebSocket | undefined;
let invalid = 0;
let acks = 0;
/** Set during `replay`: called per ack. */
let onAck: ((bufferId: string) => void) | undefined;
let nextMessageId = 0;

wss.on("connection", (ws) => {
  sockets.add(ws);
  latest = ws;
  ws.on("close", () => sockets.delete(ws));
  ws.on("error", () => undefined);
  ws.on("message", (data) => {
    invalid += onText((data as Buffer).toString(), (frame) => onFrame(ws, frame));
  });
});

function onFrame(ws: WebSocket, frame: { type?: unknown; requestId?: string; bufferId?: string }): void {
  switch (frame.type) {
    case "hello":
      if (!V.tolerant_HelloFrame(frame)) invalid++;
      else ws.send(descriptorLine);
      return;
    case "outbound":
      if (!V.tolerant_OutboundFrame(frame)) invalid++;
      else ws.send(JSON.stringify({ type: "outbound_result", requestId: frame.requestId, result: { success: true, message_id: `m-${nextMessageId++}` } }) + "\n");
      return;
    case "inbound_ack":
      if (!V.tolerant_InboundAckFrame(frame)) invalid++;
      else {
        acks++;
        onAck?.(frame.bufferId as string);
      }
      return;
    default:
      invalid++;
  }
}

serve(
  {
    /** One message per frame to the latest connection, paced on its queued bytes. */
    async push(args) {
      const ws = latest;
      if (ws === undefined) throw new Error("no connection");
      await pump(Number(args.count), (i) => ws.send(JSON.stringify({ type: "inbound", event: eventOf(i) }) + "\n"), () => ws.bufferedAmount);
      return { sent: Number(args.count) };
    },
    /**
     * The replay design's ceiling: `count` frames with bufferIds, `perMessage` per message, at most
     * `window` unacked, straight on ws; resolves when every ack is in, with the ms from the first
     * message built to the last ack (the span the subject's drainStart … drainEnd covers). The
     * frames are encoded before that, as a buffer stores them when they arrive (the subject's
     * in-memory buffer keeps each entry's line from its append).
     */
    replay(args) {
      const ws = latest;
      if (ws === undefined) throw new Error("no connection");
      const count = Number(args.count);
      const perMessage = Number(args.perMessage);
      const window = Number(args.window);
      const lines = Array.from({ length: count }, (_, i) => JSON.stringify({ type: "inbound", event: eventOf(i), bufferId: String(i + 1) }) + "\n");
      let sent = 0;
      let acked = 0;
      const t0 = now();
      return new Promise((resolve) => {
        const fill = (): void => {
          while (sent < count && sent - acked < window) {
            let message = "";
            for (let k = 0; k < perMessage && sent < count && sent - acked < window; k++, sent++) message += lines[sent];
            ws.send(message);
          }
        };
        onAck = () => {
          if (++acked === count) {
            onAck = undefined;
            resolve({ acked, ms: now() - t0 });
          } else if (sent - acked <= window - perMessage) fill();
        };
        fill();
      });
    },
    stats: () => ({ connections: sockets.size, invalid, acks }),
    memory: () => settledMemory(),
    heapSnapshot: (args) => heapSnapshot(String(args.file)),
  },
  { port },
);
