"""The secret check, the same as the auth server's (apps/server/src/config.ts): compared value by value with the
Node function itself, then the refusal and the warning as BetterAuth applies them."""

from __future__ import annotations

import json
import logging
import subprocess

import pytest

from better_auth_fastapi import BetterAuth, WeakSecret, secret_problem
from conftest import ROOT

STRONG = "Zq3vT9xLk2Wm8RbN4cYp7HsJd6GfAe5U"
SECRETS = [
    STRONG,
    "short",
    "x" * 40,
    "changeme",
    "your-secret-goes-here-and-is-long-enough",
    "ab" * 20,
    "012345678" * 5,
    "é" * 31 + "abcdefghij",
    "🔑" * 16 + "abcdefghij",  # 16 astral characters count 32 in JavaScript
]


def test_the_verdicts_match_the_auth_servers() -> None:
    script = (
        "import('./apps/server/src/config.ts').then(({ checkSecretStrength }) => "
        "console.log(JSON.stringify(JSON.parse(process.argv[1]).map((s) => checkSecretStrength(s) === null))))"
    )
    result = subprocess.run(
        ["node", "--import", "tsx", "-e", script, json.dumps(SECRETS)], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    node = json.loads(result.stdout.strip().splitlines()[-1])
    assert [secret_problem(s) is None for s in SECRETS] == node
    assert node[0] and not any(node[1:7]), node  # the list exercises every rule


def test_better_auths_public_default_secret_is_a_placeholder() -> None:
    assert secret_problem("better-auth-secret-12345678901234567890") is not None


def make(public_url: str, secret: str, **extra):  # type: ignore[no-untyped-def]
    return BetterAuth(public_url=public_url, database_url="postgresql://u@127.0.0.1:9/none", secret=secret, **extra)


def test_a_weak_secret_is_refused_with_an_https_public_url_or_strict() -> None:
    for kwargs in [{"public_url": "https://book.example"}, {"public_url": "http://localhost:3000", "strict_secret": True}]:
        with pytest.raises(WeakSecret, match="BETTER_AUTH_SECRET"):
            make(secret="x" * 40, **kwargs)
    make("https://book.example", STRONG)  # control


def test_a_weak_secret_over_http_is_warned_about(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="better_auth_fastapi"):
        make("http://localhost:3000", "short")
    assert any("BETTER_AUTH_SECRET" in r.getMessage() for r in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="better_auth_fastapi"):
        make("http://localhost:3000", STRONG)
    assert not caplog.records
