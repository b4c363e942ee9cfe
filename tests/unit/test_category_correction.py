"""Correcting one post's category changes that post only; learning from it is asked for, and
then every post it moved is listed. A category a person wrote down counts as set by a person."""

from __future__ import annotations

import json
from pathlib import Path

from service.container import Services
from service.library.corrections import correct_category
from service.library.demo import load_demo
from service.library.ingest import index_and_classify
from service.storage.repositories import PostRepo, WorkspaceRepo


def _categories(services: Services, workspace: str) -> dict[str, str | None]:
    with services.db.session() as s:
        return {p.id: p.category for p in PostRepo(s).list(workspace)}


def _other_category(services: Services, current: str | None) -> str:
    with services.db.session() as s:
        return next(c for c in WorkspaceRepo(s).get("demo").categories if c != current)


def _unlock_all_but(services: Services, workspace: str, keep: set[str]) -> None:
    with services.db.session() as s:
        repo = PostRepo(s)
        for post in repo.list(workspace):
            if post.id not in keep and post.category:
                repo.set_category(workspace, post.id, post.category, confidence=0.5, locked=False)


def test_the_demo_categories_count_as_set_by_a_person(services: Services) -> None:
    load_demo(services.db, services.vectors)
    with services.db.session() as s:
        posts = PostRepo(s).list("demo")
    assert posts and all(p.category_locked for p in posts if p.category)
    before = _categories(services, "demo")
    index_and_classify(services.db, services.vectors, services.embedder, "demo")
    assert _categories(services, "demo") == before


def test_a_correction_changes_that_post_only(services: Services) -> None:
    load_demo(services.db, services.vectors)
    _unlock_all_but(services, "demo", keep=set())
    before = _categories(services, "demo")
    target = next(iter(before))
    new = _other_category(services, before[target])
    done = correct_category(services.db, services.vectors, services.embedder, "demo", target, new)
    after = _categories(services, "demo")
    assert done.post.category == new and done.post.category_locked
    assert done.reclassified == []
    assert {k: v for k, v in after.items() if k != target} == {
        k: v for k, v in before.items() if k != target
    }


def test_reclassifying_when_asked_lists_exactly_what_moved(services: Services) -> None:
    load_demo(services.db, services.vectors)
    _unlock_all_but(services, "demo", keep=set())
    before = _categories(services, "demo")
    target = next(iter(before))
    done = correct_category(
        services.db,
        services.vectors,
        services.embedder,
        "demo",
        target,
        _other_category(services, before[target]),
        reclassify=True,
    )
    after = _categories(services, "demo")
    moved = {c.post_id: (c.before, c.after) for c in done.reclassified}
    expected = {
        pid: (before[pid], after[pid])
        for pid in after
        if pid != target and before[pid] != after[pid]
    }
    assert moved == expected


def test_categories_written_in_an_imported_file_count_as_set_by_a_person(
    services: Services, tmp_path: Path
) -> None:
    from service.library.ingest import import_paths

    load_demo(services.db, services.vectors)
    rows = [
        {
            "id": f"own-{i}",
            "channel": "facebook",
            "published_at": f"2026-03-0{i}T10:00:00+01:00",
            "text": text,
            **({"category": category} if category else {}),
        }
        for i, (text, category) in enumerate(
            [
                ("Møt Ingrid, som har jobbet i hagen i tretti år.", "ansatte"),
                ("Høstsalg: 20 % på all sider denne helgen.", "kampanje/tilbud"),
                ("Tre nye flasker på hylla i gårdsbutikken.", None),
            ],
            start=1,
        )
    ]
    path = tmp_path / "posts.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    [report] = import_paths(services.db, [path], workspace="demo")
    assert report.imported == 3, report
    index_and_classify(services.db, services.vectors, services.embedder, "demo")
    with services.db.session() as s:
        posts = {p.id: p for p in PostRepo(s).list("demo") if p.id.startswith("own-")}
    assert posts["own-1"].category == "ansatte" and posts["own-1"].category_locked
    assert posts["own-2"].category == "kampanje/tilbud" and posts["own-2"].category_locked
    assert not posts["own-3"].category_locked, "no category in the file: the classifier's"


def test_the_tab_says_what_changed(services: Services) -> None:
    from service.webui.backend import ui_backend

    load_demo(services.db, services.vectors)
    before = _categories(services, "demo")
    target = next(iter(before))
    new = _other_category(services, before[target])
    done = ui_backend(services).analytics.set_category("demo", target, new)
    assert done["before"] == before[target] and done["post"]["category"] == new
    assert done["reclassified"] == 0
    assert {k: v for k, v in _categories(services, "demo").items() if k != target} == {
        k: v for k, v in before.items() if k != target
    }
