/**
 * WebSocket close codes on the relay socket (contract §10), as data: the contract
 * document renders its table from here and the server/client use the same constants.
 *
 * The gateway itself only ever performs a normal close; everything else is sent by the
 * connector or by a WebSocket library. One entry per (code, reason) pair whose meaning differs.
 */

export type CloseSender = "connector" | "gateway" | "either" | "library";

/**
 * What a (V-late+) gateway does after this close:
 * - `yes`: reconnect through its backoff supervisor with a fresh token;
 * - `no`: never reconnects (the code is informational or the close was deliberate);
 * - `once-with-fresh-token`: after a handshake, one immediate re-dial with a fresh token, terminal
 *   (`auth_revoked`) if that is refused again; before any handshake, ordinary backoff.
 */
export type ClientRetries = "yes" | "no" | "once-with-fresh-token";

export interface CloseCodeEntry {
  readonly code: number;
  /** Constant-style name (`CloseCode[name] === code`). */
  readonly name: string;
  /** The exact reason string sent; `""` when none is sent. */
  readonly reason: string;
  readonly meaning: string;
  readonly sentBy: CloseSender;
  readonly clientRetries: ClientRetries;
  /** Protocol step (§13) or standard that introduced it. */
  readonly since: string;
}

export const CloseCode = Object.freeze({
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  Abnormal: 1006,
  InvalidPayload: 1007,
  MessageTooBig: 1009,
  InternalError: 1011,
  BadFrames: 4400,
  Unauthorized: 4401,
  NotFound: 4404,
  HelloTimeout: 4408,
  TooManyConnections: 4409,
  TooManyIdentities: 4413,
  AlreadyConnected: 4429,
  UpstreamUnavailable: 4503,
} as const);

export type CloseCodeName = keyof typeof CloseCode;
export type CloseCodeValue = (typeof CloseCode)[CloseCodeName];

/** Reason strings with protocol meaning. Compare exactly; `"expired"` changes gateway behaviour. */
export const CloseReason = Object.freeze({
  Unauthorized: "unauthorized",
  Expired: "expired",
  KeepaliveTimeout: "keepalive ping timeout",
  InternalError: "internal error",
  GoingAway: "connector shutting down",
  BadFrames: "malformed frames",
  NotFound: "relay endpoint not found",
  HelloTimeout: "no hello",
  TooManyConnections: "too many connections",
  TooManyIdentities: "too many identities",
  Overloaded: "overloaded",
  AlreadyConnected: "Gateway already connected",
  UpstreamUnavailable: "Slack connection failed",
} as const);

const entry = (e: CloseCodeEntry): CloseCodeEntry => Object.freeze(e);

export const CLOSE_CODES: readonly CloseCodeEntry[] = Object.freeze([
  entry({
    code: CloseCode.Normal,
    name: "Normal",
    reason: "",
    meaning: "Normal closure. The only code the gateway itself sends (`disconnect()`, or `go_dormant()` after `going_idle_ack`). Unless the gateway is disconnecting deliberately, it treats a 1000 from the connector as an unexpected close.",
    sentBy: "either",
    clientRetries: "yes",
    since: "P3",
  }),
  entry({
    code: CloseCode.GoingAway,
    name: "GoingAway",
    reason: CloseReason.GoingAway,
    meaning: "The connector process is shutting down or restarting; the gateway re-dials (possibly to another connector instance) and the backlog is drained there.",
    sentBy: "connector",
    clientRetries: "yes",
    since: "RFC 6455 (this contract)",
  }),
  entry({
    code: CloseCode.ProtocolError,
    name: "ProtocolError",
    reason: "",
    meaning: "WebSocket-level protocol violation (bad framing, bad opcode), detected and sent by the WebSocket library, never by relay logic.",
    sentBy: "library",
    clientRetries: "yes",
    since: "RFC 6455",
  }),
  entry({
    code: CloseCode.Abnormal,
    name: "Abnormal",
    reason: "",
    meaning: "Never on the wire: what a library reports locally when the connection dropped without a close frame (network loss, killed process). Handled like any unexpected close.",
    sentBy: "library",
    clientRetries: "yes",
    since: "RFC 6455",
  }),
  entry({
    code: CloseCode.InvalidPayload,
    name: "InvalidPayload",
    reason: "",
    meaning: "A text message was not valid UTF-8; sent by the receiving side's WebSocket library (ws and Python websockets both do). Binary messages are decoded by the relay codec instead, with U+FFFD replacement.",
    sentBy: "library",
    clientRetries: "yes",
    since: "RFC 6455",
  }),
  entry({
    code: CloseCode.MessageTooBig,
    name: "MessageTooBig",
    reason: "",
    meaning: "A message exceeded the receiver's size limit (ws `maxPayload`; Python websockets `max_size`, 1 MiB by default on the gateway). Sent by the library, so a frame — or a batch of frames in one message — must stay under 1 MiB. Relay decoders apply the same bound per line (`line_too_long`).",
    sentBy: "library",
    clientRetries: "yes",
    since: "RFC 6455",
  }),
  entry({
    code: CloseCode.InternalError,
    name: "InternalError",
    reason: CloseReason.KeepaliveTimeout,
    meaning: "Keepalive failure: a ping went unanswered within the deadline (Python websockets: 20 s default up to V-mid, 60 s from V-late). Sent by the pinging side's library.",
    sentBy: "library",
    clientRetries: "yes",
    since: "P3",
  }),
  entry({
    code: CloseCode.InternalError,
    name: "InternalError",
    reason: CloseReason.InternalError,
    meaning: "The connector hit an unexpected error serving this socket. An ordinary unexpected close for the gateway.",
    sentBy: "connector",
    clientRetries: "yes",
    since: "P3",
  }),
  entry({
    code: CloseCode.InternalError,
    name: "InternalError",
    reason: CloseReason.Overloaded,
    meaning: "The connector could not queue more for this socket: the gateway stopped reading while frames that cannot wait in the delivery buffer (results, descriptors) piled up past the connector's hard bound (this package's server: `backpressure.closeAtBytes`). The socket is terminated if the close frame cannot get through. An ordinary unexpected close for the gateway.",
    sentBy: "connector",
    clientRetries: "yes",
    since: "contract v1 (relay-contract)",
  }),
  entry({
    code: CloseCode.BadFrames,
    name: "BadFrames",
    reason: CloseReason.BadFrames,
    meaning: "Defined by this contract: the peer kept sending lines that cannot be decoded (invalid JSON, not an object, no `type`, over-long lines). One bad line is only reported and skipped (§2); closing needs a run of them, and the threshold is receiver policy. Unknown or echoed frame types and frames the schema refuses never count: a refused frame decoded, is reported, and a refused `outbound` is answered with `success: false`. Gateways handle the code as an ordinary failure.",
    sentBy: "either",
    clientRetries: "yes",
    since: "contract v1 (relay-contract)",
  }),
  entry({
    code: CloseCode.Unauthorized,
    name: "Unauthorized",
    reason: CloseReason.Unauthorized,
    meaning: "Upgrade token missing, malformed, wrongly signed, or for an unknown/revoked gateway (connectors predating \"expired\" also send it for aged tokens). At the upgrade or after accepting the socket. Gateways: P3 no special handling; V-mid terminal after a handshake; V-late+ one immediate fresh-token re-dial after a handshake, terminal (`relay_disabled`) if that is refused with 4401 other than \"expired\"; before any handshake, ordinary backoff.",
    sentBy: "connector",
    clientRetries: "once-with-fresh-token",
    since: "P3",
  }),
  entry({
    code: CloseCode.Unauthorized,
    name: "Unauthorized",
    reason: CloseReason.Expired,
    meaning: "The token was authentic but aged past its expiry (no clock-skew allowance by default). Never a revocation: V-late+ gateways reconnect normally with a fresh token. (V-mid treats every post-handshake 4401 as terminal regardless of reason.)",
    sentBy: "connector",
    clientRetries: "yes",
    since: "V-late",
  }),
  entry({
    code: CloseCode.NotFound,
    name: "NotFound",
    reason: CloseReason.NotFound,
    meaning: "Upgrade request path (query ignored) is not `/relay`. Sent by the Python sidecar server; Node connectors answer HTTP 400 at the upgrade instead.",
    sentBy: "connector",
    clientRetries: "yes",
    since: "V-sidecar",
  }),
  entry({
    code: CloseCode.HelloTimeout,
    name: "HelloTimeout",
    reason: CloseReason.HelloTimeout,
    meaning: "Defined by this contract: the socket authenticated but sent no `hello` within the connector's handshake deadline (this package's server: `helloTimeoutMs`, 10 s by default). Gateways send their hellos right after the upgrade, so only a stalled or hostile peer sees it; an ordinary failure for the gateway.",
    sentBy: "connector",
    clientRetries: "yes",
    since: "contract v1 (relay-contract)",
  }),
  entry({
    code: CloseCode.TooManyConnections,
    name: "TooManyConnections",
    reason: CloseReason.TooManyConnections,
    meaning: "Defined by this contract: the gateway holds more sockets on this connector than its per-gateway cap allows (this package's server: `maxConnectionsPerGateway`, off by default); the oldest socket is closed so a re-dial after a half-open connection always gets through. An ordinary failure for the gateway.",
    sentBy: "connector",
    clientRetries: "yes",
    since: "contract v1 (relay-contract)",
  }),
  entry({
    code: CloseCode.TooManyIdentities,
    name: "TooManyIdentities",
    reason: CloseReason.TooManyIdentities,
    meaning: "Defined by this contract: one socket announced more distinct `platform:botId` identities in `hello` frames than the connector's per-connection cap (this package's server: `maxIdentities`, 1 000 by default). Repeating a hello'd identity never counts. An ordinary failure for the gateway.",
    sentBy: "connector",
    clientRetries: "yes",
    since: "contract v1 (relay-contract)",
  }),
  entry({
    code: CloseCode.AlreadyConnected,
    name: "AlreadyConnected",
    reason: CloseReason.AlreadyConnected,
    meaning: "The server accepts one gateway at a time and one is already connected (sidecar server). `connect()` fails with an error mentioning 4429.",
    sentBy: "connector",
    clientRetries: "yes",
    since: "V-sidecar",
  }),
  entry({
    code: CloseCode.UpstreamUnavailable,
    name: "UpstreamUnavailable",
    reason: CloseReason.UpstreamUnavailable,
    meaning: "On `hello`, the sidecar server could not open its upstream platform connection (Slack Socket Mode).",
    sentBy: "connector",
    clientRetries: "yes",
    since: "V-sidecar",
  }),
]);

/** The entry for a received close: exact (code, reason) match first, else the code's first entry. */
export function findCloseCode(code: number, reason?: string): CloseCodeEntry | undefined {
  let byCode: CloseCodeEntry | undefined;
  for (const e of CLOSE_CODES) {
    if (e.code !== code) continue;
    if (reason !== undefined && e.reason === reason) return e;
    byCode ??= e;
  }
  return byCode;
}

/** Markdown table of `CLOSE_CODES` for the contract document. */
export function renderCloseCodeTable(): string {
  const rows = [
    "| Code | Name | Reason | Sent by | Client retries | Since | Meaning |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const e of CLOSE_CODES) {
    const reason = e.reason === "" ? "(none)" : `\`"${e.reason}"\``;
    rows.push(
      `| ${e.code} | ${cell(e.name)} | ${cell(reason)} | ${e.sentBy} | ${e.clientRetries} | ${cell(e.since)} | ${cell(e.meaning)} |`,
    );
  }
  return rows.join("\n") + "\n";
}

function cell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}
