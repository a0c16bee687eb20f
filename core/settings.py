"""One place for configuration: every setting comes from `CLEARVIEW_*` variables or `.env`.

Modules never read the environment themselves; they call `get_settings()`.
"""

from __future__ import annotations

import math
from collections import Counter
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import (
    AnyUrl,
    Field,
    SecretStr,
    UrlConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

# Secrets that ship in `.env.example`; outside dev mode they are refused at start.
DEV_SECRET = "dev-only-change-me"
# A prod secret must look like the output of a random generator: at least this many bytes,
# and at least this many bits by the entropy of its own characters (`openssl rand -hex 32`
# has ~240, a pass phrase or a repeated word far fewer).
SECRET_MIN_BYTES = 32
SECRET_MIN_BITS = 128
# Variables whose values never appear in an error message.
SECRET_VARIABLES = frozenset(
    {"secret_key", "secret_key_previous", "llm_api_key", "smtp_url", "oidc_client_secret"}
)

RedisUrl = Annotated[AnyUrl, UrlConstraints(allowed_schemes=["redis", "rediss", "unix"])]


class Mode(StrEnum):
    dev = "dev"
    prod = "prod"
    test = "test"


class EmployerSignup(StrEnum):
    """How an employer gets an organisation: signs up and uses it at once (`open`), signs
    up and waits for a platform admin (`approval`), or only by invitation (`invite`)."""

    open = "open"
    approval = "approval"
    invite = "invite"


def secret_strength_problem(value: str) -> str | None:
    """Why `value` cannot serve as a production secret, or None when it can."""
    if value == DEV_SECRET:
        return "is left at its development default"
    if len(value.encode()) < SECRET_MIN_BYTES:
        return f"is shorter than {SECRET_MIN_BYTES} bytes"
    counts = Counter(value)
    bits = -sum(n * math.log2(n / len(value)) for n in counts.values())
    if bits < SECRET_MIN_BITS:
        return "is not random enough (a word, a pattern or a repeated value)"
    return None


class Settings(BaseSettings):
    """ClearView settings; see `.env.example` for every variable with its meaning."""

    model_config = SettingsConfigDict(
        env_prefix="CLEARVIEW_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    mode: Mode = Field(Mode.dev, description="dev | prod | test; prod refuses default secrets")
    data_dir: Path = Field(Path("./data"), description="SQLite file, embedded Chroma, uploads")
    database_url: str | None = Field(
        None,
        description="SQLAlchemy async URL; default sqlite+aiosqlite in the data dir",
    )
    redis_url: RedisUrl | None = Field(
        None, description="Redis/Valkey URL; unset starts an embedded Valkey in the data dir"
    )
    redis_request_timeout_s: float = Field(
        2.0,
        gt=0,
        description="longest wait for Redis on a request's path; then writes answer 503 "
        "with Retry-After while it stays silent",
    )
    chroma: str | None = Field(
        None,
        description="embedded Chroma path, or http://host:port of a Chroma server; "
        "default: <data_dir>/chroma",
    )

    llm_base_url: AnyUrl | None = Field(None, description="OpenAI-compatible endpoint")
    llm_model: str = Field("gpt-4o-mini", description="model for conversation and rewrites")
    llm_cheap_model: str | None = Field(None, description="model for routing and summaries")
    llm_api_key: SecretStr | None = Field(None, description="key for the LLM endpoint")
    llm_daily_tokens: int = Field(
        200_000, ge=0, description="LLM tokens one user may spend per UTC day; 0: no limit"
    )
    llm_route_offline: bool = Field(
        True,
        description="with an LLM configured, answer the requests the offline model reads "
        "with certainty as a lookup (search, list, status) without an LLM call",
    )
    llm_cache_ttl_s: int = Field(
        86_400, ge=0, description="how long an identical LLM request is served from the cache"
    )
    services_url: AnyUrl | None = Field(
        None,
        description="where the chat agent's tools reach the jobs/resumes/metrics services; "
        "default: the server that received the chat request",
    )
    api_key: SecretStr | None = Field(
        None,
        description="the API key `clearview mcp` (MCP over stdio) acts with; never logged",
    )
    embeddings_base_url: AnyUrl | None = Field(
        None, description="OpenAI-compatible embeddings endpoint; unset uses the local model"
    )
    embeddings_model: str = Field("text-embedding-3-small")
    model_cache_dir: Path | None = Field(
        None,
        description="where the local embedding model is converted to; default <data_dir>/models",
    )

    secret_key: SecretStr = Field(
        SecretStr(DEV_SECRET),
        description="signs sessions and derives key hashes; in prod at least 32 random bytes",
    )
    secret_key_previous: SecretStr | None = Field(
        None,
        description="earlier CLEARVIEW_SECRET_KEY values, comma-separated: secrets encrypted "
        "at rest under them still decrypt until `clearview db rotate-secrets` has run",
    )
    public_url: AnyUrl | None = Field(
        None,
        description="where people reach this deployment (links in e-mails; the only origin "
        "the chat accepts cross-origin requests from); default http://<host>:<port>",
    )
    smtp_url: SecretStr | None = Field(
        None,
        description="smtp://user:password@host:587 (STARTTLS) or smtps://...:465 (TLS); "
        "unset in dev mode: messages are written under <data_dir>/outbox and logged",
    )
    mail_from: str = Field("ClearView <no-reply@clearview.invalid>", description="From header")
    employer_signup: EmployerSignup = Field(
        EmployerSignup.approval, description="open | approval | invite: how employers sign up"
    )
    invitation_ttl_hours: int = Field(72, ge=1, description="how long an invitation link works")
    signin_attempts_per_account: int = Field(
        10, ge=1, description="sign-in attempts per account per sign-in window"
    )
    signin_attempts_per_address: int = Field(
        50, ge=1, description="sign-in attempts per client address per sign-in window"
    )
    signin_window_s: int = Field(900, ge=1, description="the sign-in throttling window")
    password_hash_threads: int = Field(
        2, ge=1, description="passwords hashed at once (each costs 16 MB and tens of ms)"
    )
    oidc_issuer: AnyUrl | None = Field(
        None, description="OpenID Connect issuer of the host platform (single sign-on)"
    )
    oidc_client_id: str | None = Field(None, description="client id registered at the issuer")
    oidc_client_secret: SecretStr | None = Field(None, description="its client secret")
    handover_key: SecretStr | None = Field(
        None,
        description="shared key an embedding platform signs hand-over tokens with "
        "(HS256, at least 32 bytes); unset: no hand-over",
    )
    webhooks_allow_private: bool = Field(
        False, description="allow webhook targets on private/loopback addresses"
    )

    stream_max_deliveries: int = Field(5, ge=1, description="deliveries before dead-letter")
    stream_claim_idle_ms: int = Field(30_000, ge=100, description="idle time before reclaim")
    stream_concurrency: int = Field(
        1, ge=1, description="stream entries one worker process handles at once, per stream"
    )
    stream_batch_size: int = Field(
        8,
        ge=1,
        description="most entries a batching worker (match, notify) finishes together; "
        "only a backlog fills a batch, a lone entry never waits for company",
    )

    cpu_worker_nice: int = Field(
        5,
        ge=0,
        le=19,
        description="scheduling niceness of a CPU-heavy worker in its own process (match, "
        "rewrite, report, index): the API and the notify worker go first on a busy machine",
    )

    webhook_max_attempts: int = Field(8, ge=1, le=50, description="attempts before giving up")
    webhook_backoff_base_s: float = Field(
        15.0, gt=0, description="delay before the first retry; doubles per attempt (+ jitter)"
    )
    webhook_backoff_max_s: float = Field(3600.0, gt=0, description="longest delay between attempts")
    webhook_timeout_s: float = Field(10.0, gt=0, description="timeout of one delivery attempt")
    webhook_retry_poll_s: float = Field(
        1.0, gt=0, description="how often the webhook worker looks for retries that are due"
    )
    webhook_secret_grace_s: int = Field(
        86_400, ge=0, description="how long a rotated-out webhook secret keeps signing"
    )

    db_pool_size: int = Field(
        40,
        ge=1,
        description="database connections a process keeps open (opened as needed); "
        "processes x (size + overflow) must stay below PostgreSQL's max_connections",
    )
    db_pool_overflow: int = Field(
        10, ge=0, description="connections opened beyond the pool under a burst, then closed"
    )
    sqlite_busy_timeout_ms: int = Field(
        5_000,
        ge=0,
        description="how long a SQLite writer waits for another; then 503 with Retry-After",
    )
    upload_max_bytes: int = Field(10 * 1024 * 1024, ge=1024)
    inbound_max_bytes: int = Field(
        8 * 1024 * 1024,
        ge=1024,
        description="largest inbound webhook body (a resume travels base64-encoded in it)",
    )
    upload_max_pages: int = Field(50, ge=1)
    parse_cpu_s: int = Field(
        2, ge=1, le=600, description="CPU seconds a document may take to read; then 422"
    )
    parse_memory_mb: int = Field(
        512, ge=64, description="memory (MB) a document's reader may take; then 422"
    )
    rate_limit_per_minute: int = Field(600, ge=1)
    api_key_cache_ttl_s: float = Field(
        5.0,
        ge=0,
        description="how long a process trusts a key it authenticated; a key revoked in "
        "another process stops working within this time; 0: check the database every time",
    )
    job_read_cache_ttl_s: float = Field(
        30.0,
        ge=0,
        description="longest time a process serves a cached job read; changes are normally "
        "seen at once through Redis, this bounds a change no process heard of; 0: no cache",
    )

    docs_enabled: bool | None = Field(
        None, description="serve the API docs page (/docs, /openapi.json); default: off in prod"
    )
    metrics_token: SecretStr | None = Field(
        None,
        description="bearer token that /metrics asks for; in prod without one /metrics is off",
    )

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    log_level: str = "INFO"
    log_json: bool = False
    otel_endpoint: str | None = Field(
        None, description="OTLP/HTTP traces endpoint; unset: no tracing (core/tracing.py)"
    )

    @field_validator("database_url")
    @classmethod
    def _database_url_is_async(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError(f"not a database URL: {exc}") from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError("use sqlite+aiosqlite://... or postgresql+asyncpg://...")
        # Accept the plain spellings people paste and pick the async driver for them.
        if url.drivername in ("sqlite", "postgresql", "postgres"):
            url = url.set(
                drivername="sqlite+aiosqlite"
                if url.drivername == "sqlite"
                else "postgresql+asyncpg"
            )
        return url.render_as_string(hide_password=False)

    @field_validator("secret_key")
    @classmethod
    def _refuse_weak_secrets(cls, value: SecretStr, info: ValidationInfo) -> SecretStr:
        # `mode` is declared first, so it is already validated here.
        if info.data.get("mode") is Mode.prod:
            problem = secret_strength_problem(value.get_secret_value())
            if problem:
                raise ValueError(
                    f"CLEARVIEW_SECRET_KEY {problem}; in prod mode set at least "
                    f"{SECRET_MIN_BYTES} random bytes, e.g. `openssl rand -hex 32`"
                )
        return value

    @property
    def docs_on(self) -> bool:
        return self.mode is not Mode.prod if self.docs_enabled is None else self.docs_enabled

    # Derived locations, so nobody builds paths by hand.
    @property
    def effective_database_url(self) -> str:
        return (
            self.database_url or f"sqlite+aiosqlite:///{self.data_dir.resolve() / 'clearview.db'}"
        )

    @property
    def chroma_location(self) -> str:
        return self.chroma or str(self.data_dir.resolve() / "chroma")

    @property
    def chroma_is_server(self) -> bool:
        return self.chroma_location.startswith(("http://", "https://"))

    @property
    def outbox_dir(self) -> Path:
        """Where e-mails go when no SMTP server is configured (dev mode)."""
        return self.data_dir.resolve() / "outbox"

    @property
    def public_base_url(self) -> str:
        """The deployment's own address, without a trailing slash."""
        if self.public_url is not None:
            return str(self.public_url).rstrip("/")
        host = "localhost" if self.host in ("0.0.0.0", "::", "127.0.0.1") else self.host
        return f"http://{host}:{self.port}"

    @property
    def public_origin(self) -> str | None:
        """The origin of `public_url` (scheme://host[:port]), if one is configured."""
        if self.public_url is None:
            return None
        url = self.public_url
        default = {"http": 80, "https": 443}.get(url.scheme)
        port = "" if url.port in (None, default) else f":{url.port}"
        return f"{url.scheme}://{url.host}{port}"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir.resolve() / "uploads"

    @property
    def redacted_database_url(self) -> str:
        """The database URL without its password, to show in messages."""
        return make_url(self.effective_database_url).render_as_string(hide_password=True)

    @property
    def is_postgres(self) -> bool:
        return self.effective_database_url.startswith("postgresql")


class ConfigError(RuntimeError):
    """Settings that cannot start the product; the message names each variable to fix."""


@lru_cache
def get_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"])
            variable = f"CLEARVIEW_{field.upper()}" if field else "settings"
            # A secret's value is never repeated, not even a wrong one: it goes to logs.
            got = "" if field in SECRET_VARIABLES else f" (got {error.get('input')!r})"
            problems.append(f"{variable}: {error['msg']}{got}")
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems)) from None


def reset_settings_cache() -> None:
    """Forget the cached settings (tests and the CLI change the environment)."""
    get_settings.cache_clear()
