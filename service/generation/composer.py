"""Compose a variant from the source and the organisation's own material, for a model too small
to write a whole structured variant (the embedded 270M model writes none that passes).

Everything here is deterministic and driven by data: the surface's fields, counts and lengths
(surfaces.yaml), the angle each surface takes (compose.yaml), the source's must-keep facts and
the sentences that carry them, and the organisation's own call-to-action and hashtag habits from
its best posts. A model is asked only for small pieces (`Pieces`: a hook line of at most N
characters, one sentence shortened to at most N characters); each piece is checked here before
it is used, and a deterministic piece takes its place when it fails. The composed whole then
goes through the same checks and repair as a model's answer (variants.py).

Variants of one source differ by surface: each angle orders the blocks differently (hook first,
facts first, a greeting first), and each surface has its own length budget, so a short budget
cuts the source's filler rather than truncating the text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol

import yaml
from pydantic import BaseModel, ConfigDict, Field

from service.errors import ConfigurationError
from service.generation.checks import (
    CheckContext,
    hard_failures,
    invented,
    is_copy,
    item_problem,
    run_checks,
    similar_above,
)
from service.generation.facts import STRICT_KINDS, Fact, FactKind, extract_facts, missing_facts
from service.generation.language import check_language
from service.generation.repair import sentences
from service.generation.surfaces import FieldRule, LinkRule, Surface, load_surfaces
from service.generation.text_length import count_length
from service.messages import render

COMPOSE_FILE = Path(__file__).resolve().parent / "data" / "compose.yaml"
COMPOSER_KEY = "composer@v1"

_CONTACT = frozenset({FactKind.url, FactKind.email, FactKind.phone, FactKind.address})

Block = Literal[
    "hook", "opening", "facts", "story", "cta", "closing", "tags", "thanks", "invite", "ask",
    "proposal",
]  # fmt: skip
_FIXED_BLOCKS = frozenset({"opening", "closing", "thanks", "invite", "ask", "proposal"})

_HASHTAG = re.compile(r"(?<![\w&])#\w+", re.UNICODE)
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\U0001f3fb-\U0001f3ff]"
)
_SCHEME = re.compile(r"https?://(?:www\.)?", re.IGNORECASE)
# In a social post an emoji often ends a sentence: "… 23. juni 🔥 Grillbuffet med …".
_AFTER_EMOJI = re.compile(r"(?<=[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f])\s+(?=[A-ZÆØÅ])")
# The words around a link that go with it when it moves to the ad's own URL field.
_OR = "eller|or|og|and"
_AT = "på|via|hos|at|on"
_ALL_CAPS = re.compile(r"\b[A-ZÆØÅ]{4,}\b")
# Where a sentence may be cut and still read as a phrase: a dash, a colon, a semicolon, a comma.
_CLAUSE = re.compile(r"\s+[–—-]\s+|:\s+|;\s+|,\s+")
# A product phrase is short: longer leads read as a sentence, not as a name for the thing.
_PRODUCT_WORDS = 7


# Above this closeness to the source the main text is the source again: cut filler until below.
COPY_CLOSENESS = 78.0


def closeness(text: str, source: str) -> float:
    """chrF-style similarity (character 1-6-grams, spaces ignored, recall weighted twice), 0-100:
    how much of the source the text repeats. The composer's own guard against handing back the
    source with a hashtag changed; the eval measures adaptation apart from it."""
    hyp, ref = re.sub(r"\s+", "", text), re.sub(r"\s+", "", source)
    precision: list[float] = []
    recall: list[float] = []
    for n in range(1, 7):
        h = Counter(hyp[i : i + n] for i in range(len(hyp) - n + 1))
        r = Counter(ref[i : i + n] for i in range(len(ref) - n + 1))
        if not h or not r:
            continue
        match = sum((h & r).values())
        precision.append(match / sum(h.values()))
        recall.append(match / sum(r.values()))
    if not precision:
        return 0.0
    p, r_ = sum(precision) / len(precision), sum(recall) / len(recall)
    return 0.0 if p + r_ == 0 else 100 * 5 * p * r_ / (4 * p + r_)


class Timeless(BaseModel):
    """Which words tie a sentence to a season, a day, a one-off event or one person
    (compose.yaml `timeless`), per language."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seasonal: dict[str, dict[str, list[int]]]
    dated: dict[str, list[str]]
    one_off: dict[str, list[str]]
    media: dict[str, list[str]]
    thanks: dict[str, list[str]]
    addressing: dict[str, list[str]]


class NearCopy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    jaccard: float = Field(gt=0, le=1)


class ComposeRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    angles: dict[str, list[Block]]
    hooks: dict[str, str]
    by_kind: dict[str, str]
    surfaces: dict[str, str]
    budget_share: dict[str, float]
    filler: dict[str, tuple[Literal["start", "end"], int]]
    habit_cta: list[str]
    cta_verbs: dict[str, list[str]]
    timeless: Timeless
    month_near_copy: NearCopy
    month_variations: int = Field(ge=1, le=20)

    def angle(self, surface: Surface) -> str:
        return self.surfaces.get(surface.id) or self.by_kind[surface.kind.value]


@lru_cache(maxsize=2)
def load_rules(path: Path = COMPOSE_FILE) -> ComposeRules:
    rules = ComposeRules.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    unknown = sorted(set(rules.surfaces) - set(load_surfaces().surfaces))
    angles = set(rules.surfaces.values()) | set(rules.by_kind.values())
    strange = sorted(angles - set(rules.angles))
    if unknown or strange:
        raise ConfigurationError(f"{path.name}: unknown surfaces {unknown} or angles {strange}")
    return rules


class Habits(BaseModel):
    """What the organisation does in its best posts: the hashtags it uses most, and the calls
    to action it ends on (only those whose facts the source or the examples carry)."""

    hashtags: list[str] = []
    ctas: list[str] = []


class Brief(BaseModel):
    """What a month slot's brief says besides its text (service/planning/drafts.py): its subject,
    filled from data (the slot's campaign or occasion, else the category's best post it
    borrows from), and the planner's instruction, which is guidance for a model that writes the
    whole text and never text in a composed draft. The slot's date decides which seasonal
    words fit; the slot's own campaign or occasion (`event`) lets its one-off wording stand."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    subject: str = Field(default="", max_length=200)
    guidance: str = Field(default="", max_length=300)
    date: dt.date | None = None
    event: str = Field(default="", max_length=200)
    # One of the plan's facts: the draft's material when the category has no timeless
    # sentence of the organisation's own to borrow (variants.py adds it to the source).
    fallback: str = Field(default="", max_length=500)


_TOKEN = re.compile(r"\d+\.|[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_NAMEWORD = re.compile(r"[A-ZÆØÅ][a-zæøåéü]+")
# ", Anders!" / ", Ingrid 🍏" closing a sentence (emoji taken off first): one person spoken to.
_VOCATIVE = re.compile(r",\s*([A-ZÆØÅ][a-zæøåéü]+(?:\s+[A-ZÆØÅ][a-zæøåéü]+)?)\s*[!.?]*\s*$")


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


def _entry_matches(entry: str, tokens: Sequence[str], at: int) -> int:
    """The length of `entry` (words, a trailing * on the last) when it matches at `at`, else 0."""
    words = entry.lower().split()
    if at + len(words) > len(tokens):
        return 0
    for k, word in enumerate(words):
        token = tokens[at + k]
        if word.endswith("*") and k == len(words) - 1:
            if not token.startswith(word[:-1]):
                return 0
        elif token != word:
            return 0
    return len(entry)


def _found(entries: Sequence[str], tokens: Sequence[str]) -> list[str]:
    """The entries found in the tokens; at each place only the longest that matches."""
    out: list[str] = []
    for at in range(len(tokens)):
        best = max(entries, key=lambda e: _entry_matches(e, tokens, at), default=None)
        if best is not None and _entry_matches(best, tokens, at):
            out.append(best)
    return out


def timeless_problem(
    text: str, language: str, brief: Brief | None, organisation: str = "", rules: Any = None
) -> str | None:
    """Why a sentence of another post (or a habit's call to action or hashtag) does not fit a
    month's draft: "season" (a season's word outside the slot's months), "dated" (today, this
    year, a clock time), "one_off" (an event that is not the slot's own), "person" (it speaks
    to one named person); None when it is timeless. Any plan, any organisation: the words are
    data (compose.yaml), the slot's date and own event decide."""
    t: Timeless = (rules or load_rules()).timeless
    tokens = _tokens(text.replace("#", " "))
    month = brief.date.month if brief is not None and brief.date is not None else None
    seasonal = t.seasonal.get(language, {})
    for entry in _found(list(seasonal), tokens):
        if month is None or month not in seasonal[entry]:
            return "season"
    if _found(t.dated.get(language, []), tokens):
        return "dated"
    event = set(re.findall(r"\w{4,}", (brief.event if brief else "").lower()))
    one_off = _found(t.one_off.get(language, []), tokens)
    if one_off and not (event & set(re.findall(r"\w{4,}", text.lower()))):
        return "one_off"
    if _found(t.media.get(language, []), tokens):
        return "media"
    own = set(_NAMEWORD.findall(organisation))
    vocative = _VOCATIVE.search(no_emoji(text))
    if vocative and not set(vocative.group(1).split()) <= own:
        return "person"
    if any(_entry_matches(e, tokens, 0) for e in t.thanks.get(language, [])):
        return "person"
    addressing = t.addressing.get(language, [])
    if _found(addressing, tokens):
        names = [w for w in _NAMEWORD.findall(text) if w not in own]
        first = _NAMEWORD.match(text.strip())
        later = [w for w in names if not (first and w == first.group(0))]
        if later:
            return "person"
    return None


@lru_cache(maxsize=8192)
def _shingles(text: str, k: int = 5) -> frozenset[str]:
    # Cached: a month's slot is compared with every other draft of the month, each time.
    flat = " ".join(re.findall(r"\w+", text.lower()))
    return frozenset(flat[i : i + k] for i in range(max(1, len(flat) - k + 1)))


@lru_cache(maxsize=8192)
def month_overlap(a: str, b: str) -> float:
    """The month eval's near-duplicate measure (character 5-gram Jaccard, evals/text_metrics.py),
    0 for an empty text."""
    if not a.strip() or not b.strip():
        return 0.0
    sa, sb = _shingles(a), _shingles(b)
    return len(sa & sb) / len(sa | sb) if sa | sb else 1.0


def month_near_copy(a: str, b: str, rules: ComposeRules | None = None) -> bool:
    """Two drafts of one month are the same text or near-copies, by the product's own measures:
    the eval's month near-duplicate (`month_overlap`) above the composer's margin, or
    not_a_copy's word similarity above its limit (checks.py)."""
    if not a.strip() or not b.strip():
        return False
    limit = (rules or load_rules()).month_near_copy.jaccard
    if month_overlap(a, b) >= limit:
        return True
    return similar_above(a, b, load_surfaces().copy_rule.max_similarity)


class Pieces(Protocol):
    """Small pieces a model writes; None when it could not. The composer checks every piece."""

    def hook(self, source: str, language: str, max_chars: int, angle: str) -> str | None: ...

    def shorten(self, sentence: str, language: str, max_chars: int) -> str | None: ...


class Material(BaseModel):
    """What one source's compositions are built from."""

    organisation: str
    language: str
    source_text: str  # the trusted source (instructions and unverified claims set aside)
    required: list[Fact]
    habits: Habits = Habits()
    category: str | None = None
    # Sentences without facts from one of the organisation's best posts in the category, for a
    # source that is a brief (a month's slot): what the organisation says, not the planner.
    borrowed: list[str] = []
    # Another take on the same source (a month's draft written again as a near-copy): the next
    # hook template and the next of the organisation's calls to action.
    variation: int = 0
    # A month slot's brief: its subject, its date and its own event (None for a reuse).
    brief: Brief | None = None


class Composition(BaseModel):
    parts: dict[str, Any]
    angle: str
    pieces_used: list[str] = []  # "hook", "shorten": the model pieces that passed and were used
    pieces_rejected: list[str] = []  # pieces the model wrote that failed their check
    # The sentences of the source (or borrowed) the main text carries; a month's draft with none
    # is only template lines and fails honestly (variants.py: check `substance`).
    carried: list[str] = []

    @property
    def prompt_key(self) -> str:
        return COMPOSER_KEY + "".join(f"+piece_{p}" for p in dict.fromkeys(self.pieces_used))


@dataclass
class _Unit:
    """One sentence of the source, without its hashtags."""

    text: str
    index: int
    facts: list[Fact] = field(default_factory=list)


def _clean(text: str) -> str:
    return re.sub(r"\s{2,}", " ", text).strip()


def no_emoji(text: str) -> str:
    return _clean(_EMOJI.sub("", text))


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def units(text: str, required: Sequence[Fact] = (), drop: Sequence[str] = ()) -> list[_Unit]:
    """The source's sentences in order, hashtags and punctuation-only lines left out, and
    label lines whose value is only one of `drop` (a brief's category)."""
    out: list[_Unit] = []
    dropped = {d.strip().lower() for d in drop if d}
    for line in text.splitlines():
        line = _clean(_HASHTAG.sub("", line))
        if not _WORD.search(line):
            continue
        for sentence in (p for s in sentences(line) for p in _AFTER_EMOJI.split(s)):
            sentence = sentence.strip()
            label, _, value = sentence.partition(":")
            if value and value.strip(" .").lower() in dropped and len(label.split()) == 1:
                continue
            if _WORD.search(sentence):
                carried = [f for f in required if not missing_facts([f], sentence)]
                out.append(_Unit(text=sentence, index=len(out), facts=carried))
    return out


_DASH = re.compile(r"\s+[–—-]\s+")


def product_phrase(text: str) -> str:
    """A post's product phrase, when it leads with one: the words before a dash in its first
    sentence ("🦪 Blåskjell i hvitvin og hvitløk – 229 kr"), two to seven words without a
    price, date or link; "" when it opens with a sentence (a subject is a name, not a claim)."""
    first = next(iter(units(text)), None)
    if first is None:
        return ""
    pieces = _DASH.split(no_emoji(first.text), maxsplit=1)
    head = pieces[0].strip(" .!?:")
    if len(pieces) < 2 or not _words(head) >= 2 or len(head.split()) > _PRODUCT_WORDS:
        return ""
    if [f for f in extract_facts(head) if f.kind in STRICT_KINDS]:
        return ""
    return _ALL_CAPS.sub(lambda m: m.group(0).capitalize(), head)


def learn_habits(best_texts: Sequence[str], language: str, allowed_texts: Sequence[str]) -> Habits:
    """Hashtags and calls to action from the organisation's best posts (best first). A call to
    action that names a price, a date or a contact the allowed texts (the source and the
    examples shown beside it) do not carry would be a fact from another post: left out."""
    verbs = tuple(load_rules().cta_verbs.get(language, []))
    allowed = {(f.kind, f.key) for t in allowed_texts for f in extract_facts(t)}
    tags: Counter[str] = Counter()
    ctas: Counter[str] = Counter()
    for text in best_texts:
        tags.update(t.lower() for t in dict.fromkeys(_HASHTAG.findall(text)))
        for unit in units(text):
            words = [w.lower() for w in re.findall(r"[\w']+", no_emoji(unit.text))[:3]]
            head = " ".join(words)
            # "vi sees" opens as a phrase; "ta" opens "ta kontakt", never "takk for …".
            phrase = any(head == v or head.startswith(v + " ") for v in verbs)
            if not any(w in verbs for w in words) and not phrase:
                continue
            facts = [f for f in extract_facts(unit.text) if f.kind in STRICT_KINDS]
            if all((f.kind, f.key) in allowed for f in facts) and _words(unit.text) >= 2:
                ctas[unit.text] += 1
    return Habits(
        hashtags=[t for t, _ in tags.most_common(12)],
        ctas=[c for c, _ in sorted(ctas.items(), key=lambda kv: (-kv[1], len(kv[0])))][:6],
    )


class _Piece:
    """Checks a piece the model wrote before the composer uses it."""

    def __init__(self, ctx: CheckContext, material: Material) -> None:
        self.ctx, self.material = ctx, material

    def problem(self, text: str, max_chars: int, keep: Sequence[Fact] = ()) -> str | None:
        if not text or count_length(text) > max_chars:
            return "length"
        if _words(text) < 2 or item_problem(text) is not None:
            return "content"
        if _HASHTAG.search(text) or _SCHEME.search(text) or re.search(r"[<>{}\[\]]", text):
            return "markup"
        if invented(self.ctx, text) or missing_facts(list(keep), text):
            return "facts"
        if not check_language(text, self.material.language).passed:
            return "language"
        return None


class Composer:
    def __init__(self, rules: ComposeRules | None = None) -> None:
        self.rules = rules or load_rules()

    def compose(
        self,
        material: Material,
        surface: Surface,
        ctx: CheckContext,
        pieces: Pieces | None = None,
    ) -> Composition:
        return _Build(self.rules, material, surface, ctx, pieces).run()


class _Build:
    """One composition: the state shared by the blocks of one surface's variant."""

    def __init__(
        self,
        rules: ComposeRules,
        material: Material,
        surface: Surface,
        ctx: CheckContext,
        pieces: Pieces | None,
    ) -> None:
        self.rules, self.m, self.sf, self.ctx, self.pieces = rules, material, surface, ctx, pieces
        self.angle = rules.angle(surface)
        self.lang = material.language
        self.strict = [f for f in material.required if f.kind in STRICT_KINDS]
        self.units = units(material.source_text, self.strict, [material.category or ""])
        self.source_units = len(self.units)  # the rest are borrowed (a brief's), not the source
        for text in material.borrowed:
            if self.fits_month(text):
                self.units.append(_Unit(text=text, index=len(self.units)))
        self.carried: list[str] = []
        self.urls = [f for f in self.strict if f.kind is FactKind.url]
        self.check = _Piece(ctx, material)
        self.used: list[str] = []
        self.rejected: list[str] = []
        self._hooks: dict[int, str] = {}
        self._shortened: dict[tuple[str, int], str | None] = {}
        self.habit_cta = True  # the organisation's own call to action, when it has one
        self.reduce = True  # cut the source's filler while the text is mostly the source

    # --- small helpers -------------------------------------------------------------------
    def fits_month(self, text: str) -> bool:
        """For a month's brief: whether another post's words (a sentence, a call to action, a
        hashtag) are timeless for this slot; always for a reuse, whose source is its own."""
        if self.m.brief is None:
            return True
        problem = timeless_problem(text, self.lang, self.m.brief, self.m.organisation, self.rules)
        return problem is None

    def msg(self, code: str, **params: str) -> str:
        return render(code, {"organisation": self.m.organisation, **params}, self.lang)

    def surface_text(self, text: str) -> str:
        """The text as this surface allows it: emoji, links and hashtags by its rules."""
        if self.sf.emoji == "none":
            text = no_emoji(text)
        elif self.sf.emoji == "sparse" and len(_EMOJI.findall(text)) > 1:
            first = _EMOJI.search(text)
            assert first is not None
            text = text[: first.end()] + no_emoji(text[first.end() :])
        if self.sf.links is LinkRule.not_clickable:
            text = _SCHEME.sub("", text)
        elif self.sf.links in (LinkRule.forbidden, LinkRule.sticker_only):
            for url in self.urls:
                # "på sjobua.no eller 51 49 22 10" reads "på 51 49 22 10" without the link.
                address = rf"(?:https?://)?(?:www\.)?{re.escape(url.key)}/?"
                text = re.sub(rf"{address}\s+(?:{_OR})\s+", "", text, flags=re.I)
                text = re.sub(rf"(?:\s*\b(?:{_AT})\b)?\s*{address}", "", text, flags=re.I)
            text = _clean(re.sub(r"\s+([.,!?])", r"\1", text)).rstrip(" :–-")
        return text

    def fit(
        self, text: str, limit: int, keep: Sequence[Fact], *, greedy: bool = True
    ) -> str | None:
        """The text within `limit` characters keeping `keep`: as it is, cut at a clause
        boundary, or shortened by the model (checked); None when nothing fits."""
        if count_length(text) <= limit:
            return text
        cut = self.clause_cut(text, limit, keep, greedy=greedy)
        if cut is not None:
            return cut
        if self.pieces is not None:
            if (text, limit) not in self._shortened:
                self._shortened[(text, limit)] = self.pieces.shorten(text, self.lang, limit)
            piece = self._shortened[(text, limit)]
            if piece is not None:
                piece = _clean(piece)
                if self.check.problem(piece, limit, keep) is None:
                    self.used.append("shorten")
                    return piece
                self.rejected.append("shorten")
        return None

    def clause_cut(
        self, text: str, limit: int, keep: Sequence[Fact], *, greedy: bool = True
    ) -> str | None:
        """The clauses carrying `keep` (or the first one), and with `greedy` the others in order
        while they fit, ending as a sentence."""
        clauses = [c.strip().rstrip(".!?,") for c in _CLAUSE.split(text) if c.strip()]
        if len(clauses) < 2:
            return None
        needed = [c for c in clauses if any(not missing_facts([f], c) for f in keep)] or clauses[:1]
        if greedy:
            for c in clauses:
                if c not in needed and count_length(", ".join([*needed, c])) + 1 <= limit:
                    needed.append(c)
            needed.sort(key=clauses.index)
        out = ", ".join(needed)
        out = out[:1].upper() + out[1:]
        out += "." if text.rstrip()[-1:] not in "!?" else text.rstrip()[-1]
        if count_length(out) > limit or missing_facts(list(keep), out) or _words(out) < 2:
            return None
        return out

    # --- what the blocks are made of -------------------------------------------------------
    def product(self) -> str:
        """The brief's subject, else the source's leading phrase (its first clause), a name
        for what the post is about."""
        if self.m.brief is not None:
            return self.m.brief.subject.strip(" .!") or self.m.organisation
        if not self.units:
            return self.m.organisation
        first = no_emoji(self.units[0].text)
        head = _CLAUSE.split(first)[0].strip(" .!")
        head = _ALL_CAPS.sub(lambda m: m.group(0).capitalize(), head)  # "BLACK FRIDAY" shouts
        return head if head and len(head.split()) <= _PRODUCT_WORDS else self.m.organisation

    def template_hook(self) -> str:
        product = self.product()
        code = self.rules.hooks.get(self.angle, "news")
        order = ["question", "news", "at"]
        code = order[(order.index(code) + self.m.variation) % len(order)]
        clean = not [f for f in extract_facts(product) if f.kind in STRICT_KINDS]
        clean = clean and not product.endswith("?")
        if code == "question" and clean and product != self.m.organisation:
            lowered = product if product[1:2].isupper() else product[:1].lower() + product[1:]
            return self.msg("compose.hook.question", product=lowered)
        product = product.rstrip("?")
        if code == "at" and product != self.m.organisation:
            return self.msg("compose.hook.at", product=product)
        return self.msg("compose.hook.news", product=product)

    def hook(self, max_chars: int) -> str:
        """A model's hook line when one passes its checks, else the angle's template; asked
        once per limit (a subject line and the text's opening may share one)."""
        if max_chars not in self._hooks:
            self._hooks[max_chars] = self._new_hook(max_chars)
        return self._hooks[max_chars]

    def _new_hook(self, max_chars: int) -> str:
        fitting = [h for h in self._hooks.values() if count_length(h) <= max_chars]
        if fitting:
            return fitting[0]
        if self.pieces is not None:
            piece = self.pieces.hook(self.m.source_text, self.lang, max_chars, self.angle)
            if piece is not None:
                piece = _clean(piece.strip("\"'«»"))
                source = self.m.source_text.lower()
                if self.check.problem(piece, max_chars) is None and piece.lower() not in source:
                    self.used.append("hook")
                    return self.surface_text(piece)
                self.rejected.append("hook")
        if self.product() == self.m.organisation:
            # No subject to hang a template on (a brief without one): the text opens with the
            # source. A brief's instruction is never a subject (drafts.py keeps it apart).
            return ""
        for hook in (self.template_hook(), self.msg("compose.hook.news", product=self.product())):
            hook = self.surface_text(hook)
            if count_length(hook) <= max_chars and check_language(hook, self.lang).passed:
                return hook
        product = self.surface_text(self.product())
        return product if count_length(product) <= max_chars else ""

    def cta(self) -> str:
        habits = self.habit_cta and self.angle in self.rules.habit_cta
        ctas = [c for c in self.m.habits.ctas if self.fits_month(c)]
        if self.m.brief is not None and self.m.variation and ctas:
            ctas.append("")  # another take of a month's draft may end on the angle's own
        turn = self.m.variation % len(ctas) if ctas else 0
        for habit in (ctas[turn:] + ctas[:turn]) if habits else ():
            if not habit:
                break
            text = self.surface_text(habit)
            if not self.fits_month(text):
                continue  # "Takk for at du tar vare på dem, Ingrid" is not a call to action
            if any(text.lower() == u.text.lower() for u in self.units):
                continue  # a borrowed sentence already says it
            if _words(text) >= 2 and text.lower() not in self.m.source_text.lower():
                return text
        if self.urls and self.sf.links is LinkRule.not_clickable:
            return self.msg("compose.cta.link_in_bio")
        code = {"offer": "offer", "professional": "professional", "news_item": "professional"}
        return self.msg(f"compose.cta.{code.get(self.angle, 'story')}")

    def tags(self, own_only: bool = False) -> str:
        limit = self.sf.hashtags.max
        if limit == 0:
            return ""
        low, high = self.sf.hashtags.recommended or (0, limit if limit is not None else 3)
        want = min(high, limit if limit is not None else high)
        source_tags = [t.lower() for t in _HASHTAG.findall(self.m.source_text)]
        habit = [t for t in self.m.habits.hashtags if self.fits_month(t)]  # no #sommer in January
        ordered = list(dict.fromkeys([*habit, *source_tags]))
        if own_only:
            ordered = [t for t in ordered if t not in source_tags]
        # Another slice of the habit for each surface (and each take): tag lines differ.
        spread = sum(map(ord, self.sf.id)) + self.m.variation
        offset = spread % max(1, len(ordered) - want + 1) if ordered else 0
        chosen = ordered[offset : offset + want] if want else []
        return " ".join(chosen) if len(chosen) >= low else ""

    def fact_units(self) -> list[_Unit]:
        """Fact carriers, what the post offers first (prices, dates, times), then how to reach
        the organisation (a sentence with only a link or a phone number)."""

        def what(u: _Unit) -> int:
            return sum(f.kind not in _CONTACT for f in u.facts)

        return sorted(
            (u for u in self.units if u.facts), key=lambda u: (what(u) == 0, -what(u), u.index)
        )

    # --- the main text ---------------------------------------------------------------------
    def budget(self) -> tuple[int, int | None]:
        """(the body's target length, the hard limit)."""
        rule = self.sf.length
        main = self.sf.main_field
        part = self.sf.parts.get(main) if main else None
        hard = rule.max if rule.max is not None else (part.max_chars if part else None)
        recommended = rule.recommended or (part.recommended_chars if part else None) or hard or 600
        share = self.rules.budget_share.get(self.angle, 1.0)
        target = int(recommended * share)
        return (min(target, hard) if hard else target), hard

    def main_text(self) -> str:
        target, hard = self.budget()
        method = self.sf.length.method
        blocks = self.rules.angles[self.angle]
        hook_limit = min(self.sf.length.visible or 90, 90, target)
        lines: dict[str, str] = {}
        for block in blocks:
            if block == "hook":
                lines[block] = self.hook(hook_limit)
            elif block == "cta":
                lines[block] = self.cta()
            elif block == "tags":
                lines[block] = self.tags()
            elif block in _FIXED_BLOCKS:
                lines[block] = self.msg(f"compose.{self.angle}.{block}")
        chosen = self.choose_units(blocks, target, lines)

        def assemble(body: list[_Unit], extra: dict[str, str]) -> str:
            out: list[str] = []
            body_done = False
            for block in blocks:
                if block in ("facts", "story"):
                    if not body_done:
                        ordered = body if block == "facts" else sorted(body, key=lambda u: u.index)
                        out.append(" ".join(self.surface_text(u.text) for u in ordered))
                        body_done = True
                elif extra.get(block):
                    out.append(("\n" if block == "tags" else "") + extra[block])
            return "\n".join(line for line in out if line.strip()).strip()

        if self.angle == "offer":
            hard = min(hard, target) if hard else target  # an ad's text is read in one glance
        text = assemble(chosen, lines)
        # Over the hard limit: what the angle added goes first, then filler sentences.
        for drop in ("tags", "closing", "cta", "hook", "opening", "proposal", "invite"):
            if hard is None or count_length(text, method) <= hard:
                break
            lines.pop(drop, None)
            text = assemble(chosen, lines)
        while hard is not None and count_length(text, method) > hard:
            filler = [u for u in chosen if not u.facts]
            if filler:
                chosen.remove(filler[-1])
            else:
                shortened = self.shorten_units(chosen, hard)
                if [u.text for u in shortened] == [u.text for u in chosen]:
                    compact = self.compact(chosen)
                    if compact is None or [u.text for u in chosen] == [compact.text]:
                        break
                    shortened = [compact]
                chosen = shortened
            text = assemble(chosen, lines)
        text = self.less_of_the_source(text, chosen, lines, assemble)
        self.carried = [u.text for u in chosen]
        return text

    def less_of_the_source(
        self,
        text: str,
        chosen: list[_Unit],
        lines: dict[str, str],
        assemble: Any,
    ) -> str:
        """While the text is mostly the source again: the source's own hashtags go, then its
        filler sentences, then the fact sentences are cut to the clauses that carry the facts."""
        if not self.reduce or not self.too_close(text):
            return text
        if lines.get("tags"):
            lines["tags"] = self.tags(own_only=True)
            text = assemble(chosen, lines)
        while self.too_close(text):
            filler = [u for u in chosen if not u.facts]
            if filler and len(chosen) > 1:
                fewer = [u for u in chosen if u is not filler[-1]]
                # The source's own sentences carry its language; a text of fact lines and a
                # product name alone can read as the other Norwegian standard.
                if not check_language(assemble(fewer, lines), self.lang).passed:
                    break
                chosen[:] = fewer
            else:
                cut = [
                    _Unit(text=c, index=u.index, facts=u.facts)
                    if u.facts
                    and (c := self.fit(u.text, count_length(u.text) - 1, u.facts, greedy=False))
                    else u
                    for u in chosen
                ]
                if [u.text for u in cut] == [u.text for u in chosen]:
                    # Nothing left to cut: a source that is only its facts becomes one line of
                    # them (what an overlay or a headline would carry), not the source again.
                    compact = self.compact(chosen)
                    if compact is None or [u.text for u in chosen] == [compact.text]:
                        break
                    cut = [compact]
                chosen[:] = cut
            text = assemble(chosen, lines)
        return text

    def too_close(self, text: str) -> bool:
        """The text is mostly the source again: by the composer's own character measure, or by
        the product's not_a_copy check on a surface that asks for adaptation."""
        source = self.m.source_text
        return closeness(text, source) > COPY_CLOSENESS or is_copy(self.sf, text, source)

    def choose_units(
        self, blocks: Sequence[str], target: int, lines: dict[str, str]
    ) -> list[_Unit]:
        """The sentences for the body: every fact carrier (shortened when the angle's budget is
        hard), then filler in the angle's order while the budget lasts, never all of the source's
        sentences when that would make the text mostly the source's own words."""
        used = sum(count_length(v) + 1 for v in lines.values() if v)
        must: list[_Unit] = []
        covered: list[Fact] = []
        for unit in self.fact_units():
            new = [f for f in unit.facts if f not in covered]
            if new:
                must.append(unit)
                covered += unit.facts
        if self.angle == "offer":
            must = self.shorten_units(must, max(40, target - used))
        if "story" not in blocks and "facts" not in blocks:
            return must
        rest = [u for u in self.units if u not in must]
        start, most = self.rules.filler.get(self.angle, ("start", len(rest)))
        rest = rest[:most] if start == "start" else rest[::-1][:most][::-1]
        # Filler stops where the text would be the source again.
        product = self.product().lower()
        if "hook" in lines and rest and no_emoji(rest[0].text).lower().strip(" .!?") == product:
            rest = rest[1:]  # the hook already names it
        chosen = list(must)
        length = used + sum(count_length(u.text) + 1 for u in must)
        for unit in rest:
            n = count_length(unit.text) + 1
            if length + n > target:
                continue
            own = [u for u in self.units if u.index < self.source_units]
            taken = len([u for u in chosen if u.index < self.source_units])
            if unit.index < self.source_units and len(own) >= 2 and taken + 1 >= len(own):
                continue  # the whole source back would be a copy, whatever surrounds it
            chosen.append(unit)
            length += n
        return chosen

    def compact(self, chosen: list[_Unit]) -> _Unit | None:
        """The facts in one line after the product phrase, for a budget no sentence fits (a
        story's overlay): "Prøvesmaking: lørdag 11. april, kl. 11–16, 189,-"."""
        facts = list(dict.fromkeys(f.text for u in chosen for f in u.facts))
        if not facts:
            return None
        product = self.product()
        text = f"{product}: {', '.join(facts)}" if product != self.m.organisation else ""
        text = text or f"{self.m.organisation}: {', '.join(facts)}"
        every = [f for u in chosen for f in u.facts]
        return _Unit(text=text, index=chosen[0].index, facts=every)

    def shorten_units(self, chosen: list[_Unit], limit: int) -> list[_Unit]:
        """Each fact carrier cut (or shortened by the model) to fit its share of `limit`."""
        total = sum(count_length(u.text) for u in chosen)
        if total <= limit or not chosen:
            return chosen
        out = []
        for unit in chosen:
            share = max(30, limit * count_length(unit.text) // max(1, total) - 1)
            fitted = self.fit(unit.text, share, unit.facts) if unit.facts else None
            out.append(_Unit(text=fitted, index=unit.index, facts=unit.facts) if fitted else unit)
        return out

    # --- the other fields ------------------------------------------------------------------
    def field_limit(self, name: str, rule: FieldRule) -> int:
        part = self.sf.parts.get(name)
        if part is not None:
            return part.recommended_chars or part.max_chars
        return rule.schema_max

    def short_candidates(self, header: bool, limit: int) -> list[str]:
        product = self.surface_text(self.product())
        hook = self.hook(limit)
        lead = [self.surface_text(u.text) for u in self.fact_units()[:1]]
        ctas = [self.msg(f"compose.cta.short.{i}") for i in range(3)]
        first = [hook, product] if header else [product, hook]
        return [*first, *lead, *ctas, self.m.organisation]

    def short_field(self, name: str, rule: FieldRule, taken: set[str]) -> str:
        if not rule.language and self.sf.link_field == name:
            if self.urls:
                return self.msg("compose.sticker.link", url=self.urls[0].text)
            return self.msg("compose.sticker.question")
        limit = self.field_limit(name, rule)
        for candidate in self.short_candidates(rule.header, limit):
            text = _clean(candidate)
            fits = text and count_length(text) <= limit and text.lower() not in taken
            if fits and item_problem(text) is None and not invented(self.ctx, text):
                return text
        return ""

    def headline_items(self, limit: int) -> list[str]:
        """Short items that each stand alone: the name, the product, clauses that carry a fact,
        a fact with a word in front, the surface's calls to action."""
        out: list[str] = [self.m.organisation, self.surface_text(self.product())]
        for unit in self.fact_units():
            for clause in _CLAUSE.split(no_emoji(unit.text)):
                clause = self.surface_text(clause.strip(" .!?"))
                if count_length(clause) <= limit and _words(clause) >= 1:
                    out.append(clause[:1].upper() + clause[1:])
        for fact in self.strict:
            if fact.kind is not FactKind.url:
                out.append(
                    fact.text
                    if _WORD.search(fact.text)
                    else self.msg("compose.label.fact", fact=fact.text)
                )
        out += [self.msg(f"compose.cta.short.{i}") for i in range(3)]
        return out

    def description_items(self, limit: int) -> list[str]:
        """Sentences that fit whole or cut at a clause (one per fact when all of a sentence's
        facts do not fit), then short filler sentences joined into one line."""
        out: list[str] = []
        for unit in self.fact_units():
            text = self.surface_text(no_emoji(unit.text))
            whole = self.fit(text, limit, unit.facts)
            if whole:
                out.append(whole)
                continue
            out += [t for f in unit.facts if (t := self.fit(text, limit, [f]))]
        joined = ""
        for unit in (u for u in self.units if not u.facts):
            text = self.surface_text(no_emoji(unit.text)).rstrip(".!")
            candidate = f"{joined}, {text}" if joined else text
            if count_length(candidate) + 1 <= limit:
                joined = candidate
            elif not joined and (fitted := self.fit(text, limit, [])):
                out.append(fitted)
        if joined:
            out.append(joined + ".")
        out.append(self.cta())
        out.append(self.msg("compose.cta.story"))
        return out

    def list_field(self, name: str, rule: FieldRule, first_list: bool) -> list[str]:
        part = self.sf.parts.get(name)
        limit = part.max_chars if part else rule.schema_max
        low = max(rule.min_items, part.min_count if part else 0)
        high = min(rule.max_items, part.max_count if part else rule.max_items)
        pool = self.headline_items(limit) if first_list else self.description_items(limit)
        out: list[str] = []
        for item in pool:
            item = _clean(self.surface_text(item))
            if not item or count_length(item) > limit or item_problem(item) is not None:
                continue
            if invented(self.ctx, item) or item.lower() in map(str.lower, out):
                continue
            out.append(item)
        # Headlines: as many as read well (Google combines them); descriptions: what fits.
        want = min(high, max(low, 8 if first_list else 4))
        return out[:want]

    def path_items(self, name: str, rule: FieldRule) -> list[str]:
        part = self.sf.parts.get(name)
        limit = part.max_chars if part else 15
        # The product's first word and the organisation's: display paths, not sentences.
        words = [
            found[0].lower()
            for text in (self.product(), self.m.organisation)
            if (found := re.findall(r"[^\W\d_]{4,}", no_emoji(text)))
        ]
        slugs = [w for w in dict.fromkeys(words) if len(w) <= limit]
        return slugs[: rule.max_items]

    def restore_missing(self, parts: dict[str, Any]) -> None:
        """A fact no field carries yet goes where it fits: its clause as a list item, or its
        sentence after the main text."""
        from service.generation.variant_schemas import paste_text

        wanted = [f for f in self.strict if not (f.kind is FactKind.url and self._url_aside())]
        missing = missing_facts(wanted, paste_text(self.sf, parts))
        if not missing:
            return
        lists = [k for k, f in self.sf.fields.items() if f.kind == "list"]
        main = self.sf.main_field
        for fact in missing:
            carrier = next((u for u in self.units if fact in u.facts), None)
            if carrier is None:
                continue
            for name in reversed(lists):
                part = self.sf.parts.get(name)
                limit = part.max_chars if part else 90
                text = self.fit(self.surface_text(no_emoji(carrier.text)), limit, [fact])
                items: list[str] = parts.setdefault(name, [])
                if text and (part is None or len(items) < part.max_count):
                    items.append(text)
                    break
                if text and items:
                    items[-1] = text
                    break
            else:
                if main is not None:
                    parts[main] = (
                        f"{parts.get(main, '')}\n{self.surface_text(carrier.text)}".strip()
                    )

    def _url_aside(self) -> bool:
        return self.sf.links in (LinkRule.forbidden, LinkRule.sticker_only)

    def run(self) -> Composition:
        """The composition; when it fails a check with the source's filler cut (a text of
        fact lines can read as the other Norwegian standard), the one keeping the filler, if
        that fails less. Pieces are asked once: the second build reuses them."""
        parts = self.build()
        carried = self.carried
        failures = len(hard_failures(run_checks(self.ctx, parts)))
        # Then the angle's own call to action instead of the habit's (its words carry the
        # language), then the source's filler kept.
        for habit_cta, reduce in ((False, True), (True, False)):
            if not failures:
                break
            self.habit_cta, self.reduce = habit_cta, reduce
            other = self.build()
            other_failures = len(hard_failures(run_checks(self.ctx, other)))
            if other_failures < failures:
                parts, failures, carried = other, other_failures, self.carried
        return Composition(
            parts=parts,
            angle=self.angle,
            pieces_used=list(dict.fromkeys(self.used)),
            pieces_rejected=list(dict.fromkeys(self.rejected)),
            carried=carried,
        )

    def build(self) -> dict[str, Any]:
        parts: dict[str, Any] = {}
        taken: set[str] = set()
        main = self.sf.main_field
        first_list = True
        for name, rule in self.sf.fields.items():
            if name == main:
                parts[name] = self.main_text()
            elif rule.kind == "list":
                parts[name] = self.list_field(name, rule, first_list)
                first_list = False
            elif rule.kind == "path":
                parts[name] = self.path_items(name, rule)
            elif rule.kind == "url":
                parts[name] = self.urls[0].key if self.urls else ""
            else:
                value = self.short_field(name, rule, taken)
                parts[name] = value if (value or rule.required) else ""
                taken.add(value.lower())
        link = self.sf.link_field
        if self.sf.links is LinkRule.forbidden and link and self.urls and link not in parts:
            parts[link] = self.urls[0].key
        self.restore_missing(parts)
        return parts
