/** Contract evolution: what changed between two versions of the contract, and whom it breaks. */
export { diffContracts, type ContractChange, type ContractDiff, type ContractSnapshot, type Impact, type VersionInfo } from "./diff.js";
export { loadContract, ContractLoadError } from "./load.js";
export { renderDiffHuman, renderDiffJson } from "./render.js";
export type { Party } from "./directions.js";
