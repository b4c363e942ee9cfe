"""The variants tab shows what people decided: the cards, the text box and the JSON download are
made from the stored drafts (status, edited text, an approval over failed checks)."""

from __future__ import annotations

import json

import pytest

from service.container import Services
from service.errors import Conflict
from service.library.demo import load_demo
from service.providers.llm_fake import FakeLLM
from service.webui.variants import variants_backend
from ui.variants_tab import json_download, render_variants

# The scripted model's failing answer must stay the variant: no composed draft stands in for it.
pytestmark = pytest.mark.usefixtures("model_answers_stay")

SOURCE = "Ny vintersider med kanel og nellik! 229,- flaska i gårdsbutikken og på eplehagen.no."
NB = "Vintersideren er her: kanel og nellik, 229,- flaska i gårdsbutikken og på eplehagen.no."
EN = "Our new winter cider with cinnamon and clove is here. Come and visit us soon."


def _generate(services: Services, fake_llm: FakeLLM) -> dict[str, object]:
    load_demo(services.db, services.vectors)
    # The first surface gets a good answer; the second only English, which fails its checks.
    fake_llm.queue(json.dumps({"text": NB}, ensure_ascii=False))
    fake_llm.default = json.dumps({"text": EN})
    backend = variants_backend(services)
    req = {"workspace": "demo", "text": SOURCE, "surfaces": ["facebook_post", "linkedin_post"]}
    return backend.generate(req, lambda *_: None)


def test_cards_and_download_carry_the_stored_verdicts_and_edits(
    services: Services, fake_llm: FakeLLM
) -> None:
    result = _generate(services, fake_llm)
    backend = variants_backend(services)
    variants = result["variants"]
    assert isinstance(variants, list)
    good = next(v for v in variants if v["passed"])
    edited = NB + " Velkommen innom!"
    backend.review("demo", good["draft_id"], "approved", edited, False)

    shown = backend.reviewed("demo", result)
    mine = next(v for v in shown["variants"] if v["draft_id"] == good["draft_id"])
    assert mine["status"] == "approved" and mine["edited_text"] == edited
    assert all(v["status"] == "proposed" for v in shown["variants"] if v is not mine)

    html = render_variants(shown, "nb")
    assert "data-status='approved'" in html and "data-edited='true'" in html
    assert "Godkjent" in html and "Velkommen innom!" in html
    download = json.loads(json_download(shown))
    [row] = [v for v in download["variants"] if v["draft_id"] == good["draft_id"]]
    assert (
        row["status"] == "approved" and row["final_text"] == edited and row["text"] == good["text"]
    )


def test_a_failed_variant_is_approved_only_with_the_override_and_shown_as_such(
    services: Services, fake_llm: FakeLLM
) -> None:
    result = _generate(services, fake_llm)
    backend = variants_backend(services)
    variants = result["variants"]
    assert isinstance(variants, list)
    bad = next(v for v in variants if not v["passed"] and v.get("draft_id"))
    with pytest.raises(Conflict, match="override"):
        backend.review("demo", bad["draft_id"], "approved", bad["text"], False)
    assert backend.reviewed("demo", result)["variants"][variants.index(bad)]["status"] == (
        "proposed"
    )
    backend.review("demo", bad["draft_id"], "approved", bad["text"], True)
    shown = backend.reviewed("demo", result)
    mine = shown["variants"][variants.index(bad)]
    assert mine["status"] == "approved" and mine["checks_overridden"] is True
    assert "data-overridden='true'" in render_variants(shown, "nb")
    assert "selv om kontrollene feilet" in render_variants(shown, "nb")
