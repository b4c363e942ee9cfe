"""The browser is not a way in: Host names checked (DNS rebinding), cross-site state-changing
requests refused by Origin / Sec-Fetch-Site, no CORS unless configured, security headers.

Pure ASGI middleware (not BaseHTTPMiddleware) so streamed responses pass through untouched."""

from __future__ import annotations

import ipaddress
import json
from urllib.parse import urlsplit

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.auth.dependencies import SESSION_COOKIE
from service.errors import ConfigurationError
from service.settings import Settings

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    # Gradio needs inline scripts and styles, so the policy only forbids framing and plugins.
    "Content-Security-Policy": "frame-ancestors 'none'; object-src 'none'; base-uri 'self'",
}


def _error(status: int, code: str, message: str) -> tuple[dict[str, object], bytes]:
    body = {"error": {"code": code, "message": message, "details": {}}}
    return {"status": status}, json.dumps(body).encode()


class CrossSiteGuard:
    """Refuses a state-changing request sent by another site's page: its Origin names another
    host than the one it was sent to (and than the configured CORS origins), or the browser marks
    it `Sec-Fetch-Site: cross-site`. Requests without these headers are not from a browser page
    and must carry credentials anyway."""

    def __init__(self, app: ASGIApp, *, allowed_origins: list[str]) -> None:
        self.app = app
        self.allowed = {o.rstrip("/").lower() for o in allowed_origins}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        reason = self.refusal(headers)
        if reason is None:
            await self.app(scope, receive, send)
            return
        start, body = _error(403, "cross_site", reason)
        await send(
            {
                "type": "http.response.start",
                "status": start["status"],
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def refusal(self, headers: dict[str, str]) -> str | None:
        origin = headers.get("origin")
        host = headers.get("host", "").lower()
        if origin is not None:
            if origin == "null":
                return "a state-changing request from an opaque origin is refused"
            parts = urlsplit(origin)
            if parts.netloc.lower() != host and origin.rstrip("/").lower() not in self.allowed:
                return f"a state-changing request from {origin} is refused (cross-site)"
            return None
        if headers.get("sec-fetch-site") == "cross-site":
            return "a state-changing request from another site is refused"
        return None


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
        if https:
            self.headers.append((b"strict-transport-security", b"max-age=31536000"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


class LoginRedirect:
    """A browser opening the UI without a session is sent to the login page instead of
    Gradio's bare 401 (the session itself is still checked by Gradio's auth_dependency)."""

    def __init__(self, app: ASGIApp, *, prefix: str = "/ui", login: str = "/login") -> None:
        self.app = app
        self.prefix, self.login = prefix.rstrip("/"), login

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and self._page(scope):
            headers = {
                k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]
            }
            if f"{SESSION_COOKIE}=" not in headers.get("cookie", ""):
                await send(
                    {
                        "type": "http.response.start",
                        "status": 303,
                        "headers": [(b"location", self.login.encode())],
                    }
                )
                await send({"type": "http.response.body", "body": b""})
                return
        await self.app(scope, receive, send)

    def _page(self, scope: Scope) -> bool:
        path = str(scope["path"])
        return path in (self.prefix, self.prefix + "/")


def allowed_hosts(settings: Settings) -> list[str]:
    hosts = list(dict.fromkeys(settings.allowed_hosts))
    if settings.host not in ("0.0.0.0", "::", "") and settings.host not in hosts:
        hosts.append(settings.host)
    return hosts


def install_web_security(app: FastAPI, settings: Settings) -> None:
    """Add once in create_app, after the routers. Starlette runs the last added outermost, so
    the Host check comes first, then the cross-site guard, then CORS (only if configured)."""
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=False,  # credentialed cross-site calls would undo the cookie rules
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(SecurityHeaders, https=settings.public_https)
    app.add_middleware(CrossSiteGuard, allowed_origins=settings.cors_origins)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts(settings))


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, users: int) -> None:
    """`gjenbruk serve` calls this before binding: an address others can reach with no account
    would publish every workspace to the network."""
    if users == 0 and not is_loopback(host):
        raise ConfigurationError(
            f"refusing to listen on {host}: no user exists yet, so anyone who can reach it would "
            "act as owner. Create one first (`gjenbruk users create-owner NAME`), or serve on "
            "127.0.0.1.",
            details={"host": host},
        )
