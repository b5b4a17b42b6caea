/**
 * The conformance kit's loopback platform (docs/conformance.md), as an option of
 * `createRelayServer`: for the listed gateway ids, a `send` to chat `loopback` comes back to the
 * same gateway as `inbound`, a `send` to `loopback-passthrough` as `passthrough_forward`, and an
 * `interrupt` as `interrupt_inbound`. It lets `relay-contract conformance connector` make a
 * connector deliver without a real platform. Everything else goes to the caller's handlers.
 */
import type { MessageEvent, PassthroughForward, SessionSource } from "../../generated/types.js";
import type { InterruptHandler, InterruptInbound, OutboundHandlers } from "./types.js";

export const LOOPBACK_CHAT = "loopback";
export const LOOPBACK_PASSTHROUGH_CHAT = "loopback-passthrough";

/** What the loopback needs from the server: its own pushes. */
export interface LoopbackPushes {
  sendInbound(gatewayId: string, event: MessageEvent): Promise<unknown>;
  sendPassthrough(gatewayId: string, forward: PassthroughForward): Promise<unknown>;
  sendInterruptInbound(gatewayId: string, interrupt: InterruptInbound): Promise<unknown>;
  /** A push that failed (reported as a `handlerError`, never thrown at the gateway). */
  failed(where: string, err: unknown): void;
}

let seq = 0;

/** The handlers and interrupt hook with the loopback in front, for `gatewayIds`. */
export function withLoopback(
  gatewayIds: readonly string[],
  handlers: OutboundHandlers,
  onInterrupt: InterruptHandler | undefined,
  push: LoopbackPushes,
): { handlers: OutboundHandlers; onInterrupt: InterruptHandler | undefined } {
  if (gatewayIds.length === 0) return { handlers, onInterrupt };
  const ids = new Set(gatewayIds);
  const fire = (where: string, p: Promise<unknown>): void => void p.catch((err: unknown) => push.failed(where, err));
  const user = handlers.send;
  return {
    handlers: {
      ...handlers,
      send: (action, ctx) => {
        const loop = ids.has(ctx.gatewayId) && (action.chat_id === LOOPBACK_CHAT || action.chat_id === LOOPBACK_PASSTHROUGH_CHAT);
        if (!loop) return user !== undefined ? user(action, ctx) : { success: false, error: `unsupported op "send": this connector has no handler for it` };
        const { platform, botId } = ctx.identity;
        const id = `loopback-${++seq}`;
        if (action.chat_id === LOOPBACK_CHAT) {
          // scope_id is always present, so the event is valid for every platform's rules.
          const source: SessionSource = { platform, chat_id: LOOPBACK_CHAT, chat_type: "group", chat_name: "loopback", user_id: "loopback", user_name: "loopback", thread_id: null, chat_topic: null, scope_id: "loopback" };
          fire("loopback inbound", push.sendInbound(ctx.gatewayId, { text: action.content, message_type: "text", message_id: id, reply_to_message_id: null, source }));
        } else {
          const bodyB64 = Buffer.from(action.content, "utf8").toString("base64");
          fire("loopback passthrough", push.sendPassthrough(ctx.gatewayId, { platform, botId, method: "POST", path: "/interactions/loopback", headers: [["content-type", "application/json"]], bodyB64 }));
        }
        return { success: true, message_id: id };
      },
    },
    onInterrupt: (frame, ctx) => {
      if (!ids.has(ctx.gatewayId)) return onInterrupt?.(frame, ctx);
      fire("loopback interrupt", push.sendInterruptInbound(ctx.gatewayId, { session_key: frame.session_key, chat_id: LOOPBACK_CHAT }));
    },
  };
}
