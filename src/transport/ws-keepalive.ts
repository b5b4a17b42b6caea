/**
 * WebSocket-level keepalive of a dialled connection: a ping every `intervalMs`, and the link is
 * declared dead when a ping stays unanswered for `timeoutMs`. There is no application heartbeat
 * frame in the contract; connectors answer pings at the WebSocket layer.
 */
import type WebSocket from "ws";

export interface KeepaliveOptions {
  intervalMs: number;
  timeoutMs: number;
}

/**
 * Starts pinging; returns the function that stops it. `onDead` runs at most once. While
 * `paused()` (this side stopped reading the socket) no ping is sent and an outstanding one is
 * forgotten: its pong may be sitting unread, so silence proves nothing.
 */
export function startKeepalive(ws: WebSocket, opts: KeepaliveOptions, onDead: () => void, paused: () => boolean = () => false): () => void {
  let deadline: NodeJS.Timeout | undefined;
  let stopped = false;

  const onPong = (): void => {
    if (deadline !== undefined) clearTimeout(deadline);
    deadline = undefined;
  };

  const tick = (): void => {
    // One ping in flight at a time: its deadline, not the next tick, decides.
    if (stopped || deadline !== undefined || paused()) return;
    deadline = setTimeout(() => {
      if (stopped) return;
      if (paused()) {
        deadline = undefined;
        return;
      }
      stop();
      onDead();
    }, opts.timeoutMs);
    try {
      ws.ping();
    } catch {
      // Socket already closing: its close handler takes over.
    }
  };

  const interval = setInterval(tick, opts.intervalMs);
  ws.on("pong", onPong);

  function stop(): void {
    if (stopped) return;
    stopped = true;
    clearInterval(interval);
    if (deadline !== undefined) clearTimeout(deadline);
    ws.off("pong", onPong);
  }
  return stop;
}
