#!/usr/bin/env python3
"""A Hermes relay gateway in plain Python: the standard library, `websockets` (Debian's
python3-websockets 10.4) and this package's `relay_contract` (its frame types, the upgrade
token, the close codes, receiver validation with python3-jsonschema). It speaks
contract_version 1 as the reference gateway does and behaves as the relay-contract
"conformance agent", so

    relay-contract conformance gateway -- /usr/bin/python3 examples/python_gateway/gateway.py

checks it end to end, and `mypy --strict` checks every frame it builds or reads against the
contract's types. Configuration comes from the environment (the kit sets both spellings;
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

from __future__ import annotations

import asyncio
import base64
import importlib.util
import json
import os
import random
import sys
import time
import uuid
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatusCode
from websockets.legacy.client import WebSocketClientProtocol, connect

if importlib.util.find_spec("relay_contract") is None:
    # Run from a checkout or the installed npm package without PYTHONPATH set: the package sits
    # in the package root's python/ directory (what `relay-contract python-path` prints).
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))

from relay_contract import (  # noqa: E402 - after the path set-up above
    MAX_LINE_BYTES,
    CloseCode,
    CloseReason,
    ConnectorFrame,
    GatewayFrame,
    HelloFrame,
    InboundFrame,
    MessageEvent,
    OutboundAction,
    OutboundResult,
    PassthroughForwardFrame,
    bearer_header,
    make_upgrade_token,
    receive_frame,
)

#: A connection that stayed up this long resets the reconnect ladder.
STABLE_CONNECTION_S = 60.0


def log(message: str) -> None:
    print(f"python-gateway: {message}", file=sys.stderr, flush=True)


def dial_url(base: str) -> str:
    """The connector's base URL as the relay socket URL: ws(s) scheme, path ending in /relay."""
    url = base.strip()
    if url.startswith("https://"):
        url = "wss://" + url[len("https://"):]
    elif url.startswith("http://"):
        url = "ws://" + url[len("http://"):]
    url = url.rstrip("/")
    return url if url.endswith("/relay") else url + "/relay"


def setting(env: Mapping[str, str], *names: str) -> str:
    """The first non-empty variable of `names`, stripped (or "")."""
    for name in names:
        value = (env.get(name) or "").strip()
        if value:
            return value
    return ""


class ConfigError(ValueError):
    """A setting the gateway cannot start with; main() prints it on one line and exits 2."""


def identities_from(env: Mapping[str, str]) -> list[HelloFrame]:
    """The hellos to send, in order.

    GATEWAY_RELAY_PLATFORMS / GATEWAY_RELAY_BOT_IDS follow the reference gateway's rules: a
    platform missing from the map (or a map that is not a JSON object) gets an empty botId.
    """
    platforms = [p.strip() for p in setting(env, "GATEWAY_RELAY_PLATFORMS").split(",") if p.strip()]
    if platforms:
        try:
            ids: Any = json.loads(setting(env, "GATEWAY_RELAY_BOT_IDS") or "{}")
        except ValueError:
            ids = {}
        ids = ids if isinstance(ids, dict) else {}
        hellos: list[HelloFrame] = []
        for platform in platforms:
            entry = ids.get(platform)
            bot_id = str(entry.get("botId", "")).strip() if isinstance(entry, dict) else ""
            hellos.append({"type": "hello", "platform": platform, "botId": bot_id})
        return hellos
    raw = setting(env, "RELAY_IDENTITIES") or '[{"platform": "relay", "botId": ""}]'
    try:
        configured: Any = json.loads(raw)
    except ValueError as err:
        raise ConfigError(f"RELAY_IDENTITIES is not JSON ({err})") from None
    if not isinstance(configured, list) or not configured:
        raise ConfigError('RELAY_IDENTITIES must be a non-empty JSON list like [{"platform": "slack", "botId": "B1"}]')
    listed: list[HelloFrame] = []
    for index, entry in enumerate(configured):
        name = entry.get("platform") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"RELAY_IDENTITIES[{index}] needs a non-empty string \"platform\"")
        bot_id = entry.get("botId", "")
        listed.append({"type": "hello", "platform": name.strip(), "botId": "" if bot_id is None else str(bot_id).strip()})
    return listed


def too_long(text: str) -> bool:
    """More than MAX_LINE_BYTES in UTF-8 (encoded only when the character count cannot decide)."""
    if len(text) * 4 <= MAX_LINE_BYTES:
        return False
    return len(text) > MAX_LINE_BYTES or len(text.encode("utf-8", "replace")) > MAX_LINE_BYTES


@dataclass
class Outcome:
    """How one connection ended."""

    code: int
    reason: str
    handshaked: bool
    dormant: bool
    lived_s: float


class Connection:
    def __init__(self, ws: WebSocketClientProtocol, auth_retry: bool) -> None:
        self.ws = ws
        self.auth_retry = auth_retry
        self.handshaked_at: float | None = None
        self.dormant = False
        self.idle_acked = asyncio.Event()


class Gateway:
    def __init__(self, env: Mapping[str, str]) -> None:
        self.url = dial_url(setting(env, "GATEWAY_RELAY_URL", "RELAY_URL"))
        self.gateway_id = setting(env, "GATEWAY_RELAY_ID", "RELAY_GATEWAY_ID")
        self.secret = setting(env, "GATEWAY_RELAY_SECRET", "RELAY_SECRET")
        self.hellos = identities_from(env)
        self.base_s = float(env.get("RELAY_BACKOFF_BASE_MS") or 1000) / 1000
        self.max_s = float(env.get("RELAY_BACKOFF_MAX_MS") or 30000) / 1000
        self.timeout_s = float(env.get("RELAY_REQUEST_TIMEOUT_MS") or 30000) / 1000
        self.conn: Connection | None = None
        self.pending: dict[str, asyncio.Future[OutboundResult]] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self.attempt = 0
        self.dialled_as_auth_retry = False

    # --- supervisor: dial, and re-dial after every close -------------------------------------

    async def run(self) -> None:
        auth_retry = False
        while True:
            end = await self.connect_once(auth_retry)
            auth_retry = False
            log(f"connection ended: {end.code} {end.reason!r} (handshaked={end.handshaked}, dormant={end.dormant})")
            if end.dormant:
                await asyncio.sleep(self.base_s)
                continue
            if end.code == CloseCode.UNAUTHORIZED and end.reason != CloseReason.EXPIRED:
                if self.dialled_as_auth_retry:
                    log("4401 on the fresh-token re-dial: revoked, no more dials")
                    return
                if end.handshaked:
                    auth_retry = True  # one immediate re-dial with a fresh token
                    continue
            if end.lived_s >= STABLE_CONNECTION_S:
                self.attempt = 0
            self.attempt += 1
            ceiling = min(self.base_s * 2 ** (self.attempt - 1), self.max_s)
            await asyncio.sleep(random.uniform(ceiling / 2, ceiling))

    async def connect_once(self, auth_retry: bool) -> Outcome:
        self.dialled_as_auth_retry = auth_retry
        headers: dict[str, str] = {}
        if self.gateway_id and self.secret:
            # A fresh token for every dial: tokens expire (UPGRADE_TOKEN_TTL_SECONDS by default).
            headers["Authorization"] = bearer_header(make_upgrade_token(self.gateway_id, self.secret))
        try:
            ws = await connect(
                self.url,
                extra_headers=headers,
                ping_interval=30,
                ping_timeout=60,
                max_size=MAX_LINE_BYTES,
                open_timeout=self.timeout_s,
            )
        except InvalidStatusCode as exc:
            return Outcome(CloseCode.UNAUTHORIZED if exc.status_code == 401 else CloseCode.ABNORMAL, "", False, False, 0.0)
        except (OSError, asyncio.TimeoutError, InvalidHandshake) as exc:
            log(f"dial failed: {exc!r}")
            return Outcome(CloseCode.ABNORMAL, "", False, False, 0.0)
        conn = Connection(ws, auth_retry)
        self.conn = conn
        # The reader starts before anything is sent: descriptors may arrive between hellos.
        reader = asyncio.create_task(self.reader(conn))
        try:
            for hello in self.hellos:
                await self.write(hello)
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
        return Outcome(ws.close_code or CloseCode.ABNORMAL, ws.close_reason or "", conn.handshaked_at is not None, conn.dormant, lived)

    # --- the wire: newline-delimited JSON ------------------------------------------------------

    async def write(self, frame: GatewayFrame) -> None:
        conn = self.conn
        if conn is None:
            raise ConnectionError("relay transport not connected")
        # JSON has no NaN/Infinity (RFC 8259); allow_nan=False refuses them here, not at the receiver.
        await conn.ws.send(json.dumps(frame, allow_nan=False) + "\n")

    async def reader(self, conn: Connection) -> None:
        # At most one line is held; a line longer than MAX_LINE_BYTES is dropped (through its
        # "\n") and reported, so memory stays bounded whatever the peer sends.
        buffer = ""
        discarding = False
        try:
            async for message in conn.ws:
                buffer += message.decode("utf-8", "replace") if isinstance(message, bytes) else message
                *lines, buffer = buffer.split("\n")
                for line in lines:
                    if discarding:
                        discarding = False
                    elif too_long(line):
                        log(f"relay: skipping a line over {MAX_LINE_BYTES} bytes")
                    elif line.strip():
                        await self.on_line(conn, line)
                if too_long(buffer):
                    if not discarding:
                        log(f"relay: skipping a line over {MAX_LINE_BYTES} bytes")
                    buffer, discarding = "", True
        except ConnectionClosed:
            pass

    async def on_line(self, conn: Connection, line: str) -> None:
        try:
            value: Any = json.loads(line)
        except ValueError:
            log("relay: skipping malformed frame")
            return
        # The receiver rules: unknown fields and open enum values pass, frame types this side
        # does not act on (unknown, or its own echoed back) are ignored, a list entry that fails
        # is dropped and reported; what fails the rest is reported and skipped, never fatal.
        received = receive_frame(value, direction="connector-to-gateway")
        if not received.ok:
            log(f"relay: skipping invalid frame: {received.issues[0].message}")
            return
        if received.ignored is not None:
            return
        for dropped in received.dropped:
            log(f"relay: {dropped.message}")
        await self.on_frame(conn, cast(ConnectorFrame, received.value))

    async def on_frame(self, conn: Connection, frame: ConnectorFrame) -> None:
        if frame["type"] == "descriptor":
            if conn.handshaked_at is None:
                conn.handshaked_at = time.monotonic()
                log(f"handshake: {json.dumps(frame['descriptor'].get('platform'))}")
        elif frame["type"] == "outbound_result":
            future = self.pending.pop(frame["requestId"], None)
            if future is not None and not future.done():
                future.set_result(frame.get("result", {"success": False}))
        elif frame["type"] == "going_idle_ack":
            conn.idle_acked.set()
        elif frame["type"] == "inbound":
            self.spawn(self.turn(conn, frame["event"]))
            await self.ack(frame)
        elif frame["type"] == "interrupt_inbound":
            # Both fields have receiver defaults, so a tolerant-valid frame may lack them.
            chat_id = frame.get("chat_id") or "interrupts"
            session_key = frame.get("session_key", "")
            self.spawn(self.reply({"op": "send", "chat_id": chat_id, "content": f"interrupted: {session_key}", "reply_to": None}))
        elif frame["type"] == "passthrough_forward":
            try:
                body = base64.b64decode(frame["forward"]["bodyB64"], validate=True)
            except ValueError:
                body = b""  # receivers treat an undecodable body as empty
            text = body.decode("utf-8", "replace")
            self.spawn(self.reply({"op": "send", "chat_id": "passthrough", "content": f"passthrough: {text}", "reply_to": None}))
            await self.ack(frame)

    async def ack(self, frame: InboundFrame | PassthroughForwardFrame) -> None:
        """After the handler returned: only replays from the connector's buffer carry a bufferId."""
        buffer_id = frame.get("bufferId")
        if buffer_id:
            try:
                await self.write({"type": "inbound_ack", "bufferId": buffer_id})
            except (ConnectionClosed, ConnectionError):
                pass  # the connector redelivers

    def spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    # --- requests: one outbound, one outbound_result with the same requestId --------------------

    async def request(self, action: OutboundAction) -> OutboundResult:
        request_id = uuid.uuid4().hex
        future: asyncio.Future[OutboundResult] = asyncio.get_running_loop().create_future()
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
            return {"success": False, "error": "relay outbound timed out"}

    async def reply(self, action: OutboundAction) -> None:
        await self.request(action)

    # --- the agent's turns ---------------------------------------------------------------------

    async def turn(self, conn: Connection, event: MessageEvent) -> None:
        text = event.get("text", "")
        chat_id = event.get("source", {}).get("chat_id") or "chat"
        try:
            if text.startswith("/stop"):
                session_key = text[len("/stop"):].strip() or chat_id
                await self.write({"type": "interrupt", "session_key": session_key, "reason": "stop"})
            elif text == "/idle":
                await self.go_dormant(conn)
            else:
                sent = await self.request({"op": "send", "chat_id": chat_id, "content": f"echo: {text}", "reply_to": event.get("message_id")})
                message_id = sent.get("message_id")
                if sent.get("success") is True and message_id:
                    await self.request({"op": "edit", "chat_id": chat_id, "message_id": message_id, "content": f"edited: {text}"})
        except (ConnectionClosed, ConnectionError) as exc:
            log(f"turn {text!r} lost its connection: {exc}")

    async def go_dormant(self, conn: Connection) -> None:
        """going_idle, keep serving until going_idle_ack, close only if acked."""
        await self.write({"type": "going_idle"})
        try:
            await asyncio.wait_for(conn.idle_acked.wait(), self.timeout_s)
        except asyncio.TimeoutError:
            log("no going_idle_ack: staying connected")
            return
        if self.conn is conn:
            conn.dormant = True
            await conn.ws.close(CloseCode.NORMAL)


def main() -> int:
    if not setting(os.environ, "GATEWAY_RELAY_URL", "RELAY_URL"):
        print("usage: GATEWAY_RELAY_URL=ws://host:port [GATEWAY_RELAY_ID=… GATEWAY_RELAY_SECRET=…] gateway.py", file=sys.stderr)
        return 2
    try:
        gateway = Gateway(os.environ)
    except ConfigError as err:
        print(f"gateway.py: {err}", file=sys.stderr)
        return 2
    try:
        asyncio.run(gateway.run())
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
