"""Database-backed validation: one indexed query joins ``session``, ``"user"`` and ``user_profile``.

A session is valid while its row exists and ``"expiresAt" > now()``; Better-Auth deletes the row on sign-out and
revocation. With a :class:`SessionCache`, a session read once is served from memory until a change notification
names it (milliseconds after a sign-out commits) or the cache's ttl ends; without one, every request reads the row.

``user_profile`` is the onboarding plugin's table. A Better-Auth database without it is read without the join: its
sessions validate with no profile (``Session.profile`` is ``None``). Which query applies is read from the database
once it is reached, and again whenever a table the query names turns out to be missing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal
from urllib.parse import urlparse

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from .cache import SessionCache
from .contract import CHANNEL, SESSION_COLUMNS, USER_COLUMNS
from .errors import SchemaError, Unavailable
from .invalidation import InvalidationListener, log
from .models import Profile, Session, User

# Better-Auth's tables and columns, as the shared contract names them (contract.json's sessionColumns).
S, U = SESSION_COLUMNS, USER_COLUMNS

LOOKUP = f"""
SELECT s.{S["id"]}, s.{S["expiresAt"]}, u.{U["id"]}, u.{U["email"]}, u.{U["name"]},
       p.python_proficiency::text, p.developer_role::text, p.onboarding_completed
FROM {S["table"]} s
JOIN {U["table"]} u ON u.{U["id"]} = s.{S["userId"]}
LEFT JOIN user_profile p ON p.user_id = u.{U["id"]}
WHERE s.{S["token"]} = %s AND s.{S["expiresAt"]} > now()
"""


# The same columns, for a Better-Auth database without the onboarding plugin's table: no profile.
LOOKUP_WITHOUT_PROFILE = f"""
SELECT s.{S["id"]}, s.{S["expiresAt"]}, u.{U["id"]}, u.{U["email"]}, u.{U["name"]}, NULL, NULL, NULL
FROM {S["table"]} s
JOIN {U["table"]} u ON u.{U["id"]} = s.{S["userId"]}
WHERE s.{S["token"]} = %s AND s.{S["expiresAt"]} > now()
"""

TABLES_PRESENT = (
    f"SELECT to_regclass('{S['table']}') IS NOT NULL, to_regclass('{U['table']}') IS NOT NULL,"
    " to_regclass('user_profile') IS NOT NULL"
)

SESSION_EXISTS = f'SELECT 1 FROM {S["table"]} WHERE {S["id"]} = %s AND {S["expiresAt"]} > now()'


def is_transaction_pooler(url: str) -> bool:
    """Neon's pooled endpoint (PgBouncer, transaction mode) cannot keep server-side prepared statements."""
    host = urlparse(url).hostname or ""
    return "-pooler." in host or "pgbouncer=true" in url


def connection_kwargs(database_url: str, prepare: bool | None = None) -> dict[str, Any]:
    """psycopg connection options for a pool on ``database_url``. ``prepare=None`` decides from the URL: a
    transaction pooler hands each transaction to any server connection, where a statement prepared on another
    one does not exist, so preparing is switched off there (``prepare_threshold=None``). Elsewhere the session
    query is prepared on first use (``prepare_threshold=0``), which saves its planning on every request."""
    use_prepared = (not is_transaction_pooler(database_url)) if prepare is None else prepare
    return {"prepare_threshold": 0 if use_prepared else None, "autocommit": True}


class SessionStore:
    def __init__(
        self,
        database_url: str,
        *,
        min_size: int = 1,
        max_size: int = 10,
        prepare: bool | None = None,
        timeout: float = 3.0,
        cache: SessionCache | None = None,
        listen_url: str | None = None,
    ) -> None:
        """``cache`` is only consulted while ``listen_url`` (a direct, non-pooled connection) receives the change
        notifications; without ``listen_url`` it is never switched on."""
        self.pool = AsyncConnectionPool(
            database_url,
            min_size=min_size,
            max_size=max_size,
            open=False,
            timeout=timeout,
            # Keep trying to reconnect for as long as the process lives: the database coming back is normal.
            reconnect_timeout=float("inf"),
            kwargs=connection_kwargs(database_url, prepare),
        )
        self.cache = cache
        # None until the database has been reached: whether the onboarding plugin's table is there.
        self.has_profile_table: bool | None = None
        self.listener = (
            InvalidationListener(listen_url, cache, self._notify) if cache is not None and listen_url else None
        )

    async def open(self) -> None:
        # wait=False: the backend starts (and answers 503) even while the database is down.
        await self.pool.open(wait=False)
        if self.listener:
            self.listener.start()
        elif self.cache is not None:
            log.warning("session cache off: LISTEN needs a direct database connection; set listen_url")

    async def close(self) -> None:
        if self.listener:
            await self.listener.stop()
        await self.pool.close()

    async def lookup(self, token: str, via: Literal["cookie", "bearer"], *, fresh: bool = False) -> Session | None:
        """``fresh`` reads the database whatever the cache holds (and keeps what it read)."""
        cache = self.cache
        generation = 0
        if cache is not None:
            cached = None if fresh else cache.get(token)
            if cached is not None:
                return cached if cached.via == via else replace(cached, via=via)
            generation = cache.generation
        row = await self._fetch_session(token)
        if row is None:
            return None
        session_id, expires_at, user_id, email, name, proficiency, role, completed = row
        profile = None if completed is None else Profile(proficiency, role, bool(completed))
        session = Session(User(user_id, email, name), profile, session_id, expires_at, via)
        if cache is not None:
            cache.put(token, session, generation)
        return session

    async def read_schema(self, timeout: float | None = None) -> bool:
        """Whether the onboarding plugin's ``user_profile`` exists (and remembers it). Raises :class:`SchemaError`
        when Better-Auth's own tables are missing, :class:`Unavailable` when the database cannot be reached."""
        row = await self._fetch_one(None, TABLES_PRESENT, timeout=timeout)
        assert row is not None
        has_session, has_user, has_profile = row
        if not (has_session and has_user):
            raise SchemaError(
                'this database has no Better-Auth tables (session, "user"): run Better-Auth\'s migration first'
            )
        self.has_profile_table = bool(has_profile)
        return self.has_profile_table

    async def _fetch_session(self, token: str) -> tuple[Any, ...] | None:
        for attempt in (0, 1):
            if self.has_profile_table is None:
                try:
                    await self.read_schema()
                except SchemaError as exc:
                    log.error("session lookups impossible: %s", exc)
                    raise Unavailable(str(exc)) from exc
            try:
                return await self._fetch_one(token, LOOKUP if self.has_profile_table else LOOKUP_WITHOUT_PROFILE)
            except psycopg.errors.UndefinedTable as exc:
                # A table went away (or the onboarding plugin's was dropped) since the schema was read: read it again.
                self.has_profile_table = None
                if attempt == 1:
                    raise Unavailable(str(exc)) from exc
        return None

    async def session_exists(self, session_id: str) -> bool:
        """For JWT mode's optional revocation check: the JWT's ``sid`` still names a live session."""
        try:
            return await self._fetch_one(session_id, SESSION_EXISTS) is not None
        except psycopg.errors.UndefinedTable as exc:
            raise Unavailable(str(exc)) from exc

    async def _notify(self, payload: str) -> None:
        """The listener's probe goes out through the pool, the path every lookup takes."""
        async with self.pool.connection() as conn:
            await conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))

    async def _fetch_one(self, value: str | None, query: str, *, timeout: float | None = None) -> tuple[Any, ...] | None:
        # One retry: after a database restart the pool may hand out a connection that died with it.
        for attempt in (0, 1):
            try:
                async with self.pool.connection(timeout=timeout) as conn:
                    cur = await conn.execute(query, () if value is None else (value,))
                    return await cur.fetchone()
            except PoolTimeout as exc:
                raise Unavailable("no database connection available") from exc
            except psycopg.OperationalError as exc:
                if attempt == 1:
                    raise Unavailable(str(exc)) from exc
            except psycopg.errors.UndefinedTable:
                raise  # the caller reads the schema again
            except psycopg.Error as exc:
                # Anything else the database refuses (a permission, a column Better-Auth renamed) is no pass and no
                # bare 500 either: the request gets AUTH_UNAVAILABLE's JSON, the log the reason.
                log.error("session query failed: %r", exc)
                raise Unavailable(str(exc)) from exc
        return None
