"""The one place that picks an LLM implementation from settings; apart from the protocol so that
the implementations can import it without a circle."""

from __future__ import annotations

from typing import TYPE_CHECKING

from service.providers.llm import LLM

if TYPE_CHECKING:
    from service.settings import Settings


def make_llm(settings: Settings) -> LLM:
    # Imports are lazy so that a provider's heavy SDK loads only when chosen.
    match settings.llm_provider:
        case "local":
            from service.providers.llm_local import LocalLlamaLLM

            return LocalLlamaLLM.from_settings(settings)
        case "openai":
            from service.providers.llm_openai import OpenAILLM

            return OpenAILLM.from_settings(settings)
        case "fake":
            from service.providers.llm_fake import FakeLLM

            return FakeLLM()
