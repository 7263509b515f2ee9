"""The services the API's routes call, built once per app by bootstrap's application."""

from __future__ import annotations

from fastapi import Request

from tutela.web.services import Services

__all__ = ["Services", "given_services", "services"]


def services(request: Request) -> Services:
    """The services of the app serving ``request``."""
    found = request.app.state.services
    assert isinstance(found, Services)
    return found


async def given_services(request: Request) -> Services:
    """:func:`services` as a dependency: no I/O, so run on the event loop, not a thread."""
    return services(request)
