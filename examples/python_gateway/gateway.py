#!/usr/bin/env python3
"""A Hermes relay gateway in plain Python: the standard library plus `websockets` (Debian's
python3-websockets 10.4). It speaks contract_version 1 as the reference gateway does and
behaves as the relay-contract "conformance agent", so

    relay-contract conformance gateway -- /usr/bin/python3 examples/python_gateway/gateway.py

checks it end to end. Configuration comes from the environment (the kit sets both spellings;
the reference gateway's own GATEWAY_RELAY_* names win when both are present):

    GATEWAY_RELAY_URL  or RELAY_URL         connector base URL; dialled as <base>/relay
    GATEWAY_RELAY_ID   or RELAY_GATEWAY_ID  with the secret: a fresh bearer token for every dial
    GATEWAY_RELAY_SECRET or RELAY_SECRET
    GATEWAY_RELAY_PLATFORMS                 comma list of platforms, the first is the primary,
      with GATEWAY_RELAY_BOT_IDS            and their bot ids as JSON {"discord": {"botId": ...}}
    or RELAY_IDENTITIES                     JSON [{"platform": ..., "botId": ...}]
                                            (one hello per identity, in order)
    RELAY_BACKOFF_BASE_MS     reconnect ladder base (default 1000); also the dormant re-dial delay
    RELAY_BACKOFF_MAX_MS      ladder cap (default 30000)
    RELAY_REQUEST_TIMEOUT_MS  outbound result / going_idle_ack timeout (default 30000)

docs/relay-connector-contract.md (shipped with relay-contract) is the contract it implements.

Agent behaviour: inbound text T -> send "echo: T" to the chat, then edit that message to
"edited: T"; "/stop KEY" -> interrupt KEY; "/idle" -> going_idle, and after the ack close
normally and re-dial (dormant); interrupt_inbound -> send "interrupted: KEY" to its chat_id;
passthrough_forward -> send "passthrough: BODY" to chat "passthrough". Buffered deliveries
(bufferId) are acked with inbound_ack once their handler has scheduled the turn.
"""

import asyncio
import base64
import hashlib
import hmac
import json
import os
import random
import sys
import time
import uuid

import websockets
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatusCode

UPGRADE_TOKEN_TTL_S = 300
STABLE_CONNECTION_S = 60.0


def log(message):
    print(f"python-gateway: {message}", file=sys.stderr, flush=True)


# --- the upgrade bearer (contract: Upgrade authentication) ------------------------------------------------------------------

def make_token(payload, secret, ttl, now=None):
    """base64url_nopad(payload:exp:hex(HMAC-SHA256(secret, payload:exp))), exp = floor(now)+ttl."""
    now = time.time() if now is None else now
    exp = int(now // 1) + ttl if ttl > 0 else 0
    signed = f"{payload}:{exp}"
    sig = hmac.new(secret.encode("utf-8"), signed.encode("utf-8"), hashlib.sha256).hexdigest()
    return base64.urlsafe_b64encode(f"{signed}:{sig}".encode("utf-8")).rstrip(b"=").decode("ascii")


def make_upgrade_token(gateway_id, secret):
    return make_token(gateway_id, secret, UPGRADE_TOKEN_TTL_S)


# --- the dial URL (contract: Handshake sequence) ------------------------------------------------------------------------

def dial_url(base):
    url = base.strip()
    if url.startswith("https://"):
        url = "wss://" + url[len("https://"):]
    elif url.startswith("http://"):
        url = "ws://" + url[len("http://"):]
    url = url.rstrip("/")
    return url if url.endswith("/relay") else url + "/relay"


class Connection:
    def __init__(self, ws, auth_retry):
        self.ws = ws
        self.auth_retry = auth_retry
        self.handshaked_at = None
        self.dormant = False
        self.idle_acked = asyncio.Event()


def setting(env, *names):
    """The first non-empty variable of `names`, stripped (or "")."""
    for name in names:
        value = (env.get(name) or "").strip()
        if value:
            return value
    return ""


def identities_from(env):
    """[{"platform", "botId"}] in hello order.

    GATEWAY_RELAY_PLATFORMS / GATEWAY_RELAY_BOT_IDS follow the reference gateway's rules: a
    platform missing from the map (or a map that is not a JSON object) gets an empty botId.
    """
    platforms = [p.strip() for p in setting(env, "GATEWAY_RELAY_PLATFORMS").split(",") if p.strip()]
    if platforms:
        try:
            ids = json.loads(setting(env, "GATEWAY_RELAY_BOT_IDS") or "{}")
        except ValueError:
            ids = {}
        ids = ids if isinstance(ids, dict) else {}
        out = []
        for platform in platforms:
            entry = ids.get(platform)
            bot_id = str(entry.get("botId", "")).strip() if isinstance(entry, dict) else ""
            out.append({"platform": platform, "botId": bot_id})
        return out
    return json.loads(setting(env, "RELAY_IDENTITIES") or '[{"platform": "relay", "botId": ""}]')


class Gateway:
    def __init__(self, env):
        self.url = dial_url(setting(env, "GATEWAY_RELAY_URL", "RELAY_URL"))
        self.gateway_id = setting(env, "GATEWAY_RELAY_ID", "RELAY_GATEWAY_ID")
        self.secret = setting(env, "GATEWAY_RELAY_SECRET", "RELAY_SECRET")
        self.identities = identities_from(env)
        self.base_s = float(env.get("RELAY_BACKOFF_BASE_MS") or 1000) / 1000
        self.max_s = float(env.get("RELAY_BACKOFF_MAX_MS") or 30000) / 1000
        self.timeout_s = float(env.get("RELAY_REQUEST_TIMEOUT_MS") or 30000) / 1000
        self.conn = None
        self.pending = {}
        self.tasks = set()
        self.attempt = 0

    # --- supervisor: dial, and re-dial per §1.5 / §1.6 -------------------------------------

    async def run(self):
        auth_retry = False
        while True:
            code, reason, handshaked, dormant, lived_s = await self.connect_once(auth_retry)
            auth_retry = False
            log(f"connection ended: {code} {reason!r} (handshaked={handshaked}, dormant={dormant})")
            if dormant:
                await asyncio.sleep(self.base_s)
                continue
            if code == 4401 and reason != "expired":
                if self.conn_was_auth_retry:
                    log("4401 on the fresh-token re-dial: revoked, no more dials")
                    return
                if handshaked:
                    auth_retry = True  # one immediate re-dial with a fresh token
                    continue
            if lived_s >= STABLE_CONNECTION_S:
                self.attempt = 0
            self.attempt += 1
            ceiling = min(self.base_s * 2 ** (self.attempt - 1), self.max_s)
            await asyncio.sleep(random.uniform(ceiling / 2, ceiling))

    async def connect_once(self, auth_retry):
        self.conn_was_auth_retry = auth_retry
        headers = {}
        if self.gateway_id and self.secret:
            headers["Authorization"] = "Bearer " + make_upgrade_token(self.gateway_id, self.secret)
        try:
            ws = await websockets.connect(
                self.url,
                extra_headers=headers,
                ping_interval=30,
                ping_timeout=60,
                max_size=2 ** 20,
                open_timeout=self.timeout_s,
            )
        except InvalidStatusCode as exc:
            return (4401 if exc.status_code == 401 else 1006), "", False, False, 0.0
        except (OSError, asyncio.TimeoutError, InvalidHandshake) as exc:
            log(f"dial failed: {exc!r}")
            return 1006, "", False, False, 0.0
        conn = Connection(ws, auth_retry)
        self.conn = conn
        # The reader starts before anything is sent (§4.1).
        reader = asyncio.create_task(self.reader(conn))
        try:
            for identity in self.identities:
                await self.write({"type": "hello", "platform": identity["platform"], "botId": identity["botId"]})
        except ConnectionClosed:
            pass
        await reader
        await ws.wait_closed()
        self.conn = None
        for future in self.pending.values():
            if not future.done():
                future.set_result({"success": False, "error": "relay transport connection lost"})
        self.pending.clear()
        lived = 0.0 if conn.handshaked_at is None else time.monotonic() - conn.handshaked_at
        return ws.close_code or 1006, ws.close_reason or "", conn.handshaked_at is not None, conn.dormant, lived

    # --- the wire: newline-delimited JSON (§1.2) -----------------------------------------------

    async def write(self, frame):
        conn = self.conn
        if conn is None:
            raise ConnectionError("relay transport not connected")
        await conn.ws.send(json.dumps(frame) + "\n")

    async def reader(self, conn):
        buffer = ""
        try:
            async for message in conn.ws:
                if isinstance(message, bytes):
                    message = message.decode("utf-8", "replace")
                buffer += message
                *lines, buffer = buffer.split("\n")
                for line in lines:
                    if not line.strip():
                        continue
                    try:
                        frame = json.loads(line)
                    except ValueError:
                        log("relay: skipping malformed frame")
                        continue
                    if isinstance(frame, dict):
                        await self.on_frame(conn, frame)
        except ConnectionClosed:
            pass

    async def on_frame(self, conn, frame):
        kind = frame.get("type")
        if kind == "descriptor":
            if conn.handshaked_at is None:
                conn.handshaked_at = time.monotonic()
                log(f"handshake: {json.dumps((frame.get('descriptor') or {}).get('platform'))}")
        elif kind == "outbound_result":
            future = self.pending.pop(frame.get("requestId"), None)
            if future is not None and not future.done():
                result = frame.get("result")
                future.set_result(result if isinstance(result, dict) else {})
        elif kind == "going_idle_ack":
            conn.idle_acked.set()
        elif kind == "inbound":
            event = frame.get("event") if isinstance(frame.get("event"), dict) else {}
            self.spawn(self.turn(conn, event))
            await self.ack(frame)
        elif kind == "interrupt_inbound":
            chat_id = frame.get("chat_id") or "interrupts"
            self.spawn(self.request({"op": "send", "chat_id": chat_id, "content": f"interrupted: {frame.get('session_key', '')}", "reply_to": None}))
        elif kind == "passthrough_forward":
            forward = frame.get("forward") if isinstance(frame.get("forward"), dict) else {}
            try:
                body = base64.b64decode(forward.get("bodyB64") or "", validate=True)
            except ValueError:
                body = b""
            text = body.decode("utf-8", "replace")
            self.spawn(self.request({"op": "send", "chat_id": "passthrough", "content": f"passthrough: {text}", "reply_to": None}))
            await self.ack(frame)
        # Anything else (unknown or echoed types) is ignored silently.

    async def ack(self, frame):
        """After the handler returned: only replays from the connector's buffer carry a bufferId."""
        buffer_id = frame.get("bufferId")
        if isinstance(buffer_id, str) and buffer_id:
            try:
                await self.write({"type": "inbound_ack", "bufferId": buffer_id})
            except (ConnectionClosed, ConnectionError):
                pass  # the connector redelivers

    def spawn(self, coroutine):
        task = asyncio.create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    # --- requests (§3.5, §4.2) -------------------------------------------------------------------

    async def request(self, action):
        request_id = uuid.uuid4().hex
        future = asyncio.get_running_loop().create_future()
        self.pending[request_id] = future
        try:
            await self.write({"type": "outbound", "requestId": request_id, "action": action})
        except (ConnectionClosed, ConnectionError) as exc:
            self.pending.pop(request_id, None)
            return {"success": False, "error": f"relay send failed: {exc}"}
        try:
            return await asyncio.wait_for(future, self.timeout_s)
        except asyncio.TimeoutError:
            self.pending.pop(request_id, None)
            return {"success": False, "error": "relay outbound timed out", "ambiguous": True}

    # --- the agent's turns ---------------------------------------------------------------------

    async def turn(self, conn, event):
        text = event.get("text") if isinstance(event.get("text"), str) else ""
        source = event.get("source") if isinstance(event.get("source"), dict) else {}
        chat_id = source.get("chat_id") or "chat"
        try:
            if text.startswith("/stop"):
                session_key = text[len("/stop"):].strip() or chat_id
                await self.write({"type": "interrupt", "session_key": session_key, "reason": "stop"})
            elif text == "/idle":
                await self.go_dormant(conn)
            else:
                sent = await self.request({"op": "send", "chat_id": chat_id, "content": f"echo: {text}", "reply_to": event.get("message_id")})
                if sent.get("success") is True and isinstance(sent.get("message_id"), str):
                    await self.request({"op": "edit", "chat_id": chat_id, "message_id": sent["message_id"], "content": f"edited: {text}"})
        except (ConnectionClosed, ConnectionError) as exc:
            log(f"turn {text!r} lost its connection: {exc}")

    async def go_dormant(self, conn):
        """§4.5: going_idle, keep serving until going_idle_ack, close only if acked."""
        await self.write({"type": "going_idle"})
        try:
            await asyncio.wait_for(conn.idle_acked.wait(), self.timeout_s)
        except asyncio.TimeoutError:
            log("no going_idle_ack: staying connected")
            return
        if self.conn is conn:
            conn.dormant = True
            await conn.ws.close()


def main():
    if not setting(os.environ, "GATEWAY_RELAY_URL", "RELAY_URL"):
        print("usage: GATEWAY_RELAY_URL=ws://host:port [GATEWAY_RELAY_ID=… GATEWAY_RELAY_SECRET=…] gateway.py", file=sys.stderr)
        return 2
    try:
        asyncio.run(Gateway(os.environ).run())
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
