"""``python -m app [uvicorn options]``: the backend under uvicorn with the bounds it lacks by default (see
http_protocol.py): a header timeout and size limit, a 5 s keep-alive, and at most 1,000 connections and tasks (the
next get 503 instead of exhausting memory or file descriptors). Every launcher (npm start, tests, benchmark) uses it."""

import os
import signal
import sys
import threading

from uvicorn.main import main

DEFAULTS = [
    "app.main:app",
    "--http", "app.http_protocol:BoundedHttpToolsProtocol",
    "--timeout-keep-alive", "5",
    "--limit-concurrency", "1000",
]



def _exit_with_parent() -> None:
    """With EXIT_WITH_PARENT=1 the parent holds our stdin open: when it ends, however it ended (even SIGKILL), the
    pipe closes and we stop as if asked to, so no backend outlives the server that started it."""
    def watch() -> None:
        sys.stdin.buffer.read()
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


if __name__ == "__main__":
    if os.environ.get("EXIT_WITH_PARENT") == "1":
        _exit_with_parent()
    main(DEFAULTS + sys.argv[1:])  # a later option wins, so callers can override these
