"""Independent Python (stdlib only) implementation of the relay upgrade token (wire-protocol.md 2.1).

Reads {"mint": [...], "verify": [...]} vectors as JSON on stdin, recomputes every token and
every verdict from the inputs alone, and writes the results as JSON on stdout. Written from the
protocol description, not from the TypeScript, so the two can disagree.
"""
import base64
import hashlib
import hmac
import json
import math
import re
import sys

MAX_TOKEN_LENGTH = 8192
_B64URL = re.compile(r"[A-Za-z0-9_-]+")
_EXP = re.compile(r"0|[1-9][0-9]{0,14}")
_SIG = re.compile(r"[0-9a-f]{64}")


def sign(secret: str, message: str) -> str:
    return hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def is_usable_secret(secret) -> bool:
    return isinstance(secret, str) and secret.strip() != ""


def make_token(payload: str, secret: str, ttl_seconds: int, now) -> dict:
    exp = math.floor(now) + ttl_seconds if ttl_seconds > 0 else 0
    signed = f"{payload}:{exp}"
    signature = sign(secret, signed)
    token = base64.urlsafe_b64encode(f"{signed}:{signature}".encode("utf-8")).rstrip(b"=").decode("ascii")
    return {"exp": exp, "signed": signed, "signature": signature, "token": token, "header": f"Bearer {token}"}


def verify_token(token, secrets, now, leeway_seconds=0) -> dict:
    malformed = {"ok": False, "reason": "malformed"}
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return malformed
    if not _B64URL.fullmatch(token) or len(token) % 4 == 1:
        return malformed
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except ValueError:
        return malformed
    # Only the canonical unpadded encoding is accepted (no padding, no stray low bits).
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != token:
        return malformed
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return malformed
    parts = text.rsplit(":", 2)
    if len(parts) != 3:
        return malformed
    payload, exp_text, signature = parts
    if not payload or not _EXP.fullmatch(exp_text) or not _SIG.fullmatch(signature):
        return malformed
    exp = int(exp_text)

    usable = [s for s in secrets if is_usable_secret(s)]
    if not usable:
        return {"ok": False, "reason": "unknown_gateway"}
    matched = False
    for secret in usable:
        if hmac.compare_digest(sign(secret, f"{payload}:{exp_text}"), signature):
            matched = True
    if not matched:
        return {"ok": False, "reason": "bad_signature"}
    if exp != 0 and now > exp + leeway_seconds:
        return {"ok": False, "reason": "expired"}
    return {"ok": True, "gatewayId": payload, "expiresAt": exp}


def main() -> None:
    vectors = json.load(sys.stdin)
    out = {
        "mint": [
            {"name": v["name"], **make_token(v["gatewayId"], v["secret"], v["ttlSeconds"], v["now"])}
            for v in vectors["mint"]
        ],
        "verify": [
            {"name": v["name"], "verdict": verify_token(v["token"], v["secrets"], v["now"], v["leewaySeconds"])}
            for v in vectors["verify"]
        ],
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
