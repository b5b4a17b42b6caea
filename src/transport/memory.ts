/**
 * An in-memory link: a `Dialer` for the client whose every dial produces two linked ends, the
 * far one handed to an `accept` callback (typically feeding a server helper's `adopt()`). It
 * keeps what the cores rely on from a WebSocket: messages arrive whole, in order, a turn later;
 * a close is ordered behind the messages sent before it; a paused end stops taking messages and
 * its peer's `bufferedAmount` grows by what waits; a message over the dialler's `maxPayload`
 * closes the link with 1009; a refused dial reports its HTTP status (401 as 4401).
 */
import type { Dialer, DialedTransport, DialRequest, TransportEvents } from "./types.js";

/** What one end reports to its owner. */
export interface MemoryEndEvents {
  message(data: string, bytes: number): void;
  close(code: number, reason: string): void;
}

type Item = { message: string; bytes: number } | { close: [number, string] };

/** One end of an in-memory link. */
export class MemoryEnd implements DialedTransport {
  #peer!: MemoryEnd;
  #events: MemoryEndEvents | undefined;
  /** What the peer sent and this end has not taken yet. */
  #inbox: Item[] = [];
  #inboxBytes = 0;
  #paused = false;
  #scheduled = false;
  /** This end no longer sends (it started or answered a close). */
  #closing = false;
  #closed = false;
  #maxPayload = Infinity;

  /** Two linked ends. */
  static pair(): [MemoryEnd, MemoryEnd] {
    const a = new MemoryEnd();
    const b = new MemoryEnd();
    a.#peer = b;
    b.#peer = a;
    return [a, b];
  }

  /** Starts reporting to `events`; messages that arrived before are delivered then. */
  attach(events: MemoryEndEvents, options: { maxPayload?: number } = {}): void {
    this.#events = events;
    this.#maxPayload = options.maxPayload ?? Infinity;
    this.#schedule();
  }

  send(message: string, done: (error?: Error) => void): void {
    if (this.#closing || this.#closed) {
      queueMicrotask(() => done(new Error("relay link is not open")));
      return;
    }
    this.#peer.#enqueue({ message, bytes: Buffer.byteLength(message) });
    queueMicrotask(() => done());
  }

  /** Bytes sent and not yet taken by the peer (a paused peer makes it grow). */
  get bufferedAmount(): number {
    return this.#peer.#inboxBytes;
  }

  get open(): boolean {
    return !this.#closing && !this.#closed;
  }

  /** Ended (closed or terminated). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Before it is attached there is no closing handshake to make: the link is dropped. */
  close(code: number, reason: string): void {
    if (this.#closing || this.#closed) return;
    if (this.#events === undefined) {
      this.terminate();
      return;
    }
    this.#closing = true;
    this.#peer.#enqueue({ close: [code, reason] });
  }

  terminate(): void {
    if (this.#closed) return;
    this.#finish(1006, "");
    this.#peer.#finish(1006, "");
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#schedule();
  }

  #enqueue(item: Item): void {
    if (this.#closed) return;
    this.#inbox.push(item);
    if ("message" in item) this.#inboxBytes += item.bytes;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled || this.#events === undefined) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#drain();
    });
  }

  #drain(): void {
    const events = this.#events;
    while (events !== undefined && !this.#paused && !this.#closed && this.#inbox.length > 0) {
      const item = this.#inbox.shift() as Item;
      if ("close" in item) {
        // The closing handshake: this end answers, and both report the initiator's code.
        const [code, reason] = item.close;
        this.#finish(code, reason);
        this.#peer.#finish(code, reason);
        return;
      }
      this.#inboxBytes -= item.bytes;
      if (item.bytes > this.#maxPayload) {
        this.#finish(1009, "");
        this.#peer.#finish(1009, "");
        return;
      }
      events.message(item.message, item.bytes);
    }
  }

  #finish(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing = true;
    this.#inbox = [];
    this.#inboxBytes = 0;
    const events = this.#events;
    if (events !== undefined) queueMicrotask(() => events.close(code, reason));
  }
}

/** What the accepting side learns about a dial. */
export interface MemoryDial {
  url: string;
  authorization: string | undefined;
}

/**
 * A `Dialer` over in-memory links. `accept` gets the far end of each dial (attach to it, e.g.
 * feed a server's `adopt()`), and returns (or resolves with) `true` to open the link or an HTTP
 * status to refuse it.
 */
export function createMemoryLink(accept: (end: MemoryEnd, dial: MemoryDial) => true | number | Promise<true | number>): Dialer {
  return (request: DialRequest, events: TransportEvents): DialedTransport => {
    const [near, far] = MemoryEnd.pair();
    const abandoned = (): boolean => {
      if (!near.closed) return false;
      events.close({ code: 1006, reason: "dial abandoned", opened: false });
      return true;
    };
    setImmediate(() => {
      if (abandoned()) return;
      Promise.resolve()
        .then(() => accept(far, { url: request.url, authorization: request.authorization }))
        .then(
          (verdict) => {
            if (abandoned()) return;
            if (verdict !== true) {
              const unauthorized = verdict === 401;
              events.close({ code: unauthorized ? 4401 : 1006, reason: unauthorized ? "unauthorized" : `HTTP ${verdict}`, opened: false, httpStatus: verdict });
              return;
            }
            near.attach(
              {
                message: (data, bytes) => events.message(data, bytes),
                close: (code, reason) => events.close({ code, reason, opened: true }),
              },
              { maxPayload: request.maxPayload },
            );
            events.open();
          },
          (err: unknown) => {
            const error = err instanceof Error ? err : new Error(String(err));
            events.close({ code: 1006, reason: error.message, opened: false, error });
          },
        );
    });
    return near;
  };
}
