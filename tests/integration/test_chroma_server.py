"""The shared vector store (GJENBRUK_CHROMA_URL) against a real Chroma server, started from the
chromadb package on loopback: what several API and worker processes share in a team deployment.
A hashing embedder and the scripted LLM stand in where the test is not about embeddings."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.container import Services
from service.domain import Post, Workspace
from service.generation.variants import VariantPipeline, VariantRequest
from service.library.demo import load_demo
from service.library.indexing import index_posts
from service.library.search import search_posts
from service.providers.embeddings import HashingEmbedder
from service.providers.llm_fake import FakeLLM
from service.settings import Settings
from service.storage.repositories import PostRepo, WorkspaceRepo
from tests.conftest import require
from tests.integration.servers import free_port

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    require(Path(exe).exists(), "the chromadb package's `chroma` command is not installed")
    port = free_port()
    path = tmp_path_factory.mktemp("chroma")
    log = (path / "server.log").open("wb")
    proc = subprocess.Popen(
        [exe, "run", "--path", str(path / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, (path / "server.log").read_text()[-2000:]
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1).read()
            break
        except OSError:
            assert time.monotonic() < deadline, "chroma did not start"
            time.sleep(0.2)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(20)
        log.close()


def _services(tmp_path: Path, chroma_url: str, name: str) -> Services:
    settings = Settings(
        data_dir=tmp_path / name, env="test", llm="fake", embeddings="fake", chroma_url=chroma_url
    )
    return Services(settings, llm=FakeLLM(), embedder=HashingEmbedder())


def _collections(url: str) -> list[str]:
    base = f"{url}/api/v2/tenants/default_tenant/databases/default_database/collections"
    with urllib.request.urlopen(base, timeout=5) as r:
        return [c["name"] for c in json.loads(r.read())]


def test_import_and_search_go_through_the_server_and_other_processes_see_them(
    tmp_path: Path, chroma_url: str
) -> None:
    first = _services(tmp_path, chroma_url, "a")
    report = load_demo(first.db, first.vectors)
    assert report.embedded > 0
    # Another process (its own data dir, no local Chroma files) shares the same vectors.
    second = _services(tmp_path, chroma_url, "b")
    assert not (tmp_path / "b" / "chroma").exists()
    assert second.vectors.count("demo") == report.embedded
    hits = search_posts(first.db, second.vectors, "demo", "sider prøvesmaking", k=3)
    assert hits and len(hits) <= 3
    first.close()
    second.close()


def test_variants_are_grounded_in_examples_from_the_server(tmp_path: Path, chroma_url: str) -> None:
    services = _services(tmp_path, chroma_url, "c")
    load_demo(services.db, services.vectors)
    llm = FakeLLM()
    text = "Nytappet tørr sider fra gården! Prøvesmaking lørdag kl. 11–16, flaska koster 189,-."
    llm.queue(json.dumps({"text": text}, ensure_ascii=False))
    pipeline = VariantPipeline(services.db, services.vectors, llm, max_repairs=0)
    out = pipeline.run(VariantRequest(workspace="demo", text=text, surfaces=["facebook_post"]))
    (variant,) = out.variants
    assert variant.examples_used and all(e.startswith("demo-") for e in variant.examples_used)
    services.close()


def test_workspaces_stay_apart_on_a_shared_server_and_reindex_rebuilds_one(
    tmp_path: Path, chroma_url: str
) -> None:
    services = _services(tmp_path, chroma_url, "d")
    load_demo(services.db, services.vectors)
    posts = [
        Post.model_validate(
            {
                "id": f"iso-{i}",
                "workspace": "iso",
                "channel": "facebook",
                "published_at": f"2026-05-0{i + 1}T12:00:00+02:00",
                "text": f"Bakeriet i Voss har ferske kanelboller nummer {i} i dag.",
            }
        )
        for i in range(3)
    ]
    with services.db.session() as s:
        WorkspaceRepo(s).save(Workspace(slug="iso", name="Iso"))
        PostRepo(s).upsert_many(posts)
    index_posts(services.vectors, "iso", posts)
    hits = search_posts(services.db, services.vectors, "iso", "kanelboller", k=10)
    assert {h.post_id for h in hits} <= {p.id for p in posts} and hits
    demo_hits = search_posts(services.db, services.vectors, "demo", "kanelboller Voss", k=10)
    assert all(not h.post_id.startswith("iso-") for h in demo_hits)

    demo_count = services.vectors.count("demo")
    services.vectors.drop("iso")  # what `gjenbruk reindex` does before re-embedding
    assert services.vectors.count("iso") == 0 and services.vectors.count("demo") == demo_count
    assert index_posts(services.vectors, "iso", posts).embedded == 3
    assert services.vectors.count("iso") == 3
    assert services.vectors.stored_model("iso") == services.embedder.name
    assert len([n for n in _collections(chroma_url) if n]) >= 2
    services.close()
