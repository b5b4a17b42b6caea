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


def verdict(result: VerifyResult) -> dict[str, Any]:
    if result.ok:
        return {"ok": True, "gatewayId": result.gateway_id, "expiresAt": result.expires_at}
    return {"ok": False, "reason": result.reason}


def main() -> None:
    data = json.load(sys.stdin)
    out = {
        "vectors": {
            v["id"]: {mode: issues(relay_contract.validate_definition(v["definition"], v["value"], mode=mode)) for mode in MODES}
            for v in data.get("vectors", [])
        },
        "frames": [
            {mode: issues(relay_contract.validate_frame(f["value"], direction=f.get("direction"), mode=mode)) for mode in MODES}
            for f in data.get("frames", [])
        ],
        "mint": [relay_contract.make_upgrade_token(m["gatewayId"], m["secret"], m["ttlSeconds"], m["now"]) for m in data.get("mint", [])],
        "verify": [
            verdict(relay_contract.verify_upgrade_token(v["token"], v["secrets"], v["now"], v["leewaySeconds"]))
            for v in data.get("verify", [])
        ],
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
