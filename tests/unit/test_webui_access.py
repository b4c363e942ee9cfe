"""The UI's calls go through the permission table for the person logged in: a viewer's call
that acts is refused even if made without the (hidden) button, another workspace is 404, and
the picker's choices are the caller's own workspaces."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from gradio.context import LocalContext

from service.auth.bootstrap import add_user, create_owner
from service.auth.permissions import Role
from service.auth.ui import ui_permissions
from service.container import Services
from service.domain import Workspace
from service.errors import Forbidden, NotFound, Unauthenticated
from service.storage.repositories import WorkspaceRepo
from service.webui.backend import ui_backend


@pytest.fixture
def world(services: Services) -> Iterator[Services]:
    with services.db.session() as s:
        for slug in ("a", "b"):
            WorkspaceRepo(s).save(Workspace(slug=slug, name=slug.upper()))
    create_owner(services.db, "olga", "an-owner-password-123")
    from service.auth.bootstrap import adopt_unowned

    adopt_unowned(services.db, "olga")
    add_user(services.db, "vera", workspace="a", role=Role.viewer, password="a-viewer-pass-123")
    yield services


def _as(user: str | None) -> None:
    LocalContext.request.set(SimpleNamespace(username=user))  # type: ignore[arg-type]


def test_the_pickers_and_rights_are_the_callers_own(world: Services) -> None:
    assert sorted(ui_permissions(world.db, "olga")) == ["a", "b"]
    vera = ui_permissions(world.db, "vera")
    assert list(vera) == ["a"]
    assert "workspace.read" in vera["a"] and "library.import" not in vera["a"]
    assert "generate" not in vera["a"]
    assert ui_permissions(world.db, None) == {}


def test_a_viewer_cannot_import_or_generate_through_the_ui_backend(
    world: Services, tmp_path: Path
) -> None:
    backend = ui_backend(world)
    assert backend.imports is not None and backend.access is not None
    export = tmp_path / "x.csv"
    export.write_text("a,b\n1,2\n", encoding="utf-8")
    try:
        _as("vera")
        assert backend.access.permissions("vera").keys() == {"a"}
        assert backend.analytics.posts("a") == []  # reading is allowed
        with pytest.raises(Forbidden):
            backend.imports.run("a", [str(export)], None)
        with pytest.raises(Forbidden):
            backend.plans.start("a", "{}")
        with pytest.raises(Forbidden):
            backend.imports.set_followers("a", 100, "2026-01-01")
        with pytest.raises(NotFound):
            backend.search("b", "ferje", 5)  # not hers: as if it did not exist
        with pytest.raises(Forbidden):
            backend.profiles.propose("{}", "facebook.description", 1)
        _as(None)  # an event of no one logged in
        with pytest.raises(Unauthenticated):
            backend.analytics.posts("a")
        _as("olga")
        out = backend.imports.run("b", [str(export)], None)
        assert out["report"]["files"][0]["error"], "an owner's call reaches the importer"
    finally:
        LocalContext.request.set(None)
