"""Drives the shipped `relay_contract` package for the cross-language tests.

Reads {"vectors": [...], "frames": [...], "mint": [...], "verify": [...]} as JSON on stdin (any
part may be missing) and writes what the package answers for each, as JSON on stdout.
"""

import json
import sys
from typing import Any

import relay_contract
from relay_contract import Issue, ValidationMode, VerifyResult

MODES: tuple[ValidationMode, ...] = ("strict", "tolerant")


def issues(found: list[Issue]) -> list[dict[str, str]]:
    return [{"path": i.path, "keyword": i.keyword, "message": i.message} for i in found]


def receive(value: Any, direction: Any) -> dict[str, Any]:
    r = relay_contract.receive_frame(value, direction=direction)
    return {"ok": r.ok, "value": r.value, "issues": issues(r.issues), "dropped": issues(r.dropped), "ignored": r.ignored}


def verdict(result: VerifyResult) -> dict[str, Any]:
    if result.ok:
        return {"ok": True, "gatewayId": result.gateway_id, "expiresAt": result.expires_at}
    return {"ok": False, "reason": result.reason}


def constants(lookups: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "CONTRACT_VERSION": relay_contract.CONTRACT_VERSION,
        "MAX_LINE_BYTES": relay_contract.MAX_LINE_BYTES,
        "UPGRADE_TOKEN_TTL_SECONDS": relay_contract.UPGRADE_TOKEN_TTL_SECONDS,
        "MAX_TOKEN_LENGTH": relay_contract.MAX_TOKEN_LENGTH,
        "MAX_PROMPT_TOKEN_BYTES": relay_contract.MAX_PROMPT_TOKEN_BYTES,
        "GATEWAY_FRAME_DEFINITIONS": dict(relay_contract.GATEWAY_FRAME_DEFINITIONS),
        "CONNECTOR_FRAME_DEFINITIONS": dict(relay_contract.CONNECTOR_FRAME_DEFINITIONS),
        "LEGACY_OPS": list(relay_contract.LEGACY_OPS),
        "CLOSE_CODES": [
            {"code": int(e.code), "reason": e.reason, "meaning": e.meaning, "sentBy": e.sent_by, "clientRetries": e.client_retries, "since": e.since}
            for e in relay_contract.CLOSE_CODES
        ],
        "lookups": [lookup(q["code"], q.get("reason")) for q in lookups],
    }


def lookup(code: int, reason: str | None) -> dict[str, Any] | None:
    entry = relay_contract.find_close_code(code, reason)
    return None if entry is None else {"code": int(entry.code), "reason": entry.reason}


def main() -> None:
    data = json.load(sys.stdin)
    out = {
        "constants": constants(data.get("lookups", [])),
        "vectors": {
            v["id"]: {mode: issues(relay_contract.validate_definition(v["definition"], v["value"], mode=mode)) for mode in MODES}
            for v in data.get("vectors", [])
        },
        "frames": [
            {mode: issues(relay_contract.validate_frame(f["value"], direction=f.get("direction"), mode=mode)) for mode in MODES}
            for f in data.get("frames", [])
        ],
        "receive": [receive(f["value"], f.get("direction")) for f in data.get("receive", [])],
        "mint": [relay_contract.make_upgrade_token(m["gatewayId"], m["secret"], m["ttlSeconds"], m["now"]) for m in data.get("mint", [])],
        "verify": [
            verdict(relay_contract.verify_upgrade_token(v["token"], v["secrets"], v["now"], v["leewaySeconds"]))
            for v in data.get("verify", [])
        ],
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
