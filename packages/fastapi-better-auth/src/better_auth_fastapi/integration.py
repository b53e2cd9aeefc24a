"""The FastAPI layer: a few lines around the plain functions in tokens, store, jwt_mode and csrf.

    auth = BetterAuth(database_url=..., secret=..., trusted_origins=["https://book.example"])
    app = FastAPI(lifespan=auth.lifespan)
    auth.install(app)                                   # AuthError -> {"code", "message"}
    auth.protect(app, public_paths=["/api/health"])     # every other route needs a complete profile

or per route: ``session: Session = Depends(auth.current_session)`` / ``Depends(auth.complete_profile)``.
"""

from __future__ import annotations

import fnmatch
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any, Literal

from fastapi import FastAPI, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from .cache import SessionCache
from .csrf import origin_allowed, trusted_origin_set
from .errors import AuthError, Unavailable, auth_error_handler
from .invalidation import listen_url_for
from .jwt_mode import JWTVerifier
from .models import Session
from .store import SessionStore
from .tokens import bearer_value, session_cookie, verify_signed_token

_STATE_KEY = "better_auth_session"


class BetterAuth:
    def __init__(
        self,
        *,
        database_url: str | None = None,
        secret: str | None = None,
        mode: Literal["database", "jwt"] = "database",
        trusted_origins: Iterable[str] = (),
        jwks_url: str | None = None,
        jwt_issuer: str | None = None,
        jwt_audience: str | None = None,
        jwt_algorithms: Sequence[str] = ("EdDSA",),
        pool_min_size: int = 1,
        pool_max_size: int = 10,
        prepare: bool | None = None,
        jwt_check_session: bool = False,
        session_cache: bool = True,
        session_cache_ttl: float = 60.0,
        session_cache_size: int = 10_000,
        listen_url: str | None = None,
    ) -> None:
        """``secret`` and ``database_url`` enable session tokens (cookie or bearer); ``mode="jwt"`` also accepts
        Better-Auth JWTs, verified against ``jwks_url`` or the ``jwks`` table. ``prepare=None`` turns server-side
        prepared statements off for transaction poolers (Neon's ``-pooler`` host) and on elsewhere.
        ``jwt_check_session`` (default False): also require the JWT's ``sid`` session to still exist, so a
        sign-out is refused at once, for one primary-key query per request.
        ``session_cache`` (default True): keep validated sessions in memory, forgotten when the auth server's change
        triggers notify (a sign-out is refused within milliseconds) and all dropped whenever the notifications may
        be missed; ``session_cache_ttl`` (default 60 s) bounds any entry's age. ``listen_url`` (default: derived
        from ``database_url``): a direct connection for ``LISTEN``, needed behind a transaction pooler other than
        Neon's, whose direct host is derived; without one the cache stays off."""
        self.trusted = trusted_origin_set(trusted_origins)
        self._secret = secret.encode() if secret else None
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
            if not jwt_issuer or not jwt_audience:
                raise ValueError("JWT mode needs jwt_issuer and jwt_audience (the auth server's base URL)")
            self.jwt = JWTVerifier(
                issuer=jwt_issuer,
                audience=jwt_audience,
                jwks_url=jwks_url,
                database_url=database_url,
                algorithms=tuple(jwt_algorithms),
            )
        elif self.store is None:
            raise ValueError("database mode needs database_url and secret (BETTER_AUTH_SECRET)")

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
    async def startup(self) -> None:
        if self.store:
            await self.store.open()

    async def shutdown(self) -> None:
        if self.store:
            await self.store.close()
        if self.jwt:
            await self.jwt.close()

    @asynccontextmanager
    async def lifespan(self, _app: FastAPI) -> AsyncIterator[None]:
        await self.startup()
        try:
            yield
        finally:
            await self.shutdown()

    def install(self, app: FastAPI) -> None:
        app.add_exception_handler(AuthError, auth_error_handler)

    # -- validation --------------------------------------------------------------------------------------------
    async def authenticate(self, request: Request) -> Session | None:
        """The request's session, or ``None``. Raises AuthError for a cross-site cookie write or an outage."""
        # Cached on the request: protect() and a route's dependency then cost one lookup between them.
        state: dict[str, Any] = request.scope.get("state", {})
        if _STATE_KEY in state:
            cached: Session | None = state[_STATE_KEY]
            return cached
        session = await self._authenticate(request)
        request.state.better_auth_session = session
        return session

    async def _authenticate(self, request: Request) -> Session | None:
        try:
            bearer = bearer_value(request.headers.get("authorization"))
            if bearer is not None:
                if self.jwt and bearer.count(".") == 2:
                    session = await self.jwt.verify(bearer)
                    if session is not None and self.jwt_check_session:
                        assert self.store is not None  # created in __init__ whenever the check is on
                        if not session.session_id or not await self.store.session_exists(session.session_id):
                            return None
                    return session
                return await self._lookup(bearer, "bearer")
            cookie = session_cookie(request.cookies)
            if cookie is None:
                return None
            # Checked before the lookup: a forged cross-site write is refused whether or not the cookie is valid.
            if not origin_allowed(request.method, request.headers.get("origin"), request.headers.get("referer"), self.trusted):
                raise AuthError("INVALID_ORIGIN")
            return await self._lookup(cookie, "cookie")
        except Unavailable as exc:
            raise AuthError("AUTH_UNAVAILABLE") from exc

    async def _lookup(self, value: str, via: Literal["cookie", "bearer"]) -> Session | None:
        if self.store is None or self._secret is None:
            return None
        token = verify_signed_token(value, self._secret)
        if token is None:
            return None
        return await self.store.lookup(token, via)

    async def current_session(self, request: Request) -> Session:
        """FastAPI dependency: the signed-in reader, or 401 UNAUTHENTICATED."""
        session = await self.authenticate(request)
        if session is None:
            raise AuthError("UNAUTHENTICATED")
        return session

    async def complete_profile(self, request: Request) -> Session:
        """FastAPI dependency: a reader whose profile is complete, or 401 / 403 PROFILE_INCOMPLETE."""
        session = await self.current_session(request)
        if not session.profile_complete:
            raise AuthError("PROFILE_INCOMPLETE")
        return session

    def protect(self, app: FastAPI, *, public_paths: Iterable[str] = (), require_profile: bool = True) -> None:
        """Requires a session (and, by default, a complete profile) on every path of ``app`` except
        ``public_paths`` (exact paths or shell-style patterns such as ``/api/public/*``)."""
        app.add_middleware(_Protect, auth=self, public_paths=tuple(public_paths), require_profile=require_profile)


class _Protect:
    """Pure ASGI middleware (no BaseHTTPMiddleware): checks once, and the route's dependencies reuse the result."""

    def __init__(self, app: ASGIApp, *, auth: BetterAuth, public_paths: tuple[str, ...], require_profile: bool) -> None:
        self.app = app
        self.auth = auth
        self.public_paths = public_paths
        self.require_profile = require_profile

    def _public(self, path: str) -> bool:
        return any(path == p or fnmatch.fnmatchcase(path, p) for p in self.public_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "OPTIONS" or self._public(scope["path"]):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        try:
            if self.require_profile:
                await self.auth.complete_profile(request)
            else:
                await self.auth.current_session(request)
        except AuthError as exc:
            await exc.response()(scope, receive, send)
            return
        await self.app(scope, receive, send)
