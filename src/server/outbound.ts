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

export interface OutboundRun {
  frame: OutboundFrame;
  connection: RelayConnection;
  identities: IdentityLookup;
  handlers: OutboundHandlers;
  timeoutMs: number;
  /** Send a throwing handler's message to the gateway (else a generic error with an id). */
  exposeErrors: boolean;
  /** Aborted when the connection closes. */
  connectionSignal: AbortSignal;
  /** Reports handler failures (thrown, invalid result, timeout); `errorId` is the id the gateway was told. */
  onHandlerError: (error: unknown, where: string, errorId?: string) => void;
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
  const first = table.first;
  if (first === undefined) return { ok: false, error: "no identity has been hello'd on this connection" };
  const { platform, botId } = frame;
  if (typeof platform === "string" && typeof botId === "string") {
    const found = table.get(platform, botId);
    return found ? { ok: true, identity: found } : { ok: false, error: `identity "${platform}:${botId}" was not hello'd on this connection` };
  }
  if (typeof platform === "string") {
    const fronted = table.firstOf(platform);
    return fronted ? { ok: true, identity: fronted } : { ok: false, error: `platform "${platform}" is not fronted on this connection (no hello named it)` };
  }
  if (typeof botId === "string") {
    return { ok: false, error: `botId "${botId}" given without a platform` };
  }
  return { ok: true, identity: first };
}

/**
 * The result for a handler that threw. A thrown message can carry anything (tokens, URLs, stack
 * details), so by default the gateway gets a generic error with an id, and the id goes with the
 * error to the `handlerError` event, where the operator logs it.
 */
function thrown(err: unknown, op: string, run: OutboundRun): OutboundResult {
  if (run.exposeErrors) {
    run.onHandlerError(err, `outbound:${op}`);
    return failure(`outbound handler for "${op}" failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const errorId = randomBytes(6).toString("hex");
  run.onHandlerError(err, `outbound:${op}`, errorId);
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

export async function runOutbound(run: OutboundRun): Promise<OutboundResult> {
  const { frame } = run;
  const resolved = resolveIdentity(frame, run.identities);
  if (!resolved.ok) return failure(resolved.error);

  const op = frame.action.op as string;
  const handler = Object.hasOwn(run.handlers, op) ? (run.handlers as Record<string, unknown>)[op] : undefined;
  if (typeof handler !== "function") return failure(`unsupported op "${op}": this connector has no handler for it`);

  // The handler's signal is created on first use: most handlers never look at it, and in Node an
  // AbortController plus its listeners costs more than the rest of a request.
  let controller: AbortController | undefined;
  let abortedWith: Error | undefined;
  const abort = (reason: Error): void => {
    abortedWith ??= reason;
    controller?.abort(reason);
  };

  const requested: OutboundContext["requested"] = {};
  if (frame.platform !== undefined) requested.platform = frame.platform;
  if (frame.botId !== undefined) requested.botId = frame.botId;
  const ctx: OutboundContext = {
    connection: run.connection,
    gatewayId: run.connection.gatewayId,
    requestId: frame.requestId,
    identity: resolved.identity,
    requested,
    get signal(): AbortSignal {
      if (controller === undefined) {
        controller = new AbortController();
        if (abortedWith !== undefined) controller.abort(abortedWith);
      }
      return controller.signal;
    },
    frame,
  };

  // The handler runs a microtask later, after the rest of the message's frames are dispatched.
  // Only a handler that returns a promise gets a deadline timer, a close hook and a race: a
  // synchronous answer cannot be late, and per-request timers and promises would otherwise be
  // most of a request's cost.
  const closedAtStart = run.connectionSignal.aborted;
  if (closedAtStart) abort(new Error("relay connection closed"));
  await undefined;
  // Closed in between: the handler runs with an aborted signal, and its outcome is not awaited.
  const closedBeforeCall = !closedAtStart && run.connectionSignal.aborted;
  if (closedBeforeCall) abort(new Error("relay connection closed"));
  let value: unknown;
  try {
    value = (handler as OutboundHandler<OpName>)(nullMetadataAsAbsent(frame.action) as never, ctx);
  } catch (err) {
    if (closedBeforeCall) return failure("relay connection closed");
    return thrown(err, op, run);
  }
  const then = thenOf(value);
  if (closedBeforeCall) {
    // Observe a rejection so it is not unhandled.
    if (then !== undefined) then.call(value, noop, noop);
    return failure("relay connection closed");
  }
  if (then === undefined) return checkResult(value, op, run);

  let timer: NodeJS.Timeout | undefined;
  let stopWaiting: ((why: typeof CLOSED) => void) | undefined;
  const deadline = new Promise<typeof TIMEOUT | typeof CLOSED>((resolve) => {
    timer = setTimeout(() => resolve(TIMEOUT), run.timeoutMs);
    stopWaiting = resolve;
  });
  let unhook: (() => void) | undefined;
  if (!closedAtStart) {
    unhook = onAbort(run.connectionSignal, () => {
      abort(new Error("relay connection closed"));
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
      abort(new Error("outbound handler deadline exceeded"));
      // The late settlement is dropped; observe a rejection so it is not unhandled.
      call.catch(() => undefined);
      run.onHandlerError(new Error(`handler for "${op}" exceeded ${run.timeoutMs} ms`), `outbound:${op}`);
      return failure(`outbound handler for "${op}" timed out after ${run.timeoutMs} ms`);
    }
    return checkResult(outcome, op, run);
  } catch (err) {
    return thrown(err, op, run);
  } finally {
    clearTimeout(timer);
    unhook?.();
  }
}

function noop(): void {}

/** The `then` of a thenable (read once), else undefined. */
function thenOf(value: unknown): ((onFulfilled: (v: unknown) => void, onRejected: (e: unknown) => void) => unknown) | undefined {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return undefined;
  const then = (value as { then?: unknown }).then;
  return typeof then === "function" ? (then as never) : undefined;
}

function checkResult(outcome: unknown, op: string, run: OutboundRun): OutboundResult {
  const checked = validateDefinition<OutboundResult>("OutboundResult", outcome, "tolerant");
  if (!checked.ok) {
    const why = checked.issues[0]?.message ?? "invalid";
    run.onHandlerError(new Error(`handler for "${op}" returned an invalid result: ${why}`), `outbound:${op}`);
    return failure(`connector returned an invalid result for "${op}": ${why}`);
  }
  return checked.value;
}
