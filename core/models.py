"""The ORM model: every table the product keeps, in one place.

Relationships are `lazy="raise"`: code says what it loads, so no query hides in an
attribute access (and none runs implicitly on the event loop).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on SQLite (which drops the zone) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime; use core.models.utcnow()")
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


# Stable constraint names so Alembic migrations read the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[str]: JSON,
    }


class IdMixin:
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Role(StrEnum):
    candidate = "candidate"
    employer = "employer"
    admin = "admin"


class TaskKind(StrEnum):
    index_resume = "index_resume"
    index_job = "index_job"
    match_jobs = "match_jobs"  # jobs for a resume
    match_candidates = "match_candidates"  # candidates for a job
    rewrite = "rewrite"
    report = "report"
    chat = "chat"  # answer an inbound chat message (webhook) with the assistant


class TaskStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"


class ResumeSource(StrEnum):
    uploaded = "uploaded"
    rewritten = "rewritten"


def _enum(cls: type[StrEnum]) -> Enum:
    # Stored as plain strings: adding a member needs no ALTER TYPE on PostgreSQL.
    return Enum(cls, native_enum=False, length=32, validate_strings=True)


class Organisation(IdMixin, Base):
    __tablename__ = "organisations"

    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # False while an employer's sign-up waits for a platform admin's approval: its people
    # cannot sign in yet.
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class User(IdMixin, Base):
    """A person (or an integration's service user) of one organisation, with one role.

    People sign in with their e-mail address (unique across the deployment); users made
    for API keys alone have none. What the user may do is read from this row at sign-in
    and on every use of their keys, never from a token's claims.
    """

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("org_id", "username"),)

    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    username: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    email_verified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    display_name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    organisation: Mapped[Organisation] = relationship(lazy="raise")


class LinkPurpose(StrEnum):
    invitation = "invitation"  # join an organisation with a role (creates the user)
    verify_email = "verify_email"  # a candidate's sign-up, confirmed
    reset_password = "reset_password"


class AccountLink(IdMixin, Base):
    """A single-use link sent by e-mail: an invitation, an address to verify, a password
    to reset. Only a hash of its token is kept; it works once, until `expires_at`."""

    __tablename__ = "account_links"

    purpose: Mapped[LinkPurpose] = mapped_column(_enum(LinkPurpose))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    org_id: Mapped[str | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role | None] = mapped_column(_enum(Role))
    user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_by: Mapped[str | None] = mapped_column(String(32))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class ExternalIdentity(Base):
    """A user's account at an identity provider (single sign-on): the provider's subject
    is what identifies them there, whatever their e-mail address becomes."""

    __tablename__ = "external_identities"

    provider: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject: Mapped[str] = mapped_column(String(255), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKey(IdMixin, Base):
    """An API key; only a hash of its secret is kept, the prefix identifies it in logs."""

    __tablename__ = "api_keys"

    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(_enum(Role))
    name: Mapped[str | None] = mapped_column(String(120))
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="raise")


class CandidateProfile(IdMixin, Base):
    __tablename__ = "candidate_profiles"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    headline: Mapped[str | None] = mapped_column(String(300))
    location: Mapped[str | None] = mapped_column(String(200))
    open_to_employers: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    current_resume_id: Mapped[str | None] = mapped_column(String(32))
    alerts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Resume(IdMixin, Base):
    """A candidate's resume; its text lives in versions."""

    __tablename__ = "resumes"

    candidate_id: Mapped[str] = mapped_column(
        ForeignKey("candidate_profiles.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str | None] = mapped_column(String(200))
    current_version_id: Mapped[str | None] = mapped_column(String(32))


class ResumeVersion(IdMixin, Base):
    __tablename__ = "resume_versions"
    __table_args__ = (UniqueConstraint("resume_id", "number"),)

    resume_id: Mapped[str] = mapped_column(ForeignKey("resumes.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    source: Mapped[ResumeSource] = mapped_column(_enum(ResumeSource))
    parent_version_id: Mapped[str | None] = mapped_column(
        ForeignKey("resume_versions.id", ondelete="SET NULL")
    )
    target_job_id: Mapped[str | None] = mapped_column(String(32))
    filename: Mapped[str | None] = mapped_column(String(255))
    media_type: Mapped[str | None] = mapped_column(String(100))
    file_path: Mapped[str | None] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text)
    parsed: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    diff: Mapped[str | None] = mapped_column(Text)
    accepted: Mapped[bool | None] = mapped_column(Boolean)


class Job(IdMixin, Base):
    __tablename__ = "jobs"
    __table_args__ = (
        UniqueConstraint("org_id", "external_id"),
        Index("ix_jobs_org_published", "org_id", "published"),
    )

    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    company: Mapped[str | None] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(String(200))
    remote: Mapped[bool] = mapped_column(Boolean, default=False)
    employment_type: Mapped[str | None] = mapped_column(String(50))
    description: Mapped[str] = mapped_column(Text)
    required_skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    preferred_skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    min_years: Mapped[float | None] = mapped_column(Float)
    salary_min: Mapped[float | None] = mapped_column(Float)
    salary_max: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str | None] = mapped_column(String(8))
    url: Mapped[str | None] = mapped_column(String(1000))
    posted_at: Mapped[datetime | None]
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Task(IdMixin, Base):
    """A unit of background work; its id is the idempotency key of every handler."""

    __tablename__ = "tasks"
    __table_args__ = (UniqueConstraint("org_id", "idempotency_key"),)

    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    user_id: Mapped[str | None] = mapped_column(String(32), index=True)
    kind: Mapped[TaskKind] = mapped_column(_enum(TaskKind))
    status: Mapped[TaskStatus] = mapped_column(_enum(TaskStatus), default=TaskStatus.queued)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    subject_id: Mapped[str | None] = mapped_column(String(32), index=True)
    chat_session_id: Mapped[str | None] = mapped_column(String(100))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class MatchResult(IdMixin, Base):
    __tablename__ = "match_results"
    __table_args__ = (UniqueConstraint("task_id", "job_id", "resume_id"),)

    task_id: Mapped[str | None] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), index=True
    )
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    resume_id: Mapped[str] = mapped_column(ForeignKey("resumes.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[str] = mapped_column(
        ForeignKey("candidate_profiles.id", ondelete="CASCADE"), index=True
    )
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)


class Notification(IdMixin, Base):
    """A message for a chat session (a finished task, a job alert), delivered once.

    Written with what it tells of (a task's end, an alert's delivery); the chat UI shows it
    in the open session when it is pushed there, or at the user's next visit
    (`delivered_at` still empty).
    """

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("dedupe_key"),)

    user_id: Mapped[str] = mapped_column(String(32), index=True)
    org_id: Mapped[str] = mapped_column(String(32))
    chat_session_id: Mapped[str | None] = mapped_column(String(100))
    task_id: Mapped[str | None] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    # Ids and links only; the UI fetches what it shows through the services.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    delivered_at: Mapped[datetime | None]


class JobAlert(Base):
    """A candidate's job alert settings (one row per candidate; no row means alerts off).

    Read by the match worker for every new or changed job, and locked by it while it
    delivers, so an opt-out or an erasure (which change or delete this row) waits for a
    delivery in flight and stops every later one.
    """

    __tablename__ = "job_alerts"
    __table_args__ = (Index("ix_job_alerts_enabled", "enabled"),)

    candidate_id: Mapped[str] = mapped_column(
        ForeignKey("candidate_profiles.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(32), unique=True)
    org_id: Mapped[str] = mapped_column(String(32))
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    min_score: Mapped[float] = mapped_column(Float)
    location: Mapped[str | None] = mapped_column(String(200))
    remote: Mapped[bool | None] = mapped_column(Boolean)
    max_per_day: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # only jobs whose title names every word of this ("barista", "warehouse supervisor")
    query: Mapped[str | None] = mapped_column(String(200))


class JobAlertDelivery(Base):
    """The ledger of alerts sent: one row per (candidate, job), ever. It answers "was this
    job announced to this candidate?" and "how many alerts in the last day?" by index,
    next to the `Notification` row that carries the alert itself."""

    __tablename__ = "job_alert_deliveries"
    __table_args__ = (Index("ix_job_alert_deliveries_job_id", "job_id"),)

    candidate_id: Mapped[str] = mapped_column(
        ForeignKey("candidate_profiles.id", ondelete="CASCADE"), primary_key=True
    )
    job_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    notification_id: Mapped[str] = mapped_column(String(32))
    score: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ContactStatus(StrEnum):
    pending = "pending"
    accepted = "accepted"
    declined = "declined"


class ContactRequest(IdMixin, Base):
    """An employer's request to contact a candidate about one of its jobs.

    Blind shortlists show the employer's organisation a candidate's contact details only
    once the candidate accepted a request of that organisation (or consented to every
    employer on their profile); the candidate answers in their chat, and can take an
    answer back. One request per job and candidate: asking again returns the same one.
    """

    __tablename__ = "contact_requests"
    __table_args__ = (
        UniqueConstraint("job_id", "candidate_id"),
        Index("ix_contact_requests_org_candidate", "org_id", "candidate_id"),
    )

    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    candidate_id: Mapped[str] = mapped_column(
        ForeignKey("candidate_profiles.id", ondelete="CASCADE"), index=True
    )
    # The employer user who asked: told of the answer in their chat.
    requested_by: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[ContactStatus] = mapped_column(
        _enum(ContactStatus), default=ContactStatus.pending
    )
    answered_at: Mapped[datetime | None]


class WebhookSubscription(IdMixin, Base):
    __tablename__ = "webhook_subscriptions"

    org_id: Mapped[str] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(JSON)
    # Several secrets while a rotation is in progress: the newest signs first.
    secrets: Mapped[list[str]] = mapped_column(JSON)
    # What the partner signs inbound webhooks with, kept apart from what we sign with: a
    # receiver that leaks our signing secret cannot act as the partner (same format). None
    # until the service gives one: such a row verifies no inbound webhook.
    inbound_secrets: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(300))


class WebhookDelivery(IdMixin, Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("subscription_id", "webhook_id"),)

    subscription_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), index=True
    )
    webhook_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]


class InboundWebhook(Base):
    """Webhook ids already processed, so a partner's retry creates nothing twice."""

    __tablename__ = "inbound_webhooks"

    webhook_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class MetricEvent(IdMixin, Base):
    __tablename__ = "metric_events"
    __table_args__ = (Index("ix_metric_events_org_name_created", "org_id", "name", "created_at"),)

    org_id: Mapped[str | None] = mapped_column(String(32))
    user_id: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(64))
    duration_ms: Mapped[float | None] = mapped_column(Float)
    tokens_in: Mapped[int | None] = mapped_column(Integer)
    tokens_out: Mapped[int | None] = mapped_column(Integer)
    cost_usd: Mapped[float | None] = mapped_column(Float)
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class OutboxEvent(IdMixin, Base):
    """An event written in the same transaction as its cause; relayed to a stream after."""

    __tablename__ = "outbox"

    stream: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_at: Mapped[datetime | None] = mapped_column(index=True)


class ProcessedMessage(Base):
    """Side effects already applied, keyed by (consumer group, idempotency key)."""

    __tablename__ = "processed_messages"

    group: Mapped[str] = mapped_column(String(100), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditLog(IdMixin, Base):
    """What happened, without personal data (erasure keeps these rows)."""

    __tablename__ = "audit_log"

    org_id: Mapped[str | None] = mapped_column(String(32))
    actor_id: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[str | None] = mapped_column(String(32))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
