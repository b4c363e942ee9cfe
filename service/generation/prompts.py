"""Prompt templates live in prompts/<name>.yaml with a name, a version and declared variables.

Templates use ${variable} placeholders (string.Template), so JSON braces in a prompt need no
escaping. A template that uses an undeclared variable, or a render that misses one, is an error.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from string import Template
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.errors import ConfigurationError
from service.providers.llm import ChatMessage
from service.settings import REPO_ROOT

PROMPTS_DIR = REPO_ROOT / "prompts"


class PromptTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    version: int = Field(ge=1)
    description: str = ""
    variables: list[str]
    system: str = ""
    user: str = ""
    completion: str = Field(
        default="", description="a plain-text continuation prompt, for base (not chat) models"
    )

    @model_validator(mode="after")
    def _placeholders_are_declared(self) -> PromptTemplate:
        used: set[str] = set()
        for part in (self.system, self.user, self.completion):
            used |= set(Template(part).get_identifiers())
        undeclared = used - set(self.variables)
        if undeclared:
            raise ValueError(f"prompt {self.name!r} uses undeclared variables {sorted(undeclared)}")
        if not (self.user or self.completion):
            raise ValueError(f"prompt {self.name!r} needs a `user` or a `completion` part")
        return self

    @property
    def key(self) -> str:
        return f"{self.name}@v{self.version}"

    def _fill(self, part: str, values: dict[str, Any]) -> str:
        missing = set(self.variables) - set(values)
        if missing:
            raise ConfigurationError(f"prompt {self.key} is missing values for {sorted(missing)}")
        return Template(part).substitute({k: str(v) for k, v in values.items()})

    def messages(self, **values: Any) -> list[ChatMessage]:
        out = []
        if self.system:
            out.append(ChatMessage(role="system", content=self._fill(self.system, values)))
        out.append(ChatMessage(role="user", content=self._fill(self.user, values)))
        return out

    def completion_prompt(self, **values: Any) -> str:
        if not self.completion:
            raise ConfigurationError(f"prompt {self.key} has no completion form")
        return self._fill(self.completion, values)


@lru_cache(maxsize=64)
def load_prompt(name: str, directory: Path = PROMPTS_DIR) -> PromptTemplate:
    path = directory / f"{name}.yaml"
    if not path.is_file():
        raise ConfigurationError(f"no prompt template {name!r} in {directory}")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    template = PromptTemplate.model_validate(raw)
    if template.name != name:
        raise ConfigurationError(f"{path.name} declares name {template.name!r}, expected {name!r}")
    return template
