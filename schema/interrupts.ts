/** Interrupt family: `interrupt` (G→C) and `interrupt_inbound` (C→G). */
import { Type } from "@sinclair/typebox";
import { definition, nullableString, since, tag } from "./annotations.js";

export const InterruptFrame = definition(
  "InterruptFrame",
  "P3",
  "The gateway egresses a mid-turn `/stop` for a session key. Fire-and-forget: no result frame. The connector forwards it to the gateway instance running that session, which receives it as `interrupt_inbound`.",
  {
    type: tag("interrupt", "P3", "Frame type."),
    session_key: Type.String(since("P3", "Session key of the turn to stop (e.g. `agent:main:discord:group:chanA:userX`).", { minLength: 1, "x-receiver": "required" })),
    reason: nullableString(since("P3", "Why; the key is always present, `null` when not given.")),
  },
);

export const InterruptInboundFrame = definition(
  "InterruptInboundFrame",
  "P3",
  "`/stop` for a session running on this gateway. Cancels exactly the turn registered under `session_key`; sibling sessions are untouched.",
  {
    type: tag("interrupt_inbound", "P3", "Frame type."),
    session_key: Type.String(since("P3", "Session key of the turn to cancel.", { default: "" })),
    chat_id: Type.String(since("P3", "Chat the interrupt came from.", { default: "" })),
  },
);
