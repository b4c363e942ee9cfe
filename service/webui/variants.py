"""The functions the "Gjenbruk et innlegg" tab is handed: plain data in, plain data out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from service.container import Services
from service.domain import Draft, DraftStatus
from service.generation.variants import VariantRequest
from service.library.reports import post_rows
from service.library.search import search_posts
from service.storage.repositories import DraftRepo

if TYPE_CHECKING:
    from ui.variants_tab import ProgressFn, VariantsBackend


def _label(rate: float | None, channel: str, text: str) -> str:
    er = f"{rate:.1%}" if rate is not None else "–"
    return f"{er} · {channel} · {' '.join(text.split())[:70]}"


def variants_backend(services: Services) -> VariantsBackend:
    from ui.variants_tab import VariantsBackend

    def top_posts(workspace: str, query: str) -> list[tuple[str, str]]:
        if query.strip():
            hits = search_posts(services.db, services.vectors, workspace, query, k=20)
            return [(_label(h.engagement_rate, h.channel, h.text), h.post_id) for h in hits]
        rows = sorted(post_rows(services.db, workspace), key=lambda r: -(r.engagement_rate or 0))
        return [(_label(r.engagement_rate, r.channel, r.text), r.id) for r in rows[:30]]

    def surfaces() -> list[tuple[str, str]]:
        """(kind, id) per surface: the tab names them in the reader's language."""
        catalog = services.variants.catalog
        return [(s.kind.value, s.id) for s in catalog.surfaces.values()]

    def generate(request: dict[str, Any], progress: ProgressFn) -> dict[str, Any]:
        return services.variants.run(VariantRequest(**request), progress).model_dump(mode="json")

    def review(
        workspace: str, draft_id: str, status: str, edited: str, override: bool
    ) -> dict[str, Any]:
        draft = services.learning.review(
            workspace, draft_id, DraftStatus(status), edited, override=override
        )
        return draft.model_dump(mode="json")

    def reviewed(workspace: str, result: dict[str, Any]) -> dict[str, Any]:
        ids = [str(v["draft_id"]) for v in result.get("variants", []) if v.get("draft_id")]
        with services.db.session() as s:
            stored = DraftRepo(s).many(workspace, ids)
        return with_review(result, stored)

    return VariantsBackend(
        top_posts=top_posts,
        surfaces=surfaces,
        generate=generate,
        review=review,
        reviewed=reviewed,
    )


def with_review(result: dict[str, Any], stored: Mapping[str, Draft]) -> dict[str, Any]:
    """The generation's answer with what people decided since, read from the stored drafts:
    each variant's status, edited text and whether a failed one was approved all the same.
    What the cards, the text box and the JSON download show is this, never the answer as it
    was generated."""
    variants = []
    for v in result.get("variants", []):
        draft = stored.get(str(v.get("draft_id")))
        variants.append(
            {
                **v,
                "status": draft.status.value if draft else "proposed",
                "edited_text": draft.edited_text if draft else None,
                "checks_overridden": draft.checks_overridden if draft else False,
            }
        )
    return {**result, "variants": variants}
