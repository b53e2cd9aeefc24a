"""Misconfiguration fails at startup with a message naming the variable."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import PYTHON

BACKEND = Path(__file__).resolve().parents[1]
STRONG = "Zq3vT9xLk2Wm8RbN4cYp7HsJd6GfAe5U"


def start(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "BETTER_AUTH_SECRET", "AUTH_MODE", "PUBLIC_URL"}}
    return subprocess.run([PYTHON, "-c", "from app.main import app"], cwd=BACKEND, env={**clean, **env}, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    "env, variable",
    [
        ({}, "DATABASE_URL"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://x/y"}, "BETTER_AUTH_SECRET"),
        ({"DATABASE_URL": "postgres://x/y", "BETTER_AUTH_SECRET": "s" * 40, "AUTH_MODE": "magic"}, "AUTH_MODE"),
        ({"DATABASE_URL": "postgres://x/y", "AUTH_MODE": "jwt", "JWT_ALGORITHMS": "HS256"}, "JWT"),
        ({"DATABASE_URL": "postgres://x/y", "BETTER_AUTH_SECRET": "s" * 40, "PGBOUNCER": "maybe"}, "PGBOUNCER"),
        ({"DATABASE_URL": "postgres://x/y", "BETTER_AUTH_SECRET": "s" * 40, "DATABASE_POOL_MAX": "0"}, "DATABASE_POOL_MAX"),
        ({"DATABASE_URL": "postgres://x/y", "BETTER_AUTH_SECRET": "s" * 40, "JWT_CHECK_SESSION": "true"}, "JWT_CHECK_SESSION"),
        ({"DATABASE_URL": "postgres://x/y", "BETTER_AUTH_SECRET": "s" * 40, "SESSION_CACHE": "sometimes"}, "SESSION_CACHE"),
        ({"DATABASE_URL": "postgres://x/y", "BETTER_AUTH_SECRET": "s" * 40, "SESSION_CACHE_TTL": "0"}, "SESSION_CACHE_TTL"),
        ({"DATABASE_URL": "postgres://x/y", "BETTER_AUTH_SECRET": "s" * 40, "DATABASE_LISTEN_URL": "x"}, "DATABASE_LISTEN_URL"),
        ({"DATABASE_URL": "postgres://x/y", "BETTER_AUTH_SECRET": STRONG, "PROXY_MAX_BODY_BYTES": "-1"}, "PROXY_MAX_BODY_BYTES"),
        ({"DATABASE_URL": "postgres://x/y", "BETTER_AUTH_SECRET": STRONG, "HTTP_REQUEST_TIMEOUT_MS": "0"}, "HTTP_REQUEST_TIMEOUT_MS"),
        ({"DATABASE_URL": "postgres://x/y", "BETTER_AUTH_SECRET": STRONG, "HTTP_HEADERS_TIMEOUT_MS": "never"}, "HTTP_HEADERS_TIMEOUT_MS"),
        ({"DATABASE_URL": "postgres://x/y", "BETTER_AUTH_SECRET": STRONG, "HTTP_HEADERS_TIMEOUT_MS": "40000"}, "HTTP_HEADERS_TIMEOUT_MS"),
        # Exact origins only, as the auth server requires: its Better-Auth would read "*" as a wildcard.
        ({"DATABASE_URL": "postgres://x/y", "BETTER_AUTH_SECRET": STRONG, "TRUSTED_ORIGINS": "https://*.example.com"}, "TRUSTED_ORIGINS"),
        # A weak secret: refused for an https PUBLIC_URL, and in production, as the auth server refuses it.
        ({"DATABASE_URL": "postgres://x/y", "BETTER_AUTH_SECRET": "s" * 40, "PUBLIC_URL": "https://book.example"}, "BETTER_AUTH_SECRET"),
        ({"DATABASE_URL": "postgres://x/y", "BETTER_AUTH_SECRET": "changeme", "NODE_ENV": "production"}, "BETTER_AUTH_SECRET"),
    ],
)
def test_bad_configuration_names_the_variable(env, variable) -> None:  # type: ignore[no-untyped-def]
    result = start(env)
    assert result.returncode == 78, result.stderr
    assert variable in result.stderr


def test_pgbouncer_setting_overrides_detection() -> None:
    from app.core.config import Settings

    base = {"DATABASE_URL": "postgres://x/y", "BETTER_AUTH_SECRET": "s" * 40}
    assert Settings(**base).prepare_statements is None  # detect from the URL
    assert Settings(**base, PGBOUNCER=True).prepare_statements is False
    assert Settings(**base, PGBOUNCER=False).prepare_statements is True


def test_a_weak_secret_over_http_in_development_starts_with_a_warning() -> None:
    result = start({"DATABASE_URL": "postgres://x/y", "BETTER_AUTH_SECRET": "s" * 40, "NODE_ENV": "development"})
    assert result.returncode == 0, result.stderr
    assert "BETTER_AUTH_SECRET" in result.stderr
