"""The example backend: `python -m app` (from apps/backend; uvicorn with the bounds of __main__.py). Configuration
comes from the environment."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from better_auth_fastapi import connection_kwargs
from better_auth_fastapi.errors import error_body
from psycopg_pool import AsyncConnectionPool
from starlette.exceptions import HTTPException

from app.api.deps import build_auth
from app.api.routes import health, me, progress
from app.core.config import ConfigError, Settings, load_settings
from app.http_protocol import BoundedHttpToolsProtocol
from app.progress import store as progress_store


def create_app(settings: Settings) -> FastAPI:
    auth = build_auth(settings)
    # Read by every connection the protocol accepts; set here, before the server accepts any.
    BoundedHttpToolsProtocol.header_timeout = settings.HTTP_HEADERS_TIMEOUT_MS / 1000
    # The backend's own data gets its own small pool, under the same pooler rule as the session lookup.
    db = AsyncConnectionPool(settings.DATABASE_URL, min_size=1, max_size=5, open=False, timeout=3.0,
                             reconnect_timeout=float("inf"),
                             kwargs=connection_kwargs(settings.DATABASE_URL, settings.prepare_statements))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await db.open(wait=False)
        try:
            async with auth.lifespan(app):
                try:
                    async with db.connection(timeout=10) as conn:
                        await progress_store.migrate(conn)
                except Exception as exc:  # the auth server's tables must exist first
                    raise RuntimeError(f"backend migration failed ({exc}); run the auth server's migrations first") from exc
                yield
        finally:
            await db.close()

    # No trailing-slash redirects: Starlette builds their Location from the Host header, which behind the proxy is
    # the backend's own address (a reader sent off the origin) and on the backend's own port is whatever a client
    # claims (an open redirect). A wrong slash is a plain 404.
    app = FastAPI(title="Textbook backend", lifespan=lifespan, redirect_slashes=False)
    app.state.auth = auth
    app.state.db = db
    auth.install(app)
    # Every route but the health check needs a reader with a complete profile, checked before a body is read;
    # the routes' Reader dependency reuses the result. (Also /docs and /openapi.json.) A reader may export their
    # data before onboarding: /api/me/export needs a session only.
    auth.protect(app, public_paths=["/api/health"], session_only_paths=["/api/me/export"])
    # Pages on TRUSTED_ORIGINS (a site on a sibling subdomain) may call this backend on its own origin with the
    # reader's cookie: CORS for exactly the origins the CSRF check trusts, preflights answered before protect().
    # Behind the auth server's /api proxy the auth server answers preflights itself, with the same headers.
    auth.cors(app)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"] if p != "body") or "body"
        status, body = error_body("INVALID_REQUEST", f"{field}: {first['msg']}")
        return JSONResponse(body, status_code=status)

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(exc.status_code)
        if code is None:  # HTTP_ERROR: the status is the exception's, as is its wording
            return JSONResponse(error_body("HTTP_ERROR", str(exc.detail))[1], status_code=exc.status_code)
        status, body = error_body(code)
        return JSONResponse(body, status_code=status)

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, _exc: Exception) -> JSONResponse:
        # Runs in Starlette's outermost middleware, which re-raises afterwards so the server still logs the
        # traceback; the client gets the usual error shape and nothing of the exception's text.
        status, body = error_body("INTERNAL_ERROR")
        return JSONResponse(body, status_code=status)

    for module in (health, me, progress):
        app.include_router(module.router)
    return app


def _app_from_env() -> FastAPI:
    try:
        return create_app(load_settings())
    except (ConfigError, ValueError) as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(78) from None  # EX_CONFIG: a supervisor should not restart into the same mistake


def __getattr__(name: str) -> FastAPI:
    # `app` is built from the environment on first access (what `uvicorn app.main:app` does), not at import, so
    # tests and other apps can import create_app with settings of their own.
    if name != "app":
        raise AttributeError(name)
    built = _app_from_env()
    globals()["app"] = built
    return built
