"""The backend's configuration: environment variables, validated once at startup; errors name the variable."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=True)

    DATABASE_URL: str = Field(pattern=r"^postgres(ql)?://")
    #: Required for session tokens (cookie or bearer); the same value the auth server uses.
    BETTER_AUTH_SECRET: str | None = None
    #: database: sessions are read from the session table, then kept in memory (SESSION_CACHE); revocation is seen
    #: within milliseconds.
    #: jwt: Better-Auth JWTs are verified against the JWKS (no query; valid until they expire).
    AUTH_MODE: Literal["database", "jwt"] = "database"
    #: The auth server's public origin: the trusted origin, and the JWTs' iss and aud.
    PUBLIC_URL: str = Field(default="http://localhost:3000", pattern=r"^https?://")
    TRUSTED_ORIGINS: str = ""
    #: Where to read the JWKS in JWT mode; empty reads the `jwks` table.
    JWKS_URL: str | None = None
    JWT_ALGORITHMS: str = "EdDSA"
    #: JWT mode: also check the token's session (``sid``) still exists: sign-out refused at once, one query.
    JWT_CHECK_SESSION: bool = False
    DATABASE_POOL_MIN: int = Field(default=1, ge=0, le=100)
    DATABASE_POOL_MAX: int = Field(default=10, ge=1, le=200)
    #: true when DATABASE_URL goes through a transaction pooler (PgBouncer): no server-side prepared statements.
    #: Unset: detected from the URL (Neon's ``-pooler`` host, or ``pgbouncer=true``).
    PGBOUNCER: bool | None = None
    #: Keep validated sessions in memory, forgotten on the auth server's change notifications (LISTEN/NOTIFY):
    #: a sign-out is refused within milliseconds. false reads the session table on every request.
    SESSION_CACHE: bool = True
    #: The longest a session is served from memory without a fresh read, in seconds.
    SESSION_CACHE_TTL: float = Field(default=60.0, gt=0, le=3600)
    #: A direct (non-pooled) connection for LISTEN. Unset: DATABASE_URL, or Neon's direct host for a -pooler URL.
    DATABASE_LISTEN_URL: str | None = Field(default=None, pattern=r"^postgres(ql)?://")
    # The next three are the auth server's variables too (npm start hands its environment to the backend), so one
    # setting bounds both servers alike.
    #: The largest request body, in bytes: a larger declared Content-Length is refused before any of it is read,
    #: a streamed body is cut there (413 PAYLOAD_TOO_LARGE).
    PROXY_MAX_BODY_BYTES: int = Field(default=1024 * 1024, ge=0, le=1024 * 1024 * 1024)
    #: A request line and headers must arrive within this many ms of the connection or of the request's first byte
    #: (408; under `python -m app`, whose protocol adds the timer uvicorn lacks).
    HTTP_HEADERS_TIMEOUT_MS: int = Field(default=10_000, ge=100, le=300_000)
    #: A request body must arrive within this many ms of its headers (408 REQUEST_TIMEOUT).
    HTTP_REQUEST_TIMEOUT_MS: int = Field(default=30_000, ge=100, le=3_600_000)
    #: production refuses a weak BETTER_AUTH_SECRET even with an http PUBLIC_URL (an https one always does).
    NODE_ENV: str = "development"

    @model_validator(mode="after")
    def _secret_for_database_mode(self) -> Settings:
        if self.AUTH_MODE == "database" and not self.BETTER_AUTH_SECRET:
            raise ValueError("BETTER_AUTH_SECRET is required when AUTH_MODE=database (the auth server's secret)")
        if self.JWT_CHECK_SESSION and self.AUTH_MODE != "jwt":
            raise ValueError("JWT_CHECK_SESSION=true needs AUTH_MODE=jwt")
        if self.HTTP_HEADERS_TIMEOUT_MS > self.HTTP_REQUEST_TIMEOUT_MS:
            raise ValueError("HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS (as the auth server requires)")
        return self

    @property
    def prepare_statements(self) -> bool | None:
        return None if self.PGBOUNCER is None else not self.PGBOUNCER

    @property
    def trusted_origins(self) -> list[str]:
        """TRUSTED_ORIGINS; PUBLIC_URL is always trusted too."""
        return [o.strip() for o in self.TRUSTED_ORIGINS.split(",") if o.strip()]


class ConfigError(Exception):
    pass


# `.env` at the repository root, read as the auth server reads it: for variables the environment does not set, never
# under NODE_ENV=test (a developer's file must not change what the tests run).
DOT_ENV = Path(__file__).resolve().parents[4] / ".env"


def load_settings() -> Settings:
    env_file = DOT_ENV if os.environ.get("NODE_ENV") != "test" and DOT_ENV.is_file() else None
    try:
        return Settings(_env_file=env_file)  # type: ignore[call-arg]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = ".".join(str(p) for p in err["loc"]) or "configuration"
            lines.append(f"  {name}: {err['msg']}")
        raise ConfigError("Invalid backend configuration; set these environment variables:\n" + "\n".join(lines)) from None
