"""The main job with no network at all (a new network namespace with only loopback)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require

pytestmark = pytest.mark.integration


def _unshare_works() -> bool:
    exe = shutil.which("unshare")
    return bool(exe) and subprocess.run([exe, "-n", "true"], capture_output=True).returncode == 0  # type: ignore[list-item]


def test_demo_and_search_run_with_the_network_unavailable(tmp_path: Path) -> None:
    require(_unshare_works(), "`unshare -n` is not permitted here")
    env = {**os.environ, "GJENBRUK_DATA_DIR": str(tmp_path), "GJENBRUK_ENV": "development"}
    env.pop("GJENBRUK_OPENAI_API_KEY", None)
    gj = [sys.executable, "-m", "service.cli"]

    def run(*args: str) -> dict[str, object] | list[object]:
        out = subprocess.run(
            ["unshare", "-n", *gj, *args, "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert out.returncode == 0, out.stderr[-2000:]
        return json.loads(out.stdout)  # type: ignore[no-any-return]

    doctor = run("doctor")
    assert doctor["llm"]["provider"] == "local" and doctor["llm"]["found"]  # type: ignore[index,call-overload]
    assert doctor["embeddings"]["provider"] == "local"  # type: ignore[index,call-overload]
    report = run("demo")
    assert report["embedded"] == report["posts"] > 0  # type: ignore[call-overload]
    hits = run("search", "innhøsting av epler")
    assert isinstance(hits, list) and hits and hits[0]["post_id"].startswith("demo-")
