"""Cross-origin reads, for a site on another origin than the API (a sibling subdomain). The auth server's rule
(apps/server/src/http/cors.ts), applied by :meth:`BetterAuth.cors`:

- only an ``Origin`` in the trusted set (``public_url`` and ``trusted_origins``), exactly as browsers send it, gets
  CORS headers: that origin echoed (never ``*``) and ``Access-Control-Allow-Credentials: true``;
- a preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``, the Fetch standard's definition) is
  answered here, before :meth:`BetterAuth.protect` and any route: 204 with the allowed methods and headers for a
  trusted origin, 403 ``INVALID_ORIGIN`` with no CORS header for any other. A preflight never carries credentials,
  so protect() would refuse it; it also runs no application code, so answering it opens nothing;
- every HTTP answer says ``Vary: Origin``.

CORS only decides which pages may read answers. Which writes are accepted stays with the CSRF check (csrf.py), which
accepts the same origins."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import AuthError

#: The methods a trusted page may use, and the headers it may send beyond the CORS-safelisted ones (JSON bodies,
#: bearer tokens). Defaults of :meth:`BetterAuth.cors`.
ALLOWED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
ALLOWED_HEADERS = ("Content-Type", "Authorization")
#: How long a browser may reuse a preflight's answer, in seconds (Chromium caps it at 7,200).
MAX_AGE = 600

# Set here only, whatever the application answered: the policy decides who may read.
_OWN = frozenset({b"access-control-allow-origin", b"access-control-allow-credentials"})


def request_origin(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """The request's one ``Origin``; none when it is absent or sent more than once (no browser does that)."""
    values = [value for key, value in headers if key == b"origin"]
    return values[0].decode("latin-1") if len(values) == 1 else None


def is_preflight(method: str, headers: Iterable[tuple[bytes, bytes]]) -> bool:
    names = {key for key, _ in headers}
    return method == "OPTIONS" and b"origin" in names and b"access-control-request-method" in names


def answer_headers(origin: str | None, trusted: frozenset[str]) -> list[tuple[bytes, bytes]]:
    """The CORS headers of an ordinary answer (besides ``Vary``): the echo and credentials for a trusted origin."""
    if origin is None or origin not in trusted:
        return []
    return [(b"access-control-allow-origin", origin.encode("latin-1")), (b"access-control-allow-credentials", b"true")]


def preflight_headers(origin: str, methods: Iterable[str], headers: Iterable[str], max_age: int) -> list[tuple[bytes, bytes]]:
    return [
        (b"access-control-allow-origin", origin.encode("latin-1")),
        (b"access-control-allow-credentials", b"true"),
        (b"access-control-allow-methods", ",".join(methods).encode()),
        (b"access-control-allow-headers", ",".join(headers).encode()),
        (b"access-control-max-age", str(max_age).encode()),
        (b"vary", b"Origin, Access-Control-Request-Headers"),
    ]


def _with_vary(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """Adds ``Origin`` to the answer's ``Vary`` (one field list, no duplicates, ``*`` left alone)."""
    fields = [f.strip() for key, value in headers if key.lower() == b"vary" for f in value.split(b",") if f.strip()]
    if b"*" in fields or b"origin" in (f.lower() for f in fields):
        return headers
    rest = [(key, value) for key, value in headers if key.lower() != b"vary"]
    return [*rest, (b"vary", b", ".join([*fields, b"Origin"]))]


class CorsMiddleware:
    """Pure ASGI middleware; :meth:`BetterAuth.cors` installs it outside protect() and the body guard, so their
    refusals (401, 403, 413) reach the trusted page too and it can read their codes."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        origins: frozenset[str],
        methods: Iterable[str] = ALLOWED_METHODS,
        headers: Iterable[str] = ALLOWED_HEADERS,
        max_age: int = MAX_AGE,
    ) -> None:
        if any("*" in origin for origin in origins):
            raise ValueError("CORS origins must be exact origins; a wildcard would be echoed to any page")
        self.app = app
        self.origins = origins
        self.methods = tuple(m.upper() for m in methods)
        self.headers = tuple(headers)
        self.max_age = max_age

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # WebSockets are not subject to CORS; protect() checks their Origin
            await self.app(scope, receive, send)
            return
        origin = request_origin(scope["headers"])
        if is_preflight(scope["method"], scope["headers"]):
            await self._preflight(origin, scope, receive, send)
            return
        extra = answer_headers(origin, self.origins)

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() not in _OWN]
                message = {**message, "headers": _with_vary([*headers, *extra])}
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(self, origin: str | None, scope: Scope, receive: Receive, send: Send) -> None:
        # Its body, if it has one, is not read: the connection is closed after the answer.
        has_body = any(key in (b"transfer-encoding", b"content-length") and value not in (b"0",) for key, value in scope["headers"])
        if origin is not None and origin in self.origins:
            headers = preflight_headers(origin, self.methods, self.headers, self.max_age)
            if has_body:
                headers.append((b"connection", b"close"))
            await send({"type": "http.response.start", "status": 204, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        refusal = AuthError("INVALID_ORIGIN").response(close=has_body)
        refusal.headers["Vary"] = "Origin"
        await refusal(scope, receive, send)
