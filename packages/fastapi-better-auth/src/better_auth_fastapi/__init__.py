"""Validate Better-Auth sessions in FastAPI, from the shared PostgreSQL tables or from Better-Auth JWTs."""

from .cors import CorsMiddleware
from .csrf import origin_allowed, trusted_origin_set
from .errors import ERRORS, AuthError, SchemaError, Unavailable
from .integration import BetterAuth, compile_path_pattern
from .jwt_mode import JWTVerifier
from .models import Profile, Session, User
from .secret import WeakSecret, check_secret, secret_problem
from .store import SessionStore, connection_kwargs, is_transaction_pooler
from .triggers import install_change_triggers
from .tokens import (
    SESSION_COOKIES,
    bearer_value,
    request_credential,
    session_cookie,
    session_cookie_name,
    verify_signed_token,
)

__all__ = [
    "ERRORS",
    "SESSION_COOKIES",
    "AuthError",
    "BetterAuth",
    "CorsMiddleware",
    "JWTVerifier",
    "Profile",
    "SchemaError",
    "Session",
    "SessionStore",
    "Unavailable",
    "User",
    "WeakSecret",
    "bearer_value",
    "check_secret",
    "compile_path_pattern",
    "connection_kwargs",
    "install_change_triggers",
    "is_transaction_pooler",
    "origin_allowed",
    "request_credential",
    "secret_problem",
    "session_cookie",
    "session_cookie_name",
    "trusted_origin_set",
    "verify_signed_token",
]
