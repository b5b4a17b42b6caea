"""Look up what a received close means."""

from __future__ import annotations

from .constants import CLOSE_CODES, CloseCodeEntry

__all__ = ["find_close_code"]


def find_close_code(code: int, reason: str | None = None) -> CloseCodeEntry | None:
    """The entry for a received close: exact (code, reason) match first, else the code's first entry."""
    by_code: CloseCodeEntry | None = None
    for entry in CLOSE_CODES:
        if entry.code != code:
            continue
        if reason is not None and entry.reason == reason:
            return entry
        if by_code is None:
            by_code = entry
    return by_code
