"""The optional LLM-judge tier: a rubric per surface in Norwegian (G-Eval style), one output at a
time and pairwise in both orders, by a judge from another model family than the generator.

It runs only when asked for with an API model configured: a judge is slow and costs money, and
the deterministic scores stay the ones CI trusts. Verdicts are cached by judge model, prompt and
rubric version and a hash of exactly what the judge was shown, so re-running a report or adding
cases pays only for what is new.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from evals.cases import RepurposeCase
from evals.runner import Output
from service.errors import Invalid, ProviderResponseInvalid
from service.generation.language import NAMES
from service.generation.prompts import PromptTemplate, load_prompt
from service.generation.surfaces import Surface, SurfaceCatalog
from service.library.stats import bootstrap
from service.providers.llm import LLM, Usage
from service.providers.prices import estimate_cost

RUBRICS_FILE = Path(__file__).resolve().parent / "data" / "judge_rubrics.yaml"
ProgressFn = Callable[[str, int, int], None]


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    description: str


class ScoreVerdict(BaseModel):
    """The judge's form for one output. Field names are the rubric's criterion ids."""

    begrunnelse: str = Field(max_length=800)
    tilpasning: int = Field(ge=1, le=5)
    troskap: int = Field(ge=1, le=5)
    sprak: int = Field(ge=1, le=5)
    nytte: int = Field(ge=1, le=5)


CRITERIA = [f for f in ScoreVerdict.model_fields if f != "begrunnelse"]


class PairVerdict(BaseModel):
    begrunnelse: str = Field(max_length=800)
    vinner: Literal["A", "B", "uavgjort"]


class Rubrics(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1)
    criteria: dict[str, Criterion]
    steps: str
    by_kind: dict[str, str]
    surfaces: dict[str, str]

    @model_validator(mode="after")
    def _criteria_match_the_form(self) -> Rubrics:
        if list(self.criteria) != CRITERIA:
            raise ValueError(f"rubric criteria {list(self.criteria)} must be {CRITERIA}")
        return self

    def for_surface(self, surface: Surface) -> str:
        specific = self.surfaces.get(surface.id)
        general = self.by_kind.get(surface.kind, "")
        return "\n".join(x for x in (specific or surface.name_nb, general) if x)

    def criteria_text(self) -> str:
        return "\n".join(f"- {k} ({c.name}): {c.description}" for k, c in self.criteria.items())


@lru_cache(maxsize=4)
def load_rubrics(path: Path = RUBRICS_FILE) -> Rubrics:
    return Rubrics.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


_VENDOR_FAMILIES = {"o": "gpt", "chatgpt": "gpt", "text": "gpt", "davinci": "gpt"}


def model_family(name: str) -> str:
    """'gpt-4o-mini' -> gpt, 'gemma3-270m' -> gemma, 'meta-llama/Llama-3.1-8B' -> llama,
    'qwen2.5:7b' -> qwen, 'o3-mini' -> gpt. Good enough to refuse a model judging its own kin."""
    base = Path(name.split(":")[0]).name.lower()
    match = re.match(r"[a-z]+", base)
    family = match.group(0) if match else base
    return _VENDOR_FAMILIES.get(family, family)


def render_parts(parts: dict[str, Any]) -> str:
    """Every field as the judge should see it, lists one item per line."""
    lines: list[str] = []
    for key, value in parts.items():
        if value in (None, "", []):
            continue
        if isinstance(value, list):
            lines.append(f"{key}:")
            lines += [f"- {item}" for item in value]
        else:
            lines.append(f"{key}: {value}")
    return "\n".join(lines)


class JudgeCache:
    """Verdicts as JSON lines, appended; the newest line for a key wins."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: dict[str, dict[str, Any]] = {}
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    row = json.loads(line)
                    self._entries[row["key"]] = row["value"]
                except (ValueError, KeyError, TypeError):
                    continue  # a line torn by a killed run: that verdict is asked again

    def get(self, key: str) -> dict[str, Any] | None:
        return self._entries.get(key)

    def put(self, key: str, value: dict[str, Any]) -> None:
        self._entries[key] = value
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps({"key": key, "value": value}, ensure_ascii=False) + "\n")

    def __len__(self) -> int:
        return len(self._entries)


class Judge:
    def __init__(
        self, llm: LLM, cache: JudgeCache, rubrics: Rubrics | None = None, *, prompts_dir: Path
    ) -> None:
        self.llm = llm
        self.cache = cache
        self.rubrics = rubrics or load_rubrics()
        self.score_prompt: PromptTemplate = load_prompt("eval_judge_score", prompts_dir)
        self.pair_prompt: PromptTemplate = load_prompt("eval_judge_pair", prompts_dir)
        self.calls = 0
        self.cache_hits = 0
        self.usage = Usage()

    def _key(self, prompt: PromptTemplate, messages: list[Any]) -> str:
        shown = hashlib.sha256(
            json.dumps([m.model_dump() for m in messages], ensure_ascii=False).encode()
        ).hexdigest()
        ident = [self.llm.model_name, prompt.key, self.rubrics.version, shown]
        return hashlib.sha256(json.dumps(ident).encode()).hexdigest()

    def _ask(self, prompt: PromptTemplate, schema: type[Any], **values: Any) -> dict[str, Any]:
        messages = prompt.messages(**values)
        key = self._key(prompt, messages)
        cached = self.cache.get(key)
        if cached is not None:
            self.cache_hits += 1
            return cached
        self.calls += 1
        answer = self.llm.chat_structured(messages, schema, max_tokens=400, temperature=0.0)
        self.usage = self.usage + answer.usage
        value: dict[str, Any] = answer.value.model_dump()
        self.cache.put(key, value)
        return value

    def _context(self, case: RepurposeCase, surface: Surface) -> dict[str, str]:
        """What both prompts show the judge besides the outputs."""
        return {
            "surface_rubric": self.rubrics.for_surface(surface),
            "criteria": self.rubrics.criteria_text(),
            "language_name": NAMES.get(case.language, case.language),
            "source": case.source.text,
        }

    def score(self, case: RepurposeCase, surface: Surface, parts: dict[str, Any]) -> ScoreVerdict:
        return ScoreVerdict.model_validate(
            self._ask(
                self.score_prompt,
                ScoreVerdict,
                **self._context(case, surface),
                steps=self.rubrics.steps.strip(),
                output=render_parts(parts),
            )
        )

    def prefer(
        self, case: RepurposeCase, surface: Surface, a: dict[str, Any], b: dict[str, Any]
    ) -> PairVerdict:
        return PairVerdict.model_validate(
            self._ask(
                self.pair_prompt,
                PairVerdict,
                **self._context(case, surface),
                output_a=render_parts(a),
                output_b=render_parts(b),
            )
        )


def pair_outcome(first: str, swapped: str) -> str:
    """Product shown as A, then as B. A win or loss counts only when both orders agree;
    disagreement is position bias and counts as a tie."""
    as_a = {"A": "win", "B": "loss"}.get(first, "tie")
    as_b = {"B": "win", "A": "loss"}.get(swapped, "tie")
    if as_a == as_b:
        return as_a
    if "tie" in (as_a, as_b):
        return as_a if as_b == "tie" else as_b  # one order undecided: lean to the decided one
    return "inconsistent"


_POINTS = {"win": 1.0, "tie": 0.5, "inconsistent": 0.5, "loss": 0.0}


def run_judge(
    judge: Judge,
    cases: Sequence[RepurposeCase],
    outputs: Sequence[Output],
    catalog: SurfaceCatalog,
    *,
    product: str,
    against: str,
    limit: int | None = None,
    progress: ProgressFn | None = None,
) -> dict[str, Any]:
    by_case = {c.id: c for c in cases}
    index = {(o.system, o.case_id, o.surface): o for o in outputs if o.parts}
    targets = [
        o
        for o in outputs
        if o.system == product and o.parts and o.case_id in by_case
        and o.surface in catalog.surfaces
    ]  # fmt: skip
    targets = targets[:limit] if limit is not None else targets
    items: list[dict[str, Any]] = []
    errors: list[dict[str, str]] = []
    total = len(targets)
    for i, out in enumerate(targets):
        if progress:
            progress(f"dommer {out.case_id}/{out.surface}", i, total)
        case, surface = by_case[out.case_id], catalog.surfaces[out.surface]
        other = index.get((against, out.case_id, out.surface))
        for system, o in ((product, out), (against, other)):
            if o is None:
                continue
            try:
                verdict = judge.score(case, surface, o.parts)
            except ProviderResponseInvalid as exc:  # one bad verdict; a dead server stops the run
                errors.append({"case": o.case_id, "surface": o.surface, "system": system,
                               "error": exc.message})  # fmt: skip
                continue
            items.append({"kind": "score", "system": system, "case": o.case_id,
                          "surface": o.surface, **verdict.model_dump()})  # fmt: skip
        if other is None:
            continue
        try:
            first = judge.prefer(case, surface, out.parts, other.parts).vinner
            swapped = judge.prefer(case, surface, other.parts, out.parts).vinner
        except ProviderResponseInvalid as exc:  # one bad verdict; a dead server stops the run
            errors.append({"case": out.case_id, "surface": out.surface, "system": "pair",
                           "error": exc.message})  # fmt: skip
            continue
        items.append({"kind": "pair", "case": out.case_id, "surface": out.surface,
                      "as_a": first, "as_b": swapped,
                      "outcome": pair_outcome(first, swapped)})  # fmt: skip
    if progress:
        progress("", total, total)
    return _summarise(judge, items, errors, product=product, against=against)


def _summarise(
    judge: Judge,
    items: list[dict[str, Any]],
    errors: list[dict[str, str]],
    *,
    product: str,
    against: str,
) -> dict[str, Any]:
    scores = [i for i in items if i["kind"] == "score"]
    pairs = [i for i in items if i["kind"] == "pair"]
    pointwise: dict[str, Any] = {}
    by_surface: dict[str, Any] = {}
    for system in dict.fromkeys(i["system"] for i in scores):
        mine = [i for i in scores if i["system"] == system]
        pointwise[system] = {c: bootstrap([i[c] for i in mine]).model_dump() for c in CRITERIA}
        by_surface[system] = {
            sf: {c: bootstrap([i[c] for i in mine if i["surface"] == sf]).model_dump()
                 for c in CRITERIA}
            for sf in sorted({i["surface"] for i in mine})
        }  # fmt: skip
    outcomes = [p["outcome"] for p in pairs]
    cost = estimate_cost(
        judge.llm.model_name, judge.usage.prompt_tokens, judge.usage.completion_tokens
    )
    return {
        "judge": judge.llm.model_name,
        "rubric_version": judge.rubrics.version,
        "prompts": [judge.score_prompt.key, judge.pair_prompt.key],
        "product": product,
        "against": against,
        "calls": judge.calls,
        "cache_hits": judge.cache_hits,
        "usage": judge.usage.model_dump(),
        "cost_usd": cost.usd if cost.priced else None,
        "errors": errors,
        "pointwise": pointwise,
        "pointwise_by_surface": by_surface,
        "pairwise": {
            "n": len(pairs),
            **{k: outcomes.count(k) for k in ("win", "loss", "tie", "inconsistent")},
            "win_rate": bootstrap([_POINTS[o] for o in outcomes]).model_dump(),
            "position_consistency": bootstrap(
                [float(o != "inconsistent") for o in outcomes]
            ).model_dump(),
        },
        "items": items,
    }


def check_families(judge_model: str, generators: Sequence[str]) -> None:
    family = model_family(judge_model)
    for g in generators:
        if g and model_family(g) == family:
            raise Invalid(
                f"the judge {judge_model!r} is from the same model family ({family}) as the "
                f"generator {g!r}: a model rates its own kind too kindly; pick another family"
            )
