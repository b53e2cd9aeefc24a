"""Keeps a :class:`SessionCache` honest: ``LISTEN`` on one dedicated connection, forget what each notification names.

The cache is switched on only after ``LISTEN`` succeeded on a database whose change triggers are installed, and off
(and emptied) the moment the connection fails or a heartbeat goes unanswered, so a silent network drop costs at most
``heartbeat`` seconds of trust. The connection reconnects on its own; lookups simply go to the database meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from urllib.parse import urlsplit, urlunsplit

import psycopg

from .cache import CHANNEL, SessionCache

log = logging.getLogger("better_auth_fastapi")

# Installed by the auth server's migration on session, "user" and user_profile.
TRIGGERS_INSTALLED = f"""
SELECT count(DISTINCT tgrelid) = 3 FROM pg_trigger
WHERE tgname = '{CHANNEL}' AND NOT tgisinternal AND tgenabled <> 'D'
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
    def __init__(self, url: str, cache: SessionCache, *, heartbeat: float = 5.0, retry: float = 1.0) -> None:
        """``heartbeat`` (default 5 s): how often a quiet connection is proven alive.
        ``retry`` (default 1 s): the pause between reconnection attempts."""
        self.url = url
        self.cache = cache
        self.heartbeat = heartbeat
        self.retry = retry
        self.listening = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._warned = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="better-auth session invalidation")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self.cache.stop()

    async def _run(self) -> None:
        while True:
            try:
                await self._listen()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure means notifications may have been missed
                if self.cache.enabled:
                    log.warning("session cache off until the change listener reconnects: %s", exc)
            finally:
                self.listening.clear()
                self.cache.stop()
            await asyncio.sleep(self.retry)

    async def _listen(self) -> None:
        conn = await psycopg.AsyncConnection.connect(
            self.url,
            autocommit=True,
            connect_timeout=3,
            application_name="better-auth-fastapi listener",
            # The kernel also gives up on a dead peer, for the rare case where the heartbeat itself hangs.
            keepalives=1, keepalives_idle=5, keepalives_interval=2, keepalives_count=2,
        )
        async with conn:
            while not await self._triggers_installed(conn):
                if not self._warned:
                    log.warning("session cache off: the change triggers are missing; run the auth server's migration")
                    self._warned = True
                await asyncio.sleep(self.heartbeat)
            await conn.execute(f"LISTEN {CHANNEL}")
            self.cache.start()
            self.listening.set()
            while True:
                async for note in conn.notifies(timeout=self.heartbeat):
                    self._apply(note.payload)
                await asyncio.wait_for(conn.execute("SELECT 1"), timeout=self.heartbeat)

    async def _triggers_installed(self, conn: psycopg.AsyncConnection) -> bool:
        cur = await conn.execute(TRIGGERS_INSTALLED)
        row = await cur.fetchone()
        return bool(row and row[0])

    def _apply(self, payload: str) -> None:
        try:
            change = json.loads(payload)
            if "token" in change:
                self.cache.forget_token(str(change["token"]))
            else:
                self.cache.forget_user(str(change["user"]))
        except (ValueError, KeyError, TypeError):
            self.cache.clear()  # a payload we cannot read could name anything
