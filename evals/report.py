"""Summaries per system and per surface (means with bootstrap intervals), as JSON and Markdown."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from evals.runner import PRODUCT, Scored, diversity
from evals.scoring import OutputScore
from service.library.stats import Interval as Estimate
from service.library.stats import bootstrap

# name -> (what it measures, how to read one output's value; None = not applicable)
METRICS: dict[str, tuple[str, Callable[[Scored], float | None]]] = {
    "instruction_accuracy": (
        "share of verifiable instructions met (length, parts, hashtags, links)",
        lambda s: _sc(s).instruction_accuracy,
    ),
    "case_accuracy": (
        "outputs meeting every instruction",
        lambda s: float(_sc(s).all_instructions),
    ),
    "fact_recall": ("must-keep facts present", lambda s: _sc(s).fact_recall),
    "fact_precision": (
        "hard facts in the output found in source or examples",
        lambda s: _sc(s).fact_precision,
    ),
    "must_not_clean": (
        "outputs with none of the case's wrong facts",
        lambda s: float(not _sc(s).must_not_found),
    ),
    "language_ok": (
        "right language and standard, per sentence",
        lambda s: float(_sc(s).language_ok),
    ),
    "echo_free": (
        "outputs with no line copied from the instructions (rules, surface names, headings)",
        lambda s: float(not _sc(s).prompt_echo),
    ),
    "chrf_source": ("chrF against the source (near 100: copied)", lambda s: _sc(s).chrf_source),
    "adapted": (
        "chrF in the adapted band (not copied, not drifted)",
        lambda s: float(_sc(s).chrf_band == "adapted"),
    ),
    "max_chrf_examples": (
        "highest chrF against a retrieved example (copying from examples)",
        lambda s: _sc(s).max_chrf_examples if s.output.examples else None,
    ),
    "shared_8grams_examples": (
        "8-word runs shared with a retrieved example",
        lambda s: float(_sc(s).shared_8grams_examples) if s.output.examples else None,
    ),
    "usable": (
        "every instruction, fact and language check met, adapted, and no instruction echoed",
        lambda s: float(_sc(s).usable),
    ),
    "first_attempt_passed": (
        "product's own hard checks passed on the model's first answer (before repair)",
        lambda s: (
            None if s.output.first_attempt_passed is None else float(s.output.first_attempt_passed)
        ),
    ),
    "product_passed": (
        "product's own verdict after repair",
        lambda s: None if s.output.product_passed is None else float(s.output.product_passed),
    ),
    "seconds": ("seconds per output", lambda s: s.output.seconds if s.output.seconds else None),
}


def _sc(s: Scored) -> OutputScore:
    assert s.score is not None
    return s.score


def _estimates(items: Sequence[Scored]) -> dict[str, Estimate]:
    scored = [s for s in items if s.score is not None]
    out: dict[str, Estimate] = {}
    for name, (_, read) in METRICS.items():
        values = [v for v in (read(s) for s in scored) if v is not None]
        out[name] = bootstrap(values)
    return out


def summarise(scored: Sequence[Scored], meta: dict[str, Any]) -> dict[str, Any]:
    systems = list(dict.fromkeys(s.output.system for s in scored))
    summary: dict[str, Any] = {"meta": meta, "metrics": {k: v[0] for k, v in METRICS.items()}}
    summary["systems"] = {}
    for system in systems:
        mine = [s for s in scored if s.output.system == system]
        surfaces = sorted({s.output.surface for s in mine})
        div = diversity(scored, system)
        summary["systems"][system] = {
            "n_outputs": len(mine),
            "n_cases": len({s.output.case_id for s in mine}),
            "unscored": [
                {"case": s.output.case_id, "surface": s.output.surface, "error": s.output.error}
                for s in mine
                if s.score is None
            ],
            "overall": {k: v.model_dump() for k, v in _estimates(mine).items()},
            "by_surface": {
                sf: {
                    k: v.model_dump()
                    for k, v in _estimates([s for s in mine if s.output.surface == sf]).items()
                }
                for sf in surfaces
            },
            "diversity": {
                "self_bleu": bootstrap(
                    [d.self_bleu for d in div if d.self_bleu is not None]
                ).model_dump(),
                "distinct_2": bootstrap(
                    [d.distinct_2 for d in div if d.distinct_2 is not None]
                ).model_dump(),
                "near_duplicate_rate": bootstrap(
                    [d.near_duplicate_rate for d in div if d.near_duplicate_rate is not None]
                ).model_dump(),
            },
            "languages_detected": dict(
                Counter(s.score.language_detected or "for kort" for s in mine if s.score)
            ),
            "chrf_bands": dict(Counter(s.score.chrf_band for s in mine if s.score)),
        }
    summary["cases"] = [
        {
            "system": s.output.system,
            "case": s.output.case_id,
            "surface": s.output.surface,
            "error": s.output.error,
            **(s.score.model_dump(exclude={"case_id", "surface"}) if s.score else {}),
        }
        for s in scored
    ]
    return summary


def _fmt(est: dict[str, Any], pct: bool) -> str:
    if est["mean"] is None:
        return "–"
    scale = 100.0 if pct else 1.0
    mean, low, high = (est[k] * scale for k in ("mean", "low", "high"))
    unit = " %" if pct else ""
    return f"{mean:.1f}{unit} [{low:.1f}, {high:.1f}] n={est['n']}"


_RAW = {"chrf_source", "max_chrf_examples", "shared_8grams_examples", "seconds"}


def markdown(summary: dict[str, Any]) -> str:
    meta = summary["meta"]
    systems = list(summary["systems"])
    lines = [
        "# Gjenbruk eval report",
        "",
        f"Model: `{meta.get('model', '?')}` · cases: {meta.get('n_cases', '?')} · "
        f"started: {meta.get('started', '?')} · source: {meta.get('source', '?')}",
        "",
        "Means with 95 % bootstrap intervals. Baselines are scored in the same run: a metric a "
        "baseline wins is either what it is built to win (copy keeps every fact) or a broken "
        "metric.",
        "",
        "| metric | " + " | ".join(systems) + " |",
        "|---|" + "---|" * len(systems),
    ]
    for name in METRICS:
        cells = [
            _fmt(summary["systems"][sys]["overall"][name], name not in _RAW) for sys in systems
        ]
        if all(c == "–" for c in cells):
            continue
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "## Diversity among one source's variants", ""]
    lines += ["| metric | " + " | ".join(systems) + " |", "|---|" + "---|" * len(systems)]
    for name in ("self_bleu", "distinct_2", "near_duplicate_rate"):
        cells = [
            _fmt(summary["systems"][sys]["diversity"][name], name != "self_bleu") for sys in systems
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    if PRODUCT in summary["systems"]:
        product = summary["systems"][PRODUCT]
        shown = [
            "instruction_accuracy", "fact_recall", "fact_precision", "language_ok", "usable",
            "first_attempt_passed",
        ]  # fmt: skip
        lines += ["", "## Product by surface", ""]
        lines += ["| surface | " + " | ".join(shown) + " |", "|---|" + "---|" * len(shown)]
        for sf, ests in product["by_surface"].items():
            lines.append(f"| {sf} | " + " | ".join(_fmt(ests[m], True) for m in shown) + " |")
        lines += [
            "",
            f"Languages detected: {product['languages_detected']} · "
            f"chrF bands: {product['chrf_bands']}",
        ]
        if product["unscored"]:
            lines += [
                "",
                "Not scored: "
                + "; ".join(
                    f"{u['case']}/{u['surface']}: {u['error']}" for u in product["unscored"]
                ),
            ]
    audit = summary.get("profile_audit")
    if audit:
        lines += ["", "## Profile audit against the planted flaws", ""]
        lines += ["| code | planted | found | matched | precision | recall | F1 |"]
        lines += ["|---|---|---|---|---|---|---|"]
        for c in audit["per_code"]:
            cells = ["–" if c[k] is None else f"{c[k]:.2f}" for k in ("precision", "recall", "f1")]
            lines.append(
                f"| {c['code']} | {c['planted']} | {c['found']} | {c['matched']} | "
                + " | ".join(cells)
                + " |"
            )
        micro = audit["deterministic_micro"]
        lines += [
            "",
            "Deterministic codes together: "
            + ", ".join(f"{k} {'–' if v is None else f'{v:.2f}'}" for k, v in micro.items()),
        ]
    plans = summary.get("plan_validity") or []
    if plans:
        lines += ["", "## Month plans against their expectations", ""]
        lines += ["| plan | slots | counts ok | marking days | on holidays | late | mix distance |"]
        lines += ["|---|---|---|---|---|---|---|"]
        for p in plans:
            ok = all(p["post_counts_ok"].values())
            lines.append(
                f"| {p['plan']} | {p['slots']} | {'yes' if ok else 'NO'} | "
                f"{p['marking_days_known']} | {p['posts_on_public_holidays']} | "
                f"{len(p['occasion_posts_after_the_day'])} | {p['category_mix_distance']} |"
            )
    months = summary.get("months") or []
    if months:
        lines += ["", "## Diversity within a month (the plan job's drafts)", ""]
        lines += ["| plan | drafts | passed | self-BLEU | distinct-2 | near-duplicates |"]
        lines += ["|---|---|---|---|---|---|"]
        for m in months:
            cells = ["–" if m[k] is None else f"{m[k]:.3f}"
                     for k in ("self_bleu", "distinct_2", "near_duplicate_rate")]  # fmt: skip
            lines.append(
                f"| {m['plan']} | {m['drafts']} | {m['passed']} | " + " | ".join(cells) + " |"
            )
    lines += _judge_section(summary.get("judge"))
    lines += ["", "## Metrics", ""]
    lines += [f"- `{k}`: {v}" for k, v in summary["metrics"].items()]
    return "\n".join(lines) + "\n"


def _judge_section(judge: dict[str, Any] | None) -> list[str]:
    if not judge:
        return [
            "",
            "LLM judge: not run (pass `--judge MODEL` or set GJENBRUK_EVAL_JUDGE_MODEL, with an "
            "API model configured).",
        ]
    systems = list(judge["pointwise"])
    cost = "–" if judge["cost_usd"] is None else f"${judge['cost_usd']:.4f}"
    lines = [
        "",
        f"## LLM judge: `{judge['judge']}`",
        "",
        f"Rubric v{judge['rubric_version']}, prompts {', '.join(judge['prompts'])} · "
        f"{judge['calls']} calls, {judge['cache_hits']} from cache · cost {cost}. "
        "Scores 1–5 (mean [95 % interval] n).",
        "",
        "| criterion | " + " | ".join(systems) + " |",
        "|---|" + "---|" * len(systems),
    ]
    criteria: dict[str, Any] = next(iter(judge["pointwise"].values()), {})
    for c in criteria:
        lines.append(
            f"| {c} | " + " | ".join(_fmt(judge["pointwise"][s][c], False) for s in systems) + " |"
        )
    pw = judge["pairwise"]
    if pw["n"]:
        lines += [
            "",
            f"Pairwise, {judge['product']} against {judge['against']}, both orders: "
            f"{pw['win']} won, {pw['loss']} lost, {pw['tie']} tied, {pw['inconsistent']} "
            f"changed with the order; win rate {_fmt(pw['win_rate'], True)}, position "
            f"consistency {_fmt(pw['position_consistency'], True)}.",
        ]
    if judge["errors"]:
        lines += [
            "",
            f"Verdicts the judge gave in a broken form ({len(judge['errors'])}): "
            + "; ".join(f"{e['case']}/{e['surface']} ({e['system']})" for e in judge["errors"]),
        ]
    return lines
