"""The package's one error type and its stable codes. Every error body is ``{"code": ..., "message": ...}``."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

ERRORS: dict[str, tuple[int, str]] = {
    "UNAUTHENTICATED": (401, "Sign in first"),
    "PROFILE_INCOMPLETE": (403, "Profile Incomplete"),
    "INVALID_ORIGIN": (403, "This request must come from a trusted origin"),
    "AUTH_UNAVAILABLE": (503, "The session store cannot be reached"),
}


class AuthError(Exception):
    """Raised by the FastAPI layer; turned into a JSON response by :func:`auth_error_handler`."""

    def __init__(self, code: str, message: str | None = None) -> None:
        status, default = ERRORS[code]
        super().__init__(message or default)
        self.code = code
        self.status = status
        self.message = message or default

    def response(self) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if self.status == 401 else None
        return JSONResponse({"code": self.code, "message": self.message}, status_code=self.status, headers=headers)


class Unavailable(Exception):
    """The database or the JWKS source cannot be reached: an outage, never a pass and never a 500."""


async def auth_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AuthError)
    return exc.response()
