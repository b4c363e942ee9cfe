"""What the rules tab and "based on these" show: a proposal with its evidence, guidance marked as
such, and an approved draft among the examples named as one."""

from __future__ import annotations

from service.learning.rules import Evidence, RuleKind, RuleSource, StyleRule
from service.learning.service import view
from ui.rules_tab import render_rules
from ui.variants_tab import render_variants


def test_a_proposal_shows_its_evidence_and_guidance_is_marked() -> None:
    mined = StyleRule(
        workspace="w",
        kind=RuleKind.replacement,
        params={"old": "kjempegod", "new": "god"},
        evidence=[Evidence(draft_id="d1", before="Kjempegod <b>mat</b>", after="God mat")],
        support=3,
        considered=4,
        source=RuleSource.mined,
        enabled=False,
    )
    note = StyleRule(workspace="w", kind=RuleKind.style_note, params={"text": "Lunt."})
    page = render_rules([view(mined).model_dump(mode="json"), view(note).model_dump()], "nb")
    assert "data-status='proposed'" in page and "3/4 redigeringer" in page
    assert "Kjempegod &lt;b&gt;mat&lt;/b&gt;" in page  # evidence is text, never markup
    assert "veiledning i ledeteksten" in page and "data-status='on'" in page


def test_an_approved_draft_among_the_examples_is_named_as_one() -> None:
    result = {
        "variants": [
            {
                "surface": "facebook_post",
                "text": "Hei",
                "checks": [],
                "passed": True,
                "examples_used": ["p1", "d1"],
            }
        ],
        "examples": [
            {"post_id": "p1", "channel": "facebook", "text": "Post", "engagement_rate": 0.1},
            {
                "post_id": "d1",
                "channel": "facebook",
                "text": "Utkast",
                "engagement_rate": None,
                "kind": "edited_draft",
            },
        ],
    }
    page = render_variants(result, "nb")
    assert "Utkast… <small>(Facebook, godkjent utkast, redigert)" in page
    assert "Post… <small>(Facebook, 10.0%)" in page


def test_the_reuse_plot_has_a_bar_per_channel_and_group_with_its_n() -> None:
    from ui.reuse_plot import reuse_frame, reuse_html

    group = {"n": 3, "mean": 0.06, "ci_low": 0.05, "ci_high": 0.07}
    report = {
        "links": [{"draft_id": "d"}] * 3,
        "channels": [
            {
                "channel": "facebook",
                "reused": group,
                "sources": {"n": 0, "mean": None},
                "baseline": {"n": 1, "mean": 0.02},
                "lift_vs_baseline": 3.0,
            }
        ],
    }
    frame = reuse_frame(report, "nb")
    assert list(frame["group"]) == ["Facebook · gjenbrukt (n=3)", "Facebook · kanalens andre (n=1)"]
    page = reuse_html(report, "en")
    assert "<td>Facebook</td>" in page
    assert "6.0% [5.0%–7.0%] (n=3)" in page and "×3.00" in page and "3 published posts" in page
