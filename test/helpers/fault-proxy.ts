/**
 * A TCP proxy on 127.0.0.1 that injects transport faults between a gateway and a connector:
 *
 * - `stall(link, ms)`: stop reading both sides for a while (the peers' writes back up in the
 *   kernel: TCP backpressure, pings unanswered), then carry on;
 * - `reset(link)`: drop both sockets with a TCP RST (`resetAndDestroy`);
 * - `blackhole(link)`: keep both sockets open but discard everything from now on — a half-open
 *   connection that only keepalive can detect;
 * - `hold(link)` / `release(link)`: stop passing on what the upstream sends (it waits in the
 *   kernel) until released, then hand it to the client in one write — a client that fell behind
 *   reading, which then gets several replies in one chunk. The client's side keeps flowing.
 *
 * Bytes are forwarded unchanged and in order; a slow side holds the other back (no buffering in
 * the proxy beyond one chunk).
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from "node:net";

export interface ProxyLink {
  readonly id: number;
  readonly client: Socket;
  readonly upstream: Socket;
  stalled: boolean;
  held: boolean;
  blackholed: boolean;
  closed: boolean;
}

export interface FaultCounts {
  links: number;
  stalls: number;
  resets: number;
  blackholes: number;
}

export class FaultProxy {
  readonly #server: Server;
  readonly #links = new Set<ProxyLink>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly counts: FaultCounts = { links: 0, stalls: 0, resets: 0, blackholes: 0 };
  #nextId = 0;

  private constructor(server: Server) {
    this.#server = server;
  }

  /** Listens on 127.0.0.1:0 and forwards every connection to `target`. */
  static async start(target: { host: string; port: number }): Promise<FaultProxy> {
    const server = createServer();
    const proxy = new FaultProxy(server);
    server.on("connection", (client) => proxy.#accept(client, target));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** Links whose sockets are both still open. */
  links(): ProxyLink[] {
    return [...this.#links].filter((l) => !l.closed);
  }

  stall(link: ProxyLink, ms: number): void {
    if (link.closed || link.stalled) return;
    this.counts.stalls++;
    link.stalled = true;
    link.client.pause();
    link.upstream.pause();
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      link.stalled = false;
      if (link.closed) return;
      link.client.resume();
      if (!link.held) link.upstream.resume();
    }, ms);
    this.#timers.add(timer);
  }

  hold(link: ProxyLink): void {
    if (link.closed) return;
    link.held = true;
    link.upstream.pause();
  }

  release(link: ProxyLink): void {
    link.held = false;
    if (link.closed || link.stalled) return;
    // A paused stream's read() hands over everything it holds as one chunk: one write onward.
    link.upstream.read();
    link.upstream.resume();
  }

  reset(link: ProxyLink): void {
    if (link.closed) return;
    this.counts.resets++;
    link.closed = true;
    link.client.resetAndDestroy();
    link.upstream.resetAndDestroy();
  }

  blackhole(link: ProxyLink): void {
    if (link.closed || link.blackholed) return;
    this.counts.blackholes++;
    link.blackholed = true;
    // Keep reading (and discarding) so neither peer sees backpressure: only silence.
    link.client.resume();
    link.upstream.resume();
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    for (const link of this.#links) {
      link.closed = true;
      link.client.destroy();
      link.upstream.destroy();
    }
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket, target: { host: string; port: number }): void {
    const upstream = connect(target.port, target.host);
    const link: ProxyLink = { id: ++this.#nextId, client, upstream, stalled: false, held: false, blackholed: false, closed: false };
    this.counts.links++;
    this.#links.add(link);
    const end = (): void => {
      if (!link.closed) {
        link.closed = true;
        client.destroy();
        upstream.destroy();
      }
      this.#links.delete(link);
    };
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      socket.on("error", end);
      socket.on("close", end);
    }
    this.#forward(link, client, upstream);
    this.#forward(link, upstream, client);
  }

  #forward(link: ProxyLink, from: Socket, to: Socket): void {
    from.on("data", (chunk: Buffer) => {
      if (link.blackholed || link.closed) return;
      if (!to.write(chunk)) from.pause();
    });
    to.on("drain", () => {
      if (!link.stalled && !link.closed && !(link.held && from === link.upstream)) from.resume();
    });
    // A FIN is forwarded as a FIN (half-close), unless the link is a black hole.
    from.on("end", () => {
      if (!link.blackholed && !link.closed) to.end();
    });
  }
}
