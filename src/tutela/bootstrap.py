"""The composition root: builds adapters from settings and hands them to services.

Interfaces (CLI, API) call these factories; capability code never reads the
environment or constructs adapters itself.
"""

from __future__ import annotations

from tutela.settings import Settings


def settings() -> Settings:
    """The settings of this process, read from the environment."""
    return Settings()
