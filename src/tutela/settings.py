"""The one settings class: environment variables with the ``TUTELA_`` prefix.

Only :mod:`tutela.bootstrap` reads it; nothing else reads the environment.
Nested settings use ``__`` (``TUTELA_STORE__ECHO=1``).
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import Field
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
    batch_size: int = Field(
        default=1000, ge=1, le=100_000, description="Requests per batch statement."
    )

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
