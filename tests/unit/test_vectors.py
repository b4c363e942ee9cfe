from __future__ import annotations

import pytest

from service.container import Services
from service.errors import Conflict
from service.providers.embeddings import HashingEmbedder
from service.providers.vectors import VectorItem, VectorStore, make_chroma_client

A_POSTS = {
    "a1": "Kokkene våre lager fiskesuppe på kjøkkenet i dag",
    "a2": "Ny sommermeny med jordbær og rabarbra",
}
B_POSTS = {
    "b1": "Kokken vår Per lager mat til julebordet",
    "b2": "Our chefs are cooking dinner for the staff",
}


def _fill(store: VectorStore) -> None:
    store.upsert("ws-a", [VectorItem(id=k, text=v) for k, v in A_POSTS.items()])
    store.upsert("ws-b", [VectorItem(id=k, text=v) for k, v in B_POSTS.items()])


def test_a_search_in_workspace_a_never_returns_workspace_b_posts(services_e5: Services) -> None:
    _fill(services_e5.vectors)
    # B's posts match this query best; A must still only see A's.
    hits = services_e5.vectors.query("ws-a", "ansatte som lager mat", k=10)
    assert {h.id for h in hits} == set(A_POSTS)
    assert {h.id for h in services_e5.vectors.query("ws-b", "ansatte som lager mat", k=10)} == set(
        B_POSTS
    )


def test_the_multilingual_model_ranks_a_norwegian_paraphrase_first(services_e5: Services) -> None:
    _fill(services_e5.vectors)
    hits = services_e5.vectors.query("ws-a", "suppe laget av kokkene", k=2)
    assert hits[0].id == "a1"
    hits_b = services_e5.vectors.query("ws-b", "staff cooking", k=2)
    assert hits_b[0].id == "b2"


def test_reindexing_the_same_posts_embeds_nothing_twice(services_e5: Services) -> None:
    _fill(services_e5.vectors)
    again = services_e5.vectors.upsert(
        "ws-a", [VectorItem(id=k, text=v) for k, v in A_POSTS.items()]
    )
    assert (again.embedded, again.unchanged) == (0, 2)
    assert services_e5.vectors.count("ws-a") == 2
    changed = services_e5.vectors.upsert("ws-a", [VectorItem(id="a1", text="Endret tekst")])
    assert changed.embedded == 1 and services_e5.vectors.count("ws-a") == 2


def test_a_collection_built_with_another_embedding_model_is_refused(services_e5: Services) -> None:
    _fill(services_e5.vectors)
    other = VectorStore(make_chroma_client(services_e5.settings), HashingEmbedder())
    with pytest.raises(Conflict, match="reindex"):
        other.query("ws-a", "fiskesuppe")


def test_an_unknown_workspace_has_no_hits_rather_than_someone_elses(services_e5: Services) -> None:
    _fill(services_e5.vectors)
    assert services_e5.vectors.query("ws-c", "fiskesuppe") == []
