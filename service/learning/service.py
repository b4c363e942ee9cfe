"""The learning feature's one owner: reviews teach it, people edit its rules, generation asks it.

API, CLI, UI and the variant pipeline call these methods; none of them composes repositories,
mining and the vector store itself. With `learning` switched off in the settings, a review is
only a review: nothing is mined, stored as an example, enforced or put into a prompt.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from service.domain import Draft, DraftStatus, Post, SourceType
from service.errors import Invalid
from service.generation.surfaces import load_surfaces
from service.learning.pipeline import propose
from service.learning.reuse import (
    ChannelReuse,
    ExportedDraft,
    PublishedPost,
    ReuseLink,
    link_published,
    reuse_report,
    source_scores,
)
from service.learning.rules import RuleKind, RuleSource, ScopeType, StyleRule
from service.learning.voice import BrandVoice, analyse_voice
from service.library.performance import engagement_rate
from service.messages import render
from service.providers.vectors import VectorItem, VectorStore
from service.settings import Settings
from service.storage.db import Database
from service.storage.learning_repos import BrandVoiceRepo, ReuseLinkRepo, StyleRuleRepo
from service.storage.repositories import DraftRepo, PostRepo, WorkspaceRepo

# Metadata kind of an approved draft in the workspace's vector collection (posts are "post").
EXAMPLE_KIND = "approved_draft"
R = TypeVar("R")
RuleStatus = Literal["proposed", "on", "off"]
# The voice is analysed from the best posts: the top share by engagement rate, at least this many.
VOICE_TOP_SHARE = 0.25
VOICE_MIN_POSTS = 10


class RuleIn(BaseModel):
    """A rule a person writes ("never write 'billig'", "always end with the booking link")."""

    model_config = ConfigDict(extra="forbid")

    kind: RuleKind
    params: dict[str, Any]
    scope: ScopeType = ScopeType.workspace
    scope_value: str = Field(default="", max_length=64)
    enabled: bool = True


class RulePatch(BaseModel):
    """What a person changes on a rule; each change is a new version, the old one kept."""

    model_config = ConfigDict(extra="forbid")

    params: dict[str, Any] | None = None
    scope: ScopeType | None = None
    scope_value: str | None = Field(default=None, max_length=64)
    enabled: bool | None = None


class RuleView(StyleRule):
    """A rule as people see it: whether it is a proposal nobody acted on yet, whether a check
    enforces it (else it is prompt guidance), and what it says, in the reader's language."""

    status: RuleStatus
    enforced: bool
    text: str


def rule_status(rule: StyleRule) -> RuleStatus:
    # A mined rule is stored switched off until a person accepts it; the first change anyone
    # makes (accept, off, edit) makes a version 2, so "never touched" is exactly version 1.
    if rule.source is not RuleSource.manual and rule.version == 1 and not rule.enabled:
        return "proposed"
    return "on" if rule.enabled else "off"


def describe(rule: StyleRule, lang: str = "nb") -> str:
    return render(f"rule.{rule.kind.value}", rule.params, lang)


def view(rule: StyleRule, lang: str = "nb") -> RuleView:
    return RuleView(
        **rule.model_dump(),
        status=rule_status(rule),
        enforced=rule.checkable,
        text=describe(rule, lang),
    )


class ReuseView(BaseModel):
    """Published posts linked to the approved drafts they came from, and per channel how the
    reuses did (engagement rate) against their sources and the channel's other posts, with n
    and a 95 % bootstrap interval."""

    links: list[ReuseLink]
    channels: list[ChannelReuse]
    source_weights: dict[str, float] = Field(
        description="per source post: the factor its next reuse's ranking gets (1 = no evidence)"
    )


class StyleLearning:
    def __init__(
        self, db: Database, vectors: Callable[[], VectorStore], settings: Settings
    ) -> None:
        # The store is handed lazily: listing rules must not load the embedding model.
        self.db, self._vectors, self.settings = db, vectors, settings
        self.catalog = load_surfaces()

    @property
    def on(self) -> bool:
        return self.settings.learning

    def channel_of(self, surface: str) -> str:
        # A draft of a surface since removed from the data file keeps its id as its channel:
        # it still teaches at the surface scope, and a review never fails on it.
        known = self.catalog.surfaces.get(surface)
        return known.channel if known is not None else surface

    # Reviews teach.

    def review(
        self,
        workspace: str,
        draft_id: str,
        status: DraftStatus,
        edited_text: str | None,
        *,
        override: bool = False,
    ) -> Draft:
        """A person's verdict; an approval also feeds the next drafts (see `learn_from`). A
        draft that failed its checks is approved only with `override` (else a 409)."""
        with self.db.session() as s:
            draft = DraftRepo(s).review(workspace, draft_id, status, edited_text, override=override)
        if draft.status is DraftStatus.approved:
            self.learn_from(draft)
        return draft

    def learn_from(self, draft: Draft) -> list[StyleRule]:
        """An approved draft becomes a grounding example (its edited text preferred), and when a
        person edited it, the workspace's edits are mined again: the rules that now pass the
        threshold are stored as proposals, with their evidence. Returns the new proposals."""
        if not self.on or draft.kind != "variant":
            return []
        self.store_example(draft)
        if not draft.edited_text or draft.edited_text.strip() == draft.text.strip():
            return []
        with self.db.session() as s:
            # Variants and month drafts (both "variant"); a profile text is not a post.
            drafts = DraftRepo(s).list(draft.workspace, status=DraftStatus.approved, kind="variant")
            repo = StyleRuleRepo(s)
            proposals = propose(
                draft.workspace,
                drafts,
                repo.for_workspace(draft.workspace),
                repo.dismissed_keys(draft.workspace),
                self.channel_of,
                self.settings,
            )
            auto = self.settings.learning_auto_accept
            stored = [repo.add(p.model_copy(update={"enabled": auto})) for p in proposals]
        return stored

    def store_example(self, draft: Draft) -> None:
        text = (draft.edited_text or draft.text).strip()
        if not text:
            return
        self._vectors().upsert(
            draft.workspace,
            [
                VectorItem(
                    id=f"draft:{draft.id}",
                    text=text,
                    metadata={
                        "kind": EXAMPLE_KIND,
                        "draft_id": draft.id,
                        "surface": draft.surface,
                        "channel": self.channel_of(draft.surface),
                        "edited": bool(draft.edited_text),
                    },
                )
            ],
        )

    # Generation asks.

    def active_rules(self, workspace: str) -> list[StyleRule]:
        """The rules generation obeys: switched on (proposals are not, until accepted)."""
        if not self.on:
            return []
        with self.db.autocommit() as s:  # asked for every draft: one read, one round trip
            return [r for r in StyleRuleRepo(s).for_workspace(workspace) if r.enabled]

    def voice_text(self, workspace: str, lang: str) -> str | None:
        """The structured voice as prompt lines, if a person saved one."""
        with self.db.autocommit() as s:
            voice = BrandVoiceRepo(s).get(workspace)
        return voice.prompt_text(lang) if voice is not None else None

    # People edit.

    def rules(self, workspace: str, lang: str = "nb") -> list[RuleView]:
        with self.db.session() as s:
            WorkspaceRepo(s).get(workspace)
            return [view(r, lang) for r in StyleRuleRepo(s).for_workspace(workspace)]

    def add_rule(self, workspace: str, rule: RuleIn, lang: str = "nb") -> RuleView:
        made = self._valid(lambda: StyleRule(workspace=workspace, **rule.model_dump()))
        with self.db.session() as s:
            WorkspaceRepo(s).get(workspace)
            return view(StyleRuleRepo(s).add(made), lang)

    def update_rule(
        self, workspace: str, rule_id: str, patch: RulePatch, lang: str = "nb"
    ) -> RuleView:
        changes = patch.model_dump(exclude_none=True)
        if changes.get("scope") == ScopeType.workspace and "scope_value" not in changes:
            changes["scope_value"] = ""
        with self.db.session() as s:
            repo = StyleRuleRepo(s)
            return view(self._valid(lambda: repo.update(workspace, rule_id, **changes)), lang)

    def delete_rule(self, workspace: str, rule_id: str) -> None:
        """Deleted rules are remembered, so mining does not propose them again."""
        with self.db.session() as s:
            StyleRuleRepo(s).delete(workspace, rule_id)

    def history(self, workspace: str, rule_id: str, lang: str = "nb") -> list[RuleView]:
        with self.db.session() as s:
            return [view(r, lang) for r in StyleRuleRepo(s).history(workspace, rule_id)]

    @staticmethod
    def _valid(make: Callable[[], R]) -> R:
        try:
            return make()
        except ValidationError as exc:  # a 422 naming what is wrong, not a 500
            first = exc.errors()[0]
            message = str(first["msg"]).removeprefix("Value error, ")
            where = ".".join(str(x) for x in first["loc"])
            raise Invalid(message, details={"field": where} if where else None) from exc

    # The results loop: what was published from the drafts, and how it did.

    def link_reuse(self, workspace: str) -> list[ReuseLink]:
        """Link the workspace's posts to the drafts they were published from and store the
        links. Exactly first: a post whose link carries a draft's id as utm_content (the
        export writes it) is that draft's. Then by text similarity within 45 days of approval,
        one post per draft, for approved drafts. Runs at the end of each import (ingest's
        post-import step) and on demand; linking is recomputed from everything, never merged."""
        return relink(self.db, workspace, self.channel_of)

    def reuse(self, workspace: str, *, relink: bool = False) -> ReuseView:
        """The report from the stored links (written at each import's end); `relink` computes
        them again first (old data imported before links were stored)."""
        links = self.link_reuse(workspace) if relink else self._links(workspace)
        with self.db.session() as s:
            posts = [_published(p) for p in PostRepo(s).list(workspace)]
        return ReuseView(
            links=links,
            channels=reuse_report(links, posts),
            source_weights=source_scores(links, posts),
        )

    def source_weights(self, workspace: str) -> dict[str, float]:
        """Ranking feedback for grounding: a source whose reuses kept performing ranks higher,
        one whose reuses flopped lower (from the stored links; empty before any)."""
        if not self.on:
            return {}
        links = self._links(workspace)
        if not links:
            return {}
        with self.db.session() as s:
            posts = [_published(p) for p in PostRepo(s).list(workspace)]
        return source_scores(links, posts)

    def _links(self, workspace: str) -> list[ReuseLink]:
        with self.db.autocommit() as s:
            return ReuseLinkRepo(s).for_workspace(workspace)

    # The brand voice.

    def voice(self, workspace: str) -> BrandVoice:
        """The saved voice, else one analysed from the workspace's best own posts."""
        with self.db.session() as s:
            saved = BrandVoiceRepo(s).get(workspace)
        return saved if saved is not None else self.analysed_voice(workspace)

    def analysed_voice(self, workspace: str) -> BrandVoice:
        with self.db.session() as s:
            ws = WorkspaceRepo(s).get(workspace)
            posts = [
                p
                for p in PostRepo(s).list(workspace)
                if p.source_type is SourceType.own and p.text.strip()
            ]
        if not posts:
            return BrandVoice(note=ws.brand_voice)
        ranked = sorted(posts, key=lambda p: engagement_rate(p) or 0.0, reverse=True)
        top = ranked[: max(VOICE_MIN_POSTS, int(len(ranked) * VOICE_TOP_SHARE))]
        voice = analyse_voice([p.text for p in top])
        return voice.model_copy(update={"note": ws.brand_voice})

    def save_voice(self, workspace: str, voice: BrandVoice) -> BrandVoice:
        with self.db.session() as s:
            WorkspaceRepo(s).get(workspace)
            return BrandVoiceRepo(s).save(workspace, voice)


def relink(
    db: Database, workspace: str, channel_of: Callable[[str], str] | None = None
) -> list[ReuseLink]:
    """See `StyleLearning.link_reuse`; a function so that the import's end can call it without
    the vector store. A draft is a candidate unless rejected or of a surface no longer known;
    only approved ones may link by text (a proposed one was exported only on request, and then
    only its reference links it)."""
    catalog = load_surfaces()

    def channel(surface: str) -> str:
        known = catalog.surfaces.get(surface)
        return known.channel if known is not None else surface

    where = channel_of or channel
    with db.session() as s:
        drafts = [
            d
            for d in DraftRepo(s).list(workspace, kind="variant")
            if d.status is not DraftStatus.rejected
        ]
    exported = [
        ExportedDraft(
            draft_id=d.id,
            channel=where(d.surface),
            surface=d.surface,
            text=d.edited_text or d.text,
            exported_at=d.updated_at,
            source_post_id=d.source_post_id,
            ref=d.id,
            by_text=d.status is DraftStatus.approved,
        )
        for d in drafts
        if (d.edited_text or d.text).strip() and d.surface in catalog.surfaces
    ]
    links: list[ReuseLink] = []
    if exported:  # a library without drafts (most imports) is not read again
        with db.session() as s:
            posts = [_published(p) for p in PostRepo(s).list(workspace)]
        links = link_published(exported, posts)
    with db.session() as s:
        ReuseLinkRepo(s).replace(workspace, links)
    return links


def _published(post: Post) -> PublishedPost:
    return PublishedPost(
        post_id=post.id,
        channel=post.channel.value,
        text=post.text,
        published_at=post.published_at,
        permalink=post.permalink,
        value=engagement_rate(post),
    )


def views(rules: Sequence[StyleRule], lang: str = "nb") -> list[RuleView]:
    return [view(r, lang) for r in rules]
