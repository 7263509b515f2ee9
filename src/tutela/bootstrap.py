"""The composition root: builds adapters from settings and hands them to services.

Interfaces (CLI, API) call these factories; capability code never reads the
environment or constructs adapters itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from tutela.ports import Clock, Connector
from tutela.programme.models import Programme
from tutela.settings import Settings

if TYPE_CHECKING:
    from tutela.rights.service import DsrService
    from tutela.store.dsr import SqlDsrStore


def settings() -> Settings:
    """The settings of this process, read from the environment."""
    return Settings()


class SystemClock:
    """The wall clock, timezone-aware (UTC)."""

    def now(self) -> datetime:
        """The current time in UTC."""
        return datetime.now(UTC)


def clock() -> Clock:
    """The clock services use."""
    return SystemClock()


def dsr_store(config: Settings | None = None) -> SqlDsrStore:
    """The store of DSR batches, checkpoints and restrictions (``TUTELA_DATABASE_URL``).

    The schema is upgraded with Alembic on first use.
    """
    from tutela.store.dsr import SqlDsrStore

    return SqlDsrStore((config or settings()).database_url, clock())


def connectors(programme: Programme, env: Mapping[str, str] | None = None) -> dict[str, Connector]:
    """A connector per system that declares datasets and a connector (URLs from ``env``)."""
    from tutela.connectors.registry import connector_for

    source = os.environ if env is None else env
    return {
        system.key: connector_for(system, source)
        for system in programme.systems
        if system.datasets and system.connector is not None
    }


def hash_key(programme: Programme, config: Settings | None = None) -> bytes | None:
    """The masking secret: the env var the programme names (``masking.hash_key_env``).

    Falls back to ``TUTELA_HASH_KEY`` from settings; None when neither is set.
    """
    value = os.environ.get(programme.masking.hash_key_env) or (config or settings()).hash_key
    return value.encode("utf-8") if value else None


def dsr_service(programme: Programme) -> DsrService:
    """The data-subject request service for ``programme``, with its store and connectors."""
    from tutela.rights.service import DsrService

    config = settings()
    return DsrService(
        programme, connectors(programme), dsr_store(config), clock(), hash_key(programme, config)
    )
