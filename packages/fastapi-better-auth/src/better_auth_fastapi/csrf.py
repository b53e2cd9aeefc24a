"""Cross-site request forgery: a cookie-authenticated request with an unsafe method (or a WebSocket handshake)
must come from a trusted origin, read from ``Origin`` or, where a browser sent none, from ``Referer``. Bearer and
JWT requests are exempt: a browser never attaches those on its own.

``Origin: null`` is refused whatever the ``Referer`` says, as Better-Auth refuses it: browsers send it from
sandboxed frames, ``data:`` documents and cross-origin redirects, any of which an attacker can arrange, and a
Referer can come along from a page the attacker controls on a trusted origin's path (or be ours after a redirect).
(Better-Auth also takes ``null`` with ``Sec-Fetch-Site: same-origin``; the backend does not, and our pages send
``strict-origin-when-cross-origin``, so a browser on our origin always sends its real Origin.)"""

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
    claimed = origin or referer
    if not claimed or claimed.strip() == "null":
        return False
    return normalise_origin(claimed) in trusted
