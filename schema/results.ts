/** Results (C→G): `outbound_result`, the common result and the per-op result shapes. */
import { Type } from "@sinclair/typebox";
import { definition, sentBy, since, tag, type Step } from "./annotations.js";
import { ACTIONS, REQUEST_ID_PATTERN, TOLERANT_REQUEST_ID } from "./outbound.js";

export const EGRESS_DECLINED_CODE = "egress_declined";

export const ChatInfo = definition("ChatInfo", "P3", "Answer of `get_chat_info`. Receivers default a missing `name` to the chat id and a missing `type` to `dm`.", {
  name: Type.String(since("P3", "Chat name; receivers default it to the chat id.")),
  type: Type.String(since("P3", "Chat type (`dm`, `group`, `channel`, …); receivers default it to `dm`.", { examples: ["dm", "group", "channel", "thread", "forum"] })),
});

/** Every result field, defined once; per-op results pick from it. */
const RESULT_FIELDS = {
  success: Type.Boolean(since("P3", "Outcome of the action. Receivers treat a missing value as a failure.", { default: false })),
  // Every other field is optional to a receiver: the gateway reads each with `.get()`.
  message_id: Type.Optional(
    Type.String(since("P3", "Platform message id (send, edit, send_media, prompt, follow_up, a sealed draft's stream message, thread_create fallback).")),
  ),
  error: Type.Optional(
    Type.String(
      since("P3", "Failure text. Egress-authorization declines use the sentence `<platform> egress declined: target is not an approved destination for this connection`."),
    ),
  ),
  code: Type.Optional(
    Type.String(
      since("V-late", "Structured failure code: a string with known values, not a closed set. `egress_declined` is the preferred decline signal; the gateway compares against it and treats any other code as an ordinary failure.", {
        minLength: 1,
        examples: [EGRESS_DECLINED_CODE],
      }),
    ),
  ),
  thread_id: Type.Optional(Type.String(since("V-late", "Thread created or used (send auto-thread, thread_create)."))),
  auto_thread_name: Type.Optional(Type.String(since("V-late", "Initial name of a connector-created auto-thread (with `thread_id`)."))),
  chat_info: Type.Optional(Type.Ref(ChatInfo, since("P3", "get_chat_info answer."))),
  name: Type.Optional(Type.String(since("P3", "Legacy get_chat_info answer at the top level; prefer `chat_info`."))),
  type: Type.Optional(Type.String(since("P3", "Legacy get_chat_info answer at the top level; prefer `chat_info`."))),
  error_kind: Type.Optional(Type.String(since("V-sidecar", "Failure class (sidecar/fork transports only)."))),
  retryable: Type.Optional(Type.Boolean(since("V-sidecar", "Whether a retry may succeed (sidecar/fork transports only)."))),
  retry_after: Type.Optional(Type.Number(since("V-sidecar", "Seconds to wait before retrying (sidecar/fork transports only).", { minimum: 0 }))),
  continuation_message_ids: Type.Optional(
    Type.Array(Type.String(), since("V-sidecar", "Ids of the extra messages a long send was split into (sidecar/fork transports only).")),
  ),
};
type ResultField = keyof typeof RESULT_FIELDS;

/** A failed result names its failure; a decline is a failure. */
const RESULT_RULES = [
  {
    description: "A failure carries `error`.",
    if: { properties: { success: { const: false } }, required: ["success"] },
    then: { required: ["error"] },
  },
  {
    description: "`code: egress_declined` is a failure.",
    if: { properties: { code: { const: EGRESS_DECLINED_CODE } }, required: ["code"] },
    then: { properties: { success: { const: false } } },
  },
];

export const OutboundResult = definition(
  "OutboundResult",
  "P3",
  "The result of any action. `outbound_result` does not repeat the op, so this is the union of every op's fields; the per-op result definitions say which fields each op sets. Not on the wire: the `ambiguous` flag and the texts a gateway synthesises locally (`relay outbound timed out`, `relay transport connection lost`, …).",
  RESULT_FIELDS,
  { allOf: RESULT_RULES },
);

function opResult(name: string, op: keyof typeof ACTIONS, fields: ResultField[]) {
  const picked = Object.fromEntries(
    (["success", "error", "code", ...fields] as ResultField[]).map((f) => [f, RESULT_FIELDS[f]]),
  );
  const step = ACTIONS[op]["x-since"] as Step;
  return definition(name, step, `Result of \`${op}\`: the fields a connector sets for this op.`, picked, { allOf: RESULT_RULES, ...sentBy("connector-to-gateway") });
}

export const OP_RESULTS = {
  send: opResult("SendResult", "send", ["message_id", "thread_id", "auto_thread_name", "error_kind", "retryable", "retry_after", "continuation_message_ids"]),
  edit: opResult("EditResult", "edit", ["message_id", "error_kind", "retryable", "retry_after", "continuation_message_ids"]),
  typing: opResult("TypingResult", "typing", []),
  follow_up: opResult("FollowUpResult", "follow_up", ["message_id"]),
  get_chat_info: opResult("GetChatInfoResult", "get_chat_info", ["chat_info", "name", "type"]),
  send_media: opResult("SendMediaResult", "send_media", ["message_id"]),
  prompt: opResult("PromptResult", "prompt", ["message_id"]),
  react: opResult("ReactResult", "react", []),
  thread_create: opResult("ThreadCreateResult", "thread_create", ["thread_id", "message_id"]),
  thread_rename: opResult("ThreadRenameResult", "thread_rename", []),
  delete: opResult("DeleteResult", "delete", []),
  draft: opResult("DraftResult", "draft", ["message_id"]),
  task_card: opResult("TaskCardResult", "task_card", []),
  task_card_stop: opResult("TaskCardStopResult", "task_card_stop", []),
} as const;

export const OutboundResultFrame = definition(
  "OutboundResultFrame",
  "P3",
  "Response to one `outbound`, correlated by `requestId`. Receivers ignore unknown or already-resolved ids.",
  {
    type: tag("outbound_result", "P3", "Frame type."),
    requestId: Type.String(
      since("P3", "The `requestId` of the answered `outbound`.", { pattern: REQUEST_ID_PATTERN, "x-receiver": "required", "x-tolerant": TOLERANT_REQUEST_ID }),
    ),
    result: Type.Ref(OutboundResult, since("P3", "The outcome. Receivers treat a missing result as `{}` (a failure).", { default: {} })),
  },
);
