"""``python -m app [uvicorn options]``: the backend under uvicorn with the bounds it lacks by default (see
http_protocol.py): a header timeout and size limit, a 5 s keep-alive, and at most 1,000 connections and tasks (the
next get 503 instead of exhausting memory or file descriptors). Every launcher (npm start, tests, benchmark) uses it."""

import sys

from uvicorn.main import main

DEFAULTS = [
    "app.main:app",
    "--http", "app.http_protocol:BoundedHttpToolsProtocol",
    "--timeout-keep-alive", "5",
    "--limit-concurrency", "1000",
]

if __name__ == "__main__":
    main(DEFAULTS + sys.argv[1:])  # a later option wins, so callers can override these
