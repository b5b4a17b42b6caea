/**
 * The client's public option and handler types.
 */
import type { OpName } from "../../generated/registry.js";
import type { CommandManifestEntry, InboundFrame, InterruptInboundFrame, MessageEvent, SendAction } from "../../generated/types.js";
import type { Dialer } from "../transport/types.js";
import type { OutgoingValidation } from "../kernel/outgoing.js";
import type { PassthroughRequest } from "./normalize.js";
import type { ActionByOp } from "./results.js";
import type { TokenProvider } from "./token.js";

/** One fronted (platform, botId) identity; the first configured is the session default. */
export interface RelayIdentity {
  platform: string;
  botId: string;
  /** Discord slash commands, sent on this identity's hello. */
  commandManifest?: CommandManifestEntry[];
}

export interface DeliveryContext {
  /** Present on replays from the connector's buffer: acked after the handler resolves. */
  bufferId: string | undefined;
  /** The connection it arrived on. */
  generation: number;
}

export type InboundHandler = (event: MessageEvent, ctx: DeliveryContext & { frame: InboundFrame }) => void | Promise<void>;
export type InterruptInboundHandler = (interrupt: InterruptInboundFrame, ctx: DeliveryContext) => void | Promise<void>;
export type PassthroughHandler = (request: PassthroughRequest, ctx: DeliveryContext) => void | Promise<void>;

export interface RelayClientHandlers {
  inbound?: InboundHandler;
  interruptInbound?: InterruptInboundHandler;
  passthroughForward?: PassthroughHandler;
}

export interface RelayClientOptions {
  /** Connector base URL; normalised as the reference does (`http`→`ws`, `/relay` appended). */
  url: string;
  /** Default: one hello `("relay", "")`. */
  identities?: readonly RelayIdentity[];
  /** With `secret`: a fresh upgrade token is minted for every dial. */
  gatewayId?: string;
  secret?: string;
  /** Instead of `gatewayId` + `secret`: called once per dial. */
  token?: TokenProvider;
  /** TTL of minted tokens. Default 300 s. */
  tokenTtlSeconds?: number;
  handlers?: RelayClientHandlers;
  /** Per dial: from starting the dial to the first descriptor. Default 30 s. */
  handshakeTimeoutMs?: number;
  /** Default for `request()`. Default 30 s. */
  requestTimeoutMs?: number;
  /** Default for `goIdle()`. Default 10 s. */
  goIdleTimeoutMs?: number;
  /** Re-dial after unexpected closes. Default true. */
  reconnect?: boolean;
  /** Ladder base. Default 1 s. */
  backoffBaseMs?: number;
  /** Ladder cap. Default 30 s. */
  backoffMaxMs?: number;
  /** Re-dial delay after `goDormant()`. Default 1 s. */
  dormantRedialMs?: number;
  /** A connection up this long (from its first descriptor) resets the ladder. Default 60 s. */
  stableConnectionMs?: number;
  /** Jitter source, uniform in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Clock (epoch ms) for the stable-connection rule, event times and token minting. Default `Date.now`. */
  now?: () => number;
  /** Ping interval; 0 disables keepalive. Default 30 s. */
  keepaliveIntervalMs?: number;
  /** An unanswered ping ends the connection after this long, with 1011 "keepalive ping timeout" (contract §10). Default 60 s. */
  keepaliveTimeoutMs?: number;
  /**
   * Validation of every outgoing frame before it is written, as the server helper's option of
   * the same name: `"strict"` (the producer's contract; default), `"tolerant"` (what a receiver
   * accepts), `"off"`. `true` and `false` mean `"strict"` and `"off"`.
   */
  validateOutgoing?: boolean | OutgoingValidation;
  /**
   * Send the `inbound_ack`s of deliveries handled in the same event-loop turn as one WebSocket
   * message of several newline-terminated frames (one socket write per replayed batch instead of
   * one per frame). Receivers must accept that (§2), but the contract says a sender SHOULD put
   * one frame per message (RC-FRM-002) and connectors written before it may parse one JSON value
   * per message, so it is off by default: turn it on for a connector known to split on newlines.
   */
  coalesceAcks?: boolean;
  /** Longest accepted received line, in bytes. Default 1 MiB. */
  maxLineBytes?: number;
  /**
   * Opens the transport of each dial. Default: `ws` (WebSocket over TCP/TLS). An in-memory
   * transport linked to a server helper (`createMemoryLink`) runs the same client without sockets.
   */
  dialer?: Dialer;
  /**
   * Largest accepted WebSocket message, in bytes (ws `maxPayload`); a larger one closes the
   * connection with 1009. Default 1 MiB, the contract's message limit.
   */
  maxPayload?: number;
  /** Offer permessage-deflate. Default false: the contract's peers do not need it and it costs CPU and memory. */
  perMessageDeflate?: boolean;
  /**
   * Inbound backpressure: deliveries accepted and not yet handled above which the socket stops
   * being read (unless a request or `goIdle()` awaits its answer). Default 256.
   */
  maxQueuedDeliveries?: number;
  /**
   * Wire bytes of those deliveries above which the socket stops being read, even while an answer
   * is awaited (that request then ends by its timeout). Default 8 MiB.
   */
  maxQueuedBytes?: number;
}

export interface RequestOptions {
  /** Egress platform; its descriptor gates the op. Omitted: the session default. */
  platform?: string;
  /** Defaults to the botId hello'd for `platform`. */
  botId?: string;
  timeoutMs?: number;
  /** Stops waiting: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

import type { CloseOptions } from "../kernel/close.js";
export type { CloseOptions };

/** The fields of an op action, without `op`: what the typed helpers take. */
export type ActionFields<Op extends OpName> = Omit<ActionByOp[Op], "op">;
export type SendFields = Omit<SendAction, "op" | "reply_to"> & { reply_to?: string | null };
