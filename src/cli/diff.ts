/** `relay-contract diff OLD NEW [--json]`: exit 0 when nothing breaks, 1 when something does. */
import { ContractLoadError, diffContracts, loadContract, renderDiffHuman, renderDiffJson } from "../contract-diff/index.js";
import { bool, parseArgs, UsageError } from "./args.js";

export function cmdDiff(argv: string[], io: { out: (text: string) => void }): number {
  const args = parseArgs(argv, { json: {} });
  if (args.positionals.length !== 2) throw new UsageError("diff needs OLD and NEW (bundle.json files, package folders or package tarballs)");
  const [oldPath, newPath] = args.positionals as [string, string];
  let diff;
  try {
    diff = diffContracts(loadContract(oldPath), loadContract(newPath));
  } catch (err) {
    if (err instanceof ContractLoadError) throw new UsageError(err.message);
    throw err;
  }
  io.out(bool(args, "json") ? renderDiffJson(diff) : renderDiffHuman(diff));
  return diff.breaking ? 1 : 0;
}
