"""Keeps a :class:`SessionCache` honest: ``LISTEN`` on one dedicated connection, forget what each notification names.

Every ``heartbeat`` seconds the listener checks the change triggers are still installed and enabled, sends itself a
probe notification through the session pool (``send_probe``) and waits for it on the listening connection. Only a
probe that comes back extends the cache's trust, by two heartbeats. That one test covers a dropped or silent
connection, a transaction pooler in the path (``LISTEN`` succeeds there but nothing is ever delivered) and a listen
URL that names another database; and because trust is a lease, it lapses on time even if the listener task hangs.
The connection reconnects on its own; lookups simply go to the database meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit, urlunsplit

import psycopg

from .cache import SessionCache
from .contract import CHANGE_TABLES, CHANNEL, OPTIONAL_CHANGE_TABLES, PAYLOAD, TRIGGER_NAMES

log = logging.getLogger("better_auth_fastapi")

# Every trigger of the contract (a row trigger and a TRUNCATE trigger), installed and enabled, on each of its tables
# (session, "user" and, where the onboarding plugin's table exists, user_profile): by the onboarding plugin's
# migration, or by triggers.py.
_REGCLASSES = ", ".join(f"to_regclass('{t}')" for t in CHANGE_TABLES)
_REQUIRED = " AND ".join(
    f"to_regclass('{t}') IS NOT NULL" for t in CHANGE_TABLES if t not in OPTIONAL_CHANGE_TABLES
)
_NAMES = ", ".join(f"'{name}'" for name in TRIGGER_NAMES)
TRIGGERS_INSTALLED = f"""
WITH tables AS (
  SELECT t FROM unnest(ARRAY[{_REGCLASSES}]) AS t
  WHERE t IS NOT NULL
)
SELECT {_REQUIRED}
   AND (SELECT count(*) FROM pg_trigger g JOIN tables ON g.tgrelid = tables.t
        WHERE g.tgname IN ({_NAMES}) AND NOT g.tgisinternal AND g.tgenabled <> 'D')
       = {len(TRIGGER_NAMES)} * (SELECT count(*) FROM tables)
"""


def listen_url_for(database_url: str) -> str | None:
    """Where ``LISTEN`` can run. A transaction pooler hands each transaction to any server connection, so it
    cannot hold a listening one: Neon's pooled host (``-pooler``) has a direct twin without the suffix; for any
    other pooler the caller must give a direct URL, or the cache stays off."""
    parts = urlsplit(database_url)
    host = parts.hostname or ""
    if "-pooler." in host:
        return urlunsplit(parts._replace(netloc=parts.netloc.replace("-pooler.", ".", 1)))
    if "pgbouncer=true" in database_url:
        return None
    return database_url


class InvalidationListener:
    def __init__(
        self,
        url: str,
        cache: SessionCache,
        send_probe: Callable[[str], Awaitable[None]],
        *,
        heartbeat: float = 2.0,
        retry: float = 1.0,
    ) -> None:
        """``send_probe(payload)`` must ``pg_notify`` the channel with ``payload`` over another connection.
        ``heartbeat`` (default 2 s): how often delivery is proven; trust lapses two heartbeats after the last proof.
        ``retry`` (default 1 s): the pause between reconnection attempts."""
        self.url = url
        self.cache = cache
        self.send_probe = send_probe
        self.heartbeat = heartbeat
        self.retry = retry
        self.listening = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._warned = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="better-auth session invalidation")

    async def stop(self) -> None:
        self._stopping = True
        self.cache.stop()
        if self._task is not None:
            # Asked again until it ends: a cancellation can be lost inside library code (psycopg waits out a
            # server-side cancel; asyncio.wait_for on 3.11 can swallow one), and shutdown must not hang on it.
            for _ in range(100):
                self._task.cancel()
                done, _pending = await asyncio.wait({self._task}, timeout=0.1)
                if done:
                    break
            self._task = None

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await self._listen()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure means notifications may have been missed
                if self.cache.enabled:
                    log.warning("session cache off until the change listener reconnects: %r", exc)
            finally:
                self.listening.clear()
                self.cache.stop()
            await asyncio.sleep(self.retry)

    async def _listen(self) -> None:
        conn = await psycopg.AsyncConnection.connect(
            self.url,
            autocommit=True,
            connect_timeout=3,
            application_name="fastapi-better-auth listener",
            keepalives=1, keepalives_idle=5, keepalives_interval=2, keepalives_count=2,
        )
        async with conn:
            await conn.execute(f"LISTEN {CHANNEL}")
            while not self._stopping:
                if await self._prove_delivery(conn):
                    self.cache.trust_for(2 * self.heartbeat)
                    self.listening.set()
                else:
                    self.cache.stop()
                    self.listening.clear()
                async for note in conn.notifies(timeout=self.heartbeat):
                    self._apply(note.payload)

    async def _prove_delivery(self, conn: psycopg.AsyncConnection) -> bool:
        """True once the triggers are installed and a probe sent through the pool came back on this connection.
        Raises when the probe does not come back: the connection cannot be trusted to deliver."""
        async with asyncio.timeout(self.heartbeat):
            cur = await conn.execute(TRIGGERS_INSTALLED)
            row = await cur.fetchone()
        if not (row and row[0]):
            if not self._warned:
                log.warning(
                    "session cache off: the change triggers are missing or disabled; install them with "
                    "`python -m better_auth_fastapi install-triggers` (or the onboarding plugin's migration)"
                )
                self._warned = True
            return False
        nonce = secrets.token_hex(8)
        async with asyncio.timeout(self.heartbeat):
            await self.send_probe(json.dumps({PAYLOAD["probe"]: nonce}))
        deadline = time.monotonic() + self.heartbeat
        while (left := deadline - time.monotonic()) > 0:
            # aclosing: the generator holds the connection's lock until it is closed, not just left.
            async with contextlib.aclosing(conn.notifies(timeout=left)) as notes:
                async for note in notes:
                    if self._apply(note.payload) == nonce:
                        return True
        raise TimeoutError("the probe notification did not come back: is LISTEN going through a pooler?")

    def _apply(self, payload: str) -> str | None:
        """Forgets what ``payload`` names; returns a probe's nonce (probes of other processes are ignored)."""
        try:
            change = json.loads(payload)
            if PAYLOAD["probe"] in change:
                return str(change[PAYLOAD["probe"]])
            if PAYLOAD["token"] in change:
                self.cache.forget_token(str(change[PAYLOAD["token"]]))
            elif PAYLOAD["user"] in change:
                self.cache.forget_user(str(change[PAYLOAD["user"]]))
            else:
                self.cache.clear()  # {"all": true}: a table was truncated
        except (ValueError, KeyError, TypeError, AttributeError):
            self.cache.clear()  # a payload we cannot read could name anything
        return None
