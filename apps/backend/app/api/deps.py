"""Auth and the database are wired here, once: routes ask for a ``Reader`` or a ``Db`` and never parse tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import psycopg
from better_auth_fastapi import AuthError, BetterAuth, Session
from fastapi import Depends, Request
from psycopg import AsyncConnection
from psycopg_pool import PoolTimeout

from app.core.config import Settings


def build_auth(settings: Settings) -> BetterAuth:
    return BetterAuth(
        public_url=settings.PUBLIC_URL,
        database_url=settings.DATABASE_URL,
        secret=settings.BETTER_AUTH_SECRET,
        mode=settings.AUTH_MODE,
        trusted_origins=settings.trusted_origins,
        jwks_url=settings.JWKS_URL,
        jwt_algorithms=tuple(a.strip() for a in settings.JWT_ALGORITHMS.split(",") if a.strip()),
        pool_min_size=settings.DATABASE_POOL_MIN,
        pool_max_size=settings.DATABASE_POOL_MAX,
        prepare=settings.prepare_statements,
        jwt_check_session=settings.JWT_CHECK_SESSION,
        session_cache=settings.SESSION_CACHE,
        session_cache_ttl=settings.SESSION_CACHE_TTL,
        listen_url=settings.DATABASE_LISTEN_URL,
        max_body_size=settings.PROXY_MAX_BODY_BYTES,
        body_timeout=settings.HTTP_REQUEST_TIMEOUT_MS / 1000,
        strict_secret=settings.NODE_ENV == "production",
    )


async def _reader(request: Request) -> Session:
    auth: BetterAuth = request.app.state.auth
    return await auth.complete_profile(request)


async def _signed_in(request: Request) -> Session:
    auth: BetterAuth = request.app.state.auth
    return await auth.current_session(request)


async def _db(request: Request) -> AsyncIterator[AsyncConnection]:
    try:
        async with request.app.state.db.connection() as conn:
            yield conn
    except (PoolTimeout, psycopg.OperationalError) as exc:
        raise AuthError("AUTH_UNAVAILABLE") from exc


Reader = Annotated[Session, Depends(_reader)]
# Signed in, whatever the profile says: for what a reader may always do with their own data (export it).
SignedIn = Annotated[Session, Depends(_signed_in)]
Db = Annotated[AsyncConnection, Depends(_db)]
