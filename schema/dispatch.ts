/**
 * Discriminated unions as `if`/`then` chains.
 *
 * `oneOf` over every branch makes a validator try each branch and report errors from all of
 * them; an `if (tag == X) then $ref X` chain dispatches on the tag: one branch is checked, its
 * errors carry the real JSON path, and draft-07 and 2020-12 validators read it the same way.
 * `tsType` tells json-schema-to-typescript the TypeScript union (stripped from shipped JSON).
 */
import { Type, type TSchema } from "@sinclair/typebox";
import { since, type Step } from "./annotations.js";

export interface DispatchBranch {
  tag: string;
  schema: { $id?: string };
}

export function dispatchUnion(
  name: string,
  step: Step,
  description: string,
  discriminator: string,
  branches: DispatchBranch[],
  tagDescription: string,
  extras: Record<string, unknown> = {},
): TSchema {
  const tags = branches.map((b) => b.tag);
  return Type.Unsafe({
    $id: name,
    title: name,
    description,
    "x-since": step,
    type: "object",
    required: [discriminator],
    properties: {
      // A receiver dispatches on the tag and ignores (or answers) a value it does not know.
      [discriminator]: Type.String(since(step, tagDescription, { enum: tags, "x-receiver": "required" })),
    },
    allOf: branches.map((b) => ({
      "x-receiver": "required",
      if: { properties: { [discriminator]: { const: b.tag } }, required: [discriminator] },
      then: { $ref: b.schema.$id ?? b.tag },
    })),
    tsType: branches.map((b) => b.schema.$id).join(" | "),
    "x-dispatch": { discriminator, branches: Object.fromEntries(branches.map((b) => [b.tag, b.schema.$id])) },
    ...extras,
  });
}
