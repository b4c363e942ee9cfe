"""`gjenbruk variants` headers name each surface as a reader knows it (the loader's label in the
variant's language), never by its internal id."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app
from service.generation.surfaces import load_surfaces
from service.settings import Settings


def test_variant_headers_print_the_surfaces_name_not_its_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The offline default's profile: composed, no model pieces (so no model call at all).
    monkeypatch.setattr(Settings, "llm_pieces", property(lambda self: frozenset()))
    env = {
        "GJENBRUK_MODEL_CAPABILITY": "small",
        "GJENBRUK_DATA_DIR": str(tmp_path / "data"),
        "GJENBRUK_LLM": "fake",
        "GJENBRUK_EMBEDDINGS": "fake",
        "GJENBRUK_DEFAULT_WORKSPACE": "demo",
    }
    runner = CliRunner()
    assert runner.invoke(app, ["demo"], env=env).exit_code == 0
    text = tmp_path / "post.txt"
    text.write_text(
        "Årets første flasker med tørr sider er tappet! Prøvesmaking i gårdsbutikken lørdag "
        "11. april kl. 11–16. En flaske koster 189 kr.",
        encoding="utf-8",
    )
    catalog = load_surfaces()
    ids = [s for s in catalog.ids() if catalog.get(s).name("nb") != s][:2]
    result = runner.invoke(
        app, ["variants", "--text-file", str(text), "--to", ",".join(ids), "--language", "nb"],
        env=env,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    for surface_id in ids:
        assert catalog.get(surface_id).name("nb") in result.stderr
        assert f"{surface_id} (nb)" not in result.stderr
