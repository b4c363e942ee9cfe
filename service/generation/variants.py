"""Reuse variants of one post across surfaces: the editor's main flow.

source → grounding examples → hard facts → prompt → structured output → deterministic checks
→ model repair with the exact violations → rule-based repair → checks again → stored as drafts.
A variant that still fails is returned marked failed with its reasons, never as passing.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field, model_validator

from service.domain import (
    Asset,
    Check,
    Consent,
    CreatorRole,
    Draft,
    DraftStatus,
    JourneyPhase,
    Post,
    SourceType,
)
from service.errors import Invalid, ProviderResponseInvalid
from service.generation.checks import (
    CheckContext,
    checked,
    failed_reasons,
    hard_failures,
    measured,
    run_checks,
)
from service.generation.composer import (
    Brief,
    Composer,
    Composition,
    Habits,
    Material,
    learn_habits,
    month_near_copy,
    product_phrase,
    timeless_problem,
)
from service.generation.composer import units as composer_units
from service.generation.consent import ConsentDecision, ConsentVerdict, decide
from service.generation.facts import (
    STRICT_KINDS,
    Fact,
    FactKey,
    FactKind,
    allowed_keys,
    extract_facts,
)
from service.generation.grounding import Example, render_examples, select_examples
from service.generation.injection import (
    Flagged,
    own_fact_keys,
    screen,
    without_instructions,
)
from service.generation.language import NAMES, detect
from service.generation.pieces import AskedPieces, ModelPieces
from service.generation.prompts import load_prompt
from service.generation.repair import deterministic_repair
from service.generation.surfaces import Surface, load_surfaces
from service.generation.variant_schemas import paste_text, schema_for
from service.library.performance import engagement_rate
from service.messages import Message
from service.providers.llm import LLM, ChatMessage, Usage
from service.providers.prices import estimate_cost
from service.providers.vectors import VectorStore
from service.storage.db import Database
from service.storage.repositories import AssetRepo, DraftRepo, PostRepo, WorkspaceRepo

if TYPE_CHECKING:
    from service.learning.rules import StyleRule
    from service.learning.service import StyleLearning

ProgressFn = Callable[[str, int, int], None]
# What size of task the model is trusted with (settings.model_capability): a small model gets
# a composed variant and writes only short pieces; a capable one writes the whole variant.
Capability = Literal["small", "capable"]
# How a variant's text came about: the model's answer, or composed by the composer from the
# source and the organisation's material (a small model's first answer; or a capable model's
# last fallback when its answer still failed after repairs).
Origin = Literal["model", "composed", "composed_fallback"]
# The organisation's best posts its habits (calls to action, hashtags) are learned from.
HABIT_POSTS = 40
# A month's briefs of one category borrow from this many of its best posts, one per slot in turn.
BORROW_POSTS = 12
PHASE_NB = {
    JourneyPhase.discover: "oppdage",
    JourneyPhase.explore: "utforske",
    JourneyPhase.act: "handle",
    JourneyPhase.share: "dele",
    JourneyPhase.learn: "lære",
}


class VariantAsk(BaseModel):
    """What to write; the workspace comes from the route (VariantRequest adds it)."""

    post_id: str | None = Field(default=None, description="a library post to reuse")
    text: str | None = Field(default=None, max_length=10_000, description="or pasted text")
    surfaces: list[str] = Field(min_length=1, max_length=16)
    language: str | None = Field(default=None, pattern=r"^(nb|nn|en)$")
    n: int = Field(default=1, ge=1, le=3, description="variants per surface")
    phase: JourneyPhase | None = None
    tone: str = Field(default="", max_length=200)
    source_type: SourceType = SourceType.own
    author: str = Field(default="", max_length=200)
    consent: Consent | None = None
    category: str | None = Field(
        default=None, max_length=60, description="ground in this content category's best posts"
    )

    @model_validator(mode="after")
    def _one_source(self) -> VariantAsk:
        if (self.post_id is None) == (not (self.text or "").strip()):
            raise ValueError("give exactly one of post_id or text")
        return self


class VariantRequest(VariantAsk):
    workspace: str = Field(min_length=1, max_length=63)
    # A month slot's brief (service/planning/drafts.py): its subject, date and own event, and
    # the planner's instruction as guidance only. None for a reuse.
    brief: Brief | None = None
    # The month's drafts written so far: a composed draft takes another take rather than be a
    # near-copy of one of them (issue 21: no text twice in a month).
    avoid: list[str] = Field(default_factory=list, max_length=500)


class Variant(BaseModel):
    surface: str
    language: str
    text: str
    parts: dict[str, Any]
    checks: list[Check]
    passed: bool
    failed_reasons: list[str] = Field(default_factory=list)
    examples_used: list[str]
    usage: Usage
    attempts: int = Field(description="model calls, repairs included")
    rule_repaired: bool = False
    first_attempt_passed: bool = Field(
        default=False, description="the model's first answer passed every hard check"
    )
    draft_id: str | None = None
    model: str
    prompt: str
    origin: Origin = Field(
        default="model",
        description="model: the model wrote it; composed: built from the source and the "
        "organisation's posts, the model writing only short pieces; composed_fallback: the "
        "model's answer failed after its repairs and this composed draft replaced it",
    )
    pieces: list[str] = Field(default_factory=list, description="model pieces used, if composed")


class VariantResponse(BaseModel):
    source: dict[str, Any]
    variants: list[Variant]
    warnings: list[str] = Field(description="the notices' texts, in the reader's language")
    notices: list[Message] = Field(
        default_factory=list, description="the warnings as catalogue codes and parameters"
    )
    examples: list[Example]
    usage: Usage
    cost_usd: float
    cost_priced: bool


class _Source(BaseModel):
    post: Post | None
    text: str
    source_type: SourceType
    author: str
    uses_others_asset: bool
    consent: Consent | None


class _Prepared(BaseModel):
    organisation: str
    voice: str
    source: _Source
    language: str
    facts: list[Fact]
    examples: list[Example]
    contact_context: list[str]
    contact_keys: frozenset[FactKey]  # the fact keys of contact_context, computed once
    # The source less what was set aside (instructions; for others' text also links and prices
    # the organisation never used): what facts come from and what repair may copy.
    trusted_text: str
    flagged: list[Flagged]
    habits: Habits = Habits()  # the organisation's call-to-action and hashtag habits
    category: str | None = None
    variation: int = 0  # a tone asked for: the composer takes another hook and call to action
    category_best: list[str] = []  # the category's best own posts, best first (for a brief)
    brief: Brief | None = None
    avoid: list[str] = []
    # The workspace's style rules in force (service/learning): checked and repaired after the
    # surface checks; the ones no check can decide go into the prompt as guidance.
    style_rules: list[Any] = []


def _fields_hint(surface: Surface) -> str:
    schema = schema_for(surface).model_json_schema()
    return ", ".join(
        f'"{name}" ({"liste med tekster" if p.get("type") == "array" else "tekst"})'
        for name, p in schema["properties"].items()
    )


def _category_best(posts: Sequence[Post], category: str) -> list[str]:
    """The category's best own posts, best first, one post published twice counted once."""
    own = [p for p in posts if p.category == category and p.source_type is SourceType.own]
    ranked = sorted(own, key=lambda p: engagement_rate(p) or 0.0, reverse=True)
    return list(dict.fromkeys(p.text for p in ranked))[:BORROW_POSTS]


def _borrowable(text: str, language: str, brief: Brief | None, organisation: str) -> bool:
    """A sentence of another post a brief may borrow: no fact of its own (a price, a date, a
    link) and timeless for the slot."""
    if [f for f in extract_facts(text) if f.kind in STRICT_KINDS]:
        return False
    return timeless_problem(text, language, brief, organisation) is None


def _used(sentence: str, month: Sequence[str]) -> bool:
    """The sentence stands in one of the month's drafts already."""
    needle = " ".join(sentence.lower().split())
    return any(needle in " ".join(text.lower().split()) for text in month)


def _subject_of(post: str, prep: _Prepared) -> str:
    """A best post's subject for a brief that has none: its product phrase ("Blåskjell i
    hvitvin – 229 kr" → "Blåskjell i hvitvin"), when it leads with one that fits the slot."""
    phrase = product_phrase(post)
    if not phrase or timeless_problem(phrase, prep.language, prep.brief, prep.organisation):
        return ""
    return phrase


class VariantPipeline:
    def __init__(
        self,
        db: Database,
        vectors: VectorStore,
        llm: LLM,
        *,
        max_repairs: int = 2,
        price_overrides: dict[str, dict[str, float]] | None = None,
        capability: Capability = "capable",
        compose_fallback: bool = True,
        pieces: frozenset[str] = frozenset({"hook", "shorten"}),
        learning: StyleLearning | None = None,
    ) -> None:
        self.db, self.vectors, self.llm = db, vectors, llm
        self.learning = learning
        self.capability: Capability = capability
        self.compose_fallback = compose_fallback
        self.pieces = pieces  # the composer's pieces this model is asked for
        self.composer = Composer()
        # Which of a category's best posts the next brief borrows from (see _borrowed).
        self._turns: dict[tuple[str, str], int] = {}
        self.max_repairs = max_repairs
        self.price_overrides = price_overrides or {}
        self.catalog = load_surfaces()

    def _source(self, req: VariantRequest) -> _Source:
        if req.post_id is None:
            return _Source(
                post=None,
                text=(req.text or "").strip(),
                source_type=req.source_type,
                author=req.author,
                uses_others_asset=False,
                consent=req.consent,
            )
        with self.db.session() as s:
            post = PostRepo(s).get(req.workspace, req.post_id)
            assets = [a for a in AssetRepo(s).list(req.workspace) if a.source_post_id == post.id]
        others: list[Asset] = [
            a for a in assets if a.creator_role in (CreatorRole.customer, CreatorRole.partner)
        ]
        consent = req.consent or next((a.consent for a in others if a.consent), None)
        if consent is None and post.source_type is not SourceType.own:
            consent = next((a.consent for a in assets if a.consent), None)
        if not post.text.strip():
            raise Invalid(f"post {post.id!r} has no text to reuse")
        return _Source(
            post=post,
            text=post.text.strip(),
            source_type=post.source_type,
            author=post.author,
            uses_others_asset=bool(others),
            consent=consent,
        )

    def _prepare(self, req: VariantRequest) -> _Prepared:
        with self.db.autocommit() as s:  # reads only: no BEGIN/COMMIT round trips per draft
            ws = WorkspaceRepo(s).get(req.workspace)
            posts = PostRepo(s).list(req.workspace)
        source = self._source(req)
        language = req.language or detect(source.text).language or ws.language
        if language not in ("nb", "nn", "en"):
            language = ws.language
        examples = select_examples(
            self.vectors,
            req.workspace,
            source.text,
            posts,
            exclude_ids=[source.post.id] if source.post else [],
            prefer_category=req.category,
            source_weights=self.learning.source_weights(req.workspace) if self.learning else None,
        )
        # Only what the organisation itself published vouches for a link, a phone number or a
        # price: a customer's or partner's post in the library does not.
        context = [without_instructions(p.text) for p in posts if p.source_type is SourceType.own]
        untrusted = source.source_type is not SourceType.own
        own_keys = own_fact_keys(context) if untrusted else None
        flagged = screen(source.text, own_keys=own_keys)
        trusted = without_instructions(source.text, own_keys=own_keys)
        category_best = (
            _category_best(posts, req.category) if req.category and source.post is None else []
        )
        if req.brief is not None and req.brief.fallback:
            borrowable = [
                u.text
                for post in category_best
                for u in composer_units(without_instructions(post))
                if _borrowable(u.text, language, req.brief, ws.name)
                and not _used(u.text, req.avoid)
            ]
            # Nothing of the organisation's own that fits and the month has not said yet: the
            # plan's fact carries the draft.
            if not borrowable:
                trusted = f"{trusted}\n{req.brief.fallback}"
        facts = extract_facts(trusted)
        if own_keys is not None:
            # Others' text is never a source of must-keep facts on its own word: a fact stays
            # required only where the organisation's own material carries it too.
            facts = [f for f in facts if (f.kind, f.key) in own_keys or f.kind is FactKind.name]
        return _Prepared(
            organisation=ws.name,
            voice=self._voice(req.workspace, language, ws.brand_voice),
            source=source,
            language=language,
            facts=facts,
            examples=examples,
            # The organisation's own links, e-mail and phone numbers appear across its posts.
            contact_context=context,
            contact_keys=allowed_keys(context),
            trusted_text=trusted,
            flagged=flagged,
            habits=self._habits(posts, language, [trusted, *(e.text for e in examples)]),
            category=req.category,
            variation=1 if req.tone.strip() else 0,
            category_best=category_best,
            style_rules=self.learning.active_rules(req.workspace) if self.learning else [],
            brief=req.brief,
            avoid=req.avoid,
        )

    # --- composition (issue 18) --------------------------------------------------------------
    @staticmethod
    def _habits(posts: list[Post], language: str, allowed: list[str]) -> Habits:
        own = [p for p in posts if p.source_type is SourceType.own and p.text.strip()]
        best = sorted(own, key=lambda p: engagement_rate(p) or 0.0, reverse=True)[:HABIT_POSTS]
        return learn_habits([without_instructions(p.text) for p in best], language, allowed)

    def _turn(self, prep: _Prepared, advance: bool) -> int:
        """Which of the category's best posts the next brief borrows from: one after the other,
        so a month's slots of one category do not borrow the same post."""
        key = (prep.organisation, prep.category or "")
        turn = self._turns.get(key, 0)
        if advance:
            self._turns[key] = turn + 1
        return turn

    def _borrowed(self, prep: _Prepared, turn: int) -> tuple[list[str], str]:
        """For a brief (a month slot: pasted text grounded in a category), the timeless fact-free
        sentences of one of the category's best posts, from the turn's post on, and that post's
        subject (its product phrase, when it leads with one): the organisation's own words carry
        the draft. A post none of whose sentences is timeless for the slot (a season's word out
        of season, a day, one person thanked, another event) is passed over."""
        if prep.category is None or not prep.category_best:
            return [], ""
        best = prep.category_best
        for k in range(len(best)):
            chosen = without_instructions(best[(turn + k) % len(best)])
            found = [
                u.text
                for u in composer_units(chosen)
                if _borrowable(u.text, prep.language, prep.brief, prep.organisation)
                and not _used(u.text, prep.avoid)  # the month said it already
            ][:3]
            if found:
                return found, _subject_of(chosen, prep)
        return [], ""

    def _material(
        self, prep: _Prepared, ctx: CheckContext, turn: int, variation: int = 0
    ) -> Material:
        brief = prep.brief
        borrowed: list[str] = []
        if prep.category is not None and prep.category_best:
            borrowed, subject = self._borrowed(prep, turn + variation)
            if brief is not None and not brief.subject and subject:
                brief = brief.model_copy(update={"subject": subject})
        return Material(
            organisation=prep.organisation,
            language=prep.language,
            source_text=prep.trusted_text,
            required=ctx.required,
            habits=prep.habits,
            category=prep.category,
            variation=prep.variation + variation,
            borrowed=borrowed,
            brief=brief,
        )

    def _composed(self, prep: _Prepared, sf: Surface, ctx: CheckContext, origin: Origin) -> Variant:
        """A variant built by the composer; through the same checks and rule repair as a
        model's answer. A small model is asked for checked pieces; a capable model's fallback
        is composed by the rules alone (its own pieces already failed once, and the fallback
        should cost no more calls)."""
        pieces = ModelPieces(self.llm, self.pieces)
        asked = pieces if origin == "composed" else None
        composition, copied = self._take(prep, sf, ctx, asked)
        parts = composition.parts
        checks = run_checks(ctx, parts)
        if prep.brief is not None and not composition.carried:
            # Only template lines (a greeting, a call to action): no fact of the brief and no
            # sentence of the organisation's own that fits the slot. Said, not passed.
            checks.append(measured("substance", False, "check.substance.none"))
        first_passed = not hard_failures(checks)
        parts, checks, rule_repaired = _rule_repair(ctx, parts, checks)
        # A composed draft keeps the workspace's style rules like a model's answer does.
        parts, checks, by_style = self._style_rules(prep, sf, ctx, parts, checks)
        rule_repaired = rule_repaired or by_style
        if prep.brief is not None and not composition.carried:
            checks = [c for c in checks if c.name != "substance"]
            checks.append(measured("substance", False, "check.substance.none"))
        if copied:
            # Every take repeats a draft of the month (too little material for another one):
            # said, not passed (issue 21: no text twice in a month).
            takes = self.composer.rules.month_variations
            checks.append(measured("month_unique", False, "check.month_unique.copy", takes=takes))
        failures = hard_failures(checks)
        return Variant(
            surface=sf.id,
            language=prep.language,
            text=paste_text(sf, parts),
            parts=parts,
            checks=checks,
            passed=not failures,
            failed_reasons=[f"{c.name}: {c.detail}" for c in failures],
            examples_used=[e.post_id for e in prep.examples],
            usage=pieces.usage,
            attempts=pieces.calls,
            rule_repaired=rule_repaired,
            first_attempt_passed=first_passed,
            model=self.llm.model_name,
            prompt=composition.prompt_key,
            origin=origin,
            pieces=list(dict.fromkeys(composition.pieces_used)),
        )

    def _take(
        self, prep: _Prepared, sf: Surface, ctx: CheckContext, pieces: ModelPieces | None
    ) -> tuple[Composition, bool]:
        """The composition, in the first take that is no near-copy of the month's drafts so far
        (`avoid`): each further take opens, borrows, ends and tags differently; deterministic,
        so the same month gives the same drafts. When every take is a near-copy, the one least
        like the month's drafts, and True (it is one)."""
        turn = self._turn(prep, advance=True)
        best: tuple[int, Composition] | None = None
        takes = self.composer.rules.month_variations if prep.avoid else 1
        for variation in range(takes):  # one turn per draft, however many takes
            material = self._material(prep, ctx, turn, variation)
            composition = self.composer.compose(material, sf, ctx, pieces)
            text = paste_text(sf, composition.parts)
            copies = sum(month_near_copy(text, other) for other in prep.avoid)
            if not copies:
                return composition, False
            if best is None or copies < best[0]:
                best = (copies, composition)
        assert best is not None
        return best[1], True

    # --- end of composition ------------------------------------------------------------------

    def _voice(self, workspace: str, language: str, free_text: str) -> str:
        """The structured brand voice a person saved, else the workspace's free-text one."""
        structured = self.learning.voice_text(workspace, language) if self.learning else None
        return structured or free_text

    def prompts(self, req: VariantRequest) -> dict[str, list[ChatMessage]]:
        """The first prompt each surface's variant would be generated from, without calling the
        model: for token and cost estimates, and for a person who wants to see it."""
        prep = self._prepare(req)
        return {
            sf.id: self._messages(req, prep, sf)[0]
            for sf in (self.catalog.get(x) for x in dict.fromkeys(req.surfaces))
        }

    def asked_pieces(self, req: VariantRequest) -> list[tuple[list[str], int]] | None:
        """For a composing model (capability small): the piece prompts each surface's draft
        would really send (message texts, token bound), found by composing without calling the
        model; none when the profile asks for no pieces. None for a capable model, which
        writes the whole variant (see prompts)."""
        if self.capability != "small":
            return None
        prep = self._prepare(req)
        asked: list[tuple[list[str], int]] = []
        for sf in (self.catalog.get(x) for x in dict.fromkeys(req.surfaces)):
            _, ctx, _ = self._messages(req, prep, sf)
            material = self._material(prep, ctx, self._turn(prep, advance=False))
            dry = AskedPieces(self.llm, self.pieces)
            self.composer.compose(material, sf, ctx, dry)
            asked += dry.asked_prompts
        return asked

    def run(
        self,
        req: VariantRequest,
        progress: ProgressFn | None = None,
        *,
        draft_ids: Sequence[str] = (),
    ) -> VariantResponse:
        """`draft_ids`: the ids to store the variants' drafts under, in order (a fresh id for
        the rest): a caller that retries after a crash names them, so that a draft it already
        stored is found again instead of stored twice."""
        surfaces = [self.catalog.get(s) for s in dict.fromkeys(req.surfaces)]
        prep = self._prepare(req)
        source, language, facts = prep.source, prep.language, prep.facts
        notices: list[Message] = []
        injected = [f.sentence for f in prep.flagged if f.instruction]
        if injected:
            notices.append(Message.of("variants.injection", found=injected[0][:80]))
        decisions = {
            sf.id: decide(
                source_type=source.source_type,
                uses_others_asset=source.uses_others_asset,
                consent=source.consent,
                surface_kind=sf.kind.value,
                scope_needed=sf.consent_scope,
                surface=sf.id,
            )
            for sf in surfaces
        }
        notices += [
            Message.of(d.code, **d.params)
            for d in decisions.values()
            if d.verdict is not ConsentVerdict.ok
        ]
        if any(d.verdict is not ConsentVerdict.ok for d in decisions.values()) and not any(
            sf.asks_permission for sf in surfaces
        ):
            permission = self.catalog.permission_surface()
            surfaces.append(permission)
            notices.append(Message.of("variants.permission_added", surface=permission.id))
        examples = prep.examples
        variants: list[Variant] = []
        total = len(surfaces) * req.n
        done = 0
        for sf in surfaces:
            decision = decisions.get(sf.id)
            for _ in range(req.n):
                if decision is not None and decision.verdict is ConsentVerdict.refuse:
                    variants.append(self._refused(sf, language, decision))
                else:
                    variants.append(self._one(req, prep, sf))
                done += 1
                if progress:
                    progress(sf.id, done, total)
        self._store(req.workspace, source, variants, draft_ids)
        usage = sum((v.usage for v in variants), Usage())
        cost = estimate_cost(
            self.llm.model_name, usage.prompt_tokens, usage.completion_tokens, self.price_overrides
        )
        return VariantResponse(
            source={
                "post_id": source.post.id if source.post else None,
                "text": source.text,
                "source_type": source.source_type.value,
                "language": language,
                "facts": [f.model_dump() for f in facts],
            },
            variants=variants,
            warnings=[n.text for n in notices],
            notices=notices,
            examples=examples,
            usage=usage,
            cost_usd=cost.usd,
            cost_priced=cost.priced,
        )

    def _refused(self, sf: Surface, language: str, decision: ConsentDecision) -> Variant:
        checks = [checked("consent", False, decision.code, decision.params)]
        return Variant(
            surface=sf.id,
            language=language,
            text="",
            parts={},
            checks=checks,
            passed=False,
            failed_reasons=failed_reasons(checks),
            examples_used=[],
            usage=Usage(),
            attempts=0,
            model=self.llm.model_name,
            prompt="",
        )

    def _messages(
        self, req: VariantRequest, prep: _Prepared, sf: Surface
    ) -> tuple[list[ChatMessage], CheckContext, str]:
        """The first prompt for one surface, the check context, and the facts as listed."""
        required = [f for f in prep.facts if f.kind in STRICT_KINDS or f.kind is FactKind.name]
        ctx = CheckContext(
            surface=sf,
            language=prep.language,
            required=required,
            source_text=prep.trusted_text,
            context_keys=prep.contact_keys,
            flagged=prep.flagged,
        )
        facts_text = "\n".join(f"- {f.text}" for f in required) or "(ingen)"
        template = load_prompt("variant")
        messages = template.messages(
            organisation=prep.organisation,
            surface=sf.name(prep.language),  # an id in the prompt is an id in the post
            surface_rules=sf.rules_text(prep.language),
            language_name=NAMES[prep.language],
            voice=self._voice_with_rules(prep, sf),
            phase=PHASE_NB[req.phase] if req.phase else "velg selv ut fra flaten",
            facts=facts_text,
            examples=render_examples(prep.examples),
            source=prep.source.text,
            # A month slot's planner instruction is guidance for a model that writes the whole
            # text (a composed draft never carries it).
            tone=(req.tone or "som organisasjonens beste innlegg")
            + (
                f". Planens tema for innlegget: {req.brief.guidance}"
                if req.brief is not None and req.brief.guidance
                else ""
            ),
            fields=_fields_hint(sf),
        )
        return messages, ctx, facts_text

    def _voice_with_rules(self, prep: _Prepared, sf: Surface) -> str:
        from service.learning.pipeline import prompt_guidance

        voice = prep.voice or "vennlig, konkret og lokal"
        if self.learning is None or not prep.style_rules:
            return voice
        guide = prompt_guidance(
            prep.style_rules,
            channel=sf.channel,
            surface=sf.id,
            lang=prep.language,
            settings=self.learning.settings,
        )
        return f"{voice}\n{guide}" if guide else voice

    def _style_rules(
        self,
        prep: _Prepared,
        sf: Surface,
        ctx: CheckContext,
        parts: dict[str, Any],
        checks: list[Check],
    ) -> tuple[dict[str, Any], list[Check], bool]:
        """The workspace's style rules, after the surface's checks and repair: a rule's repair is
        kept only when it breaks no surface check that passed; a rule still broken fails the
        variant with a check naming it."""
        from service.learning.pipeline import enforce_variant

        rules: list[StyleRule] = prep.style_rules
        if not rules or not parts:
            return parts, checks, False
        keeps = _keeps_checks(ctx, parts, checks)
        # First within the surface's recommended length (a sign-off makes room where no check
        # that passed fails for it), then, if the repair still cost a surface check, within
        # its limit only.
        for keep in (True, False):
            out = enforce_variant(
                sf, parts, rules, keep_recommended=keep, keeps=keeps, lang=prep.language
            )
            if not out.repaired:
                break
            fixed = run_checks(ctx, out.parts)
            if len(hard_failures(fixed)) <= len(hard_failures(checks)):
                return out.parts, _no_room(fixed, out.crowded) + out.checks, True
        else:
            # The repair cost a surface check (a sign-off past the length limit): the model's
            # text stands, and the rules it breaks say why it fails.
            out = enforce_variant(sf, parts, rules, repair=False)
        return parts, checks + out.checks, False

    def _one(self, req: VariantRequest, prep: _Prepared, sf: Surface) -> Variant:
        language, source, examples = prep.language, prep.source, prep.examples
        messages, ctx, facts_text = self._messages(req, prep, sf)
        if self.capability == "small":  # composition + pieces is a small model's first answer
            return self._composed(prep, sf, ctx, "composed")
        language_name = NAMES[language]
        schema = schema_for(sf)
        template = load_prompt("variant")
        usage = Usage()
        attempts = 0
        parts: dict[str, Any] | None = None
        checks: list[Check] = []
        errors: list[str] = []
        prompt_key = template.key
        first_passed: bool | None = None
        for attempt in range(self.max_repairs + 1):
            attempts += 1
            try:
                result = self.llm.chat_structured(messages, schema, max_tokens=900)
            except ProviderResponseInvalid as exc:
                errors.append(exc.message)
                continue
            usage = usage + result.usage
            parts = result.value.model_dump()
            checks = run_checks(ctx, parts)
            failures = hard_failures(checks)
            if first_passed is None:
                first_passed = attempt == 0 and not failures
            if not failures or attempt == self.max_repairs:
                break
            repair = load_prompt("variant_repair")
            prompt_key = f"{template.key}+{repair.key}"
            messages = repair.messages(
                surface=sf.id,
                surface_rules=sf.rules_text(language),
                language_name=language_name,
                facts=facts_text,
                source=source.text,
                previous=json.dumps(parts, ensure_ascii=False),
                violations="\n".join(f"- {c.name}: {c.detail}" for c in failures),
                fields=_fields_hint(sf),
            )
        rule_repaired = False
        if parts is None:
            found = {"found": "; ".join(errors[-2:])}
            checks = [checked("model_output", False, "check.model_output.invalid", found)]
            parts = {}
        else:
            parts, checks, rule_repaired = _rule_repair(ctx, parts, checks)
        parts, checks, by_style = self._style_rules(prep, sf, ctx, parts, checks)
        rule_repaired = rule_repaired or by_style
        failures = hard_failures(checks)
        if failures and self.compose_fallback:
            # A capable model's answer that still fails after its repairs: the composed draft
            # is the last fallback, marked as such, when it passes where the answer did not.
            fallback = self._composed(prep, sf, ctx, "composed_fallback")
            if fallback.passed:
                spent = {"usage": usage + fallback.usage, "attempts": attempts + fallback.attempts}
                return fallback.model_copy(update=spent)
        return Variant(
            surface=sf.id,
            language=language,
            text=paste_text(sf, parts) if parts else "",
            parts=parts,
            checks=checks,
            passed=not failures,
            failed_reasons=failed_reasons(checks),
            examples_used=[e.post_id for e in examples],
            usage=usage,
            attempts=attempts,
            rule_repaired=rule_repaired,
            first_attempt_passed=bool(first_passed),
            model=self.llm.model_name,
            prompt=prompt_key,
        )

    def set_aside(self, workspace: str, draft_id: str) -> None:
        """A draft the caller replaced (a near-copy written again) is kept, but as rejected, so
        it does not wait for review beside its replacement."""
        with self.db.session() as s:
            DraftRepo(s).review(workspace, draft_id, DraftStatus.rejected, None)

    def _store(
        self, workspace: str, source: _Source, variants: list[Variant], ids: Sequence[str]
    ) -> None:
        with self.db.session() as s:
            repo = DraftRepo(s)
            for i, v in enumerate(variants):
                if not v.text:
                    continue
                draft = repo.add(
                    Draft(
                        id=ids[i] if i < len(ids) else str(uuid.uuid4()),
                        workspace=workspace,
                        kind="variant",
                        surface=v.surface,
                        language=v.language,
                        text=v.text,
                        parts=v.parts,
                        checks=v.checks,
                        passed=v.passed,
                        source_post_id=source.post.id if source.post else None,
                        source_text=source.text,
                        examples_used=v.examples_used,
                        model=v.model,
                        prompt=v.prompt,
                    )
                )
                v.draft_id = draft.id


# The checks a sign-off's room is measured by, not guarded by: they are what the room is for.
_ROOM_CHECKS = frozenset({"length", "length_recommended"})


def _keeps_checks(
    ctx: CheckContext, parts: dict[str, Any], checks: Sequence[Check]
) -> Callable[[str], bool]:
    """Whether a main text shortened to make room for a sign-off keeps every check that passed
    (facts, links, names, readable copy, language, not a copy): room is never made by cutting
    what a check protects."""
    main = ctx.surface.main_field
    failing = {c.name for c in checks if not c.passed}
    spared = _ROOM_CHECKS | {f"part:{main}"}

    def keeps(text: str) -> bool:
        if main is None:
            return False
        trial = run_checks(ctx, {**parts, main: text})
        return all(c.passed or c.name in failing or c.name in spared for c in trial)

    return keeps


def _no_room(checks: list[Check], crowded: Sequence[str]) -> list[Check]:
    """The recommended-length check, when a sign-off took the text past it, says why: no room
    could be made without losing what the checks protect. Still advice (a soft check), but a
    failed one with its reason, not a silent pass."""
    if not crowded:
        return checks
    out: list[Check] = []
    for c in checks:
        if c.name == "length_recommended" and not c.passed:
            params = {**c.params, "text": crowded[0]}
            c = measured(c.name, False, "check.length_recommended.no_room", hard=c.hard, **params)
        out.append(c)
    return out


def _rule_repair(
    ctx: CheckContext, parts: dict[str, Any], checks: list[Check]
) -> tuple[dict[str, Any], list[Check], bool]:
    """The rules' repair, kept only when it leaves fewer hard failures."""
    if not hard_failures(checks):
        return parts, checks, False
    fixed = deterministic_repair(ctx, parts)
    fixed_checks = run_checks(ctx, fixed)
    if len(hard_failures(fixed_checks)) < len(hard_failures(checks)):
        return fixed, fixed_checks, True
    return parts, checks, False
