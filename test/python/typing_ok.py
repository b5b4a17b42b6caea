"""What a gateway writes with relay_contract: mypy --strict must accept all of it."""

import json
from typing import Any

from relay_contract import (
    CLOSE_CODES,
    CONTRACT_VERSION,
    MAX_LINE_BYTES,
    CloseCode,
    CloseReason,
    ConnectorFrame,
    GatewayFrame,
    HelloFrame,
    Issue,
    OutboundActionOp,
    OutboundFrame,
    OutboundResult,
    SendAction,
    SendMediaAction,
    SessionSource,
    VerifyResult,
    find_close_code,
    make_upgrade_token,
    validate_frame,
    verify_upgrade_token,
)


def hello(platform: str, bot_id: str) -> HelloFrame:
    return {"type": "hello", "platform": platform, "botId": bot_id}


def send(request_id: str, chat_id: str, text: str, reply_to: str | None) -> OutboundFrame:
    action: SendAction = {"op": "send", "chat_id": chat_id, "content": text, "reply_to": reply_to}
    return {"type": "outbound", "requestId": request_id, "action": action}


def react(request_id: str) -> GatewayFrame:
    return {
        "type": "outbound",
        "requestId": request_id,
        "action": {"op": "react", "chat_id": "c", "message_id": "m", "emoji": "👍", "remove": False, "metadata": {"scope_id": "T1", "custom": 1}},
        "platform": "slack",
    }


def with_scope(chat_id: str, metadata: dict[str, Any]) -> dict[str, Any]:
    return {**metadata, "scope_id": "T1", "chat": chat_id}


def send_media(chat_id: str, url: str, caption: str | None, filename: str | None, metadata: dict[str, Any] | None) -> SendMediaAction:
    # The reference gateway's pattern (gateway/relay/adapter.py, send_media): a literal with the
    # required keys, optional keys added when known, metadata from a Dict[str, Any] helper.
    action: SendMediaAction = {
        "op": "send_media",
        "chat_id": chat_id,
        "media_kind": "image",
        "source_url": url,
        "content": caption or "",
        "reply_to": None,
        "metadata": with_scope(chat_id, dict(metadata or {})),
    }
    if filename:
        action["filename"] = filename
    return action


def describe(frame: ConnectorFrame) -> str:
    # The `type` discriminator narrows the union to one TypedDict.
    if frame["type"] == "inbound":
        source: SessionSource = frame["event"]["source"]
        return f"{source['platform']}:{source['chat_id']}:{frame['event'].get('message_id')}"
    if frame["type"] == "outbound_result":
        result: OutboundResult = frame["result"]
        return str(result.get("message_id") or result.get("error"))
    if frame["type"] == "descriptor":
        return str(frame["descriptor"]["max_message_length"])
    return frame["type"]


def op_name(frame: OutboundFrame) -> OutboundActionOp:
    return frame["action"]["op"]


def is_benign_expiry(code: int, reason: str) -> bool:
    return code == CloseCode.UNAUTHORIZED and reason == CloseReason.EXPIRED


def checks() -> list[Issue]:
    assert CONTRACT_VERSION == 1 and MAX_LINE_BYTES > 0
    assert is_benign_expiry(4401, "expired")
    entry = find_close_code(4401, "expired")
    assert entry is not None and entry in CLOSE_CODES and entry.client_retries == "yes"
    token = make_upgrade_token("gw", "secret", ttl=60, now=1_750_000_000)
    verdict: VerifyResult = verify_upgrade_token(token, ["secret"], now=1_750_000_000, leeway=0)
    assert verdict.ok and verdict.gateway_id == "gw" and verdict.expires_at == 1_750_000_060 and verdict.reason is None
    media: GatewayFrame = {"type": "outbound", "requestId": "0" * 32, "action": send_media("C1", "https://x.test/a.png", None, "a.png", None)}
    return validate_frame(hello("relay", ""), direction="gateway-to-connector", mode="tolerant") + validate_frame(media)


if __name__ == "__main__":
    print(json.dumps({"issues": [issue.message for issue in checks()]}))
