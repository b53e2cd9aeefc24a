"""The package's one error type and its stable codes. Every error body is ``{"code": ..., "message": ...}``; each
code's status and message come from the shared contract (contract.json, see contract.py)."""

from __future__ import annotations

from fastapi.responses import JSONResponse
from starlette.requests import HTTPConnection
from starlette.websockets import WebSocket, WebSocketState

from . import contract

# PROFILE_TABLE_MISSING is a server fault, not the reader's: profile checks were asked of a database without the
# onboarding plugin's table (normally refused at startup; this is for a table that went missing, or a database
# first reached later).
_CODES = ("UNAUTHENTICATED", "PROFILE_INCOMPLETE", "INVALID_ORIGIN", "AUTH_UNAVAILABLE", "PAYLOAD_TOO_LARGE",
          "REQUEST_TIMEOUT", "PROFILE_TABLE_MISSING")

#: The codes this package answers: ``(status, message)``.
ERRORS: dict[str, tuple[int, str]] = {code: contract.ERRORS[code] for code in _CODES}  # type: ignore[misc]


def error_body(code: str, message: str | None = None) -> tuple[int, dict[str, str]]:
    """The status and ``{code, message}`` body of any contract code (``message`` replaces the default wording).
    For ``HTTP_ERROR``, whose status is the framework's own, the caller uses the status it has."""
    status, default = contract.ERRORS[code]
    return status or 500, {"code": code, "message": message or default}

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
