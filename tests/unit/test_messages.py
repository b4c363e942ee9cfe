"""Words for people live in one catalogue: every code the code names exists in nb, nn and en
with the parameters the code passes; every check and finding carries a code its text is rendered
from; no sentence for people is built in the pipeline; a response renders in each language."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from service.domain import Check, SourceType
from service.domain.profile_audit import Finding, ProfileSet
from service.generation.variants import Variant, VariantPipeline, VariantResponse
from service.messages import LANGUAGES, catalogue, fields, has, label, render
from service.messages.localise import localise
from service.profiles.audit import audit
from service.profiles.rewrite import RewriteRequest, rewrite
from service.providers.llm_fake import FakeLLM
from tests.unit.test_variants import CIDER, GOOD, model_only, pipeline, reply, request  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
ROOTS = (
    "audit", "check", "consent", "variants", "label", "language", "owner", "surface", "repair",
)  # fmt: skip
CODE = re.compile(rf"^(?:{'|'.join(ROOTS)})\.[a-z_]+(?:\.[a-z_]+)*$")
PREFIX = re.compile(rf"^(?:{'|'.join(ROOTS)})\.[a-z_.]*$")
# Calls that take a message code and its parameters as keywords: name -> index of the code.
CODE_CALLS = {"measured": 2, "of": 0, "finding": 4, "add": 4}


def _python_files(*folders: str) -> Iterator[Path]:
    for folder in folders:
        yield from sorted((ROOT / folder).rglob("*.py"))


def _codes_in_code() -> tuple[set[str], set[str], list[tuple[str, str, set[str]]]]:
    """Codes named as literals, prefixes of codes built in f-strings, and (where, code, keyword
    names) for each call that passes a code with its parameters spelled out."""
    codes: set[str] = set()
    prefixes: set[str] = set()
    calls: list[tuple[str, str, set[str]]] = []
    for path in _python_files("service", "ui"):
        where = str(path.relative_to(ROOT))
        if where.startswith("service/auth/"):
            continue  # permission names ("audit.read") look like codes and are not
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if CODE.match(node.value):
                    codes.add(node.value)
            elif isinstance(node, ast.JoinedStr) and node.values:
                head = node.values[0]
                if isinstance(head, ast.Constant) and PREFIX.match(str(head.value)):
                    prefixes.add(str(head.value))
            elif isinstance(node, ast.Call):
                name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                at = CODE_CALLS.get(name)
                if at is None or len(node.args) <= at:
                    continue
                code = node.args[at]
                spread = any(k.arg is None for k in node.keywords)
                if isinstance(code, ast.Constant) and CODE.match(str(code.value)) and not spread:
                    names = {str(k.arg) for k in node.keywords} - {"hard"}
                    calls.append((f"{where}:{node.lineno}", str(code.value), names))
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", "") == "render"
                and len(node.args) >= 2
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[1], ast.Dict)
                and all(isinstance(k, ast.Constant) for k in node.args[1].keys)
            ):
                names = {str(k.value) for k in node.args[1].keys if isinstance(k, ast.Constant)}
                calls.append((f"{where}:{node.lineno}", str(node.args[0].value), names))
    return codes, prefixes, calls


def test_every_code_named_in_code_exists_in_all_three_catalogues_with_its_parameters() -> None:
    codes, prefixes, calls = _codes_in_code()
    assert len(codes) > 40 and calls, "the scan finds the codes the checks use"
    for lang in LANGUAGES:
        texts = catalogue(lang)
        assert not codes - set(texts), f"codes missing in {lang}: {sorted(codes - set(texts))}"
        for prefix in prefixes:
            assert any(k.startswith(prefix) for k in texts), f"{prefix}* missing in {lang}"
        for where, code, names in calls:
            if code not in texts:
                continue  # a lookup code (`label.x`) reported above when missing
            wanted = set(fields(texts[code]))
            assert wanted <= names, f"{where}: {code} in {lang} needs {sorted(wanted - names)}"


def test_the_three_catalogues_agree_on_codes_parameters_and_lookups() -> None:
    nb, nn, en = (catalogue(lang) for lang in LANGUAGES)
    assert set(nb) == set(nn) == set(en)
    for code in nb:
        assert fields(nb[code]) == fields(nn[code]) == fields(en[code]), code


def _variants(pipeline: VariantPipeline, fake_llm: FakeLLM) -> list[VariantResponse]:  # noqa: F811
    """Responses that between them make every kind of variant check pass and fail."""
    out = []
    fake_llm.queue(reply(text=GOOD))
    out.append(pipeline.run(request(surfaces=["x_post"])))
    fake_llm.queue(*[reply(text="We love cider. Come and taste it this weekend, friends!")] * 3)
    out.append(pipeline.run(request()))
    fake_llm.queue(*[reply(text="189,- 49 kroner 11. april kl. 11–16 Anne")] * 3)
    named = CIDER + " Kari Nordmann ønsker velkommen."
    out.append(pipeline.run(request(surfaces=["instagram_post"], text=named)))
    rsa = reply(headlines=["<kilde>", "Tørr sider", "Tørr sider"], descriptions=["x" * 120])
    fake_llm.queue(*[rsa] * 3)
    out.append(pipeline.run(request(surfaces=["google_rsa"])))
    fake_llm.queue(*["not json"] * 3)
    out.append(pipeline.run(request(surfaces=["linkedin_post"])))
    fake_llm.default = reply(text=CIDER)
    out.append(
        pipeline.run(
            request(source_type=SourceType.ugc, author="@turid", surfaces=["meta_ad", "x_post"])
        )
    )
    return out


def _all_checks(responses: list[VariantResponse]) -> list[Check]:
    return [c for r in responses for v in r.variants for c in v.checks]


def _profile_set() -> ProfileSet:
    return ProfileSet(
        organisation="Sjøbua Restaurant",
        wanted_keywords=["fiskesuppe", "lokal fisk"],
        language="nb",
        channels={
            "website": {
                "om_oss": "Fiskesuppe av lokal fisk. Ring 51 49 22 10. Åpent tir–lør 16–23"
            },
            "facebook": {
                "description": "Nyhet 2023: fiskesuppe! Ring 51 49 22 01. Åpent tir–lør 16–22.",
                "intro": "We serve the best fish soup in town, come and taste it with friends " * 2,
            },
            "instagram": {"bio": "Velkommen til Sjøbua, eg er glad i fisk og heile fjorden"},
            "google_business": {"description": "Fiskesuppe 189,- hver dag på sjobua.no"},
            "myspace": {"bio": "x"},
            "linkedin": {"slogan": "y"},
        },
    )


def _findings() -> tuple[list[Finding], list[Check]]:
    profiles = _profile_set()
    report, shown, hidden = rewrite(
        RewriteRequest(profiles=profiles, n=0), None, today=date(2026, 11, 23)
    )
    return report.findings, [c for o in shown + hidden for c in o.checks]


def test_every_check_carries_a_code_its_detail_is_rendered_from_in_each_language(
    model_only: VariantPipeline,  # noqa: F811
    fake_llm: FakeLLM,
) -> None:
    findings, profile_checks = _findings()
    checks = _all_checks(_variants(model_only, fake_llm)) + profile_checks
    names = {c.name for c in checks}
    assert {"not_a_copy", "content", "language", "consent", "model_output"} <= names
    assert {"part:headlines", "names_kept", "facts_kept", "over_limit"} <= names
    for c in checks:
        assert c.code, f"{c.name} has no message code: {c.detail!r}"
        assert c.detail == render(c.code, c.params, "nb"), c.name
        assert set(fields(catalogue("nb")[c.code])) <= set(c.params), c.code
        for lang in LANGUAGES:
            assert render(c.code, c.params, lang)
            named = has(f"label.{c.name}", lang) or label(c.name, lang) != c.name
            assert named, f"{c.name} has no label in {lang}"
    codes = {f.code for f in findings}
    assert len(codes) >= 8, codes
    for f in findings:
        assert f.message and f.suggestion == render(f.message, f.params, "nb"), f.code
        for lang in LANGUAGES:
            assert has(f"label.{f.code.value}", lang), f.code
            assert localise(f, lang).suggestion == render(f.message, f.params, lang)


def test_a_response_renders_in_english_and_nynorsk(
    model_only: VariantPipeline,  # noqa: F811
    fake_llm: FakeLLM,
) -> None:
    fake_llm.default = reply(text="We love cider. Come and taste it this weekend, friends!")
    out = model_only.run(
        request(source_type=SourceType.ugc, author="@turid", surfaces=["instagram_post"])
    )
    english = localise(out, "en")
    v: Variant = next(x for x in english.variants if x.surface == "instagram_post")
    assert any(r.startswith("language: expected Norwegian Bokmål") for r in v.failed_reasons)
    assert any(w.startswith("Instagram post (caption): the content is from the customer")
               for w in english.warnings)  # fmt: skip
    assert all(c.detail == render(c.code, c.params, "en") for c in v.checks)
    nynorsk = localise(out, "nn")
    assert any("venta bokmål" in r for x in nynorsk.variants for r in x.failed_reasons)
    assert any("løyve" in w for w in nynorsk.warnings)
    assert out.variants[0].failed_reasons[0].split(":")[0] in {"språk", "ikke en kopi"}, (
        "the original stays bokmål"
    )


def test_an_audit_renders_its_summary_evidence_and_fixes_in_each_language() -> None:
    report = audit(_profile_set(), today=date(2026, 11, 23))
    english = localise(report, "en")
    assert english.summary.startswith("Sjøbua Restaurant: overall score")
    assert "Findings:" in english.summary and "Funn" not in english.summary
    over = next(f for f in english.findings if f.code == "over_limit")
    assert over.evidence.endswith("characters") and over.suggestion.startswith("Cut ")
    wrong = next(f for f in english.findings if f.code == "language_mismatch")
    assert wrong.evidence in {"English", "Norwegian Nynorsk"}
    assert "Norwegian Bokmål" in wrong.suggestion
    assert report.summary.startswith("Sjøbua Restaurant: samlet score"), "bokmål by default"
    assert localise(report, "nn").summary.startswith("Sjøbua Restaurant: samla poeng")


# Functions that fill model-facing prompts (the prompt's own language, not words for people):
# the surface rules, the field hint, the variant and rewrite prompt variables.
PROMPT_TEXT = {
    ("service/generation/surfaces.py", "rules_text"),
    ("service/generation/variants.py", "_fields_hint"),
    ("service/generation/variants.py", "_messages"),
    ("service/generation/variants.py", "_voice_with_rules"),
    ("service/profiles/rewrite.py", "rewrite"),
}
NORWEGIAN = frozenset(
    [
        "ikke",
        "ikkje",
        "ingen",
        "mangler",
        "manglar",
        "tegn",
        "teikn",
        "stk",
        "fant",
        "ventet",
        "venta",
        "kilden",
        "kjelda",
        "teksten",
        "setning",
        "samme",
        "gjentar",
        "inneholder",
        "består",
        "funn",
        "svakest",
        "kunden",
        "partneren",
        "tillatelse",
        "modellen",
        "og",
        "er",
        "til",
        "fra",
        "frå",
        "på",
        "av",
        "en",
        "et",
        "ei",
        "eit",
        "har",
        "kan",
        "må",
        "skal",
        "alle",
        "nye",
        "navn",
        "lenke",
        "lenker",
        "bestått",
        "feilet",
        "ord",
        "innlegg",
        "tekst",
    ]
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_REGEX = re.compile(r"\\[bswdSW]|\(\?|\[\^|\|")


def _norwegian_literals(path: Path) -> Iterator[tuple[int, str, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }

    def walk(node: ast.AST, function: str) -> Iterator[tuple[int, str, str]]:
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, ast.FunctionDef) else function
            if (
                isinstance(child, ast.Constant)
                and isinstance(child.value, str)
                and id(child) not in docstrings
                and " " in child.value.strip()
                and not _REGEX.search(child.value)
                and any(w.lower() in NORWEGIAN for w in _WORD.findall(child.value))
            ):
                yield child.lineno, inner, child.value
            yield from walk(child, inner)

    yield from walk(tree, "")


def test_no_sentence_for_people_is_built_in_the_pipeline() -> None:
    built = [
        f"{where}:{line} in {function or 'module'}: {text!r}"
        for path in _python_files("service/generation", "service/profiles", "service/messages")
        if (where := str(path.relative_to(ROOT)))
        for line, function, text in _norwegian_literals(path)
        if (where, function) not in PROMPT_TEXT
    ]
    assert not built, "sentences for people belong in service/messages/data:\n" + "\n".join(built)


def test_the_scan_would_find_a_sentence_built_in_code(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text('def f(n: int) -> str:\n    return f"{n} tegn er for mye"\n', "utf-8")
    assert [(line, fn) for line, fn, _ in _norwegian_literals(planted)] == [(2, "f")]


def test_the_ui_renders_checks_in_the_readers_language_never_internal_ids(
    pipeline: VariantPipeline,  # noqa: F811
    fake_llm: FakeLLM,
) -> None:
    from ui.profiles_tab import render_table
    from ui.variants_tab import render_variants

    fake_llm.queue(reply(text=GOOD))
    out = pipeline.run(request(surfaces=["instagram_post"])).model_dump(mode="json")
    english = render_variants(out, "en")
    assert "Instagram post (caption)" in english and "facts kept" in english
    for internal in ("facts_kept", "no_invented_facts", "instagram_post'>Insta", ">instagram_post"):
        assert internal not in english.replace("data-surface='instagram_post'", "")
    assert "fakta med" in render_variants(out, "nb")
    profiles = _profile_set()
    report = audit(profiles, today=date(2026, 11, 23)).model_dump(mode="json")
    table = render_table({**report, "profiles": profiles.model_dump(mode="json")}, "en")
    assert "no call to action" in table or "missing keyword" in table
    assert "<b>no_cta</b>" not in table and "<b>over_limit</b>" not in table


def test_unknown_languages_are_refused() -> None:
    from service.errors import Invalid

    with pytest.raises(Invalid):
        localise([], "de")
    with pytest.raises(Invalid):
        render("check.emoji", {"found": 1}, "de")
    assert json.dumps(render("check.emoji", {"found": 2}, "en")) == '"2 emoji"'


def test_a_text_stored_by_an_older_version_keeps_its_words() -> None:
    old = [
        Check(name="length", passed=True, detail="12/280 tegn"),  # before checks had codes
        Check(name="length", passed=True, detail="12/280 tegn", code="check.gone", params={}),
        Check(name="length", passed=True, detail="12/280 tegn", code="check.length.chars"),
    ]
    assert [c.detail for c in localise(old, "en")] == ["12/280 tegn"] * 3
    fresh = Check(
        name="length", passed=True, detail="12/280 tegn", code="check.length.chars",
        params={"found": 12, "limit": 280},
    )  # fmt: skip
    assert localise(fresh, "en").detail == "12/280 characters"
