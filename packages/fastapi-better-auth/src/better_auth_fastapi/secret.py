"""The secret's strength, checked as the auth server checks BETTER_AUTH_SECRET (apps/server/src/config.ts): the
same three rules, refused for a deployment readers reach (an https public URL, or ``strict``) and warned about
loudly otherwise. Anyone who guesses the secret can sign a session cookie for any reader."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .invalidation import log

# Better-Auth's own fallback secret is long and varied enough to pass the other rules, and public.
_PLACEHOLDERS = re.compile(
    r"(changeme|change-me|secret|better-auth-secret|better-auth-secret-12345678901234567890|your[-_]?secret.*|x+|0+)",
    re.IGNORECASE,
)
_GENERATE = "generate one with `openssl rand -base64 32`"


class WeakSecret(ValueError):
    """The secret is too weak for this deployment; the message names BETTER_AUTH_SECRET and what to do."""


def secret_problem(secret: str) -> str | None:
    """Why ``secret`` is weak, or ``None``. Lengths count UTF-16 units, as JavaScript's ``length`` does."""
    if len(secret.encode("utf-16-le")) // 2 < 32:
        return f"must be at least 32 characters ({_GENERATE})"
    if _PLACEHOLDERS.fullmatch(secret):
        return f"is a placeholder; {_GENERATE}"
    if len(set(secret)) < 10:
        return f"has too little variety; {_GENERATE}"
    return None


def check_secret(secret: str, *, public_url: str, strict: bool = False) -> None:
    """Raises :class:`WeakSecret` for a weak secret when ``public_url`` is https or ``strict`` is set; otherwise a
    weak secret is logged as a warning."""
    problem = secret_problem(secret)
    if problem is None:
        return
    if strict or urlsplit(public_url).scheme.lower() == "https":
        reason = "this is a production deployment" if strict else f"the public URL {public_url} is https"
        raise WeakSecret(f"BETTER_AUTH_SECRET {problem}. It is refused because {reason}: set a strong BETTER_AUTH_SECRET")
    log.warning(
        "BETTER_AUTH_SECRET %s. Anyone who guesses it can sign in as any reader. Tolerated only because the public "
        "URL %s is http; with an https public URL (or in production) it is refused.",
        problem,
        public_url,
    )
