"""Map the product's errors to HTTP once, with one body: {"error": {code, message, details}}."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Scope

from service.errors import GjenbrukError

log = logging.getLogger("gjenbruk.api")


def _body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(app: FastAPI, scope: Scope) -> list[str]:
    """Every method some route answers on this request's path (asked of the router itself,
    so included routers and mounts count too)."""
    return [
        method
        for method in METHODS
        if any(
            route.matches({**scope, "method": method})[0] is Match.FULL
            for route in app.router.routes
        )
    ]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(GjenbrukError)
    async def _known(_: Request, exc: GjenbrukError) -> JSONResponse:
        return JSONResponse(_body(exc.code, exc.message, exc.details), status_code=exc.http_status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {
                "where": ".".join(str(p) for p in e.get("loc", ())),
                "problem": e.get("msg", ""),
            }
            for e in exc.errors()
        ]
        first = problems[0] if problems else {"where": "", "problem": "invalid request"}
        message = f"{first['where']}: {first['problem']}" if first["where"] else first["problem"]
        return JSONResponse(_body("invalid", message, {"problems": problems}), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = "not_found" if exc.status_code == 404 else f"http_{exc.status_code}"
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # Starlette names only the first route on the path; a path can have several (GET
            # lists, POST creates), and Allow must name every method the path answers.
            code = "method_not_allowed"
            headers["Allow"] = ", ".join(allowed_methods(app, request.scope))
        return JSONResponse(
            _body(code, str(exc.detail)), status_code=exc.status_code, headers=headers or None
        )

    @app.exception_handler(Exception)
    async def _unknown(_: Request, exc: Exception) -> JSONResponse:
        # Log everything under an id; tell the client only the id, never internals.
        incident = uuid.uuid4().hex[:12]
        log.exception("unhandled error %s", incident, exc_info=exc)
        return JSONResponse(
            _body("internal", f"internal error (incident {incident})", {"incident": incident}),
            status_code=500,
        )
