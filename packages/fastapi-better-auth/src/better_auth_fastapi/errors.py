"""The package's one error type and its stable codes. Every error body is ``{"code": ..., "message": ...}``."""

from __future__ import annotations

from fastapi.responses import JSONResponse
from starlette.requests import HTTPConnection
from starlette.websockets import WebSocket, WebSocketState

ERRORS: dict[str, tuple[int, str]] = {
    "UNAUTHENTICATED": (401, "Sign in first"),
    "PROFILE_INCOMPLETE": (403, "Profile Incomplete"),
    "INVALID_ORIGIN": (403, "This request must come from a trusted origin"),
    "AUTH_UNAVAILABLE": (503, "The session store cannot be reached"),
    "PAYLOAD_TOO_LARGE": (413, "The request body is too large"),
    "REQUEST_TIMEOUT": (408, "The request body did not arrive in time"),
    # A server fault, not the reader's: profile checks were asked of a database without the onboarding plugin's
    # table (normally refused at startup; this is for a table that went missing, or a database first reached later).
    "PROFILE_TABLE_MISSING": (500, "This server checks reader profiles, but its database has no user_profile table"),
}

# A WebSocket refused before the application sees it is accepted and closed at once with one of these codes
# (RFC 6455: 1008 policy violation; 1013 try again later), the error code as the reason.
WEBSOCKET_CLOSE_CODES: dict[str, int] = {"AUTH_UNAVAILABLE": 1013}
POLICY_VIOLATION = 1008


class AuthError(Exception):
    """Raised by the FastAPI layer; turned into a JSON response by :func:`auth_error_handler`."""

    def __init__(self, code: str, message: str | None = None) -> None:
        status, default = ERRORS[code]
        super().__init__(message or default)
        self.code = code
        self.status = status
        self.message = message or default

    def response(self, *, close: bool = False) -> JSONResponse:
        """``close``: the request's body was not read, so the connection cannot carry another request."""
        headers = {"WWW-Authenticate": "Bearer"} if self.status == 401 else {}
        if close:
            headers["Connection"] = "close"
        return JSONResponse({"code": self.code, "message": self.message}, status_code=self.status, headers=headers)

    @property
    def websocket_close_code(self) -> int:
        return WEBSOCKET_CLOSE_CODES.get(self.code, POLICY_VIOLATION)


class Unavailable(Exception):
    """The database or the JWKS source cannot be reached: an outage, never a pass and never a 500."""


class SchemaError(RuntimeError):
    """The database lacks a table this configuration needs: Better-Auth's (``session``, ``"user"``), or the
    onboarding plugin's ``user_profile`` for profile checks. Raised at startup, so the app does not start."""


async def auth_error_handler(conn: HTTPConnection, exc: Exception) -> JSONResponse | None:
    assert isinstance(exc, AuthError)
    if isinstance(conn, WebSocket):
        # Accepted, then closed with a code a browser's WebSocket can read (a refused handshake shows only 1006).
        if conn.application_state == WebSocketState.CONNECTING:
            await conn.accept()
        await conn.close(exc.websocket_close_code, exc.code)
        return None
    return exc.response()
