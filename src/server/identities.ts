/**
 * The `platform:botId` identities one connection announced with `hello`, in announcement order:
 * constant-time to add, to look up a pair and to find a platform's first identity, however many
 * a gateway announces (an identity list scanned and copied per hello made a burst of hellos
 * quadratic).
 */
import type { Identity } from "./types.js";

/** What identity resolution needs: the session default, a pair, a platform's first identity. */
export interface IdentityLookup {
  /** The session default: the first identity hello'd. */
  readonly first: Identity | undefined;
  get(platform: string, botId: string): Identity | undefined;
  firstOf(platform: string): Identity | undefined;
}

export class IdentityTable implements IdentityLookup {
  /** platform → botId → identity; both levels keep insertion order. */
  readonly #byPlatform = new Map<string, Map<string, Identity>>();
  /** Announcement order (appended to, never copied). */
  readonly #ordered: Identity[] = [];

  get size(): number {
    return this.#ordered.length;
  }

  get first(): Identity | undefined {
    return this.#ordered[0];
  }

  has(platform: string, botId: string): boolean {
    return this.#byPlatform.get(platform)?.has(botId) ?? false;
  }

  get(platform: string, botId: string): Identity | undefined {
    return this.#byPlatform.get(platform)?.get(botId);
  }

  firstOf(platform: string): Identity | undefined {
    const bots = this.#byPlatform.get(platform);
    return bots === undefined ? undefined : (bots.values().next().value as Identity | undefined);
  }

  /** Adds an identity; returns `false` when it was already there. */
  add(platform: string, botId: string): boolean {
    let bots = this.#byPlatform.get(platform);
    if (bots === undefined) {
      bots = new Map();
      this.#byPlatform.set(platform, bots);
    } else if (bots.has(botId)) {
      return false;
    }
    const identity: Identity = Object.freeze({ platform, botId });
    bots.set(botId, identity);
    this.#ordered.push(identity);
    return true;
  }

  /** In announcement order (a live view: it grows with later hellos). */
  list(): readonly Identity[] {
    return this.#ordered;
  }
}

/** Linear lookup over a plain list (public `resolveIdentity` callers). */
export function lookupOf(identities: readonly Identity[]): IdentityLookup {
  return {
    first: identities[0],
    get: (platform, botId) => identities.find((i) => i.platform === platform && i.botId === botId),
    firstOf: (platform) => identities.find((i) => i.platform === platform),
  };
}
