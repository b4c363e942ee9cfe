"""Similar-post query latency at 10k and 100k posts: through the product (VectorStore.query)
vs Chroma's own query vs brute-force numpy on the same vectors. Prints p50/p95 and ratios.

Vectors are random unit vectors (384-d, like multilingual-e5-small): embedding 100k real texts
would take ~45 minutes on 2 cores and does not change query cost. The query embedding itself is
timed separately with the real local model.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.providers.embeddings import LocalE5Embedder
from service.providers.vectors import VectorStore, collection_name
from service.settings import Settings

DIM = 384
QUERIES = 200
rng = np.random.default_rng(7)


class FixedQueries:
    """An embedder that hands out pre-drawn query vectors, so only the store is timed."""

    name = "bench/random-384"

    def __init__(self, queries: np.ndarray) -> None:
        self._queries = queries
        self._i = 0

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        raise NotImplementedError

    def embed_query(self, text: str) -> list[float]:
        vector = self._queries[self._i % len(self._queries)]
        self._i += 1
        return [float(x) for x in vector]


def unit(n: int) -> np.ndarray:
    m = rng.standard_normal((n, DIM)).astype(np.float32)
    normed: np.ndarray = m / np.linalg.norm(m, axis=1, keepdims=True)
    return normed


def timed(fn: Callable[[int], object], n: int) -> tuple[float, float]:
    samples = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def run(size: int, workdir: Path) -> None:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    docs = unit(size)
    queries = unit(QUERIES)
    client = chromadb.PersistentClient(
        path=str(workdir / f"chroma-{size}"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    store = VectorStore(client, FixedQueries(queries))
    col = client.get_or_create_collection(
        collection_name("bench"),
        embedding_function=None,
        metadata={"embedding_model": FixedQueries.name, "hnsw:space": "cosine"},
    )
    start = time.perf_counter()
    for lo in range(0, size, 5000):
        hi = min(lo + 5000, size)
        col.add(
            ids=[f"post:facebook:{i}" for i in range(lo, hi)],
            embeddings=docs[lo:hi],
            documents=[f"post {i}" for i in range(lo, hi)],
            metadatas=[{"post_id": str(i), "channel": "facebook"} for i in range(lo, hi)],
        )
    load_s = time.perf_counter() - start

    product = timed(lambda i: store.query("bench", "q", k=10), QUERIES)
    chroma = timed(lambda i: col.query(query_embeddings=[queries[i]], n_results=10), QUERIES)
    numpy_ = timed(lambda i: np.argpartition(-(docs @ queries[i]), 10)[:10], QUERIES)
    print(f"\n{size:,} posts (loaded in {load_s:.1f} s), top-10, {QUERIES} queries")
    print(f"  {'path':<28}{'p50 ms':>10}{'p95 ms':>10}{'p50 / chroma':>15}")
    for label, (p50, p95) in (
        ("product (VectorStore.query)", product),
        ("chroma collection.query", chroma),
        ("numpy brute force", numpy_),
    ):
        print(f"  {label:<28}{p50:>10.2f}{p95:>10.2f}{p50 / chroma[0]:>15.2f}")


def main() -> None:
    e5 = LocalE5Embedder(threads=Settings().local_embedding_threads)
    e5.embed_query("oppvarming")
    p50, p95 = timed(lambda i: e5.embed_query(f"ansatte som lager mat {i}"), 50)
    print(f"query embedding (multilingual-e5-small, local): p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        for size in (10_000, 100_000):
            run(size, Path(tmp))
    print("\nlimit: the product's overhead over Chroma's own query should stay small (ratio ~1)")


if __name__ == "__main__":
    main()
