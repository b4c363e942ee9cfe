"""Find the embedded model file shipped in a PyPI package, verify it, and return its path."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel

from service.errors import ConfigurationError

_REGISTRY = Path(__file__).resolve().parent.parent / "data" / "local_models.yaml"


class LocalModelSpec(BaseModel):
    name: str
    package: str
    module: str
    file: str
    assemble: bool
    sha256: str
    licence: str = ""
    note: str = ""
    tokens_per_second: float | None = None  # measured generation speed (bench/local_model.py)
    # What size of task it is trusted with: small models get composed variants (issue 18).
    capability: Literal["small", "capable"] = "small"
    pieces: list[Literal["hook", "shorten"]] = ["hook", "shorten"]


@lru_cache(maxsize=1)
def registry() -> dict[str, LocalModelSpec]:
    raw: dict[str, Any] = yaml.safe_load(_REGISTRY.read_text(encoding="utf-8"))
    return {name: LocalModelSpec(name=name, **spec) for name, spec in raw["models"].items()}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# Hashing a few hundred MB takes a second or two: do it once per process and file.
@lru_cache(maxsize=8)
def _verified(path: Path, expected: str) -> Path:
    actual = sha256_of(path)
    if actual != expected:
        raise ConfigurationError(
            f"model file {path} has sha256 {actual}, expected {expected}; reinstall its package",
        )
    return path


def resolve_model_path(name_or_path: str, models_dir: Path) -> tuple[Path, LocalModelSpec | None]:
    """Return the .gguf path for a registry name, or the given path for any other GGUF file."""
    spec = registry().get(name_or_path)
    if spec is None:
        path = Path(name_or_path).expanduser()
        if path.suffix.lower() != ".gguf" or not path.is_file():
            known = ", ".join(sorted(registry()))
            raise ConfigurationError(
                f"local model {name_or_path!r} is neither a known name ({known}) "
                "nor an existing .gguf file"
            )
        return path, None
    if importlib.util.find_spec(spec.module) is None:
        raise ConfigurationError(
            f"the package for local model {spec.name!r} is not installed: "
            f"pip install {spec.package}"
        )
    if spec.assemble:
        target = models_dir / spec.file
        if not target.exists():
            module = importlib.import_module(spec.module)
            models_dir.mkdir(parents=True, exist_ok=True)
            module.assemble(output_path=target)
        return _verified(target, spec.sha256), spec
    found = importlib.util.find_spec(spec.module)
    assert found is not None and found.submodule_search_locations is not None
    path = Path(next(iter(found.submodule_search_locations))) / spec.file
    if not path.is_file():
        raise ConfigurationError(f"{spec.package} is installed but {spec.file} is missing")
    return _verified(path, spec.sha256), spec


def local_capability(name_or_path: str) -> Literal["small", "capable"]:
    """The registry's capability for a named model; a .gguf file we know nothing of is trusted
    with small tasks only (most embedded models are small)."""
    spec = registry().get(name_or_path)
    return spec.capability if spec is not None else "small"


def local_pieces(name_or_path: str) -> frozenset[str]:
    """The composer's pieces a named model is asked for; an unknown .gguf file: every piece
    (each is checked before it is used)."""
    spec = registry().get(name_or_path)
    return frozenset(spec.pieces if spec is not None else ("hook", "shorten"))
