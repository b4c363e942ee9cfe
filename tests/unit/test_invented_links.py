"""A link the model adds that is in neither the source nor the organisation's own material is an
invented fact, whatever its top-level domain: the variant never comes back passed with it."""

from __future__ import annotations

import json

import pytest

from service.container import Services
from service.generation.variants import VariantRequest
from service.library.demo import load_demo
from service.providers.llm_fake import FakeLLM

SOURCE = (
    "Nå har vi tappet årets første flasker med sider. Flaska koster 189,- i gårdsbutikken "
    "lørdag 11. april kl. 11–16."
)
ANSWER = (
    "Årets første sider er tappet! Kom til gårdsbutikken lørdag 11. april kl. 11–16, flaska "
    "koster 189,-. Les mer på {link}"
)


@pytest.mark.parametrize(
    "link", ["http://evil.example", "https://bit.ly/3xYz", "http://10.0.0.1/a"]
)
def test_an_invented_link_never_passes(services: Services, fake_llm: FakeLLM, link: str) -> None:
    load_demo(services.db, services.vectors)
    fake_llm.default = json.dumps({"text": ANSWER.format(link=link)}, ensure_ascii=False)
    req = VariantRequest(workspace="demo", text=SOURCE, surfaces=["facebook_post"])
    (v,) = services.variants.run(req).variants
    host = link.split("://", 1)[1].split("/", 1)[0]
    assert not (v.passed and host in v.text), (v.origin, v.text)
    model_only = services.variants
    model_only.compose_fallback = False
    (raw,) = model_only.run(req).variants
    invented = next(c for c in raw.checks if c.name == "no_invented_facts")
    assert not raw.passed or host not in raw.text
    assert host not in raw.text or not invented.passed
