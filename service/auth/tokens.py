"""Secrets shown once and stored only as HMAC-SHA256 digests under a server-side pepper.

A token is `<kind>_<prefix>_<secret>`: the prefix is stored in the clear so a token is found with
one indexed lookup, the digest is compared in constant time. Without the pepper (kept outside the
database) a stolen database cannot be used to check guesses offline.
"""

from __future__ import annotations

import hmac
import os
import secrets
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from service.settings import Settings

PREFIX_CHARS = 10
_hasher = PasswordHasher()


@dataclass(frozen=True)
class NewToken:
    token: str  # shown once, never stored
    prefix: str
    digest: str


def load_pepper(settings: Settings) -> bytes:
    """The configured pepper, else one created once beside the database (mode 0600)."""
    if settings.auth_pepper is not None and settings.auth_pepper.get_secret_value():
        return settings.auth_pepper.get_secret_value().encode()
    path = settings.ensure_data_dir() / "auth-pepper"
    if not path.exists():
        _write_private(path, secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip().encode()


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


def digest(pepper: bytes, token: str) -> str:
    return hmac.new(pepper, token.encode(), sha256).hexdigest()


def new_token(pepper: bytes, kind: str) -> NewToken:
    prefix = secrets.token_hex(PREFIX_CHARS // 2)
    token = f"{kind}_{prefix}_{secrets.token_urlsafe(32)}"
    return NewToken(token=token, prefix=prefix, digest=digest(pepper, token))


def split_prefix(token: str, kind: str) -> str | None:
    """The lookup prefix of a well-formed token of this kind, else None."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != kind or len(parts[1]) != PREFIX_CHARS or not parts[2]:
        return None
    return parts[1]


def matches(pepper: bytes, token: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest(pepper, token), stored_digest)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_password() -> str:
    return secrets.token_urlsafe(15)
