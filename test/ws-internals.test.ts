/**
 * The `ws` internals this package relies on (src/transport/ws-internals.ts) still exist on the
 * installed `ws`; and writes made in one turn share one system call (the socket is corked until
 * the next tick) up to a bound, yet each stays its own WebSocket message, in order, and nothing
 * waits past the turn.
 */
import t, { type Test } from "tap";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { Socket } from "node:net";
import WebSocket, { WebSocketServer } from "ws";
import { batchWritesThisTick, closeCodeOfWsError, MAX_ANSWERS_PER_WRITE, socketOf } from "../src/transport/ws-internals.js";

/** A client and the server side of its connection, over 127.0.0.1 (no compression), closed at teardown. */
async function connectedPair(t: Test, clientOptions: WebSocket.ClientOptions = {}): Promise<{ client: WebSocket; server: WebSocket }> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
  t.teardown(() => new Promise<void>((resolve) => wss.close(() => resolve())));
  await new Promise<void>((resolve) => wss.once("listening", resolve));
  const accepted = new Promise<WebSocket>((resolve) => wss.once("connection", resolve));
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, clientOptions);
  t.teardown(() => client.terminate());
  await new Promise<void>((resolve) => client.once("open", resolve));
  return { client, server: await accepted };
}

t.test("one turn's messages are corked together, flushed on the next tick, and arrive one per message", async (t) => {
  const { client, server } = await connectedPair(t);

  const received: string[] = [];
  const all = new Promise<void>((resolve) =>
    client.on("message", (data) => {
      received.push(String(data));
      if (received.length === 3) resolve();
    }),
  );

  const socket = (server as unknown as { _socket: Duplex })._socket;
  for (const line of ["a\n", "b\n", "c\n"]) {
    batchWritesThisTick(server);
    server.send(line);
  }
  t.equal(socket.writableCorked, 1, "corked once for the turn, however many writes");
  t.ok(socket.writableLength > 0, "the messages wait in the socket during the turn");
  await new Promise<void>((resolve) => process.nextTick(resolve));
  t.equal(socket.writableCorked, 0, "uncorked on the next tick");
  await all;
  t.same(received, ["a\n", "b\n", "c\n"], "three messages, in order, each as written");

  // A later turn corks again.
  batchWritesThisTick(server);
  t.equal(socket.writableCorked, 1, "a new turn corks again");
  await new Promise<void>((resolve) => process.nextTick(resolve));
  t.equal(socket.writableCorked, 0);
});

t.test("a full batch is written at once, mid-turn, and the next batch starts corked", async (t) => {
  const { client, server } = await connectedPair(t);

  const total = 2 * MAX_ANSWERS_PER_WRITE + 3;
  const received: string[] = [];
  const all = new Promise<void>((resolve) =>
    client.on("message", (data) => {
      received.push(String(data));
      if (received.length === total) resolve();
    }),
  );
  const socket = (server as unknown as { _socket: Duplex })._socket;
  const writes: number[] = [];
  const writev = (socket as unknown as { _writev: (chunks: unknown[], cb: () => void) => void })._writev.bind(socket);
  (socket as unknown as { _writev: (chunks: unknown[], cb: () => void) => void })._writev = (chunks, cb) => {
    writes.push(chunks.length);
    writev(chunks, cb);
  };

  // The bound applies to a batch that answers the peer: let the peer say something first.
  const heard = new Promise<void>((resolve) => server.once("message", () => resolve()));
  client.send("question\n");
  await heard;

  const sent: string[] = [];
  for (let i = 0; i < total; i++) {
    batchWritesThisTick(server);
    server.send(`m${i}\n`);
    sent.push(`m${i}\n`);
    if (i === MAX_ANSWERS_PER_WRITE - 1) t.same(writes, [], `nothing written while the first ${MAX_ANSWERS_PER_WRITE} are batched`);
  }
  t.equal(writes.length, 2, "two full batches went out during the turn");
  t.equal(socket.writableCorked, 1, "the rest waits corked for the end of the turn");
  await new Promise<void>((resolve) => process.nextTick(resolve));
  t.equal(socket.writableCorked, 0, "uncorked on the next tick");
  t.equal(writes.length, 3, "the remainder in one more call");
  await all;
  t.same(received, sent, "every message arrives once, in order, as its own message");
});

t.test("a batch that answers nothing (a push loop) is bounded by the turn alone", async (t) => {
  const { client, server } = await connectedPair(t);
  const socket = (server as unknown as { _socket: Duplex })._socket;
  // A first batch consumes whatever arrived before (the upgrade request).
  batchWritesThisTick(server);
  server.send("first\n");
  await new Promise<void>((resolve) => process.nextTick(resolve));

  let writes = 0;
  const writev = (socket as unknown as { _writev: (chunks: unknown[], cb: () => void) => void })._writev.bind(socket);
  (socket as unknown as { _writev: (chunks: unknown[], cb: () => void) => void })._writev = (chunks, cb) => {
    writes++;
    writev(chunks, cb);
  };
  for (let i = 0; i < 4 * MAX_ANSWERS_PER_WRITE; i++) {
    batchWritesThisTick(server);
    server.send(`p${i}\n`);
  }
  t.equal(writes, 0, "nothing written during the turn");
  await new Promise<void>((resolve) => process.nextTick(resolve));
  t.equal(writes, 1, "the whole turn in one call");
});

t.test("a socket without its transport yet, or destroyed, is left alone", async (t) => {
  const unconnected = { _socket: null } as unknown as WebSocket;
  t.doesNotThrow(() => batchWritesThisTick(unconnected));
});

t.test("ws still keeps its socket in _socket and tags refused frames with the close code it sends", async (t) => {
  const { client, server } = await connectedPair(t, { maxPayload: 16 });
  t.ok(socketOf(client) instanceof Socket, "a client's socket is found (write batching, pause)");
  t.ok(socketOf(server) instanceof Socket, "a server-side socket is found");

  const error = new Promise<Error>((resolve) => client.once("error", resolve));
  const closed = new Promise<number>((resolve) => client.once("close", (code) => resolve(code)));
  server.send("x".repeat(64));
  const err = await error;
  t.equal(closeCodeOfWsError(err), 1009, "the refusal carries the code ws sent");
  t.equal(await closed, 1006, "while the close event itself reports 1006 (why the tag is read)");
  t.equal(closeCodeOfWsError(new Error("plain")), undefined, "untagged errors have none");
});
