/**
 * The numbered sections of docs/relay-connector-contract.md, in order: the one list both the
 * rendering test (each is there) and the reference test (`§N` cites the N-th) read. References
 * cite these numbers, so a section inserted or moved renumbers the ones after it: this list
 * fails first, and every `§` reference to a renumbered section must be revisited with it.
 */
export const CONTRACT_SECTIONS: readonly string[] = Object.freeze([
  "Frame and op inventory",
  "Framing: the newline-delimited-JSON transport",
  "Upgrade authentication",
  "Handshake sequence",
  "Request/response correlation",
  "Ordering and concurrency",
  "Buffering, replay and `inbound_ack`",
  "Going idle and dormant",
  "4401 before and after a handshake",
  "Close codes",
  "Timeouts and keepalive",
  "Reconnect",
  "Versioning policy",
  "What a receiver must accept",
  "Decisions",
  "Definitions: Handshake",
  "Definitions: Inbound messages",
  "Definitions: Interrupts",
  "Definitions: Outbound requests",
  "Definitions: Outbound results",
  "Definitions: Passthrough",
  "Definitions: Going idle and buffered replay",
  "Definitions: Frame unions",
  "Definitions: HTTP bodies",
]);
