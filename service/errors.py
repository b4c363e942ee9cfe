"""One small error hierarchy; the API maps it to HTTP once, the CLI prints it once."""

from __future__ import annotations

from typing import Any


class GjenbrukError(Exception):
    code = "error"
    http_status = 500

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class NotFound(GjenbrukError):
    code = "not_found"
    http_status = 404


class Invalid(GjenbrukError):
    code = "invalid"
    http_status = 422


class Conflict(GjenbrukError):
    code = "conflict"
    http_status = 409


class ConsentMissing(GjenbrukError):
    code = "consent_missing"
    http_status = 403


class ProviderUnavailable(GjenbrukError):
    """The model or store behind a provider could not be reached or answered with a fault."""

    code = "provider_unavailable"
    http_status = 503


class RateLimited(ProviderUnavailable):
    code = "rate_limited"
    http_status = 429


class ProviderResponseInvalid(GjenbrukError):
    """The provider answered, but not with what was asked for (cut off, not JSON, wrong shape)."""

    code = "provider_response_invalid"
    http_status = 502


class ConfigurationError(GjenbrukError):
    code = "configuration"
    http_status = 500


# Access control (issue 15). `headers` are sent with the error response (see service/auth/http.py).
class Unauthenticated(GjenbrukError):
    """No credentials, or ones that are unknown, expired or revoked."""

    code = "unauthenticated"
    http_status = 401

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="gjenbruk"'}


class Forbidden(GjenbrukError):
    """A known caller without the right for this action (foreign workspaces are NotFound)."""

    code = "forbidden"
    http_status = 403


class LimitExceeded(GjenbrukError):
    """A caller's or workspace's share of the service is used up for now."""

    code = "limit_exceeded"
    http_status = 429

    def __init__(
        self, message: str, *, retry_after: int, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message, details={**(details or {}), "retry_after": retry_after})
        self.retry_after = max(1, retry_after)

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}
