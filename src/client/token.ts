/**
 * Where each dial's upgrade token comes from (contract §3): minted fresh for every dial
 * from `gatewayId` + secret, or produced by the caller's function; no header when neither is set.
 */
import { bearerHeader, makeUpgradeToken } from "../auth/index.js";

/** Returns the bearer token for one dial; `undefined`/`""` sends no Authorization header. */
export type TokenProvider = () => string | undefined | Promise<string | undefined>;

export interface TokenSourceOptions {
  gatewayId?: string;
  secret?: string;
  token?: TokenProvider;
  tokenTtlSeconds?: number;
  /** Epoch ms. */
  now: () => number;
}

export type AuthorizationSource = () => Promise<string | undefined>;

/** Validates the combination once and returns the per-dial `Authorization` header source. */
export function authorizationSource(opts: TokenSourceOptions): AuthorizationSource {
  const { gatewayId, secret, token } = opts;
  const hasMinted = gatewayId !== undefined || secret !== undefined;
  if (token !== undefined && hasMinted) {
    throw new TypeError("createRelayClient: give either `token` or `gatewayId` + `secret`, not both");
  }
  if (hasMinted && (typeof gatewayId !== "string" || gatewayId === "" || typeof secret !== "string")) {
    throw new TypeError("createRelayClient: `gatewayId` and `secret` must be given together");
  }
  if (token !== undefined) {
    return async () => {
      const value = await token();
      return typeof value === "string" && value !== "" ? bearerHeader(value) : undefined;
    };
  }
  if (gatewayId !== undefined && secret !== undefined) {
    // Mint once here so a bad secret fails at construction rather than on every dial.
    makeUpgradeToken({ gatewayId, secret });
    return async () =>
      bearerHeader(
        makeUpgradeToken({
          gatewayId,
          secret,
          now: opts.now() / 1000,
          ...(opts.tokenTtlSeconds !== undefined && { ttlSeconds: opts.tokenTtlSeconds }),
        }),
      );
  }
  return async () => undefined;
}
