/**
 * Running one `outbound` request (contract §19–3.7, §5): resolve the identity it
 * names, call the connector's handler for its op under a deadline, and turn every failure into a
 * structured `success: false` result — the gateway has no error frame, only results.
 */
import { randomBytes } from "node:crypto";
import type { OutboundFrame, OutboundResult } from "../../generated/types.js";
import { withoutAbsentNulls } from "../null-as-absent.js";
import { validateDefinition } from "../validation.js";
import { lookupOf, type IdentityLookup } from "./identities.js";
import type { Identity, OutboundContext, OutboundHandler, OutboundHandlers, OpName, RelayConnection } from "./types.js";

/**
 * What a request needs from its connection: one object per connection, shared by all its
 * requests, so a request allocates no closures of its own.
 */
export interface OutboundHost {
  readonly connection: RelayConnection;
  readonly handlers: OutboundHandlers;
  readonly timeoutMs: number;
  /** Send a throwing handler's message to the gateway (else a generic error with an id). */
  readonly exposeErrors: boolean;
  /** The connection has closed. */
  readonly closed: boolean;
  /** Aborted when the connection closes. */
  readonly closedSignal: AbortSignal;
  /** Reports handler failures (thrown, invalid result, timeout); `errorId` is the id the gateway was told. */
  handlerError(error: unknown, where: string, errorId?: string): void;
  /**
   * Writes a request's result. Every request `startOutbound` is given ends exactly once, by
   * `answer` or, when the library itself failed (not the handler: its failures are results), by `failed`.
   */
  answer(requestId: string, op: string, result: OutboundResult): void;
  failed(op: string, error: unknown): void;
}

// Unforgeable race outcomes: a handler cannot return these.
const TIMEOUT = Symbol("timeout");
const CLOSED = Symbol("closed");

export function failure(error: string): OutboundResult {
  return { success: false, error };
}

export type IdentityResolution = { ok: true; identity: Identity } | { ok: false; error: string };

/**
 * `platform` + `botId` must be a hello'd pair (the reference connector validates the pair);
 * `platform` alone picks that platform's first hello'd identity. A `platform` that no hello on
 * this connection named is refused (§19): the gateway omits `botId` exactly when it does not
 * front the platform, and sending through the session default would post with another
 * platform's credentials (possibly into a colliding chat id). Only an absent `platform` means
 * the default.
 */
export function resolveIdentity(frame: Pick<OutboundFrame, "platform" | "botId">, identities: readonly Identity[] | IdentityLookup): IdentityResolution {
  const table = Array.isArray(identities) ? lookupOf(identities as readonly Identity[]) : (identities as IdentityLookup);
  const found = identityFor(frame, table);
  return typeof found === "string" ? { ok: false, error: found } : { ok: true, identity: found };
}

/** `resolveIdentity` without a result object: the identity, or the error. */
function identityFor(frame: Pick<OutboundFrame, "platform" | "botId">, table: IdentityLookup): Identity | string {
  const first = table.first;
  if (first === undefined) return "no identity has been hello'd on this connection";
  const { platform, botId } = frame;
  if (typeof platform === "string" && typeof botId === "string") {
    return table.get(platform, botId) ?? `identity "${platform}:${botId}" was not hello'd on this connection`;
  }
  if (typeof platform === "string") {
    return table.firstOf(platform) ?? `platform "${platform}" is not fronted on this connection (no hello named it)`;
  }
  if (typeof botId === "string") return `botId "${botId}" given without a platform`;
  return first;
}

/**
 * The result for a handler that threw. A thrown message can carry anything (tokens, URLs, stack
 * details), so by default the gateway gets a generic error with an id, and the id goes with the
 * error to the `handlerError` event, where the operator logs it.
 */
function thrown(err: unknown, op: string, host: OutboundHost): OutboundResult {
  if (host.exposeErrors) {
    host.handlerError(err, `outbound:${op}`);
    return failure(`outbound handler for "${op}" failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const errorId = randomBytes(6).toString("hex");
  host.handlerError(err, `outbound:${op}`, errorId);
  return failure(`outbound handler for "${op}" failed (error id ${errorId})`);
}

/**
 * One `abort` listener per connection signal, however many requests wait on it: Node's
 * EventTarget makes each add/remove cost microseconds and warns past 10 listeners, and a
 * connection may have hundreds of requests in flight.
 */
const closeHooks = new WeakMap<AbortSignal, Set<() => void>>();

function onAbort(signal: AbortSignal, hook: () => void): () => void {
  let hooks = closeHooks.get(signal);
  if (hooks === undefined) {
    const set = new Set<() => void>();
    hooks = set;
    closeHooks.set(signal, set);
    signal.addEventListener(
      "abort",
      () => {
        const pending = [...set];
        set.clear();
        for (const h of pending) h();
      },
      { once: true },
    );
  }
  const registered = hooks;
  registered.add(hook);
  return () => void registered.delete(hook);
}

/**
 * `OutboundMetadata` is read with `null` as absent (its `x-null-as-absent` receiver rule): the
 * gateway fills keys such as `thread_id` from values it may not have. The handler gets the action
 * without those keys, so it sees the types it is promised; an action without such a `null` is passed as is.
 */
function nullMetadataAsAbsent(action: OutboundFrame["action"]): OutboundFrame["action"] {
  const metadata = (action as { metadata?: unknown }).metadata;
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) return action;
  const kept = withoutAbsentNulls(metadata, "OutboundMetadata");
  return kept === metadata ? action : ({ ...action, metadata: kept } as OutboundFrame["action"]);
}

const RESOLVED = Promise.resolve();

/**
 * Starts one request: resolves its identity and handler now (a failure is answered at once),
 * then calls the handler a microtask later, after the rest of the message's frames are
 * dispatched. The request ends exactly once, by `host.answer` (or `host.failed`).
 */
export function startOutbound(host: OutboundHost, frame: OutboundFrame, identities: IdentityLookup): void {
  const op = frame.action.op as string;
  const identity = identityFor(frame, identities);
  if (typeof identity === "string") {
    host.answer(frame.requestId, op, failure(identity));
    return;
  }
  const handler = Object.hasOwn(host.handlers, op) ? (host.handlers as Record<string, unknown>)[op] : undefined;
  if (typeof handler !== "function") {
    host.answer(frame.requestId, op, failure(`unsupported op "${op}": this connector has no handler for it`));
    return;
  }
  const call = new OutboundCall(host, frame, identity, op, handler as OutboundHandler<OpName>);
  void RESOLVED.then(() => OutboundCall.run(call));
}

/**
 * One request on its way through its handler, and the context the handler receives: the
 * `OutboundContext` fields are its own properties, and `signal` an own getter that creates the
 * signal on first use (most handlers never look at it, and in Node an `AbortController` plus its
 * listeners costs more than the rest of a request).
 */
class OutboundCall implements OutboundContext {
  readonly connection: RelayConnection;
  readonly gatewayId: string;
  readonly requestId: string;
  readonly identity: Identity;
  readonly requested: OutboundContext["requested"];
  readonly frame: OutboundFrame;
  readonly #host: OutboundHost;
  readonly #op: string;
  readonly #handler: OutboundHandler<OpName>;
  readonly #closedAtStart: boolean;
  #controller: AbortController | undefined = undefined;
  #abortedWith: Error | undefined = undefined;

  constructor(host: OutboundHost, frame: OutboundFrame, identity: Identity, op: string, handler: OutboundHandler<OpName>) {
    this.connection = host.connection;
    this.gatewayId = host.connection.gatewayId;
    this.requestId = frame.requestId;
    this.identity = identity;
    const requested: OutboundContext["requested"] = {};
    if (frame.platform !== undefined) requested.platform = frame.platform;
    if (frame.botId !== undefined) requested.botId = frame.botId;
    this.requested = requested;
    this.frame = frame;
    this.#host = host;
    this.#op = op;
    this.#handler = handler;
    this.#closedAtStart = host.closed;
    Object.defineProperty(this, "signal", OutboundCall.#signalProperty);
    if (this.#closedAtStart) this.#abort(new Error("relay connection closed"));
  }

  declare readonly signal: AbortSignal;

  // Own and enumerable, as on a plain context object: a spread copy (`{ ...ctx }`) carries the
  // signal. One descriptor for every request; the signal is created on first read.
  static readonly #signalProperty: PropertyDescriptor = {
    enumerable: true,
    get(this: OutboundCall): AbortSignal {
      if (this.#controller === undefined) {
        this.#controller = new AbortController();
        if (this.#abortedWith !== undefined) this.#controller.abort(this.#abortedWith);
      }
      return this.#controller.signal;
    },
  };

  #abort(reason: Error): void {
    this.#abortedWith ??= reason;
    this.#controller?.abort(reason);
  }

  /** Runs `call`; an unexpected throw ends the request as `failed`, not as an unhandled rejection. */
  static run(call: OutboundCall): void {
    try {
      call.#run();
    } catch (err) {
      call.#host.failed(call.#op, err);
    }
  }

  /**
   * Calls the handler. Only a handler that returns a promise gets a deadline timer, a close hook
   * and a race: a synchronous answer cannot be late, and is answered in this same microtask.
   */
  #run(): void {
    const host = this.#host;
    const op = this.#op;
    // Closed in between: the handler runs with an aborted signal, and its outcome is not awaited.
    const closedBeforeCall = !this.#closedAtStart && host.closed;
    if (closedBeforeCall) this.#abort(new Error("relay connection closed"));
    let value: unknown;
    try {
      value = this.#handler(nullMetadataAsAbsent(this.frame.action) as never, this);
    } catch (err) {
      host.answer(this.requestId, op, closedBeforeCall ? failure("relay connection closed") : thrown(err, op, host));
      return;
    }
    const then = thenOf(value);
    if (closedBeforeCall) {
      // Observe a rejection so it is not unhandled.
      if (then !== undefined) then.call(value, noop, noop);
      host.answer(this.requestId, op, failure("relay connection closed"));
      return;
    }
    if (then === undefined) {
      host.answer(this.requestId, op, checkResult(value, op, host));
      return;
    }
    void this.#settle(value, then).then(
      (result) => host.answer(this.requestId, op, result),
      (err: unknown) => host.failed(op, err),
    );
  }

  /** A handler that returned a thenable: its outcome under the deadline and the connection's close. */
  async #settle(value: unknown, then: Then): Promise<OutboundResult> {
    const host = this.#host;
    const op = this.#op;
    let timer: NodeJS.Timeout | undefined;
    let stopWaiting: ((why: typeof CLOSED) => void) | undefined;
    const deadline = new Promise<typeof TIMEOUT | typeof CLOSED>((resolve) => {
      timer = setTimeout(() => resolve(TIMEOUT), host.timeoutMs);
      stopWaiting = resolve;
    });
    let unhook: (() => void) | undefined;
    if (!this.#closedAtStart) {
      unhook = onAbort(host.closedSignal, () => {
        this.#abort(new Error("relay connection closed"));
        // Nobody can receive the result once the socket is gone: stop waiting for the handler.
        stopWaiting?.(CLOSED);
      });
    }
    try {
      // `then` was read once already (a getter must not run twice): adopt the thenable through it.
      const call = new Promise<unknown>((resolve, reject) => void then.call(value, resolve, reject));
      const outcome = await Promise.race([call, deadline]);
      if (outcome === CLOSED) {
        call.catch(() => undefined);
        return failure("relay connection closed");
      }
      if (outcome === TIMEOUT) {
        this.#abort(new Error("outbound handler deadline exceeded"));
        // The late settlement is dropped; observe a rejection so it is not unhandled.
        call.catch(() => undefined);
        host.handlerError(new Error(`handler for "${op}" exceeded ${host.timeoutMs} ms`), `outbound:${op}`);
        return failure(`outbound handler for "${op}" timed out after ${host.timeoutMs} ms`);
      }
      return checkResult(outcome, op, host);
    } catch (err) {
      return thrown(err, op, host);
    } finally {
      clearTimeout(timer);
      unhook?.();
    }
  }
}

function noop(): void {}

type Then = (onFulfilled: (v: unknown) => void, onRejected: (e: unknown) => void) => unknown;

/** The `then` of a thenable (read once), else undefined. */
function thenOf(value: unknown): Then | undefined {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return undefined;
  const then = (value as { then?: unknown }).then;
  return typeof then === "function" ? (then as never) : undefined;
}

function checkResult(outcome: unknown, op: string, host: OutboundHost): OutboundResult {
  const checked = validateDefinition<OutboundResult>("OutboundResult", outcome, "tolerant");
  if (!checked.ok) {
    const why = checked.issues[0]?.message ?? "invalid";
    host.handlerError(new Error(`handler for "${op}" returned an invalid result: ${why}`), `outbound:${op}`);
    return failure(`connector returned an invalid result for "${op}": ${why}`);
  }
  return checked.value;
}
