/**
 * What `close()` means on both roles: stop taking new work, give the work in flight a bounded
 * time to finish, then close every connection.
 */

/** The options of `RelayClient.close()` and `RelayServer.close()`. */
export interface CloseOptions {
  /**
   * How long work in flight may take to finish before the connections are closed, in ms: on the
   * client, requests awaiting their `outbound_result` (after it they fail with
   * `relay transport closed`); on the server helper, outbound handlers running (their results are
   * still written). New work is refused meanwhile. Then each connection is closed (client 1000,
   * server 1001) and dropped if its peer does not complete the closing handshake within 2 s.
   * Default 5 000 on both, the reference gateway's cap on its drain at disconnect (it clamps the
   * drain further to fit its disconnect budget: 1.5 s with that budget's 5 s default). `close()`
   * resolves as soon as the work in flight is done, so the bound only matters for work that is
   * stuck; 0 closes at once.
   */
  drainMs?: number;
}

export const DEFAULT_DRAIN_MS = 5_000;

/**
 * How long a peer gets to answer this side's close frame before the connection is dropped, on
 * both roles. `ws` itself waits 30 s, which lets a peer that never answers (a rejected upgrade, a
 * stalled peer) hold a socket that long.
 */
export const CLOSE_HANDSHAKE_TIMEOUT_MS = 2_000;
