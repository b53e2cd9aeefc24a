"""The database goes away: 503 AUTH_UNAVAILABLE, never a 500; back again: 200 without a restart.

The backend reaches PostgreSQL through a TCP relay in this process; cutting the relay drops every connection
and refuses new ones, as a database outage or network partition would.
"""

from __future__ import annotations

import socket
import threading
import time
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from conftest import Reader, free_port, start_backend


class Relay:
    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.up = False
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None
        self.lock = threading.Lock()

    def start(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.up = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        assert self.listener is not None
        while self.up:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        self.up = False
        if self.listener:
            # shutdown() wakes the thread blocked in accept(); close() alone would leave it listening.
            try:
                self.listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.listener.close()
        with self.lock:
            for s in self.sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                    s.close()
                except OSError:
                    pass
            self.sockets.clear()


def test_database_down_then_up(stack, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    parts = urlsplit(stack.database_url)
    relay = Relay((parts.hostname or "127.0.0.1", parts.port or 5432))
    relay.start()
    relayed = urlunsplit(parts._replace(netloc=f"{parts.username}:{parts.password}@127.0.0.1:{relay.port}"))
    backend = start_backend(relayed, stack.secret, stack.origin, tmp_path_factory.mktemp("outage"), name="outage-backend")
    try:
        reader = Reader(stack, backend.url).sign_up().onboard()
        assert reader.get("/api/me").status_code == 200

        relay.cut()
        # The session cache serves the reader until its listener sees the connection drop, moments later; from
        # then on every lookup goes to the database, and the outage shows.
        deadline = time.monotonic() + 3
        while reader.get("/api/me").status_code == 200:
            assert time.monotonic() < deadline, "the session cache outlived the database connection"
            time.sleep(0.01)
        for path in ["/api/me", "/api/progress"]:
            r = reader.get(path)
            assert r.status_code == 503, r.text
            assert r.json()["code"] == "AUTH_UNAVAILABLE"
        assert Reader(stack, backend.url).get("/api/health").status_code == 200  # public routes keep answering

        relay.start()
        deadline = time.monotonic() + 20
        status = 0
        while time.monotonic() < deadline:
            status = reader.get("/api/me").status_code
            if status == 200:
                break
            assert status == 503
            time.sleep(0.2)
        assert status == 200
    finally:
        relay.cut()
        backend.stop()
