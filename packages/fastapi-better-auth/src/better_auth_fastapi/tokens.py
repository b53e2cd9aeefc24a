"""Better-Auth's signed session token, as carried by its cookie or by a bearer header.

Contract (better-auth 1.7): the cookie value is ``encodeURIComponent(token + "." + base64(HMAC-SHA256(secret, token)))``,
standard base64 with padding (44 characters). The bearer plugin hands out the same ``token.signature`` form.
Starlette does not percent-decode cookies, so values are decoded here, exactly once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import unquote

SESSION_COOKIES = ("__Secure-better-auth.session_token", "better-auth.session_token")
SIGNATURE_LENGTH = 44
# Better-Auth tokens are 32 characters; anything far longer is not one of ours and is refused before hashing.
MAX_VALUE_LENGTH = 256


def verify_signed_token(value: str | None, secret: bytes) -> str | None:
    """Returns the session token when ``value`` carries a valid signature for ``secret``, else ``None``."""
    if not value or len(value) > MAX_VALUE_LENGTH * 3:
        return None
    try:
        decoded = unquote(value, errors="strict")
    except UnicodeDecodeError:
        return None
    if len(decoded) > MAX_VALUE_LENGTH or not decoded.isascii():
        return None
    token, dot, signature = decoded.rpartition(".")
    if not dot or not token or len(signature) != SIGNATURE_LENGTH:
        return None
    expected = base64.b64encode(hmac.new(secret, token.encode("ascii"), hashlib.sha256).digest())
    # Compare the text, not decoded bytes: decoding ignores the last character's two padding bits, so four
    # spellings of one signature would pass; Better-Auth only ever writes the canonical one.
    # Constant time: the comparison must not tell an attacker how many signature characters were right.
    if not hmac.compare_digest(signature.encode("ascii"), expected):
        return None
    return token


def bearer_value(authorization: str | None) -> str | None:
    """The credentials of an ``Authorization: Bearer ...`` header, or ``None``."""
    if not authorization:
        return None
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        return None
    return credentials.strip()


def session_cookie(cookies: dict[str, str]) -> str | None:
    """The session cookie's raw value; the ``__Secure-`` form wins when a browser sends both."""
    for name in SESSION_COOKIES:
        if name in cookies:
            return cookies[name]
    return None
