/**
 * The smallest valid payloads the tests put on the wire, shared by the fake connector, the raw
 * gateway and the tests that build frames by hand. The conformance kit's `descriptorFor` is the
 * realistic one (every op advertised); this one carries only the required keys, so a test sees
 * the legacy op set unless it passes `supported_ops`.
 */
import type { CapabilityDescriptor, MessageEvent } from "../../generated/types.js";

/** A descriptor with only the required keys (plus `extra`). */
export function descriptor(platform: string, extra: Partial<CapabilityDescriptor> = {}): CapabilityDescriptor {
  return {
    contract_version: 1,
    platform,
    label: platform,
    max_message_length: 4000,
    supports_draft_streaming: false,
    supports_edit: true,
    supports_threads: false,
    markdown_dialect: "markdown",
    len_unit: "chars",
    ...extra,
  };
}

/** A Telegram DM text message event. */
export function messageEvent(text: string, chatId = "c1", extra: Record<string, unknown> = {}): MessageEvent & Record<string, unknown> {
  return {
    text,
    message_type: "text",
    message_id: `m-${text}`,
    source: {
      platform: "telegram",
      chat_id: chatId,
      chat_type: "dm",
      chat_name: null,
      user_id: "u1",
      user_name: "user",
      thread_id: null,
      chat_topic: null,
    },
    ...extra,
  };
}
