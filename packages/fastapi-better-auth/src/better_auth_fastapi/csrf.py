"""Cross-site request forgery: a cookie-authenticated request with an unsafe method must come from a trusted
origin, read from ``Origin`` or, where a browser sent none, from ``Referer``. Bearer and JWT requests are exempt:
a browser never attaches those on its own."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def normalise_origin(value: str) -> str | None:
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    default = {"http": 80, "https": 443}[parts.scheme]
    try:
        port = parts.port or default
    except ValueError:
        return None
    return f"{parts.scheme}://{parts.hostname.lower()}" + ("" if port == default else f":{port}")


def trusted_origin_set(origins: Iterable[str]) -> frozenset[str]:
    normalised = {normalise_origin(o) for o in origins}
    return frozenset(o for o in normalised if o)


def origin_allowed(method: str, origin: str | None, referer: str | None, trusted: frozenset[str]) -> bool:
    if method.upper() in SAFE_METHODS:
        return True
    claimed = origin if origin and origin != "null" else referer
    if not claimed:
        return False
    return normalise_origin(claimed) in trusted
