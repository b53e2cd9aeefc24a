"""The FastAPI layer: a few lines around the plain functions in tokens, store, jwt_mode and csrf.

    auth = BetterAuth(database_url=..., secret=..., public_url="https://book.example")
    app = FastAPI(lifespan=auth.lifespan)
    auth.install(app)                                   # AuthError -> {"code", "message"}; bounded bodies
    auth.protect(app, public_paths=["/api/health"])     # every other route needs a complete profile

or per route: ``session: Session = Depends(auth.current_session)`` / ``Depends(auth.complete_profile)``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .cache import SessionCache
from .cors import ALLOWED_HEADERS, ALLOWED_METHODS, MAX_AGE, CorsMiddleware
from .csrf import origin_allowed, trusted_origin_set
from .errors import AuthError, SchemaError, Unavailable, auth_error_handler
from .invalidation import listen_url_for, log
from .jwt_mode import JWTVerifier
from .models import Session
from .secret import check_secret
from .store import SessionStore
from .tokens import request_credential, session_cookie_name, verify_signed_token

_STATE_KEY = "better_auth_session"
# Not a method a browser can send: a WebSocket handshake is checked as an unsafe request (cross-site WebSocket
# hijacking is CSRF on a connection the browser opens with the reader's cookie).
_WEBSOCKET = "WEBSOCKET"


class BetterAuth:
    def __init__(
        self,
        *,
        public_url: str | None = None,
        database_url: str | None = None,
        secret: str | None = None,
        mode: Literal["database", "jwt"] = "database",
        trusted_origins: Iterable[str] = (),
        jwks_url: str | None = None,
        jwt_issuer: str | None = None,
        jwt_audience: str | None = None,
        jwt_algorithms: Sequence[str] = ("EdDSA",),
        jwks_refresh_interval: float = 300.0,
        jwks_max_age: float = 900.0,
        pool_min_size: int = 1,
        pool_max_size: int = 10,
        prepare: bool | None = None,
        jwt_check_session: bool = False,
        session_cache: bool = True,
        session_cache_ttl: float = 60.0,
        session_cache_size: int = 10_000,
        listen_url: str | None = None,
        max_body_size: int = 1024 * 1024,
        body_timeout: float = 30.0,
        strict_secret: bool = False,
    ) -> None:
        """``public_url`` (required): the auth server's PUBLIC_URL. It is a trusted origin, the JWTs' default ``iss``
        and ``aud``, and it names the one session cookie read: ``__Secure-better-auth.session_token`` for https,
        ``better-auth.session_token`` otherwise, as Better-Auth sets it.
        ``secret`` and ``database_url`` enable session tokens (cookie or bearer); ``mode="jwt"`` also accepts
        Better-Auth JWTs, verified against ``jwks_url`` or the ``jwks`` table, whose keys are reloaded every
        ``jwks_refresh_interval`` (default 300 s) and, while the source cannot be reached, used for at most
        ``jwks_max_age`` (default 900 s) after they were loaded. ``prepare=None`` turns server-side prepared
        statements off for transaction poolers (Neon's ``-pooler`` host) and on elsewhere.
        ``jwt_check_session`` (default False): also require the JWT's ``sid`` session to still exist, so a
        sign-out is refused at once, for one primary-key query per request.
        ``session_cache`` (default True): keep validated sessions in memory, forgotten when the auth server's change
        triggers notify (a sign-out is refused within milliseconds) and all dropped whenever the notifications may
        be missed; ``session_cache_ttl`` (default 60 s) bounds any entry's age. ``listen_url`` (default: derived
        from ``database_url``): a direct connection for ``LISTEN``, needed behind a transaction pooler other than
        Neon's, whose direct host is derived; without one the cache stays off.
        ``max_body_size`` (default 1 MiB) and ``body_timeout`` (default 30 s): the most bytes, and the most
        seconds, a request body may take (applied by :meth:`install`).
        ``strict_secret`` (default False): refuse a weak ``secret`` even over http (set it in production); with an
        https ``public_url`` a weak secret is always refused, otherwise it is logged as a warning."""
        if not public_url:
            raise ValueError("BetterAuth needs public_url: the auth server's PUBLIC_URL (it names the session cookie)")
        self.public_url = public_url
        self.cookie_name = session_cookie_name(public_url)
        trusted_origins = tuple(trusted_origins)
        # Better-Auth reads "*" as a wildcard; here it would be a letter in the CSRF check and an echo in CORS.
        if any("*" in origin for origin in trusted_origins):
            raise ValueError("trusted_origins must be exact origins (no wildcards), as the auth server's TRUSTED_ORIGINS")
        self.trusted = trusted_origin_set([public_url, *trusted_origins])
        if secret:
            check_secret(secret, public_url=public_url, strict=strict_secret)
        self._secret = secret.encode() if secret else None
        if max_body_size < 0 or body_timeout <= 0:
            raise ValueError("max_body_size must be >= 0 and body_timeout > 0")
        self.max_body_size = max_body_size
        self.body_timeout = body_timeout
        if jwt_check_session and (mode != "jwt" or not database_url):
            raise ValueError("jwt_check_session needs mode='jwt' and database_url (the session table)")
        self.jwt_check_session = jwt_check_session
        self.store = None
        if database_url and (secret or jwt_check_session):
            self.store = SessionStore(
                database_url,
                min_size=pool_min_size,
                max_size=pool_max_size,
                prepare=prepare,
                cache=SessionCache(max_entries=session_cache_size, ttl=session_cache_ttl) if session_cache else None,
                listen_url=listen_url or listen_url_for(database_url),
            )
        self.jwt: JWTVerifier | None = None
        if mode == "jwt":
            self.jwt = JWTVerifier(
                issuer=jwt_issuer or public_url,
                audience=jwt_audience or public_url,
                jwks_url=jwks_url,
                database_url=database_url,
                algorithms=tuple(jwt_algorithms),
                key_refresh_interval=jwks_refresh_interval,
                key_max_age=jwks_max_age,
            )
        elif self.store is None:
            raise ValueError("database mode needs database_url and secret (BETTER_AUTH_SECRET)")
        self._protect_requires_profile = False

    @property
    def session_cache_state(self) -> Literal["on", "off", "disabled"]:
        """``"on"`` while validated sessions are served from memory; ``"off"`` while change notifications are not
        proven to arrive (every request is checked in the database: a wrong ``listen_url``, a pooler, an outage);
        ``"disabled"`` when there is no cache (``session_cache=False``, or JWT mode without the session table)."""
        cache = self.store.cache if self.store else None
        if cache is None:
            return "disabled"
        return "on" if cache.enabled else "off"

    # -- lifecycle ---------------------------------------------------------------------------------------------
    async def startup(self, app: FastAPI | None = None, *, schema_timeout: float = 10.0) -> None:
        """Opens the database pool and reads which tables exist. Raises :class:`SchemaError` (the app does not
        start) when Better-Auth's tables are missing, or when ``user_profile`` (the onboarding plugin's) is missing
        and profile checks are in use: :meth:`protect` with ``require_profile=True``, or a route of ``app`` that
        depends on :meth:`complete_profile`. While the database cannot be reached (``schema_timeout``, default 10 s)
        the app starts anyway, answers 503 ``AUTH_UNAVAILABLE``, and reads the tables once it can."""
        if self.store:
            await self.store.open()
            # Tables are read only where this process reads sessions from them (cookies and signed bearers).
            if self._secret is not None:
                try:
                    await self._check_schema(app, schema_timeout)
                except SchemaError:
                    await self.store.close()
                    raise

    async def _check_schema(self, app: FastAPI | None, timeout: float) -> None:
        assert self.store is not None
        try:
            has_profile = await self.store.read_schema(timeout=timeout)
        except Unavailable as exc:
            log.warning("database not reachable at startup (%s): its tables are checked when it is", exc)
            return
        if not has_profile and self._profile_checks(app):
            raise SchemaError(
                "this database has no user_profile table, the onboarding plugin's (@textbook-auth/onboarding: run "
                "its migration, migrateOnboarding), yet profile checks are in use: "
                + ("protect() requires a complete profile" if self._protect_requires_profile
                   else "a route depends on complete_profile")
                + ". Without the plugin, use current_session and protect(require_profile=False)."
            )

    def _profile_checks(self, app: FastAPI | None) -> bool:
        """protect() requires a complete profile, or a route of ``app`` depends on complete_profile (directly, through
        another dependency, or through its router's)."""
        if self._protect_requires_profile:
            return True

        def depends_on_profile(dependant: Any) -> bool:
            return any(d.call == self.complete_profile or depends_on_profile(d) for d in dependant.dependencies)

        return any(
            (dependant := getattr(route, "dependant", None)) is not None and depends_on_profile(dependant)
            for route in (app.routes if app is not None else ())
        )

    async def shutdown(self) -> None:
        if self.store:
            await self.store.close()
        if self.jwt:
            await self.jwt.close()

    @asynccontextmanager
    async def lifespan(self, app: FastAPI) -> AsyncIterator[None]:
        await self.startup(app)
        try:
            yield
        finally:
            await self.shutdown()

    def install(self, app: FastAPI) -> None:
        """AuthError becomes ``{"code", "message"}`` (a WebSocket is closed with 1008 and the code as reason);
        request bodies are bounded (``max_body_size``, ``body_timeout``); answers to requests that carry a
        credential get ``Cache-Control: no-store`` unless the route set a Cache-Control of its own."""
        app.add_exception_handler(AuthError, auth_error_handler)  # type: ignore[arg-type]
        _add_inside_cors(app, Middleware(_BodyGuard, auth=self))

    def cors(
        self,
        app: FastAPI,
        *,
        methods: Iterable[str] = ALLOWED_METHODS,
        headers: Iterable[str] = ALLOWED_HEADERS,
        max_age: int = MAX_AGE,
    ) -> None:
        """Credentialed CORS for the trusted origins (``public_url`` and ``trusted_origins``), for pages on another
        origin that call this app with the reader's cookie (a site on a sibling subdomain): the origin echoed, never
        ``*``; preflights answered 204 (``methods``, default GET, HEAD, POST, PUT, PATCH, DELETE; ``headers``, default
        Content-Type and Authorization; ``max_age`` 600 s), or 403 ``INVALID_ORIGIN`` for any other origin; every
        answer ``Vary: Origin``. It runs outside :meth:`protect` and :meth:`install` whatever the order of the calls,
        so preflights (which carry no credentials) are answered before protect() would refuse them, and refusals
        reach the page with their codes. Nothing else changes: routes still need a session, writes a trusted origin."""
        app.add_middleware(CorsMiddleware, origins=self.trusted, methods=tuple(methods), headers=tuple(headers), max_age=max_age)

    # -- validation --------------------------------------------------------------------------------------------
    async def authenticate(self, conn: HTTPConnection) -> Session | None:
        """The request's (or WebSocket's) session, or ``None``. Raises AuthError for a cross-site cookie write or
        an outage."""
        # Cached on the request: protect() and a route's dependency then cost one lookup between them.
        state: dict[str, Any] = conn.scope.get("state", {})
        if _STATE_KEY in state:
            cached: Session | None = state[_STATE_KEY]
            return cached
        session = await self._authenticate(conn)
        conn.state.better_auth_session = session
        return session

    async def _authenticate(self, conn: HTTPConnection, *, fresh: bool = False) -> Session | None:
        credential = request_credential(conn.scope["headers"], self.cookie_name)
        if credential is None:
            return None
        kind, value = credential
        try:
            if kind == "bearer":
                if self.jwt and value.count(".") == 2:
                    session = await self.jwt.verify(value)
                    if session is not None and self.jwt_check_session:
                        assert self.store is not None  # created in __init__ whenever the check is on
                        if not session.session_id or not await self.store.session_exists(session.session_id):
                            return None
                    return session
                return await self._lookup(value, "bearer", fresh=fresh)
            # Checked before the lookup: a forged cross-site write is refused whether or not the cookie is valid.
            method = conn.scope.get("method", _WEBSOCKET) if conn.scope["type"] == "http" else _WEBSOCKET
            if not origin_allowed(method, conn.headers.get("origin"), conn.headers.get("referer"), self.trusted):
                raise AuthError("INVALID_ORIGIN")
            return await self._lookup(value, "cookie", fresh=fresh)
        except Unavailable as exc:
            raise AuthError("AUTH_UNAVAILABLE") from exc

    async def _lookup(self, value: str, via: Literal["cookie", "bearer"], *, fresh: bool = False) -> Session | None:
        # Only the signed form: the bare token is what a page script could once read from get-session.
        if self.store is None or self._secret is None:
            return None
        token = verify_signed_token(value, self._secret)
        if token is None:
            return None
        return await self.store.lookup(token, via, fresh=fresh)

    async def current_session(self, conn: HTTPConnection) -> Session:
        """FastAPI dependency: the signed-in reader, or 401 UNAUTHENTICATED."""
        session = await self.authenticate(conn)
        if session is None:
            raise AuthError("UNAUTHENTICATED")
        return session

    async def complete_profile(self, conn: HTTPConnection) -> Session:
        """FastAPI dependency: a reader whose profile is complete, or 401 / 403 PROFILE_INCOMPLETE."""
        session = await self.current_session(conn)
        if session.via != "jwt" and self.store is not None and self.store.has_profile_table is False:
            # Normally refused at startup; here the database was first reached later, or the table was dropped.
            # A reader could never complete a profile that has no table: a 403 would send them round in circles.
            log.error("complete_profile: the database has no user_profile table (the onboarding plugin's)")
            raise AuthError("PROFILE_TABLE_MISSING")
        if not session.profile_complete and session.via != "jwt":
            # A profile completed a moment ago reaches this process's cache by notification, milliseconds later:
            # a refusal is decided on a fresh read, so a reader just back from onboarding is never turned away.
            refreshed = await self._authenticate(conn, fresh=True)
            if refreshed is None:
                raise AuthError("UNAUTHENTICATED")
            conn.state.better_auth_session = session = refreshed
        if not session.profile_complete:
            raise AuthError("PROFILE_INCOMPLETE")
        return session

    def protect(
        self,
        app: FastAPI,
        *,
        public_paths: Iterable[str] = (),
        require_profile: bool = True,
        session_only_paths: Iterable[str] = (),
    ) -> None:
        """Requires a session (and, by default, a complete profile) for every HTTP request and WebSocket of ``app``,
        whatever its method (OPTIONS included), before the route runs or its body is read, except on
        ``public_paths``: exact paths, or patterns where ``*`` matches within one path segment, ``**`` across
        segments and ``?`` one character other than ``/``. ``session_only_paths`` (same syntax) need a session but
        not a complete profile, for what a reader may do before onboarding (such as exporting their data). A refused
        WebSocket is accepted and closed with 1008 (policy violation; 1013 when the database is down) and the error
        code as the reason. Call it after
        :meth:`install`, so refusals come before the body limit. CORS preflights carry no credentials, so they are
        refused here too: :meth:`cors` answers them before this check whatever the order of the calls; another CORS
        middleware (Starlette's) must be added after this call, so that it runs first."""
        self._protect_requires_profile = self._protect_requires_profile or require_profile
        _add_inside_cors(
            app,
            Middleware(
                _Protect,
                auth=self,
                public_paths=tuple(public_paths),
                require_profile=require_profile,
                session_only_paths=tuple(session_only_paths),
            ),
        )


def _add_inside_cors(app: FastAPI, middleware: Middleware) -> None:
    """As ``app.add_middleware`` (outermost of those added so far), except that a :class:`CorsMiddleware` added
    earlier stays outside it: the preflights it answers never meet a check that wants credentials."""
    if app.middleware_stack is not None:
        raise RuntimeError("Cannot add middleware after an application has started")
    index = next((i + 1 for i, m in enumerate(app.user_middleware) if m.cls is CorsMiddleware), 0)
    app.user_middleware.insert(index, middleware)


def compile_path_pattern(pattern: str) -> re.Pattern[str]:
    """``*`` within a segment, ``**`` across segments, ``?`` one non-``/`` character; the rest is literal."""
    parts: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            parts.append(".*")
            i += 2
        elif pattern[i] == "*":
            parts.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            parts.append("[^/]")
            i += 1
        else:
            parts.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(parts), re.DOTALL)


def _declared_length(scope: Scope) -> tuple[int | None, bool]:
    """The largest Content-Length the request declares (None without one), and whether it has a body at all."""
    declared: int | None = None
    chunked = False
    for key, value in scope["headers"]:
        if key == b"content-length":
            try:
                length = int(value)
            except ValueError:
                continue  # the server refuses malformed lengths before the application runs
            declared = length if declared is None else max(declared, length)
        elif key == b"transfer-encoding":
            chunked = True
    return declared, chunked or bool(declared)


async def _close_websocket(receive: Receive, send: Send, error: AuthError) -> None:
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.close", "code": error.websocket_close_code, "reason": error.code})


class _Paths:
    """A set of exact paths and patterns (see :func:`compile_path_pattern`)."""

    def __init__(self, paths: tuple[str, ...]) -> None:
        self.exact = frozenset(p for p in paths if not any(c in p for c in "*?"))
        self.patterns = tuple(compile_path_pattern(p) for p in paths if p not in self.exact)

    def __contains__(self, path: str) -> bool:
        return path in self.exact or any(p.fullmatch(path) for p in self.patterns)


class _Protect:
    """Pure ASGI middleware (no BaseHTTPMiddleware): checks once, and the route's dependencies reuse the result.
    Nothing of the request body is read here, so an unauthenticated upload costs only its headers."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        auth: BetterAuth,
        public_paths: tuple[str, ...],
        require_profile: bool,
        session_only_paths: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.auth = auth
        self.public = _Paths(public_paths)
        self.session_only = _Paths(session_only_paths)
        self.require_profile = require_profile

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"] in self.public:
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        try:
            if self.require_profile and scope["path"] not in self.session_only:
                await self.auth.complete_profile(conn)
            else:
                await self.auth.current_session(conn)
        except AuthError as exc:
            if scope["type"] == "websocket":
                await _close_websocket(receive, send, exc)
            else:
                # An unread body stays on the connection: close it rather than let the server read it to the end.
                await exc.response(close=_declared_length(scope)[1])(scope, receive, send)
            return
        await self.app(scope, receive, send)


class _BodyRefused(Exception):
    pass


@dataclass
class _BodyState:
    deadline: float
    received: int = 0
    done: bool = False
    refused: AuthError | None = None
    started: bool = False
    answered: bool = False


class _BodyGuard:
    """Bounds what is read of a request body, in bytes and in time, also without a proxy in front: a declared
    Content-Length over the limit is refused before any of it is read; a streamed body is counted and cut at the
    limit; a body that has not arrived within ``body_timeout`` is cut. The application sees an exception from
    ``receive`` and whatever it answers then is replaced by 413 PAYLOAD_TOO_LARGE or 408 REQUEST_TIMEOUT (FastAPI
    turns errors while reading a body into its own 400). Answers to credential-carrying requests get
    ``Cache-Control: no-store``: they depend on who asked, and no cache may keep them."""

    def __init__(self, app: ASGIApp, *, auth: BetterAuth) -> None:
        self.app = app
        self.auth = auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.auth.max_body_size
        declared, _ = _declared_length(scope)
        if declared is not None and declared > limit:
            await AuthError("PAYLOAD_TOO_LARGE").response(close=True)(scope, receive, send)
            return
        personal = request_credential(scope["headers"], self.auth.cookie_name) is not None
        state = _BodyState(deadline=asyncio.get_running_loop().time() + self.auth.body_timeout)

        async def refuse() -> None:
            if not state.answered:
                state.answered = True
                assert state.refused is not None
                await state.refused.response(close=True)(scope, receive, send)

        async def guarded_receive() -> Message:
            if state.refused is not None:
                raise _BodyRefused
            if state.done:
                return await receive()
            try:
                async with asyncio.timeout(max(state.deadline - asyncio.get_running_loop().time(), 0)):
                    message = await receive()
            except TimeoutError:
                state.refused = AuthError("REQUEST_TIMEOUT")
                raise _BodyRefused from None
            if message["type"] == "http.request":
                state.received += len(message.get("body", b""))
                if state.received > limit:
                    state.refused = AuthError("PAYLOAD_TOO_LARGE")
                    raise _BodyRefused
                state.done = not message.get("more_body", False)
            else:
                state.done = True
            return message

        async def guarded_send(message: Message) -> None:
            if state.refused is not None and not state.started:
                await refuse()  # the application's answer to a cut body is replaced
                return
            if message["type"] == "http.response.start":
                state.started = True
                if personal and not any(k.lower() == b"cache-control" for k, _ in message.get("headers", ())):
                    message = {**message, "headers": [*message.get("headers", ()), (b"cache-control", b"no-store")]}
            await send(message)

        try:
            await self.app(scope, guarded_receive, guarded_send)
        except Exception:
            # Whatever the application made of the cut (our exception, or another raised in its place), the answer
            # is the refusal; once a streaming answer has begun, the server can only drop the connection.
            if state.refused is None or state.started:
                raise
        if state.refused is not None and not state.started:
            await refuse()
