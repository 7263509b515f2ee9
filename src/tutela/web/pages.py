"""What every page shares: the Jinja2 environment, the language, the layout and its headers.

:func:`render` is how a route answers with a page: it picks the language with
:func:`negotiate_language` (``?lang=`` first, then ``Accept-Language`` with its quality
values, then the programme's default; only the statement's languages tutela has wording
in), renders a template of ``tutela/web/templates/`` with tutela's gettext in that
language (Art. 12(1): the subjects' languages) and sets :data:`SECURITY_HEADERS`.

Templates are autoescaped and receive, besides the route's context, ``lang`` (the
language), ``languages`` (the switcher: code, name, link keeping the path), ``programme``
and ``organisation``. Nothing here reads the request body or logs what a visitor sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.staticfiles import StaticFiles

from tutela import i18n
from tutela.i18n import LANGUAGES, SOURCE_LANGUAGE, _, ngettext
from tutela.statement import links

if TYPE_CHECKING:
    from tutela.programme.models import Programme

SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
        " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none';"
        " object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
"""Headers on every page: same-origin resources only, no inline script, no framing."""

LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "fr": "Français",
    "nl": "Nederlands",
    "de": "Deutsch",
}
"""Each language named in itself, as the switcher shows it (never translated)."""

_LONGEST_HEADER = 512
"""Characters of ``Accept-Language`` read; the rest is ignored."""


@dataclass(frozen=True)
class LanguageLink:
    """One entry of the language switcher: the code, its own name and the same page in it."""

    code: str
    name: str
    href: str
    current: bool


def offered_languages(programme: Programme) -> tuple[str, ...]:
    """The statement's languages tutela has wording in, in the programme's order (never empty)."""
    declared = programme.statement.languages if programme.statement else [SOURCE_LANGUAGE]
    offered = tuple(code for code in declared if code in LANGUAGES)
    return offered or (SOURCE_LANGUAGE,)


def negotiate_language(request: Request, programme: Programme) -> str:
    """The page's language: ``?lang=``, else ``Accept-Language``, else the programme's first.

    Only :func:`offered_languages` are chosen; anything else (unknown, malformed, hostile)
    is ignored, never an error.
    """
    offered = offered_languages(programme)
    asked = request.query_params.get("lang", "").strip().lower()
    if asked in offered:
        return asked
    for code in accepted_languages(request.headers.get("accept-language", "")):
        if code in offered:
            return code
    return offered[0]


def accepted_languages(header: str) -> list[str]:
    """The primary language codes of an ``Accept-Language`` header, best quality first.

    ``fr-BE,fr;q=0.9,en;q=0.5`` gives ``["fr", "fr", "en"]``; ``q=0`` and malformed entries
    are dropped; equal qualities keep the header's order.
    """
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header[:_LONGEST_HEADER].split(",")):
        tag, _sep, params = part.strip().partition(";")
        code = tag.strip().split("-", 1)[0].lower()
        quality = _quality(params)
        if code.isalpha() and 1 < len(code) < 9 and quality > 0:
            ranked.append((-quality, position, code))
    return [code for _q, _p, code in sorted(ranked)]


def _quality(params: str) -> float:
    name, _sep, value = params.strip().partition("=")
    if name.strip().lower() != "q":
        return 1.0
    try:
        quality = float(value.strip())
    except ValueError:
        return 0.0
    return quality if 0 <= quality <= 1 else 0.0


def language_links(request: Request, programme: Programme, chosen: str) -> list[LanguageLink]:
    """The switcher: every offered language, linking to this path with ``?lang=`` set."""
    return [
        LanguageLink(
            code, LANGUAGE_NAMES.get(code, code), _same_page(request, code), code == chosen
        )
        for code in offered_languages(programme)
    ]


def _same_page(request: Request, code: str) -> str:
    url = request.url.include_query_params(lang=code)
    return f"{url.path}?{url.query}"


def render(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """``template`` rendered in the negotiated language, with the security headers.

    The programme is ``request.app.state.programme``. ``context`` goes to the template
    as it is (autoescaped); ``lang``, ``languages``, ``programme`` and ``organisation``
    are added unless given.
    """
    programme: Programme = request.app.state.programme
    chosen = negotiate_language(request, programme)
    shared = {
        "lang": chosen,
        "languages": language_links(request, programme, chosen),
        "programme": programme,
        "organisation": programme.organisation,
        "path": request.url.path,
    }
    with i18n.language(chosen):
        body = environment().get_template(template).render({**shared, **context})
    response = HTMLResponse(body, status_code=status_code)
    secure(response)
    response.headers["Content-Language"] = chosen
    response.headers["Vary"] = "Accept-Language"
    return response


def secure(response: Any) -> Any:
    """Set :data:`SECURITY_HEADERS` on ``response`` (e.g. a redirect) and return it."""
    response.headers.update(SECURITY_HEADERS)
    return response


@cache
def environment() -> Environment:
    """The pages' Jinja2 environment: autoescaped, strict, with tutela's gettext."""
    templates = Environment(
        loader=PackageLoader("tutela.web", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    templates.install_gettext_callables(_, ngettext, newstyle=True)  # type: ignore[attr-defined]
    templates.filters["html_links"] = links.html
    return templates


def static_files() -> StaticFiles:
    """The pages' stylesheet and assets from ``tutela/web/static/``, to mount at ``/static``."""
    return StaticFiles(packages=[("tutela.web", "static")])
