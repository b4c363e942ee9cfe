"""The auth errors' HTTP details: the same JSON body as every error, plus their headers."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from service.errors import LimitExceeded, Unauthenticated


def install_auth_error_handlers(app: FastAPI) -> None:
    """Call after install_error_handlers: the more specific classes take these two over, so
    401 carries WWW-Authenticate and 429 carries Retry-After."""

    async def _with_headers(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Unauthenticated | LimitExceeded)
        body = {"error": {"code": exc.code, "message": exc.message, "details": exc.details}}
        return JSONResponse(body, status_code=exc.http_status, headers=exc.headers)

    app.add_exception_handler(Unauthenticated, _with_headers)
    app.add_exception_handler(LimitExceeded, _with_headers)
