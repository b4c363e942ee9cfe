"""A workspace's style rules and brand voice over HTTP: what the product learnt from the editors,
with its evidence, and what people add, change, switch off and delete. Every change is a new
version of the rule (GET .../style-rules/{id}/history); a deleted mined rule is not proposed
again."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Response

from service.api.deps import ServicesDep, WorkspaceDep, workspace_router
from service.learning.service import ReuseView, RuleIn, RulePatch, RuleView, StyleLearning
from service.learning.voice import BrandVoice

router = workspace_router("style-rules")
Lang = Annotated[str, Query(pattern=r"^(nb|nn|en)$", description="language of `text`")]


def get_learning(services: ServicesDep) -> StyleLearning:
    return services.learning


LearningDep = Annotated[StyleLearning, Depends(get_learning)]


@router.get("/style-rules", name="list_style_rules")
def list_style_rules(
    workspace: WorkspaceDep, learning: LearningDep, lang: Lang = "nb"
) -> list[RuleView]:
    """Every rule with its evidence (the drafts, before and after), its status (`proposed`
    until a person accepts a mined rule, then `on` or `off`) and whether a check enforces it
    (`enforced`) or it only guides the prompt."""
    return learning.rules(workspace, lang)


@router.post("/style-rules", status_code=201, name="create_style_rule")
def create_style_rule(
    workspace: WorkspaceDep, rule: RuleIn, learning: LearningDep, lang: Lang = "nb"
) -> RuleView:
    """A rule a person writes, e.g. `{"kind": "forbidden_phrase", "params": {"phrase":
    "billig"}}` or `{"kind": "sign_off", "params": {"text": "Bestill på sjobua.no"}}`."""
    return learning.add_rule(workspace, rule, lang)


@router.patch("/style-rules/{rule_id}", name="update_style_rule")
def update_style_rule(
    workspace: WorkspaceDep,
    rule_id: str,
    patch: RulePatch,
    learning: LearningDep,
    lang: Lang = "nb",
) -> RuleView:
    """Change a rule's params or scope, or switch it on (accepting a proposal) or off."""
    return learning.update_rule(workspace, rule_id, patch, lang)


@router.delete("/style-rules/{rule_id}", status_code=204, name="delete_style_rule")
def delete_style_rule(workspace: WorkspaceDep, rule_id: str, learning: LearningDep) -> Response:
    learning.delete_rule(workspace, rule_id)
    return Response(status_code=204)


@router.get("/style-rules/{rule_id}/history", name="style_rule_history")
def style_rule_history(
    workspace: WorkspaceDep, rule_id: str, learning: LearningDep, lang: Lang = "nb"
) -> list[RuleView]:
    """The rule's earlier versions, oldest first (the last one is a deletion, if deleted)."""
    return learning.history(workspace, rule_id, lang)


@router.get("/brand-voice", name="get_brand_voice")
def get_brand_voice(workspace: WorkspaceDep, learning: LearningDep) -> BrandVoice:
    """The saved voice, or, until one is saved, one analysed from the best own posts (with the
    measurements it came from in `stats`)."""
    return learning.voice(workspace)


@router.put("/brand-voice", name="save_brand_voice")
def save_brand_voice(
    workspace: WorkspaceDep, voice: BrandVoice, learning: LearningDep
) -> BrandVoice:
    return learning.save_voice(workspace, voice)


@router.get("/reuse", name="reuse_report")
def reuse_report(
    workspace: WorkspaceDep,
    learning: LearningDep,
    relink: Annotated[
        bool,
        Query(description="link again from the library as it stands before reporting"),
    ] = False,
) -> ReuseView:
    """Posts published from Gjenbruk drafts and, per channel, how the reuses did against their
    sources and the channel's other posts. The links are made at the end of each import (a
    post whose link carries a draft's id as utm_content, as exports write it, is that draft's;
    else text similarity within 45 days of approval) and read here; `relink=true` makes them
    again (for posts imported before links were stored at import)."""
    return learning.reuse(workspace, relink=relink)
