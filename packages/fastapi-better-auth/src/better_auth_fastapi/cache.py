"""A per-process cache of validated sessions, trusted only while change notifications are being received.

Contract: the auth server's migration adds triggers on ``session``, ``"user"`` and ``user_profile`` that
``pg_notify(CHANNEL, ...)`` on every change (names in contract.json; the onboarding package's session-changes.ts
states the contract). The listener in
``invalidation.py`` turns each notification into :meth:`SessionCache.forget_token`, :meth:`forget_user` or
:meth:`clear`, and proves every few seconds that notifications still arrive by sending itself one through the
session pool. Trust is a lease: each proof extends it, and once it lapses nothing is served, whatever the listener
task is doing. So a cached session is never served longer than a notification takes to arrive, and never for long
when notifications might be missed.

A lookup that raced a change must not re-insert the stale row it read: ``put`` only accepts a value read under the
current :attr:`generation`, which every notification and every clear advances.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

from .contract import CHANNEL
from .models import Session

__all__ = ["CHANNEL", "SessionCache"]


class Clock(Protocol):
    """What the cache reads the time from: the ``time`` module itself, or a clock a test moves by hand."""

    def time(self) -> float: ...

    def monotonic(self) -> float: ...


@dataclass(slots=True)
class _Entry:
    session: Session
    until: float  # time.time(): the session's own expiry or the ttl, whichever comes first


class SessionCache:
    def __init__(self, *, max_entries: int = 10_000, ttl: float = 60.0, clock: Clock = time) -> None:
        """``max_entries`` (default 10,000): least recently used sessions are dropped beyond it.
        ``ttl`` (default 60 s): the longest a session is served from memory without a fresh read, a bound that
        holds even if a notification were lost in a way the listener cannot see.
        ``clock`` (default the ``time`` module): lets tests cross an expiry or a lapse without sleeping."""
        self._clock = clock
        self.max_entries = max_entries
        self.ttl = ttl
        self.generation = 0
        self._trusted_until = 0.0  # time.monotonic()
        self._by_token: OrderedDict[str, _Entry] = OrderedDict()
        self._tokens_by_user: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self._by_token)

    @property
    def enabled(self) -> bool:
        return self._clock.monotonic() < self._trusted_until

    def get(self, token: str) -> Session | None:
        if not self.enabled:
            return None
        entry = self._by_token.get(token)
        if entry is None:
            return None
        if entry.until <= self._clock.time():
            self._drop(token)
            return None
        self._by_token.move_to_end(token)
        return entry.session

    def put(self, token: str, session: Session, generation: int) -> None:
        """Keeps ``session``, read from the database under ``generation``, unless anything changed since."""
        if not self.enabled or generation != self.generation:
            return
        until = self._clock.time() + self.ttl
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

    def trust_for(self, seconds: float) -> None:
        """Called each time notifications are proven to arrive. After a lapse, anything kept may be stale."""
        if not self.enabled:
            self.clear()
        self._trusted_until = self._clock.monotonic() + seconds

    def stop(self) -> None:
        """Called when notifications may be missed (the listening connection dropped)."""
        self._trusted_until = 0.0
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
