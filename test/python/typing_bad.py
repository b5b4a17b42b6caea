"""Mistakes the generated types must catch: mypy --strict reports exactly the lines marked `# error`."""

from relay_contract import HelloFrame, InterruptFrame, OutboundFrame, SendAction, validate_frame

missing_key: HelloFrame = {"type": "hello", "platform": "discord"}  # error
wrong_tag: HelloFrame = {"type": "helo", "platform": "discord", "botId": ""}  # error
unknown_key: InterruptFrame = {"type": "interrupt", "session_key": "k", "reason": "stop", "extra": 1}  # error
wrong_value_type: SendAction = {"op": "send", "chat_id": "c", "content": 42, "reply_to": None}  # error
not_nullable: SendAction = {"op": "send", "chat_id": None, "content": "x", "reply_to": None}  # error
unknown_op: OutboundFrame = {"type": "outbound", "requestId": "r", "action": {"op": "teleport", "chat_id": "c"}}  # error
validate_frame({}, mode="lenient")  # error
validate_frame({}, direction="sideways")  # error
