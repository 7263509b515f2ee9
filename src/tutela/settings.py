"""The one settings class: environment variables with the ``TUTELA_`` prefix.

Only :mod:`tutela.bootstrap` reads it; nothing else reads the environment.
Nested settings use ``__`` (``TUTELA_STORE__ECHO=1``).
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """tutela's settings, read from the environment (and an optional ``.env`` file)."""

    model_config = SettingsConfigDict(
        env_prefix="TUTELA_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    database_url: str = Field(
        default="sqlite:///tutela.sqlite",
        description="tutela's own store: SQLite file by default, PostgreSQL in production.",
    )
    hash_key: str | None = Field(
        default=None,
        description="Secret key for keyed-hash masking (HMAC-SHA256); never logged.",
        repr=False,
    )
    ledger_key: str | None = Field(
        default=None,
        description="The ledger's Ed25519 signer key (PRIVATE+KEY+...); never printed.",
        repr=False,
    )
    ledger_origin: str = Field(
        default="tutela.local/ledger",
        description="The origin line of the ledger's signed checkpoints.",
    )
    delivery_window: str = Field(
        default="0h",
        description="How long access and portability answers wait in tutela's store for "
        "delivery (a duration: 0h, 72h, 30d); the CLI delivers at once.",
    )
    store_key: str | None = Field(
        default=None,
        description="The key (base64url, 32 bytes) that seals what tutela keeps for a while: "
        "the identities of open requests, answers awaiting download, recipients' messages; "
        "and signs download links. Make one with `tutela db keygen`; never printed.",
        repr=False,
    )
    programme: str | None = Field(
        default=None,
        description="The programme folder the commands that run requests use by default.",
    )
    answer_window: str = Field(
        default="30d",
        description="How long a request's answer can be downloaded before it is purged.",
    )
    smtp_url: str | None = Field(
        default=None,
        description="The mail server for codes, letters and notices: "
        "smtp://[user:password@]host[:port][?starttls=false]; never printed.",
        repr=False,
    )
    mail_from: str = Field(
        default="privacy@localhost",
        description="The sender address of tutela's mail to subjects and recipients.",
    )
    public_url: str = Field(
        default="http://localhost:8000",
        description="Where subjects reach tutela: download links start with it.",
    )
    broker_url: str | None = Field(
        default=None,
        description="The Celery broker (redis://host:6379/0 or amqp://...): with it, "
        "`tutela worker` runs Celery workers; without, jobs run in-process; never printed.",
        repr=False,
    )
    job_lease: int = Field(
        default=300,
        ge=1,
        le=86_400,
        description="Seconds a worker holds a claimed job step; a step still claimed after "
        "that (its worker died) is claimed again. Longer than the longest step.",
    )
    imap_url: str | None = Field(
        default=None,
        description="The privacy@ mailbox `tutela mail fetch` reads: "
        "imaps://user:password@host[:port]/INBOX (imap:// without TLS); never printed.",
        repr=False,
    )
    mail_max_size: int = Field(
        default=10 * 1024 * 1024,
        ge=1024,
        le=1024 * 1024 * 1024,
        description="The largest inbound message read, in bytes; a larger one goes to the "
        "staff queue as too large and stays in the mailbox.",
    )
    batch_size: int = Field(
        default=1000, ge=1, le=100_000, description="Requests per batch statement."
    )
    connect_timeout: int = Field(
        default=10,
        ge=1,
        le=3600,
        description=(
            "Seconds to wait for a database (the store or a system) to accept a connection "
            "and finish its handshake; on SQLite, how long to wait for a lock."
        ),
    )
    statement_timeout: int = Field(
        default=300,
        ge=0,
        le=86_400,
        description="Seconds one SQL statement may run before the server cancels it (0: no limit).",
    )

    retention_interval: str = Field(
        default="1h",
        description="How often the scheduled retention sweep runs (a duration: 1h, 6h, 1d); "
        "0 or off: never (run `tutela retention run` from cron instead).",
    )

    @field_validator("retention_interval")
    @classmethod
    def _an_interval(cls, value: str) -> str:
        from tutela.programme.durations import Duration

        if value.strip().lower() not in ("0", "off"):
            Duration.parse(value)
        return value

    @field_validator("delivery_window", "answer_window")
    @classmethod
    def _a_duration(cls, value: str) -> str:
        from tutela.programme.durations import Duration

        Duration.parse(value)
        return value

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        """The settings ``environ`` gives (its ``TUTELA_`` variables, nothing else).

        Raises pydantic's ValidationError for a value of the wrong type.
        """
        prefix = "TUTELA_"
        given = {
            name[len(prefix) :].lower(): value
            for name, value in environ.items()
            if name.startswith(prefix) and name[len(prefix) :].lower() in cls.model_fields
        }
        return cls.model_validate(given)
