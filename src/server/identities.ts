/**
 * The `platform:botId` identities one connection announced with `hello`, in announcement order:
 * constant-time to add, to look up a pair and to find a platform's first identity, however many
 * a gateway announces (an identity list scanned and copied per hello made a burst of hellos
 * quadratic); a short list is scanned instead, with no index to hold.
 */
import type { Identity } from "./types.js";

/** What identity resolution needs: the session default, a pair, a platform's first identity. */
export interface IdentityLookup {
  /** The session default: the first identity hello'd. */
  readonly first: Identity | undefined;
  get(platform: string, botId: string): Identity | undefined;
  firstOf(platform: string): Identity | undefined;
}

/**
 * Identities a table scans in announcement order before it builds its index: nearly every gateway
 * announces one or two, and an index costs two Maps per connection however idle it is.
 */
const SCAN_LIMIT = 8;

/** The list of every empty table (never written to). */
const NONE: Identity[] = [];

export class IdentityTable implements IdentityLookup {
  /**
   * Announcement order (appended to, never copied). Starts as a literal of the first identity:
   * exactly one slot, where a first `push` reserves seventeen.
   */
  #ordered: Identity[] = NONE;
  /** platform → botId → identity, both levels in insertion order; built once the list outgrows a short scan. */
  #byPlatform: Map<string, Map<string, Identity>> | undefined;

  get size(): number {
    return this.#ordered.length;
  }

  get first(): Identity | undefined {
    return this.#ordered[0];
  }

  has(platform: string, botId: string): boolean {
    return this.get(platform, botId) !== undefined;
  }

  get(platform: string, botId: string): Identity | undefined {
    if (this.#byPlatform !== undefined) return this.#byPlatform.get(platform)?.get(botId);
    for (const identity of this.#ordered) if (identity.platform === platform && identity.botId === botId) return identity;
    return undefined;
  }

  firstOf(platform: string): Identity | undefined {
    if (this.#byPlatform === undefined) {
      for (const identity of this.#ordered) if (identity.platform === platform) return identity;
      return undefined;
    }
    const bots = this.#byPlatform.get(platform);
    return bots === undefined ? undefined : (bots.values().next().value as Identity | undefined);
  }

  /** Adds an identity; returns `false` when it was already there. */
  add(platform: string, botId: string): boolean {
    if (this.has(platform, botId)) return false;
    const identity: Identity = Object.freeze({ platform, botId });
    if (this.#ordered === NONE) this.#ordered = [identity];
    else this.#ordered.push(identity);
    if (this.#byPlatform !== undefined) IdentityTable.#index(this.#byPlatform, identity);
    else if (this.#ordered.length > SCAN_LIMIT) {
      const byPlatform = new Map<string, Map<string, Identity>>();
      for (const each of this.#ordered) IdentityTable.#index(byPlatform, each);
      this.#byPlatform = byPlatform;
    }
    return true;
  }

  /** In announcement order (a live view once the first identity is in: it grows with later hellos). */
  list(): readonly Identity[] {
    return this.#ordered;
  }

  static #index(byPlatform: Map<string, Map<string, Identity>>, identity: Identity): void {
    let bots = byPlatform.get(identity.platform);
    if (bots === undefined) {
      bots = new Map();
      byPlatform.set(identity.platform, bots);
    }
    bots.set(identity.botId, identity);
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
