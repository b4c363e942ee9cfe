"""Correcting one post's category changes that post only; learning from it is asked for, and
then every post it moved is listed. A category a person wrote down counts as set by a person."""

from __future__ import annotations

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
