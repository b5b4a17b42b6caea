export {
  makeToken,
  makeUpgradeToken,
  bearerHeader,
  parseToken,
  verifyUpgradeToken,
  verifyUpgradeTokenSync,
  sign,
  isUsableSecret,
  DEFAULT_UPGRADE_TOKEN_TTL_SECONDS,
  MAX_TOKEN_LENGTH,
} from "./token.js";
export type {
  UnixTime,
  VerifyFailureReason,
  VerifyResult,
  SecretSet,
  SecretLookup,
  VerifyOptions,
  SyncVerifyOptions,
  UpgradeTokenOptions,
  ParsedToken,
} from "./token.js";
export { parseBearer } from "./bearer.js";
