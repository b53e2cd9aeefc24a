"""Better-Auth's signed session token, as carried by its cookie or by a bearer header, and the one rule that picks
a request's credential.

Contract (better-auth 1.7): the cookie value is ``encodeURIComponent(token + "." + base64(HMAC-SHA256(secret, token)))``,
standard base64 with padding (44 characters). The bearer plugin hands out the same ``token.signature`` form.
Starlette does not percent-decode cookies, so values are decoded here, exactly once.

The credential rule is shared with the auth server (apps/server/src/http/session-credential.ts), which rewrites
every request to it before Better-Auth reads it; both must name the same reader for the same bytes:

- The session cookie is the one name the deployment's public URL implies: ``__Secure-better-auth.session_token``
  over https, ``better-auth.session_token`` otherwise (the prefix is contract.json's, Better-Auth's
  ``cookiePrefix``). The other name is not a session cookie.
- Every ``Cookie`` line counts, joined with ``"; "``. Pairs split at ``;``; name and value trimmed of whitespace; a
  value starting with a double quote loses its first and last character.
- The session cookie named more than once is no session: browsers order duplicates (cookies of one name with
  another Path or Domain) in a way a planted cookie can influence, and neither server can tell which is ours.
- One ``Authorization`` line with the Bearer scheme (any case) is the credential; the cookie is then ignored,
  whether or not the bearer is valid. More than one ``Authorization`` line: no credential at all.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Sequence
from typing import Literal
from urllib.parse import unquote, urlsplit

from .contract import SECURE_SESSION_COOKIE, SESSION_COOKIE

SESSION_COOKIES = (SECURE_SESSION_COOKIE, SESSION_COOKIE)
SIGNATURE_LENGTH = 44
# Better-Auth tokens are 32 characters; anything far longer is not one of ours and is refused before hashing.
MAX_VALUE_LENGTH = 256
# What JavaScript's trim() removes, within the Latin-1 range both servers decode header bytes into: Better-Auth
# trims with it, so trimming less here would make one server see a name or value the other does not.
_WHITESPACE = "\t\n\v\f\r \xa0"


def session_cookie_name(public_url: str) -> str:
    """The cookie Better-Auth sets for a base URL: the ``__Secure-`` form exactly when it is https."""
    return SECURE_SESSION_COOKIE if urlsplit(public_url).scheme.lower() == "https" else SESSION_COOKIE


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
    """The credentials of an ``Authorization: Bearer ...`` header, or ``None`` (read as Better-Auth's bearer
    plugin reads it: the scheme and one space, in any case, then the rest trimmed)."""
    if not authorization or authorization[:7].lower() != "bearer ":
        return None
    return authorization[7:].strip(_WHITESPACE) or None


def session_cookie(cookie_lines: Iterable[str], name: str) -> str | None:
    """The raw value of the session cookie ``name`` across all ``Cookie`` lines; ``None`` when it is absent or
    appears more than once."""
    found: list[str] = []
    for line in cookie_lines:
        for pair in line.split(";"):
            key, eq, value = pair.partition("=")
            if eq and key.strip(_WHITESPACE) == name:
                found.append(value.strip(_WHITESPACE))
    if len(found) != 1:
        return None
    value = found[0]
    return value[1:-1] if value.startswith('"') else value


Credential = tuple[Literal["cookie", "bearer"], str]


def request_credential(headers: Sequence[tuple[bytes, bytes]], cookie_name: str) -> Credential | None:
    """The one credential of a request's raw ASGI headers under the shared rule, or ``None``."""
    cookies: list[str] = []
    authorizations: list[str] = []
    for key, value in headers:
        if key == b"cookie":
            cookies.append(value.decode("latin-1"))
        elif key == b"authorization":
            authorizations.append(value.decode("latin-1"))
    if len(authorizations) > 1:
        return None
    if authorizations:
        bearer = bearer_value(authorizations[0])
        if bearer is not None:
            return ("bearer", bearer)
    cookie = session_cookie(cookies, cookie_name)
    return ("cookie", cookie) if cookie else None
