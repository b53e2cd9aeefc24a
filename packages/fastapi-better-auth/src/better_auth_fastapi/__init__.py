"""Validate Better-Auth sessions in FastAPI, from the shared PostgreSQL tables or from Better-Auth JWTs."""

from .csrf import origin_allowed, trusted_origin_set
from .errors import ERRORS, AuthError, Unavailable
from .integration import BetterAuth
from .jwt_mode import JWTVerifier
from .models import Profile, Session, User
from .store import SessionStore, connection_kwargs, is_transaction_pooler
from .tokens import SESSION_COOKIES, bearer_value, session_cookie, verify_signed_token

__all__ = [
    "ERRORS",
    "SESSION_COOKIES",
    "AuthError",
    "BetterAuth",
    "JWTVerifier",
    "Profile",
    "Session",
    "SessionStore",
    "Unavailable",
    "User",
    "bearer_value",
    "connection_kwargs",
    "is_transaction_pooler",
    "origin_allowed",
    "session_cookie",
    "trusted_origin_set",
    "verify_signed_token",
]
