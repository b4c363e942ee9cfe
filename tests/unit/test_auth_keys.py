"""Keys, passwords and sessions: stored as digests, found by prefix, bounded by the creator."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from service.auth import access, tokens
from service.auth.models import Caller
from service.auth.permissions import Permission, Role
from service.auth.repos import MembershipRepo
from service.domain import Workspace
from service.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from service.settings import Settings
from service.storage.auth_tables import ApiKeyRow, SessionRow, UserRow
from service.storage.db import Database
from service.storage.repositories import WorkspaceRepo

PEPPER = b"p" * 32


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'auth.db'}")
    database.migrate()
    with database.session() as s:
        WorkspaceRepo(s).save(Workspace(slug="acme", name="Acme"))
        WorkspaceRepo(s).save(Workspace(slug="other", name="Other"))
        for name, role in (("olga", Role.owner), ("egil", Role.editor)):
            user = access.create_user(s, name, "a long password")
            MembershipRepo(s).set(user.id, "acme", role)
    yield database
    database.dispose()


def _caller(db: Database, name: str) -> Caller:
    with db.session() as s:
        return access.caller_for_user(s, name)


def _key(db: Database, name: str, role: Role, days: int = 30) -> tuple[str, str]:
    with db.session() as s:
        key, secret = access.create_key(
            s, PEPPER, access.caller_for_user(s, name), "acme", role=role, days=days, max_days=365
        )
    return key.id, secret


def test_a_key_is_stored_as_prefix_and_hmac_never_in_the_clear(db: Database) -> None:
    key_id, secret = _key(db, "egil", Role.editor)
    with db.session() as s:
        row = s.get(ApiKeyRow, key_id)
        assert row is not None
        assert secret.startswith(f"gjk_{row.prefix}_")
        assert row.digest == tokens.digest(PEPPER, secret) and secret not in row.digest
        stored = " ".join(str(v) for v in s.execute(select(ApiKeyRow.__table__)).one())
    assert secret not in stored and secret.split("_", 2)[2] not in stored


def test_a_key_is_found_by_its_prefix_and_acts_for_its_creator(db: Database) -> None:
    _, secret = _key(db, "egil", Role.reviewer)
    with db.session() as s:
        caller = access.caller_from_key(s, PEPPER, secret)
    assert caller.user_name == "egil" and caller.via == "key"
    assert caller.role_in("acme") is Role.reviewer
    assert caller.can("acme", Permission.draft_review)
    assert not caller.can("acme", Permission.generate)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda k: k[:-1] + ("A" if k[-1] != "A" else "B"),  # right prefix, wrong secret
        lambda k: "gjk_0000000000_" + k.split("_", 2)[2],  # unknown prefix
        lambda k: k.replace("gjk_", "gjs_", 1),  # another kind of token
        lambda k: "not-a-key",
    ],
)
def test_a_wrong_key_is_unauthenticated(db: Database, mangle: object) -> None:
    _, secret = _key(db, "egil", Role.editor)
    with db.session() as s, pytest.raises(Unauthenticated):
        access.caller_from_key(s, PEPPER, mangle(secret))  # type: ignore[operator]


def test_the_same_key_under_another_pepper_is_refused(db: Database) -> None:
    _, secret = _key(db, "egil", Role.editor)
    with db.session() as s, pytest.raises(Unauthenticated):
        access.caller_from_key(s, b"q" * 32, secret)


def test_an_expired_or_revoked_key_is_refused(db: Database) -> None:
    expiring_id, expiring = _key(db, "egil", Role.editor)
    revoked_id, revoked = _key(db, "egil", Role.editor)
    with db.session() as s:
        row = s.get(ApiKeyRow, expiring_id)
        assert row is not None
        row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        access.revoke_key(s, _caller(db, "egil"), "acme", revoked_id)
    for secret in (expiring, revoked):
        with db.session() as s, pytest.raises(Unauthenticated):
            access.caller_from_key(s, PEPPER, secret)


def test_demoting_the_creator_shrinks_the_key_and_removing_them_ends_it(db: Database) -> None:
    _, secret = _key(db, "egil", Role.editor)
    olga = _caller(db, "olga")
    with db.session() as s:
        access.set_member(s, olga, "acme", "egil", Role.viewer)
    with db.session() as s:
        caller = access.caller_from_key(s, PEPPER, secret)
    assert caller.role_in("acme") is Role.viewer
    assert not caller.can("acme", Permission.generate)
    with db.session() as s:
        access.remove_member(s, olga, "acme", "egil")
    with db.session() as s, pytest.raises(Unauthenticated):
        access.caller_from_key(s, PEPPER, secret)


def test_promoting_the_creator_does_not_widen_the_key(db: Database) -> None:
    _, secret = _key(db, "egil", Role.reviewer)
    with db.session() as s:
        access.set_member(s, _caller(db, "olga"), "acme", "egil", Role.owner)
    with db.session() as s:
        assert access.caller_from_key(s, PEPPER, secret).role_in("acme") is Role.reviewer


def test_a_key_sees_only_its_own_workspace(db: Database) -> None:
    with db.session() as s:
        MembershipRepo(s).set(access.caller_for_user(s, "egil").user_id, "other", Role.owner)
    _, secret = _key(db, "egil", Role.editor)
    with db.session() as s:
        caller = access.caller_from_key(s, PEPPER, secret)
    assert caller.role_in("other") is None and caller.workspaces() == ["acme"]


def test_a_key_cannot_be_above_its_creator_nor_outlive_the_maximum(db: Database) -> None:
    with pytest.raises(Forbidden, match="at most yours"):
        _key(db, "egil", Role.owner)
    with pytest.raises(Invalid, match="between 1 and 365"):
        _key(db, "egil", Role.editor, days=400)
    with db.session() as s, pytest.raises(NotFound):
        access.create_key(
            s,
            PEPPER,
            access.caller_for_user(s, "egil"),
            "other",
            role=Role.viewer,
            days=1,
            max_days=365,
        )


def test_a_key_made_with_a_key_does_not_outlive_it(db: Database) -> None:
    parent_id, parent = _key(db, "olga", Role.owner, days=2)
    with db.session() as s:
        by_key = access.caller_from_key(s, PEPPER, parent)
        child, _ = access.create_key(
            s, PEPPER, by_key, "acme", role=Role.viewer, days=300, max_days=365
        )
        parent_row = s.get(ApiKeyRow, parent_id)
        assert parent_row is not None and parent_row.expires_at is not None
    assert child.expires_at is not None
    assert child.expires_at.replace(tzinfo=dt.UTC) <= parent_row.expires_at.replace(tzinfo=dt.UTC)


def test_passwords_are_argon2_hashes_and_checked(db: Database) -> None:
    with db.session() as s:
        row = s.scalar(select(UserRow).where(UserRow.name == "olga"))
        assert row is not None and row.password_hash is not None
        assert row.password_hash.startswith("$argon2id$")
        assert "a long password" not in row.password_hash
        assert access.check_password(s, "olga", "a long password").name == "olga"
        with pytest.raises(Unauthenticated):
            access.check_password(s, "olga", "a wrong password")
        with pytest.raises(Unauthenticated):
            access.check_password(s, "nobody", "a long password")


def test_a_short_password_or_odd_name_is_refused_precisely(db: Database) -> None:
    with db.session() as s:
        with pytest.raises(Invalid, match="at least 10"):
            access.create_user(s, "kari", "short")
        with pytest.raises(Invalid, match="user name"):
            access.create_user(s, "kari nordmann", "a long password")
        with pytest.raises(Conflict):
            access.create_user(s, "olga", "a long password")


def test_the_last_owner_cannot_step_down(db: Database) -> None:
    olga = _caller(db, "olga")
    with db.session() as s, pytest.raises(Conflict, match="last owner"):
        access.set_member(s, olga, "acme", "olga", Role.editor)
    with db.session() as s, pytest.raises(Conflict, match="last owner"):
        access.remove_member(s, olga, "acme", "olga")


def test_a_session_is_found_by_its_cookie_and_ends_at_logout_or_expiry(db: Database) -> None:
    with db.session() as s:
        user = access.check_password(s, "olga", "a long password")
        cookie, csrf = access.start_session(s, PEPPER, user, hours=1)
    assert cookie != csrf
    with db.session() as s:
        caller = access.caller_from_session(s, PEPPER, cookie)
        assert caller.csrf_digest == tokens.digest(PEPPER, csrf)
        access.end_session(s, caller)
    with db.session() as s, pytest.raises(Unauthenticated):
        access.caller_from_session(s, PEPPER, cookie)
    with db.session() as s:
        cookie, _ = access.start_session(s, PEPPER, user, hours=1)
        for row in s.scalars(select(SessionRow)):
            row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    with db.session() as s, pytest.raises(Unauthenticated):
        access.caller_from_session(s, PEPPER, cookie)


def test_the_pepper_is_created_once_private_and_kept(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "d", env="test", llm="fake", embeddings="fake")
    first = tokens.load_pepper(settings)
    assert first == tokens.load_pepper(settings) and len(first) >= 32
    assert (tmp_path / "d" / "auth-pepper").stat().st_mode & 0o077 == 0
    configured = Settings(
        data_dir=tmp_path / "d",
        env="test",
        llm="fake",
        embeddings="fake",
        auth_pepper="from the environment",
    )  # type: ignore[arg-type]
    assert tokens.load_pepper(configured) == b"from the environment"
