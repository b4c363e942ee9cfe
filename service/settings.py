"""All configuration in one place (env prefix GJENBRUK_, optional .env), read once."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LLMProvider = Literal["local", "openai", "fake"]
EmbeddingProvider = Literal["local", "openai", "fake"]

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="GJENBRUK_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    env: Literal["development", "production", "test"] = "development"
    data_dir: Path = Field(
        default=Path("var/gjenbruk"),
        description="All local state lives here: database, Chroma, assembled models, job state.",
    )

    # Providers. None means "choose": openai when an API key is set, else the embedded local one.
    llm: LLMProvider | None = None
    embeddings: EmbeddingProvider | None = None

    local_model: str = Field(
        default="gemma3-270m",
        description="A name from service/data/local_models.yaml, or a path to any .gguf file.",
    )
    model_capability: Literal["small", "capable"] | None = Field(
        default=None,
        description="What size of task the LLM is trusted with. small: each variant is "
        "composed from the source and the organisation's posts and the model writes only short "
        "checked pieces (a hook line, one shortened sentence); capable: the model writes the "
        "whole variant, a composed draft being the last fallback. Unset: the local model's "
        "entry in local_models.yaml (any other .gguf: small); an API model: capable.",
    )
    local_threads: int = Field(default=2, ge=1, le=64)
    local_context: int = Field(default=4096, ge=512, le=131072)
    local_seed: int = 7

    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    openai_timeout: float = Field(default=60.0, gt=0)
    openai_max_retries: int = Field(default=3, ge=0, le=10)
    openai_embedding_model: str = "text-embedding-3-small"
    openai_embedding_base_url: str | None = None

    eval_judge_model: str | None = Field(
        default=None,
        description="`gjenbruk eval`'s optional LLM judge (an API model, another family than the "
        "generator); unset: no judge",
    )
    eval_judge_base_url: str | None = Field(
        default=None, description="OpenAI-compatible server for the judge; default openai_base_url"
    )

    search_min_similarity: float = Field(
        default=0.82,
        ge=0.0,
        le=1.0,
        description="the UI library's default cut-off: results less similar are not shown "
        "(multilingual-e5 puts unrelated posts near 0.8, so 0.82 keeps the related ones)",
    )
    local_embedding_threads: int = Field(default=2, ge=1, le=64)
    job_concurrency: int = Field(
        default=4, ge=1, le=64, description="parallel requests per batch job (API models)"
    )

    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default is a SQLite file in data_dir."
    )
    chroma_url: str | None = Field(
        default=None, description="http(s)://host:port of a Chroma server; default is on disk."
    )

    max_repairs: int = Field(
        default=2, ge=0, le=5, description="times the model may fix a variant that fails checks"
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    default_workspace: str = "demo"
    prices: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="Overrides of service/data/prices.yaml: model -> {input, output} per 1M tokens",
    )
    prompts_dir: Path = REPO_ROOT / "prompts"
    # --- learning from edits and results (issue 19, service/learning) ---
    learning: bool = Field(default=True, description="mine, enforce and prompt style rules")
    learning_min_edits: int = Field(default=3, ge=1, description="edits a mined rule needs")
    learning_min_share: float = Field(
        default=0.6, gt=0, le=1, description="share of the edits it could apply to"
    )
    learning_recent_edits: int = Field(default=30, ge=1, description="newest edits mined per scope")
    learning_auto_accept: bool = Field(
        default=False,
        description="mined rules are enforced at once instead of waiting as proposals for a "
        "person to accept (the simulated-editor eval runs with it on)",
    )

    # Job engine and workers (issue 17).
    job_engine: Literal["auto", "inprocess", "procrastinate"] = Field(
        default="auto",
        description="auto: Procrastinate workers when database_url is PostgreSQL, else threads "
        "in the serving process",
    )
    job_stalled_after: float = Field(
        default=30.0,
        ge=1,
        le=3600,
        description="seconds without a worker's heartbeat before its items go to another worker",
    )

    # Users, keys, sessions, review links and limits (issue 15, service/auth/).
    auth_pepper: SecretStr | None = Field(
        default=None,
        description="HMAC key for stored API-key, session and review-link hashes; unset: a "
        "random one is created once in data_dir/auth-pepper (keep it with the database)",
    )
    allowed_hosts: list[str] = Field(
        default_factory=lambda: ["127.0.0.1", "localhost"],
        description="Host header names the server answers (DNS-rebinding guard); "
        "add the public name when serving beyond this machine",
    )
    cors_origins: list[str] = Field(
        default_factory=list, description="origins allowed cross-site (none by default)"
    )
    public_https: bool = Field(
        default=False, description="served over https (sets Secure on cookies, HSTS)"
    )
    session_hours: int = Field(default=12, ge=1, le=24 * 30)
    key_max_days: int = Field(default=365, ge=1, le=3650)
    review_link_days: int = Field(default=31, ge=1, le=365)
    limit_requests_per_minute: int = Field(
        default=120, ge=1, description="per caller and workspace"
    )
    limit_concurrent_jobs: int = Field(default=2, ge=1, description="unfinished jobs per workspace")
    limit_model_calls_per_request: int = Field(default=60, ge=1)
    limit_model_calls_per_day: int = Field(
        default=2000, ge=1, description="per caller and workspace, UTC day"
    )
    limit_spend_usd_per_month: float | None = Field(
        default=None,
        gt=0,
        description="API-model spend cap per workspace and calendar month (UTC), from the cost "
        "preview's token counts; unset: no cap",
    )

    # Imports (issue 16): limits checked while an upload streams and before a file is parsed.
    import_max_bytes: int = Field(default=100 * 1024 * 1024, ge=1, description="bytes per file")
    import_max_rows: int = Field(default=250_000, ge=1, description="data rows per file")
    import_max_files: int = Field(default=50, ge=1, description="files per import request")
    import_background_rows: int = Field(
        default=5_000, ge=0, description="a file with more data rows runs as a background job"
    )
    import_background_bytes: int = Field(
        default=5 * 1024 * 1024,
        ge=0,
        description="files larger than this together run as a background job",
    )
    import_min_confidence: float = Field(
        default=0.7, gt=0, le=1, description="below this a required column is asked, not guessed"
    )

    @model_validator(mode="after")
    def _choose_providers(self) -> Settings:
        has_key = self.openai_api_key is not None and bool(self.openai_api_key.get_secret_value())
        if self.llm is None:
            self.llm = "openai" if (has_key or self.openai_base_url) else "local"
        if self.embeddings is None:
            self.embeddings = "openai" if has_key else "local"
        # The scripted fake exists for unit tests; it must never serve a real user.
        if "fake" in (self.llm, self.embeddings) and self.env != "test":
            raise ValueError("the 'fake' providers are for tests only (set GJENBRUK_ENV=test)")
        return self

    @property
    def llm_provider(self) -> LLMProvider:
        assert self.llm is not None
        return self.llm

    @property
    def llm_capability(self) -> Literal["small", "capable"]:
        """model_capability, or the default for the chosen provider and model."""
        if self.model_capability is not None:
            return self.model_capability
        if self.llm_provider == "local":
            from service.providers.local_models import local_capability

            return local_capability(self.local_model)
        return "capable"

    @property
    def llm_pieces(self) -> frozenset[str]:
        """The composer's pieces the model is asked for (local_models.yaml; API: all)."""
        if self.llm_provider == "local":
            from service.providers.local_models import local_pieces

            return local_pieces(self.local_model)
        return frozenset({"hook", "shorten"})

    @property
    def embedding_provider(self) -> EmbeddingProvider:
        assert self.embeddings is not None
        return self.embeddings

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'gjenbruk.db').resolve()}"

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
