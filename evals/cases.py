"""Eval cases as JSONL. Unknown fields are ignored so other case sets run too; a broken line is
reported with its file and line number, never skipped silently."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from service.errors import Invalid


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class CaseSource(_Lenient):
    text: str = Field(min_length=1)
    type: str = "own_post"
    channel: str | None = None
    post_id: str | None = None
    category: str | None = None
    language: str | None = None


class RepurposeCase(_Lenient):
    id: str
    organisation: str = ""  # the organisation's display name (the workspace's name)
    source: CaseSource
    target_surfaces: list[str] = Field(min_length=1)
    language: str = "nb"
    must_keep: list[str] = []
    fact_variants: dict[str, list[str]] = {}
    must_not_appear: list[str] = []
    surface_limits: dict[str, dict[str, Any]] = {}
    adversarial: bool = False
    # The workspace the case belongs to: the case's own field, else the loader's `workspace`,
    # else (sample data only) the folder its file lives in.
    workspace: str = ""


def shared_data_dir() -> Path:
    """$GJENBRUK_SHARED_DATA, else a `shared/data` beside this checkout or above it."""
    if os.environ.get("GJENBRUK_SHARED_DATA"):
        return Path(os.environ["GJENBRUK_SHARED_DATA"])
    for parent in Path(__file__).resolve().parents:
        if (parent / "shared" / "data").is_dir():
            return parent / "shared" / "data"
    return Path("/work/shared/data")


def default_case_files() -> list[Path]:
    return sorted(shared_data_dir().glob("*/eval_cases.jsonl"))


def load_cases(path: Path, workspace: str | None = None) -> list[RepurposeCase]:
    """Cases of one JSONL file. `workspace` (the CLI's `--workspace`) is used for cases that do
    not name their own; without it, only a file inside the sample data takes its folder's name —
    elsewhere a case without a workspace is refused with its line number."""
    if not path.is_file():
        raise Invalid(f"no such case file: {path}")
    in_shared = _inside(path, shared_data_dir())
    cases: list[RepurposeCase] = []
    unnamed: list[int] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            case = RepurposeCase.model_validate(raw)
        except json.JSONDecodeError as exc:
            raise Invalid(f"{path.name} line {number}: not JSON ({exc.msg})") from exc
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise Invalid(f"{path.name} line {number}: {where}: {first['msg']}") from exc
        if not case.workspace:
            if workspace:
                case.workspace = workspace
            elif in_shared:
                case.workspace = path.parent.name
            else:
                unnamed.append(number)
        cases.append(case)
    if unnamed:
        # Reported after the whole file is read, so a broken line is named first.
        raise Invalid(
            f"{path.name} line {unnamed[0]}: the case names no workspace; add "
            '"workspace" to the case or pass --workspace'
        )
    return cases


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except (ValueError, OSError):
        return False
    return True
