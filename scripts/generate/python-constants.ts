/**
 * `relay_contract/constants.py`: the contract's names and numbers for Python, rendered from the
 * same data as the TypeScript runtime (the registry, the close-code table, the codec and token
 * limits), so the two languages cannot drift apart.
 */
import type { TSchema } from "@sinclair/typebox";
import { CLOSE_CODES, CloseCode, CloseReason } from "../../src/close-codes.js";
import { DEFAULT_MAX_LINE_BYTES } from "../../src/codec/limits.js";
import { DEFAULT_UPGRADE_TOKEN_TTL_SECONDS, MAX_TOKEN_LENGTH } from "../../src/auth/token.js";
import { MAX_PROMPT_TOKEN_BYTES } from "../../src/frame-rules.js";
import { registryData } from "./registry.js";
import type { DroppableList } from "./json-schemas.js";
import { PYTHON_MODELS_HEADER } from "./python-models.js";
import { docComment, pyLiteral } from "./python-source.js";

/** `GoingAway` → `GOING_AWAY`. */
const constantCase = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();

function mapping(name: string, annotation: string, entries: [string, unknown][]): string[] {
  return [`${name}: ${annotation} = {`, ...entries.map(([k, v]) => `    ${pyLiteral(k)}: ${pyLiteral(v)},`), "}"];
}

function tuple(name: string, annotation: string, items: unknown[]): string[] {
  return [`${name}: ${annotation} = (`, ...items.map((v) => `    ${pyLiteral(v)},`), ")"];
}

/**
 * The lists a receiver filters entry by entry, with each entry's schema; refs are rewritten to
 * `#/definitions/…` of the tolerant bundle, which the Python validator loads beside them.
 */
function droppable(lists: DroppableList[], tolerantId: string): Record<string, { path: string[]; schema: unknown }[]> {
  const out: Record<string, { path: string[]; schema: unknown }[]> = {};
  for (const l of lists) {
    const schema = JSON.parse(JSON.stringify(l.itemSchema).replaceAll(`"${tolerantId}#/definitions/`, '"#/definitions/')) as unknown;
    (out[l.frameType] ??= []).push({ path: l.path, schema });
  }
  return out;
}

export function buildPythonConstants(definitions: TSchema[], lists: DroppableList[] = [], tolerantId = ""): string {
  const data = registryData(definitions);
  const blocks: string[][] = [
    [...docComment("The contract version every frame of this package belongs to.", ""), `CONTRACT_VERSION: Final = ${data.CONTRACT_VERSION}`],
    [...docComment("The additive steps of the contract version, oldest first.", ""), ...tuple("STEPS", "Final[tuple[str, ...]]", data.STEPS)],
    [
      ...docComment("Frame type → definition name, for frames the gateway sends.", ""),
      ...mapping("GATEWAY_FRAME_DEFINITIONS", "Final[Mapping[str, str]]", Object.entries(data.GATEWAY_FRAME_DEFINITIONS)),
    ],
    [
      ...docComment("Frame type → definition name, for frames the connector sends.", ""),
      ...mapping("CONNECTOR_FRAME_DEFINITIONS", "Final[Mapping[str, str]]", Object.entries(data.CONNECTOR_FRAME_DEFINITIONS)),
    ],
    [...docComment("Outbound `op` → action definition name.", ""), ...mapping("ACTION_DEFINITIONS", "Final[Mapping[str, str]]", Object.entries(data.ACTION_DEFINITIONS))],
    [...docComment("Outbound `op` → result definition name.", ""), ...mapping("RESULT_DEFINITIONS", "Final[Mapping[str, str]]", Object.entries(data.RESULT_DEFINITIONS))],
    [...docComment("Ops a connector implements when its `supported_ops` is absent or empty.", ""), ...tuple("LEGACY_OPS", "Final[tuple[str, ...]]", data.LEGACY_OPS)],
    [...docComment("What `requestId` looks like when a gateway mints it (`uuid4().hex`).", ""), `REQUEST_ID_PATTERN: Final = ${pyLiteral(data.REQUEST_ID_PATTERN)}`],
    [...docComment("Prompt and option ids (they travel inside the `hp1:<prompt_id>:<option_id>` token).", ""), `PROMPT_ID_PATTERN: Final = ${pyLiteral(data.PROMPT_ID_PATTERN)}`],
    [...docComment("Every definition name, in the contract document's order.", ""), ...tuple("DEFINITION_NAMES", "Final[tuple[str, ...]]", data.DEFINITION_NAMES)],
    [
      ...docComment(
        "Lists a receiver filters entry by entry, so one bad entry never sinks the frame: frame type → [{path from the frame root, JSON Schema of one entry (refs into bundle.tolerant.json's definitions)}].",
        "",
      ),
      `DROPPABLE_LISTS: Final[Mapping[str, list[dict[str, Any]]]] = json.loads(`,
      `    ${pyLiteral(JSON.stringify(droppable(lists, tolerantId)))}`,
      ")",
    ],
    [
      ...docComment("Longest line (one frame) a relay decoder accepts, in UTF-8 bytes: the gateway's websockets `max_size` default.", ""),
      `MAX_LINE_BYTES: Final = ${DEFAULT_MAX_LINE_BYTES}`,
    ],
    [...docComment("Lifetime of an upgrade token unless told otherwise, in seconds.", ""), `UPGRADE_TOKEN_TTL_SECONDS: Final = ${DEFAULT_UPGRADE_TOKEN_TTL_SECONDS}`],
    [...docComment("Longer upgrade tokens are rejected unparsed (`malformed`).", ""), `MAX_TOKEN_LENGTH: Final = ${MAX_TOKEN_LENGTH}`],
    [
      ...docComment("Longest prompt callback token `hp1:<prompt_id>:<option_id>`, in UTF-8 bytes (Telegram's callback_data cap).", ""),
      `MAX_PROMPT_TOKEN_BYTES: Final = ${MAX_PROMPT_TOKEN_BYTES}`,
    ],
    [
      "class CloseCode(IntEnum):",
      '    """WebSocket close codes on the relay socket; `CLOSE_CODES` says what each one means."""',
      "",
      ...Object.entries(CloseCode).map(([name, code]) => `    ${constantCase(name)} = ${code}`),
    ],
    [
      "class CloseReason(StrEnum):",
      '    """Close reasons with protocol meaning; compare exactly (`"expired"` changes gateway behaviour)."""',
      "",
      ...Object.entries(CloseReason).map(([name, reason]) => `    ${constantCase(name)} = ${pyLiteral(reason)}`),
    ],
    [
      "@dataclass(frozen=True)",
      "class CloseCodeEntry:",
      '    """One (code, reason) pair of the close-code table and what it means."""',
      "",
      "    code: int",
      "    #: Constant-style name (`CloseCode[name]`).",
      "    name: str",
      '    #: The exact reason string sent; `""` when none is sent.',
      "    reason: str",
      "    meaning: str",
      '    #: `"connector"`, `"gateway"`, `"either"` or `"library"`.',
      "    sent_by: str",
      '    #: What a gateway does after it: `"yes"` (reconnect with backoff), `"no"`, `"once-with-fresh-token"`.',
      "    client_retries: str",
      "    #: Protocol step or standard that introduced it.",
      "    since: str",
    ],
    [
      ...docComment("The close-code table, one entry per (code, reason) pair whose meaning differs.", ""),
      "CLOSE_CODES: Final[tuple[CloseCodeEntry, ...]] = (",
      ...CLOSE_CODES.flatMap((e) => [
        "    CloseCodeEntry(",
        `        code=CloseCode.${constantCase(e.name)},`,
        `        name=${pyLiteral(constantCase(e.name))},`,
        `        reason=${pyLiteral(e.reason)},`,
        `        meaning=${pyLiteral(e.meaning)},`,
        `        sent_by=${pyLiteral(e.sentBy)},`,
        `        client_retries=${pyLiteral(e.clientRetries)},`,
        `        since=${pyLiteral(e.since)},`,
        "    ),",
      ]),
      ")",
    ],
  ];
  const names = blocks.map((b) => /^(?:class )?([A-Z_]+[A-Za-z_]*)\b/.exec(b.find((l) => !l.startsWith("#") && !l.startsWith("@"))!)![1]!);
  return [
    PYTHON_MODELS_HEADER,
    '"""Names and numbers of the Hermes relay contract (contract_version 1)."""',
    "",
    "import json",
    "from collections.abc import Mapping",
    "from dataclasses import dataclass",
    "from enum import IntEnum, StrEnum",
    "from typing import Any, Final",
    "",
    "__all__ = [",
    ...names.map((n) => `    ${JSON.stringify(n)},`),
    "]",
    "",
    "",
    blocks.map((b) => b.join("\n")).join("\n\n\n"),
    "",
  ].join("\n");
}
