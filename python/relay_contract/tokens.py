"""The `/relay` upgrade token, standard library only (docs/relay-connector-contract.md, upgrade token):

    token = base64url_nopad(utf8(payload + ":" + exp + ":" + hex(HMAC-SHA256(utf8(secret), utf8(payload + ":" + exp)))))

`payload` is the gateway id; `exp` is Unix seconds (`floor(now) + ttl`, or `0` = never expires).
Byte-compatible with the TypeScript `makeUpgradeToken` / `verifyUpgradeToken` of this package:
the shipped `generated/vectors/auth-tokens.json` holds both to the same tokens and verdicts.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import math
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal, Union

from .constants import MAX_TOKEN_LENGTH, UPGRADE_TOKEN_TTL_SECONDS

__all__ = [
    "SecretLookup",
    "SecretSet",
    "VerifyFailureReason",
    "VerifyResult",
    "bearer_header",
    "make_token",
    "make_upgrade_token",
    "verify_upgrade_token",
]

VerifyFailureReason = Literal["malformed", "expired", "bad_signature", "unknown_gateway"]
#: One secret or a verify list (primary first, then rotation secondaries); `None`/empty: no such gateway.
SecretSet = Union[str, Iterable[str], None]
#: Resolves a gateway id (the token's unverified payload) to its secrets.
SecretLookup = Callable[[str], SecretSet]

# base64url with optional "=" padding: minting never pads, but the reference connector decodes with
# Node's Buffer.from(token, "base64url"), which reads a correctly padded token the same.
_BASE64URL = re.compile(r"([A-Za-z0-9_-]+)(={0,2})")
_HEX_SHA256 = re.compile(r"[0-9a-f]{64}")
# Canonical decimal only (what minting writes), at most 15 digits like the TypeScript side.
_DECIMAL_EXP = re.compile(r"0|[1-9][0-9]{0,14}")
_MAX_EXP = 999_999_999_999_999


@dataclass(frozen=True)
class VerifyResult:
    """The verdict on one token: `ok` with `gateway_id` and `expires_at`, or a failure `reason`."""

    ok: bool
    reason: VerifyFailureReason | None = None
    gateway_id: str | None = None
    #: Unix seconds; `0` = never expires.
    expires_at: int | None = None


# What JavaScript's String.prototype.trim() removes; str.strip() differs (U+001C–U+001F, U+0085
# are whitespace to Python only, U+FEFF to JavaScript only), and both sides must agree on which
# secrets count.
_JS_WHITESPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


def _utf8(text: str) -> bytes:
    """UTF-8 as Node's Buffer.from(text) encodes it: a lone surrogate becomes U+FFFD."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode("utf-8")


def _sign(secret: str, message: str) -> bytes:
    return hmac.new(_utf8(secret), _utf8(message), hashlib.sha256).digest()


def _is_usable_secret(secret: object) -> bool:
    """A secret counts only if it has a non-whitespace character; others are skipped by every verifier."""
    return isinstance(secret, str) and secret.strip(_JS_WHITESPACE) != ""


def _well_formed(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True


def make_token(payload: str, secret: str, ttl: int, now: float | None = None) -> str:
    """The general primitive: any non-empty payload, an explicit TTL (`ttl <= 0`: never expires)."""
    if not isinstance(payload, str) or payload == "" or not _well_formed(payload):
        raise TypeError("make_token: payload must be a non-empty, well-formed Unicode string")
    if not _is_usable_secret(secret) or not _well_formed(secret):
        raise TypeError("make_token: secret must contain a non-whitespace character (an unusable secret is skipped by every verifier)")
    if isinstance(ttl, bool) or not isinstance(ttl, int):
        raise TypeError("make_token: ttl must be an integer number of seconds")
    seconds = time.time() if now is None else now
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds):
        raise ValueError("make_token: now must be a finite Unix time in seconds")
    if seconds < 0:
        raise ValueError("make_token: now must not be before 1970")
    exp = math.floor(seconds) + ttl if ttl > 0 else 0
    if exp > _MAX_EXP:
        raise ValueError("make_token: expiry out of range")
    signed = f"{payload}:{exp}"
    token = f"{signed}:{_sign(secret, signed).hex()}".encode("utf-8")
    return base64.urlsafe_b64encode(token).rstrip(b"=").decode("ascii")


def make_upgrade_token(gateway_id: str, secret: str, ttl: int = UPGRADE_TOKEN_TTL_SECONDS, now: float | None = None) -> str:
    """The token a gateway sends on each dial (`Authorization: Bearer <token>`); mint a fresh one per dial."""
    return make_token(gateway_id, secret, ttl, now)


def bearer_header(token: str) -> str:
    """The `Authorization` header value for a token."""
    return f"Bearer {token}"


def _parse(token: object) -> tuple[str, str, int, str] | None:
    """(payload, exp text, exp, signature) of a token `make_token` could have produced, else None."""
    if not isinstance(token, str) or token == "" or len(token) > MAX_TOKEN_LENGTH:
        return None
    match = _BASE64URL.fullmatch(token)
    if match is None:
        return None
    body, padding = match.group(1), len(match.group(2))
    if len(body) % 4 == 1 or (padding > 0 and padding != 4 - len(body) % 4):
        return None
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        return None
    # Only the canonical encoding (no stray low bits in the last character).
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != body:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    # Split from the right: the payload may itself contain ":".
    parts = text.rsplit(":", 2)
    if len(parts) != 3:
        return None
    payload, exp_text, signature = parts
    if payload == "" or not _DECIMAL_EXP.fullmatch(exp_text) or not _HEX_SHA256.fullmatch(signature):
        return None
    return payload, exp_text, int(exp_text), signature


def _secret_list(secrets: SecretSet) -> list[object]:
    if secrets is None:
        return []
    if isinstance(secrets, str):
        return [secrets]
    return list(secrets)


def verify_upgrade_token(
    token: str,
    secrets: SecretSet | SecretLookup,
    now: float | None = None,
    leeway: float = 0,
) -> VerifyResult:
    """Verify an upgrade token; never raises for any token value.

    Order: malformed → unknown gateway (no usable secret) → signature → expiry, so only an
    authentic token can earn `expired` (the benign close reason gateways reconnect after).
    `leeway` is a grace after `exp` in seconds (default 0: the reference has no skew allowance).
    A `secrets` lookup that raises propagates: a storage failure is not a verdict on the token.
    """
    if isinstance(leeway, bool) or not isinstance(leeway, (int, float)) or not math.isfinite(leeway) or leeway < 0:
        raise ValueError("verify_upgrade_token: leeway must be a finite number >= 0")
    seconds = time.time() if now is None else now
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds):
        raise ValueError("verify_upgrade_token: now must be a finite Unix time in seconds")
    parsed = _parse(token)
    if parsed is None:
        return VerifyResult(ok=False, reason="malformed")
    payload, exp_text, exp, signature = parsed
    candidates = _secret_list(secrets(payload) if callable(secrets) else secrets)
    given = bytes.fromhex(signature)
    usable = 0
    matched = False
    # No early exit: every usable secret is tried, so timing does not reveal which one matched.
    for secret in candidates:
        if not isinstance(secret, str) or not _is_usable_secret(secret):
            continue
        usable += 1
        if hmac.compare_digest(_sign(secret, f"{payload}:{exp_text}"), given):
            matched = True
    if usable == 0:
        return VerifyResult(ok=False, reason="unknown_gateway")
    if not matched:
        return VerifyResult(ok=False, reason="bad_signature")
    if exp != 0 and seconds > exp + leeway:
        return VerifyResult(ok=False, reason="expired")
    return VerifyResult(ok=True, gateway_id=payload, expires_at=exp)
