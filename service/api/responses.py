"""Every status a route can answer, in the OpenAPI document, with the one error body.

What a route may answer follows from what stands in front of it, so it is derived here once
rather than repeated in each decorator: the permission table (a known caller: 401, 403; a
workspace: 404), the request limit (429), parameters or a body (422), and what the route's own
use case refuses (409 conflicts, 413 large uploads, the model's faults 502/503, the limits on
model work 429). `document_errors(app)` adds them to the generated document."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field

from service.auth.permissions import NON_WORKSPACE, ROUTES, Permission


class ErrorDetail(BaseModel):
    code: str = Field(description="stable, for programs: not_found, invalid, conflict, …")
    message: str = Field(description="for people")
    details: dict[str, Any] = Field(default_factory=dict)


class ErrorBody(BaseModel):
    """The body of every error answer."""

    error: ErrorDetail


WHY = {
    400: "the body could not be read as its media type (not UTF-8, a broken form)",
    401: "no credentials, or unknown, expired or revoked ones (WWW-Authenticate: Bearer)",
    403: "a known caller without the right here, or a cookie call without its CSRF token",
    404: "no such workspace or object in it (another workspace's objects are not found either)",
    409: "conflicts with what exists (the same name, an idempotency key used for other work)",
    413: "an upload over a limit (bytes, rows, files)",
    422: "the request is not valid: each problem and where it is",
    429: "a limit on requests or model work is used up for now (Retry-After says when to retry)",
    502: "the model answered, but not with what was asked for",
    503: "the model or store could not be reached",
}
HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer realm"}},
    429: {"Retry-After": {"schema": {"type": "string"}, "description": "seconds to wait"}},
}

GENERATING = frozenset({422, 429, 502, 503})
# What each route's own use case refuses beyond what the gate in front of it does.
OWN: dict[str, frozenset[int]] = {
    "login": frozenset({401}),
    "create_workspace": frozenset({409}),
    "create_import": frozenset({409, 413}),
    "set_member": frozenset({409}),
    "remove_member": frozenset({409}),
    # The job is only submitted here (the model runs later): limits and conflicts, no 502/503.
    "generate_plan": frozenset({409, 422, 429}),
    # Approving a draft that failed its checks without `override: true`.
    "review_draft": frozenset({409}),
    "create_variants": GENERATING,
    "stream_variants": GENERATING,
    "category_drafts": GENERATING,
    "propose_profile_rewrites": GENERATING,
    "review_link_drafts": frozenset({401}),
    "review_link_verdict": frozenset({401, 404}),
    "review_link_comment": frozenset({401, 404}),
}


def statuses(name: str, operation: dict[str, Any]) -> set[int]:
    """The statuses an operation (named by its operationId, the route's name) can answer."""
    permission = ROUTES.get(name)
    out = {429}  # the request limit counts every caller, anonymous ones by address
    if permission is None:
        out |= {403}  # refused by authorize until the route has an entry
    elif permission not in (Permission.public, Permission.review_link):
        out |= {401, 403}
        if permission not in NON_WORKSPACE:
            out.add(404)
    parameters = operation.get("parameters", [])
    if any(p["in"] == "path" and p["name"] not in ("workspace", "token") for p in parameters):
        out.add(404)  # an id in the path that may name nothing
    if parameters or "requestBody" in operation:
        out.add(422)
    if "requestBody" in operation:
        out.add(400)
    return out | OWN.get(name, frozenset())


def with_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """The generated document with every operation's error answers and the one error body."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    body = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(body.pop("$defs", {}))
    components["ErrorBody"] = body
    # FastAPI's own validation-error shapes are never sent: our 422 is an ErrorBody.
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            _multipart_as_sent(operation, components)
            answers = operation.setdefault("responses", {})
            for code in sorted(statuses(operation.get("operationId", ""), operation)):
                entry: dict[str, Any] = {
                    "description": WHY[code],
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}
                    },
                }
                if code in HEADERS:
                    entry["headers"] = HEADERS[code]
                answers[str(code)] = entry
    return schema


def _multipart_as_sent(operation: dict[str, Any], components: dict[str, Any]) -> None:
    """A form cannot carry null or an empty list: a field left out is the null, and a required
    list has at least one part. Say so, so that the schema allows only what can be sent."""
    content = operation.get("requestBody", {}).get("content", {})
    form = content.get("multipart/form-data", {}).get("schema", {})
    ref = form.get("$ref", "")
    body = components.get(ref.rsplit("/", 1)[-1]) if ref else form
    if not body:
        return
    required = set(body.get("required", []))
    for name, prop in body.get("properties", {}).items():
        options = [o for o in prop.get("anyOf", []) if o.get("type") != "null"]
        if "anyOf" in prop and len(options) == 1:
            del prop["anyOf"]
            prop.update(options[0])
        if name in required and prop.get("type") == "array":
            prop.setdefault("minItems", 1)


def document_errors(app: FastAPI) -> None:
    """Have app.openapi() add the error answers to what FastAPI generates (once, cached)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_errors(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
