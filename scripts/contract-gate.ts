/**
 * The compatibility gate: the current contract against the last released one
 * (contract/released/). Additive changes pass. A breaking change passes only when the contract
 * version moved past the released one and the changelog (CHANGELOG.md or a pending changeset)
 * names the new `contract_version`: every break is deliberate and announced.
 */
import type { ContractDiff } from "../src/contract-diff/index.js";

export const RELEASED_DIR = "contract/released";

export interface GateVerdict {
  ok: boolean;
  /** What to print: one summary line, then the breaking changes and what to do when it fails. */
  lines: string[];
}

/** `notes`: the text of CHANGELOG.md and of every pending changeset. */
export function judgeCompatibility(diff: ContractDiff, notes: string): GateVerdict {
  const released = diff.old.contractVersion;
  const current = diff.new.contractVersion;
  const additive = diff.summary.additive;
  if (released === undefined || current === undefined) {
    return { ok: false, lines: [`check:compat: cannot tell the contract_version of ${released === undefined ? diff.old.source : diff.new.source}`] };
  }
  if (current < released) return { ok: false, lines: [`check:compat: contract_version ${current} is lower than the released ${released}`] };
  if (!diff.breaking) {
    return { ok: true, lines: [`check:compat: compatible with the released contract_version ${released} (${additive} additive change${additive === 1 ? "" : "s"})`] };
  }
  const breaking = diff.changes.filter((c) => c.impact !== "additive");
  const listing = breaking.map((c) => `  ${c.definition}${c.path || ""}: ${c.change} [${c.impact}; produced by ${c.producers.join("+")}, consumed by ${c.consumers.join("+")}]`);
  const announced = new RegExp(`contract_version\\s+${current}\\b`).test(notes);
  if (current > released && announced) {
    return { ok: true, lines: [`check:compat: ${breaking.length} breaking change(s), announced as contract_version ${current} (released: ${released})`, ...listing] };
  }
  const todo =
    current === released
      ? `raise CONTRACT_VERSION in schema/annotations.ts to ${released + 1} and add a changeset (npx changeset, major) that says "contract_version ${released + 1}" and what breaks`
      : `add a changeset (npx changeset, major) or a CHANGELOG.md entry that says "contract_version ${current}" and what breaks`;
  return {
    ok: false,
    lines: [`check:compat: ${breaking.length} breaking change(s) against the released contract_version ${released}:`, ...listing, `To make them deliberate: ${todo}; or keep the change additive (relay-contract diff explains each one).`],
  };
}
