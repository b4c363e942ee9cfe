"""Map the product's errors to HTTP once, with one body: {"error": {code, message, details}}."""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.errors import GjenbrukError

log = logging.getLogger("gjenbruk.api")


def _body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def allowed_methods(app: FastAPI, path: str) -> list[str] | None:
    """The methods the API's document gives this path (None for a path it does not list).
    Where templates overlap (POST /drafts/category beside PATCH /drafts/{draft_id}) the most
    literal one is the path's resource."""
    templates: list[tuple[re.Pattern[str], str, list[str]]] | None = getattr(
        app.state, "allow_templates", None
    )
    if templates is None:
        templates = []
        for template, operations in app.openapi().get("paths", {}).items():
            regex = "".join(
                "[^/]+" if part.startswith("{") else re.escape(part)
                for part in re.split(r"(\{[^}]+\})", template)
            )
            methods = [m.upper() for m in operations if m.upper() in _METHODS]
            templates.append((re.compile(f"^{regex}$"), template, methods))
        app.state.allow_templates = templates
    found = [(t, methods) for regex, t, methods in templates if regex.match(path)]
    if not found:
        return None
    _, methods = min(found, key=lambda f: (f[0].count("{"), -len(f[0])))
    if "GET" in methods:
        methods = [*methods, "HEAD"]  # answered for every GET
    return sorted(set(methods))


_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


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
            methods = allowed_methods(app, request.url.path)
            if methods:
                headers["Allow"] = ", ".join(methods)
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
