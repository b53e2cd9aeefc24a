"""A per-process cache of validated sessions, trusted only while change notifications are being received.

Contract: the auth server's migration adds triggers on ``session``, ``"user"`` and ``user_profile`` that
``pg_notify(CHANNEL, ...)`` on every change (see apps/server/src/database/session-changes.ts). The listener in
``invalidation.py`` turns each notification into :meth:`SessionCache.forget_token` or :meth:`forget_user`, and
switches the cache off (and empties it) whenever its connection drops. So a cached session is never served longer
than a notification takes to arrive, and never when notifications might be missed.

A lookup that raced a change must not re-insert the stale row it read: ``put`` only accepts a value read under the
current :attr:`generation`, which every notification and every clear advances.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass

from .models import Session

CHANNEL = "better_auth_session_changes"


@dataclass(slots=True)
class _Entry:
    session: Session
    until: float  # time.time(): the session's own expiry or the ttl, whichever comes first


class SessionCache:
    def __init__(self, *, max_entries: int = 10_000, ttl: float = 60.0) -> None:
        """``max_entries`` (default 10,000): least recently used sessions are dropped beyond it.
        ``ttl`` (default 60 s): the longest a session is served from memory without a fresh read, a bound that
        holds even if a notification were lost in a way the listener cannot see."""
        self.max_entries = max_entries
        self.ttl = ttl
        self.enabled = False
        self.generation = 0
        self._by_token: OrderedDict[str, _Entry] = OrderedDict()
        self._tokens_by_user: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self._by_token)

    def get(self, token: str) -> Session | None:
        entry = self._by_token.get(token)
        if entry is None:
            return None
        if entry.until <= time.time():
            self._drop(token)
            return None
        self._by_token.move_to_end(token)
        return entry.session

    def put(self, token: str, session: Session, generation: int) -> None:
        """Keeps ``session``, read from the database under ``generation``, unless anything changed since."""
        if not self.enabled or generation != self.generation:
            return
        until = time.time() + self.ttl
        if session.expires_at is not None:
            until = min(until, session.expires_at.timestamp())
        self._drop(token)
        self._by_token[token] = _Entry(session, until)
        self._tokens_by_user.setdefault(session.user.id, set()).add(token)
        while len(self._by_token) > self.max_entries:
            self._drop(next(iter(self._by_token)))

    def forget_token(self, token: str) -> None:
        self.generation += 1
        self._drop(token)

    def forget_user(self, user_id: str) -> None:
        self.generation += 1
        for token in self._tokens_by_user.pop(user_id, set()):
            self._by_token.pop(token, None)

    def clear(self) -> None:
        self.generation += 1
        self._by_token.clear()
        self._tokens_by_user.clear()

    def start(self) -> None:
        """Called once notifications are being received: anything read before that may be stale."""
        self.clear()
        self.enabled = True

    def stop(self) -> None:
        """Called when notifications may be missed (the listening connection dropped)."""
        self.enabled = False
        self.clear()

    def _drop(self, token: str) -> None:
        entry = self._by_token.pop(token, None)
        if entry is None:
            return
        tokens = self._tokens_by_user.get(entry.session.user.id)
        if tokens is not None:
            tokens.discard(token)
            if not tokens:
                del self._tokens_by_user[entry.session.user.id]
