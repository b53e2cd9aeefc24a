"""JWT validation: tokens from Better-Auth's ``jwt`` plugin, checked against its JWKS with no database query.

Keys come from the JWKS URL (``/api/auth/jwks``) or straight from the ``jwks`` table, are cached, and are fetched
again on a schedule (``key_refresh_interval``: a withdrawn key stops verifying within it, whatever tokens arrive)
and when a token names an unknown key id (at most once per ``refetch_interval``, so forged key ids cannot make
us hammer the source). While the source cannot be reached the last keys keep verifying until they are
``key_max_age`` old; after that every token gets "unavailable" (503), never a pass. Only the allow-listed algorithms are accepted; ``iss``, ``aud`` and ``exp`` are required.
The price: a token stays valid until it expires (15 minutes by default) even after sign-out. So a verified token
is remembered until its ``exp`` (a token's bytes cannot change), and the signature check is skipped when it comes
back; a key set that loses a key forgets them all.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import jwt
import psycopg

from .cache import Clock
from .contract import JWT_CLAIMS, JWT_PROFILE_COMPLETED
from .errors import Unavailable
from .models import Profile, Session, User


class JWTVerifier:
    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks_url: str | None = None,
        database_url: str | None = None,
        algorithms: tuple[str, ...] = ("EdDSA",),
        refetch_interval: float = 30.0,
        leeway: float = 5.0,
        key_grace_period: float = 30 * 24 * 3600.0,
        failure_backoff: float = 1.0,
        verified_cache_size: int = 10_000,
        key_refresh_interval: float = 300.0,
        key_max_age: float = 900.0,
        clock: Clock = time,
    ) -> None:
        """``refetch_interval`` (default 30 s): the least time between two JWKS loads caused by unknown key ids.
        ``leeway`` (default 5 s): clock skew allowed on ``exp``. ``key_grace_period`` (default 30 days, Better-Auth's
        ``jwks.gracePeriod``): how long a rotated key read from the ``jwks`` table keeps verifying.
        ``failure_backoff`` (default 1 s): after a failed load, requests needing a new key get 503 without trying.
        ``verified_cache_size`` (default 10,000): how many verified tokens are remembered (0: none).
        ``key_refresh_interval`` (default 300 s): the key set is reloaded once it is this old.
        ``key_max_age`` (default 900 s): while reloading fails, the last key set is used until it is this old.
        ``clock`` (default the ``time`` module): its ``monotonic()`` times the key set's age and the failure
        backoff, so tests can age it without sleeping; token expiry stays on PyJWT's own wall clock."""
        if not 0 < key_refresh_interval <= key_max_age:
            raise ValueError("key_refresh_interval must be positive and at most key_max_age")
        if not jwks_url and not database_url:
            raise ValueError("JWT mode needs a JWKS URL or the database URL holding the `jwks` table")
        if not algorithms or any(a.lower() == "none" or a.startswith("HS") for a in algorithms):
            # HS* with a public key as the secret is the classic algorithm-confusion attack.
            raise ValueError("JWT algorithms must be asymmetric (for example EdDSA, ES256, RS256)")
        self.issuer = issuer
        self.audience = audience
        self.jwks_url = jwks_url
        self.database_url = database_url
        self.algorithms = list(algorithms)
        self.refetch_interval = refetch_interval
        self.leeway = leeway
        self.key_grace_period = key_grace_period
        self.failure_backoff = failure_backoff
        self.key_refresh_interval = key_refresh_interval
        self.key_max_age = key_max_age
        self._clock = clock
        self._failed_at = float("-inf")
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()
        self._http = httpx.AsyncClient(timeout=3.0)
        self.verified_cache_size = verified_cache_size
        self._verified: dict[str, tuple[Session, float]] = {}

    async def close(self) -> None:
        await self._http.aclose()

    async def _load_jwks(self) -> list[dict[str, Any]]:
        try:
            if self.jwks_url:
                response = await self._http.get(self.jwks_url)
                response.raise_for_status()
                return list(response.json().get("keys", []))
            assert self.database_url is not None  # checked in __init__: one of the two sources is set
            async with await psycopg.AsyncConnection.connect(self.database_url, connect_timeout=3) as conn:
                # The same keys Better-Auth's /jwks publishes: rotated keys stay valid for a grace period after
                # their expiry (tokens signed just before rotation must still verify), and the row id is the kid.
                cur = await conn.execute(
                    'SELECT id, "publicKey", alg, crv FROM jwks'
                    ' WHERE "expiresAt" IS NULL OR "expiresAt" > now() - make_interval(secs => %s)',
                    (self.key_grace_period,),
                )
                keys = []
                for key_id, public_key, alg, crv in await cur.fetchall():
                    jwk = json.loads(public_key)
                    jwk["kid"] = key_id
                    if alg:
                        jwk.setdefault("alg", alg)
                    if crv:
                        jwk.setdefault("crv", crv)
                    keys.append(jwk)
                return keys
        except (httpx.HTTPError, psycopg.Error, ValueError) as exc:
            raise Unavailable(f"cannot load the JWKS: {exc}") from exc

    async def _reload(self) -> None:
        """Loads the key set; the caller holds the lock."""
        # While the source is down, answer "unavailable" at once instead of queueing every request behind
        # another timed-out fetch.
        if self._clock.monotonic() - self._failed_at < self.failure_backoff:
            raise Unavailable("the JWKS source failed moments ago")
        try:
            loaded = await self._load_jwks()
        except Unavailable:
            self._failed_at = self._clock.monotonic()
            raise
        keys: dict[str, jwt.PyJWK] = {}
        for data in loaded:
            try:
                keys[data["kid"]] = jwt.PyJWK(data)
            except (jwt.PyJWKError, KeyError):
                continue
        if not self._keys.keys() <= keys.keys():
            self._verified.clear()  # a key was withdrawn: what it signed must be checked again
        self._keys = keys
        self._fetched_at = self._clock.monotonic()

    async def _ensure_fresh(self) -> None:
        """Reloads a key set older than ``key_refresh_interval``; refuses to use one older than ``key_max_age``."""
        age = self._clock.monotonic() - self._fetched_at
        if age < self.key_refresh_interval:
            return
        if self._lock.locked() and age < self.key_max_age:
            return  # another request is reloading; the current keys still serve meanwhile
        async with self._lock:
            if self._clock.monotonic() - self._fetched_at < self.key_refresh_interval:
                return
            try:
                await self._reload()
            except Unavailable:
                if self._clock.monotonic() - self._fetched_at >= self.key_max_age:
                    # Too old to trust: a key withdrawn meanwhile would still verify.
                    self._keys = {}
                    self._verified.clear()
                    raise

    async def _key(self, kid: str) -> jwt.PyJWK | None:
        if kid in self._keys:
            return self._keys[kid]
        async with self._lock:
            if kid not in self._keys and self._clock.monotonic() - self._fetched_at >= self.refetch_interval:
                await self._reload()
        return self._keys.get(kid)

    async def verify(self, token: str) -> Session | None:
        """The session a valid token proves, or ``None`` for any invalid token."""
        await self._ensure_fresh()
        remembered = self._verified.get(token)
        if remembered is not None:
            if time.time() < remembered[1]:
                return remembered[0]
            del self._verified[token]
        session, expires = await self._verify(token)
        if session is not None and self.verified_cache_size > 0:
            if len(self._verified) >= self.verified_cache_size:
                del self._verified[next(iter(self._verified))]  # the oldest
            self._verified[token] = (session, expires)
        return session

    async def _verify(self, token: str) -> tuple[Session | None, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            return None, 0.0
        kid, alg = header.get("kid"), header.get("alg")
        if not isinstance(kid, str) or alg not in self.algorithms:
            return None, 0.0
        key = await self._key(kid)
        if key is None:
            return None, 0.0
        try:
            claims = jwt.decode(
                token,
                key=key.key,
                algorithms=[alg],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError:
            return None, 0.0
        # Remembered no longer than jwt.decode would accept it; the leeway is not extended to the memory.
        return _session_from_claims(claims), float(claims["exp"])


def _session_from_claims(claims: dict[str, Any]) -> Session:
    # The claims are the onboarding plugin's JWT payload (its jwt.ts), named by the shared contract.
    raw = claims.get(JWT_CLAIMS["profile"])
    profile = None
    if isinstance(raw, dict):
        profile = Profile(raw.get("pythonProficiency"), raw.get("developerRole"), bool(raw.get(JWT_PROFILE_COMPLETED)))
    user = User(str(claims["sub"]), str(claims.get(JWT_CLAIMS["email"], "")), str(claims.get(JWT_CLAIMS["name"], "")))
    return Session(user, profile, claims.get(JWT_CLAIMS["sessionId"]), None, "jwt")
