/**
 * Server helper, upgrade and auth (wire-protocol.md §1.1, §1.6, §2.1): bearer verification with
 * rotation and async lookup, 4401 "unauthorized" / "expired" after upgrading, paths, explicit
 * unauthenticated mode, revocation.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import t, { type Test } from "tap";
import { WebSocketServer } from "ws";
import { bearerHeader, makeUpgradeToken } from "../src/auth/index.js";
import { CloseCode, CloseReason } from "../src/close-codes.js";
import { createRelayServer, type RejectedEvent } from "../src/server/index.js";
import { GATEWAY, handshake, RawGateway, SECRET, startRelay } from "./helpers/raw-gateway.js";
import { descriptor } from "./helpers/fixtures.js";
import { sleep } from "./helpers/time.js";

async function expectRefused(t: Test, gw: RawGateway, reason: string): Promise<void> {
  // The gateway speaks immediately, as a real one does right after the 101.
  gw.hello();
  const closed = await gw.waitClose();
  t.same(closed, { code: CloseCode.Unauthorized, reason });
  t.same(gw.frames, [], "nothing is answered on a refused socket");
}

t.test("wrong, missing, malformed tokens and unknown gateways: 4401 unauthorized, no frame processed", async (t) => {
  let hellos = 0;
  let framesIn = 0;
  const relay = await startRelay(t, {
    onHello: (h) => {
      hellos++;
      return descriptor(h.platform);
    },
  });
  const rejected: RejectedEvent[] = [];
  relay.server.on("rejected", (info) => rejected.push(info));
  relay.server.on("frameIn", () => framesIn++);

  await expectRefused(t, await relay.gateway({ secret: "not-the-secret" }), CloseReason.Unauthorized);
  await expectRefused(t, await RawGateway.connect(relay.url, {}), CloseReason.Unauthorized);
  await expectRefused(t, await relay.gateway({ authorization: "Bearer not-a-token" }), CloseReason.Unauthorized);
  await expectRefused(t, await relay.gateway({ authorization: `Basic ${Buffer.from("a:b").toString("base64")}` }), CloseReason.Unauthorized);
  await expectRefused(t, await relay.gateway({ gatewayId: "gw-unknown" }), CloseReason.Unauthorized);
  t.equal(hellos, 0, "onHello never ran");
  t.equal(framesIn, 0, "no frame was ever decoded");
  t.same(
    rejected.map((r) => [r.reason, r.code, r.verdict]),
    [
      ["unauthorized", 4401, "bad_signature"],
      ["unauthorized", 4401, "missing"],
      ["unauthorized", 4401, "malformed"],
      ["unauthorized", 4401, "missing"],
      ["unauthorized", 4401, "unknown_gateway"],
    ],
  );
  t.same(relay.server.connections(), [], "no connection was registered");
});

t.test("an authentic but expired token: 4401 expired", async (t) => {
  const relay = await startRelay(t);
  const token = makeUpgradeToken({ gatewayId: GATEWAY, secret: SECRET, ttlSeconds: 300, now: Date.now() / 1000 - 301 });
  await expectRefused(t, await relay.gateway({ authorization: bearerHeader(token) }), CloseReason.Expired);
  // The same age with a wrong signature is not "expired": only an authentic token earns it.
  const forged = makeUpgradeToken({ gatewayId: GATEWAY, secret: "other", ttlSeconds: 300, now: Date.now() / 1000 - 301 });
  await expectRefused(t, await relay.gateway({ authorization: bearerHeader(forged) }), CloseReason.Unauthorized);
});

t.test("leewaySeconds accepts a token just past its expiry", async (t) => {
  const relay = await startRelay(t, { auth: { secrets: [SECRET], leewaySeconds: 60 } });
  const token = makeUpgradeToken({ gatewayId: GATEWAY, secret: SECRET, ttlSeconds: 300, now: Date.now() / 1000 - 330 });
  const gw = await relay.gateway({ authorization: bearerHeader(token) });
  gw.hello();
  await gw.waitForType("descriptor");
});

t.test("a correctly padded token upgrades like the unpadded one; wrong padding gets 4401", async (t) => {
  // The reference connector decodes the bearer with Buffer.from(token, "base64url"), which reads
  // `=` padding, so a gateway port that forgets to strip it is still admitted there.
  const relay = await startRelay(t, { auth: { secrets: [SECRET] } });
  const padOf = (tok: string) => "=".repeat((4 - (tok.length % 4)) % 4);
  // Gateway ids of three consecutive lengths: one of them gives a token that takes padding.
  const token = ["gw-a", "gw-ab", "gw-abc"]
    .map((gatewayId) => makeUpgradeToken({ gatewayId, secret: SECRET, now: Date.now() / 1000 }))
    .find((tok) => padOf(tok).length > 0) as string;
  t.ok(token, "a token that takes padding");
  const gw = await relay.gateway({ authorization: bearerHeader(`${token}${padOf(token)}`) });
  gw.hello();
  await gw.waitForType("descriptor");
  t.pass("the padded token's gateway got its descriptor");
  await expectRefused(t, await relay.gateway({ authorization: bearerHeader(`${token}${padOf(token)}=`) }), CloseReason.Unauthorized);
});

t.test("rotated secrets: primary and secondary verify, via an async lookup by gateway id", async (t) => {
  const lookups: string[] = [];
  const relay = await startRelay(t, {
    auth: {
      secrets: async (id: string) => {
        lookups.push(id);
        await sleep(5);
        return id === GATEWAY ? ["new-primary", "old-secondary"] : undefined;
      },
    },
  });
  for (const secret of ["new-primary", "old-secondary"]) {
    const gw = await relay.gateway({ secret });
    gw.hello();
    const d = await gw.waitForType("descriptor");
    t.equal(d.descriptor.platform, "telegram", `token signed with ${secret} accepted`);
    t.equal(relay.server.connection(GATEWAY)?.gatewayId, GATEWAY, "the connection is keyed by the token's gateway id");
    await gw.close();
  }
  await expectRefused(t, await relay.gateway({ secret: "retired" }), CloseReason.Unauthorized);
  t.same(lookups, [GATEWAY, GATEWAY, GATEWAY]);
});

t.test("a verify list (array) works the same", async (t) => {
  const relay = await startRelay(t, { auth: { secrets: ["p", "s"] } });
  const gw = await relay.gateway({ gatewayId: "any-id", secret: "s" });
  gw.hello();
  await gw.waitForType("descriptor");
  t.equal(relay.server.connections()[0]?.gatewayId, "any-id");
});

t.test("a failing secret store is not a verdict: 1011, never 4401", async (t) => {
  const relay = await startRelay(t, {
    auth: {
      secrets: () => {
        throw new Error("store down");
      },
    },
  });
  const rejected: RejectedEvent[] = [];
  relay.server.on("rejected", (info) => rejected.push(info));
  const gw = await relay.gateway();
  const closed = await gw.waitClose();
  t.same(closed, { code: CloseCode.InternalError, reason: CloseReason.InternalError });
  t.equal(rejected[0]?.reason, "auth-error");
  t.match(String(rejected[0]?.error), /store down/);
});

t.test("unauthenticated mode exists only when chosen explicitly", async (t) => {
  const onHello = (hello: { platform: string }) => descriptor(hello.platform);
  t.throws(() => createRelayServer({ onHello } as never), TypeError, "auth is required");
  t.throws(() => createRelayServer({ onHello, auth: {} } as never), TypeError);
  t.throws(() => createRelayServer({ onHello, auth: { unauthenticated: "yes" } } as never), TypeError);

  const relay = await startRelay(t, { auth: { unauthenticated: true } });
  const gw = await RawGateway.connect(relay.url);
  gw.hello();
  await gw.waitForType("descriptor");
  t.equal(relay.server.connections()[0]?.gatewayId, "anonymous");

  const named = await startRelay(t, { auth: { unauthenticated: true, gatewayId: (req) => new URL(req.url ?? "/", "http://x").searchParams.get("gw") ?? "none" } });
  const gw2 = await RawGateway.connect(named.url, { path: "/relay?gw=dev-1" });
  gw2.hello();
  await gw2.waitForType("descriptor");
  t.equal(named.server.connections()[0]?.gatewayId, "dev-1");
  await gw.close();
  await gw2.close();
});

t.test("paths: only the relay path upgrades; others get HTTP 400 (default), 404, or a 4404 close", async (t) => {
  const relay = await startRelay(t);
  const rejected: RejectedEvent[] = [];
  relay.server.on("rejected", (info) => rejected.push(info));
  await t.rejects(relay.gateway({ path: "/other" }), /HTTP 400/);
  await t.rejects(relay.gateway({ path: "/relay/extra" }), /HTTP 400/);
  t.same(rejected.map((r) => [r.reason, r.status, r.path]), [
    ["not-found", 400, "/other"],
    ["not-found", 400, "/relay/extra"],
  ]);
  const withQuery = await relay.gateway({ path: "/relay?instance=1" });
  withQuery.hello();
  await withQuery.waitForType("descriptor");
  t.pass("the query string is ignored");

  const plain = await fetch(`${relay.url.replace("ws:", "http:")}/relay`);
  t.equal(plain.status, 426, "plain HTTP on the relay path: Upgrade Required");
  t.equal((await fetch(`${relay.url.replace("ws:", "http:")}/x`)).status, 404);

  const r404 = await startRelay(t, { unknownPath: "http-404" });
  await t.rejects(r404.gateway({ path: "/nope" }), /HTTP 404/);

  const sidecar = await startRelay(t, { unknownPath: "close-4404" });
  const gw = await sidecar.gateway({ path: "/nope" });
  t.same(await gw.waitClose(), { code: CloseCode.NotFound, reason: CloseReason.NotFound });

  const custom = await startRelay(t, { path: "/gateway/ws" });
  await t.rejects(custom.gateway(), /HTTP 400/);
  const ok = await custom.gateway({ path: "/gateway/ws" });
  ok.hello();
  await ok.waitForType("descriptor");
});

t.test("attached to an existing http.Server; 'ignore' leaves other paths to other listeners", async (t) => {
  const http = createServer((_req, res) => res.end("app"));
  const other = new WebSocketServer({ noServer: true });
  http.on("upgrade", (req, socket, head) => {
    if (req.url === "/app-ws") other.handleUpgrade(req, socket, head, (ws) => ws.close(4000, "app socket"));
  });
  const relay = createRelayServer({ server: http, unknownPath: "ignore", auth: { secrets: [SECRET] }, onHello: (h) => descriptor(h.platform), keepaliveIntervalMs: 0 });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
  t.teardown(async () => {
    await relay.close({ drainMs: 500 });
    other.close();
    await new Promise((resolve) => http.close(resolve));
  });
  await t.rejects(relay.listen(), /already attached/);
  const gw = await RawGateway.connect(url, { gatewayId: GATEWAY, secret: SECRET });
  gw.hello();
  await gw.waitForType("descriptor");
  const app = await RawGateway.connect(url, { path: "/app-ws" });
  t.same(await app.waitClose(), { code: 4000, reason: "app socket" }, "the other listener handled its path");
  await gw.close();
});

t.test("revocation mid-session closes the gateway's sockets with 4401", async (t) => {
  const relay = await startRelay(t, {
    auth: { secrets: [SECRET] },
    handlers: { send: () => ({ success: true }) },
  });
  const a = await handshake(relay);
  const b = await handshake(relay, {}, "discord", "d");
  const other = await handshake(relay, { gatewayId: "gw-other" });
  const id = a.outbound({ op: "send", chat_id: "c", content: "x", reply_to: null });
  await a.waitForResult(id);
  t.equal(await relay.server.revoke(GATEWAY), 2, "both sockets of the gateway");
  t.same(await a.waitClose(), { code: CloseCode.Unauthorized, reason: CloseReason.Unauthorized });
  t.same(await b.waitClose(), { code: CloseCode.Unauthorized, reason: CloseReason.Unauthorized });
  await sleep(10);
  t.equal(relay.server.connection(GATEWAY), undefined);
  t.same(relay.server.connections(GATEWAY), []);
  t.ok(other.isOpen, "other gateways are untouched");
  t.equal(relay.server.connections("gw-other").length, 1);
  t.equal(await relay.server.revoke("gw-nobody"), 0);
});
