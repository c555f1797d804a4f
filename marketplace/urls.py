"""URL helpers."""

from urllib.parse import urlsplit

from flask import request

# Beyond any real list; a larger page number would overflow the database's OFFSET (a 500).
MAX_PAGE = 100_000


def safe_next(target: str | None) -> str | None:
    """A local path to go back to, never another site (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def page_number() -> int:
    """The ?page= of a list: 1 when missing or not a number, at most MAX_PAGE."""
    return min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
