"""uvicorn's HTTP protocol (httptools) with the two bounds uvicorn does not have.

uvicorn 0.54 starts no timer until a response is complete (``timeout_keep_alive`` then covers the idle time between
requests), so a client that connects and never finishes its request line and headers holds the connection for
ever; and httptools accepts headers of any size (16 MB were taken without complaint). Here a connection must
deliver each request's headers within ``header_timeout`` of connecting or of the request's first byte, else it
gets 408 and is closed; and a request line plus headers over ``max_header_bytes`` gets 431 and is closed (Node's
own limit, 16 KiB). Run with ``--http app.http_protocol:BoundedHttpToolsProtocol`` (``python -m app`` does).
The request body is bounded by better_auth_fastapi's guard (size and time); a client reading the answer slowly is
bounded by nothing here: put a reverse proxy in front for that.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from better_auth_fastapi.errors import error_body
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol


class _HeadersTooLarge(Exception):
    pass


def _error(code: str) -> bytes:
    status, error = error_body(code)
    body = json.dumps(error).encode()
    head = STATUS_LINE[status] + b"content-type: application/json\r\nconnection: close\r\ncontent-length: %d\r\n\r\n" % len(body)
    return head + body


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    #: Seconds a request's line and headers may take (from the connection, or from the request's first byte).
    header_timeout: float = 10.0
    #: The most bytes of request line and headers.
    max_header_bytes: int = 16 * 1024

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None
        self._header_bytes = 0
        self._too_large = False

    def _arm(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.write(_error("REQUEST_TIMEOUT"))
            self.transport.close()

    def _count(self, size: int) -> None:
        self._header_bytes += size
        if self._header_bytes > self.max_header_bytes:
            self._too_large = True
            raise _HeadersTooLarge  # the parser stops; uvicorn then calls send_400_response

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._header_bytes = 0
        self._arm()

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def send_400_response(self, msg: str) -> None:
        if not self._too_large:
            super().send_400_response(msg)
            return
        self._disarm()
        self.transport.write(_error("HEADERS_TOO_LARGE"))
        self.transport.close()
