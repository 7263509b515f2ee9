"""The pages of tutela, installed on the API's application by :func:`install`.

The privacy centre for data subjects at ``/`` and the console for staff under
``/console/``; each module holds one group of pages and its ``router``.
"""

from __future__ import annotations

from fastapi import FastAPI

from tutela.web import (
    centre,
    centre_preferences,
    centre_requests,
    console,
    console_moderation,
    console_operations,
    console_programme,
    console_request,
)


def install(app: FastAPI) -> None:
    """Serve every page and ``/static`` from ``app``."""
    centre.install(app)
    for module in (centre_requests, centre_preferences):
        app.include_router(module.router)
    consoles = (console, console_request, console_programme, console_operations)
    for module in (*consoles, console_moderation):
        app.include_router(module.router)
