"""Everything built from settings, once: the app's lifespan and the CLI both use this."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from service.jobs.factory import make_job_queue
from service.jobs.handlers import job_handlers
from service.jobs.queue import Handler, JobQueue
from service.providers.embeddings import Embedder, make_embedder
from service.providers.llm import LLM
from service.providers.llm_factory import make_llm
from service.providers.vectors import VectorStore, make_vector_store
from service.settings import Settings
from service.storage.db import Database

if TYPE_CHECKING:
    from service.generation.variants import VariantPipeline
    from service.learning.service import StyleLearning
    from service.library.import_jobs import Imports
    from service.planning.planner import MonthPlanner, PlanDraftWriter
    from service.profiles.auditor import ProfileAuditor


class Services:
    """Providers are built lazily so that `gjenbruk doctor` or a search never loads the LLM."""

    def __init__(
        self,
        settings: Settings,
        *,
        llm: LLM | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.settings = settings
        settings.ensure_data_dir()
        self.db = Database(settings.resolved_database_url)
        self.db.migrate()
        if llm is not None:
            self.__dict__["llm"] = llm
        if embedder is not None:
            self.__dict__["embedder"] = embedder

    @cached_property
    def llm(self) -> LLM:
        return make_llm(self.settings)

    @cached_property
    def embedder(self) -> Embedder:
        return make_embedder(self.settings)

    @cached_property
    def vectors(self) -> VectorStore:
        return make_vector_store(self.settings, self.embedder)

    @cached_property
    def jobs(self) -> JobQueue:
        """Threads in this process on SQLite; Procrastinate workers on PostgreSQL
        (`gjenbruk worker`), where the serving process only enqueues."""
        return make_job_queue(self.settings, self.db, self.job_handlers)

    @cached_property
    def job_handlers(self) -> dict[str, Handler]:
        return job_handlers(plan_drafts=self.plan_drafts, library_import=self.imports.handle)

    @cached_property
    def imports(self) -> Imports:
        from service.library.import_jobs import Imports

        # Handed lazily: a worker builds the handlers before anything needs a model.
        return Imports(
            self.db, self.settings, lambda: self.jobs, lambda: self.vectors, lambda: self.embedder
        )

    @cached_property
    def plan_drafts(self) -> PlanDraftWriter:
        from service.planning.planner import PlanDraftWriter

        # Handed lazily: the runner is built for `jobs show`, which must not load a model.
        return PlanDraftWriter(self.db, lambda: self.variants)

    @cached_property
    def planner(self) -> MonthPlanner:
        from service.planning.planner import MonthPlanner

        return MonthPlanner(self.db, self.jobs, lambda: self.variants)

    @cached_property
    def profiles(self) -> ProfileAuditor:
        from service.profiles.auditor import ProfileAuditor

        return ProfileAuditor(self.db, lambda: self.llm)

    @cached_property
    def variants(self) -> VariantPipeline:
        from service.generation.variants import VariantPipeline

        return VariantPipeline(
            self.db,
            self.vectors,
            self.llm,
            max_repairs=self.settings.max_repairs,
            price_overrides=self.settings.prices,
            capability=self.settings.llm_capability,
            pieces=self.settings.llm_pieces,
            learning=self.learning,
        )

    @cached_property
    def learning(self) -> StyleLearning:
        """Style rules, approved examples and the brand voice (service/learning)."""
        from service.learning.service import StyleLearning

        return StyleLearning(self.db, lambda: self.vectors, self.settings)

    def warm_up(self) -> None:
        """Load now what a process's first model work would otherwise load while its items wait
        (the language models, the embedding model's query path, the vector store, the model
        client, the variant pipeline; about 2.6 CPU s): a worker does this before it takes
        items, so its first items are not the slow ones."""
        from service.generation.language import preload

        preload()
        self.embedder.embed_query("oppvarming")
        _ = self.vectors, self.variants  # building them opens the store and the model client

    def close(self) -> None:
        jobs = self.__dict__.get("jobs")
        close = getattr(jobs, "close", None)
        if callable(close):
            close()
        self.db.dispose()
