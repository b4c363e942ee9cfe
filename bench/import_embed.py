"""Import + embed the real sample exports (every organisation under the shared data) through
the product — parse, store, embed, index in Chroma, classify — and embed the same texts with
the embedding model alone. Prints posts/s for both and the ratio (the product's overhead on
top of the model, which dominates)."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evals.cases import shared_data_dir
from service.container import Services
from service.domain import Workspace
from service.library.ingest import import_paths, index_and_classify
from service.providers.embeddings import LocalE5Embedder
from service.settings import Settings
from service.storage.repositories import PostRepo, WorkspaceRepo


def main() -> None:
    data = shared_data_dir()
    orgs = sorted(p for p in data.iterdir() if p.is_dir()) if data.is_dir() else []
    if not orgs:
        print(f"no shared data under {data}: set GJENBRUK_SHARED_DATA")
        return
    embedder = LocalE5Embedder(threads=2)
    embedder.embed_query("oppvarming")  # load the model outside the timing
    settings = Settings(data_dir=Path(tempfile.mkdtemp()), llm="local", embeddings="local")
    services = Services(settings, embedder=embedder)
    texts: list[str] = []
    started = time.perf_counter()
    for org in orgs:
        with services.db.session() as s:
            WorkspaceRepo(s).save(Workspace(slug=org.name, name=org.name))
        exports = [p for p in org.iterdir() if p.is_dir() and p.name != "ground_truth"]
        import_paths(services.db, exports, workspace=org.name, timezone="Europe/Oslo")
        index_and_classify(services.db, services.vectors, services.embedder, org.name)
        with services.db.session() as s:
            texts += [p.text for p in PostRepo(s).list(org.name)]
    product = time.perf_counter() - started
    started = time.perf_counter()
    for i in range(0, len(texts), 64):
        embedder.embed_documents(texts[i : i + 64])
    alone = time.perf_counter() - started
    n = len(texts)
    print(f"{n} posts from {len(orgs)} organisations' real exports")
    print(
        f"  product import + embed + index + classify: {n / product:6.1f} posts/s ({product:.1f} s)"
    )
    print(f"  embedding model alone, same texts:         {n / alone:6.1f} posts/s ({alone:.1f} s)")
    print(f"  ratio product/model: {(n / product) / (n / alone):.2f}")
    services.close()


if __name__ == "__main__":
    main()
