"""Chroma vector store. One collection per workspace: isolation by collection, not by filter.

Filters on a large collection are slow in Chroma (170 ms at 100k vectors vs 2.6 ms unfiltered),
and a collection per workspace makes a cross-workspace hit impossible rather than unlikely.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from pydantic import BaseModel, Field

from service.errors import Conflict, ProviderUnavailable
from service.providers.embeddings import Embedder

if TYPE_CHECKING:
    from service.settings import Settings

Metadata = dict[str, str | int | float | bool]


class VectorItem(BaseModel):
    id: str
    text: str
    metadata: Metadata = Field(default_factory=dict)


class VectorHit(BaseModel):
    id: str
    text: str
    similarity: float
    metadata: Metadata


class UpsertReport(BaseModel):
    embedded: int
    unchanged: int


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def collection_name(workspace: str) -> str:
    return f"ws-{workspace}"


class VectorStore:
    def __init__(self, client: Any, embedder: Embedder) -> None:
        self._client = client
        self._embedder = embedder
        # Collection handles, checked once: listing collections on every query doubled its cost.
        self._open: dict[str, Any] = {}

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    def _collection(self, workspace: str, *, create: bool) -> Any | None:
        if workspace in self._open:
            return self._open[workspace]
        name = collection_name(workspace)
        try:
            if create:
                col = self._client.get_or_create_collection(
                    name,
                    embedding_function=None,
                    metadata={"embedding_model": self._embedder.name, "hnsw:space": "cosine"},
                )
            else:
                existing = {c.name for c in self._client.list_collections()}
                if name not in existing:
                    return None
                col = self._client.get_collection(name, embedding_function=None)
        except Exception as exc:  # chromadb raises many types; all mean the store is unusable
            raise ProviderUnavailable(f"vector store: {exc}") from exc
        stored = (col.metadata or {}).get("embedding_model")
        if stored != self._embedder.name:
            # Vectors from two models live in different spaces; mixing them gives nonsense.
            raise Conflict(
                f"workspace {workspace!r} was indexed with {stored!r}, but the active embedding "
                f"model is {self._embedder.name!r}; run `gjenbruk reindex --workspace {workspace}`",
                details={"stored": stored, "active": self._embedder.name},
            )
        self._open[workspace] = col
        return col

    def upsert(self, workspace: str, items: Sequence[VectorItem]) -> UpsertReport:
        """Embed and store items; an item whose text is unchanged is not embedded again."""
        col = self._collection(workspace, create=True)
        assert col is not None
        unique = list({item.id: item for item in items}.values())
        if not unique:
            return UpsertReport(embedded=0, unchanged=0)
        existing = col.get(ids=[i.id for i in unique], include=["metadatas"])
        known = {
            id_: (meta or {}).get("text_sha1")
            for id_, meta in zip(existing["ids"], existing["metadatas"] or [], strict=False)
        }
        todo = [i for i in unique if known.get(i.id) != _digest(i.text)]
        if todo:
            vectors = self._embedder.embed_documents([i.text for i in todo])
            col.upsert(
                ids=[i.id for i in todo],
                embeddings=vectors,
                documents=[i.text for i in todo],
                metadatas=[{**i.metadata, "text_sha1": _digest(i.text)} for i in todo],
            )
        return UpsertReport(embedded=len(todo), unchanged=len(unique) - len(todo))

    def query(
        self, workspace: str, text: str, *, k: int = 10, where: dict[str, Any] | None = None
    ) -> list[VectorHit]:
        col = self._collection(workspace, create=False)
        if col is None or k <= 0:
            return []
        vector = self._embedder.embed_query(text)
        result = col.query(
            query_embeddings=[vector],
            n_results=k,
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        hits: list[VectorHit] = []
        for id_, doc, meta, dist in zip(
            result["ids"][0],
            (result["documents"] or [[]])[0],
            (result["metadatas"] or [[]])[0],
            (result["distances"] or [[]])[0],
            strict=False,
        ):
            clean = {key: v for key, v in (meta or {}).items() if key != "text_sha1"}
            hits.append(VectorHit(id=id_, text=doc or "", similarity=1.0 - dist, metadata=clean))
        return hits

    def vectors(self, workspace: str, ids: Sequence[str]) -> dict[str, list[float]]:
        """Stored vectors by id, so work on them (e.g. classification) need not embed again."""
        col = self._collection(workspace, create=False)
        if col is None or not ids:
            return {}
        out: dict[str, list[float]] = {}
        for start in range(0, len(ids), 1000):
            got = col.get(ids=list(ids[start : start + 1000]), include=["embeddings"])
            for id_, vec in zip(got["ids"], got["embeddings"], strict=True):
                out[id_] = [float(x) for x in vec]
        return out

    def count(self, workspace: str) -> int:
        col = self._collection(workspace, create=False)
        return 0 if col is None else int(col.count())

    def drop(self, workspace: str) -> None:
        self._open.pop(workspace, None)
        name = collection_name(workspace)
        if name in {c.name for c in self._client.list_collections()}:
            self._client.delete_collection(name)

    def stored_model(self, workspace: str) -> str | None:
        name = collection_name(workspace)
        if name not in {c.name for c in self._client.list_collections()}:
            return None
        meta = self._client.get_collection(name, embedding_function=None).metadata or {}
        model = meta.get("embedding_model")
        return str(model) if model is not None else None


def make_chroma_client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    match urlparse(settings.chroma_url or "").scheme:
        case "":
            path: Path = settings.ensure_data_dir() / "chroma"
            return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        case "http" | "https" as scheme:
            url = urlparse(settings.chroma_url or "")
            return chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if scheme == "https" else 8000),
                ssl=scheme == "https",
                settings=chroma_settings,
            )
        case other:
            raise ValueError(f"GJENBRUK_CHROMA_URL must be http(s)://host:port, not {other}://")


def make_vector_store(settings: Settings, embedder: Embedder) -> VectorStore:
    return VectorStore(make_chroma_client(settings), embedder)
