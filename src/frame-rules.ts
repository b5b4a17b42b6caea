/**
 * Cross-field rules of the contract that JSON Schema cannot state. Applied by `validateFrame`
 * in strict mode after the schema passed (producers must obey them; receivers need not check).
 */
import type { ValidationIssue } from "./validation-types.js";

/** Telegram's callback_data cap, which binds every platform's prompt buttons (§19). */
export const MAX_PROMPT_TOKEN_BYTES = 64;

/** The callback payload of one prompt option: `hp1:<prompt_id>:<option_id>`. */
export function promptToken(promptId: string, optionId: string): string {
  return `hp1:${promptId}:${optionId}`;
}

interface PromptLike {
  op: "prompt";
  prompt_id: string;
  options: { id: string }[];
}

function isPrompt(action: unknown): action is PromptLike {
  return typeof action === "object" && action !== null && (action as { op?: unknown }).op === "prompt";
}

/** Issues for a schema-valid frame; empty when every cross-field rule holds. */
export function checkFrameRules(frame: { type: string }): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (frame.type !== "outbound") return issues;
  const action = (frame as { action?: unknown }).action;
  if (!isPrompt(action)) return issues;
  action.options.forEach((option, i) => {
    const bytes = Buffer.byteLength(promptToken(action.prompt_id, option.id), "utf8");
    if (bytes > MAX_PROMPT_TOKEN_BYTES) {
      issues.push({
        path: `/action/options/${i}/id`,
        keyword: "hp1TokenLength",
        message: `/action/options/${i}/id makes the callback token hp1:<prompt_id>:<id> ${bytes} bytes long; at most ${MAX_PROMPT_TOKEN_BYTES} are allowed`,
      });
    }
  });
  return issues;
}
