"""The functions the "Stilregler" tab is handed: plain data in and out, each a call to the
learning owner the API uses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from service.learning.rules import PARAMS
from service.learning.service import RuleIn, RulePatch, StyleLearning
from service.learning.voice import BrandVoice

if TYPE_CHECKING:
    from ui.rules_tab import RulesBackend


def rules_backend(learning: StyleLearning) -> RulesBackend:
    from ui.rules_tab import RulesBackend

    def rules(workspace: str, lang: str) -> list[dict[str, Any]]:
        return [r.model_dump(mode="json") for r in learning.rules(workspace, lang)]

    def add(workspace: str, rule: dict[str, Any]) -> dict[str, Any]:
        return learning.add_rule(workspace, RuleIn.model_validate(rule)).model_dump(mode="json")

    def update(workspace: str, rule_id: str, patch: dict[str, Any]) -> dict[str, Any]:
        changed = learning.update_rule(workspace, rule_id, RulePatch.model_validate(patch))
        return changed.model_dump(mode="json")

    def voice(workspace: str) -> dict[str, Any]:
        return learning.voice(workspace).model_dump(mode="json")

    def save_voice(workspace: str, data: dict[str, Any]) -> dict[str, Any]:
        # Keep what the analysis measured beside what the person chose.
        stats = learning.voice(workspace).stats
        voice = BrandVoice.model_validate({**data, "stats": stats})
        return learning.save_voice(workspace, voice).model_dump(mode="json")

    return RulesBackend(
        rules=rules,
        kinds=lambda: [(k.value, list(p)) for k, p in PARAMS.items()],
        add=add,
        update=update,
        delete=learning.delete_rule,
        voice=voice,
        save_voice=save_voice,
    )
