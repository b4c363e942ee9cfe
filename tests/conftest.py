"""Shared fixtures. Sockets may only reach loopback (pytest-socket --allow-hosts in pyproject):
a test that tries to reach the internet fails instead of quietly depending on it."""

from __future__ import annotations

import os

os.environ["GJENBRUK_ENV"] = "test"

from collections.abc import Iterator
from pathlib import Path

import pytest

from evals.cases import shared_data_dir
from service.container import Services
from service.providers.embeddings import Embedder, HashingEmbedder, LocalE5Embedder
from service.providers.llm_fake import FakeLLM
from service.settings import Settings, get_settings

# $GJENBRUK_SHARED_DATA, else a `shared/data` beside the checkout or above it.
SHARED_DATA = shared_data_dir()


def require(condition: bool, reason: str) -> None:
    """Skip when a local prerequisite is missing, but fail in CI, where everything must run."""
    if condition:
        return
    if os.environ.get("GJENBRUK_TEST_REQUIRE_ALL"):
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    """The CLI reads settings once per process; each test's environment must be read anew."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def e5() -> Embedder:
    """The real embedded embedding model, loaded once per test session."""
    return LocalE5Embedder(threads=2)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        env="test",
        llm="fake",
        embeddings="local",
        # TestClient's Host; tests are not about the request rate (tests/api/test_auth_* are).
        allowed_hosts=["testserver", "127.0.0.1", "localhost"],
        limit_requests_per_minute=100_000,
    )


@pytest.fixture
def fake_llm() -> FakeLLM:
    return FakeLLM()


@pytest.fixture
def services(settings: Settings, fake_llm: FakeLLM) -> Iterator[Services]:
    """The fake model and a deterministic bag-of-words embedder: what most tests need, and
    fast. Tests about what the embeddings find (search, grounding, categories) ask for
    `services_e5`."""
    svc = Services(settings, llm=fake_llm, embedder=HashingEmbedder())
    yield svc
    svc.close()


@pytest.fixture
def model_answers_stay(services: Services) -> Services:
    """`services` without the composed fallback: a model answer that still fails after its
    repairs stays the failed draft, for tests of what happens to a failed draft."""
    services.variants.compose_fallback = False
    return services


@pytest.fixture
def services_e5(settings: Settings, fake_llm: FakeLLM, e5: Embedder) -> Iterator[Services]:
    """The real embedded embedding model, for tests of what it finds."""
    svc = Services(settings, llm=fake_llm, embedder=e5)
    yield svc
    svc.close()
