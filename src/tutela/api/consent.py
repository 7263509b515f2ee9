"""Subjects' choices over HTTP: the cookie banner's choices and Global Privacy Control.

The banner's own routes are open (no key) and called from any site, so they answer CORS:
``GET /banner.js`` and ``GET /banner.css`` (cached, with an ETag), ``GET
/api/v1/consent/banner`` (the configuration, in ``?lang=``) and ``POST
/api/v1/consent/banner`` (a visitor's choice, a body of at most 4 KB). A ``Sec-GPC: 1``
header or ``gpc: true`` records one opt-out of sale and sharing (GPC-1); an absent or
false signal records nothing. Staff with ``consent:write`` record a subject's choice
(``POST /api/v1/consent/choices``: giving and withdrawing take one call each, CO-3) and
forward a signed-in user's GPC signal (``POST /api/v1/consent/signals``). Answers list
the events recorded, never the identity.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import BaseModel, Field, StrictBool, StringConstraints
from starlette.exceptions import HTTPException

from tutela.access.keys import Scope
from tutela.access.service import Staff
from tutela.api.auth import needs
from tutela.api.models import Body, Name, Value
from tutela.api.problems import responses
from tutela.api.services import Services, services
from tutela.consent.banner import (
    BannerConfig,
    CategoryKey,
    banner_config,
    record_banner_choice,
    record_gpc_signal,
)
from tutela.consent.records import ChoiceEvent, Method
from tutela.consent.service import ConsentService, Context
from tutela.programme.models import Programme

router = APIRouter(tags=["consent"], responses=responses())
LARGEST_CHOICE = 4096
"""The largest banner choice body accepted, in bytes (413 beyond)."""
ASSETS = {"banner.js": "text/javascript; charset=utf-8", "banner.css": "text/css; charset=utf-8"}
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Sec-GPC",
    "Access-Control-Max-Age": "600",
}
Given = Annotated[Services, Depends(services)]
Writer = Annotated[Staff, Depends(needs(Scope.CONSENT_WRITE))]
Visitor = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{16,64}$")]
LanguageTag = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]
Short = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Evidence = Annotated[str, StringConstraints(min_length=1, max_length=200)]
GpcHeader = Annotated[
    str | None,
    Header(alias="Sec-GPC", max_length=8, description="Global Privacy Control: 1 is a signal."),
]


def programme_of(request: Request) -> Programme:
    """The programme the app serving ``request`` was built for."""
    found = request.app.state.programme
    assert isinstance(found, Programme)
    return found


def consent_service(request: Request, given: Given) -> ConsentService:
    """The consent service for the app's programme."""
    return given.application.consent_service(programme_of(request))


Consent = Annotated[ConsentService, Depends(consent_service)]


def gpc_signal(request: Request) -> bool:
    """Whether a ``Sec-GPC`` header of ``request`` is exactly ``1`` (one is enough, GPC-1)."""
    return "1" in request.headers.getlist("sec-gpc")


def small_body(request: Request) -> None:
    """Refuse a banner choice whose declared length is over :data:`LARGEST_CHOICE` (413)."""
    length = request.headers.get("content-length", "0")
    if not length.isdigit() or int(length) > LARGEST_CHOICE:
        raise HTTPException(413, f"a banner choice is at most {LARGEST_CHOICE} bytes")


class BannerChoiceBody(Body):
    """A visitor's choice: the banner's random id, categories granted and denied, GPC."""

    visitor: Visitor
    granted: list[CategoryKey] = Field(default_factory=list, max_length=4)
    denied: list[CategoryKey] = Field(default_factory=list, max_length=4)
    gpc: StrictBool = False
    language: LanguageTag | None = None


class ChoiceBody(Body):
    """A subject's choice recorded by staff: giving and withdrawing take the same fields."""

    identity: dict[Name, Value] = Field(min_length=1, max_length=8)
    purpose: Short
    choice: Literal["give", "withdraw", "object", "opt_out"]
    method: Method = Method.API
    notice_version: Short | None = None
    language: LanguageTag | None = None
    jurisdiction: Annotated[str, StringConstraints(max_length=8)] | None = None
    evidence: Evidence | None = None


class SignalBody(Body):
    """A signed-in subject's GPC signal, forwarded by the site's backend."""

    identity: dict[Name, Value] = Field(min_length=1, max_length=8)
    gpc: StrictBool = False


class EventDocument(BaseModel):
    """One event recorded (the subject's keyed reference and identity are not shown)."""

    id: str
    purpose: str
    kind: str
    method: str
    at: datetime
    notice_version: str | None
    language: str | None

    @classmethod
    def of(cls, event: ChoiceEvent) -> EventDocument:
        """The document of ``event``."""
        return cls(
            id=event.id,
            purpose=event.purpose,
            kind=event.kind.value,
            method=event.method.value,
            at=event.at,
            notice_version=event.notice_version,
            language=event.language,
        )


class RecordedDocument(BaseModel):
    """What a choice or signal recorded, and whether a GPC signal was seen."""

    recorded: list[EventDocument]
    gpc: bool


class PurposeDocument(BaseModel):
    """A consent purpose behind a category."""

    key: str
    name: str
    notice: str | None


class CookieDocument(BaseModel):
    """A cookie of a category."""

    name: str
    provider: str
    duration: str
    description: str | None
    third_party: bool


class CategoryDocument(BaseModel):
    """A category the visitor chooses; ``required`` is always on."""

    key: str
    label: str
    description: str
    required: bool
    purposes: list[PurposeDocument]
    cookies: list[CookieDocument]


class BannerDocument(BaseModel):
    """The banner's configuration, and the pending change of the statement (``notice``)."""

    identity: str
    cookie: str
    cookie_days: int
    notice_version: str | None
    language: str
    languages: list[str]
    statement_url: str | None
    texts: dict[str, str]
    categories: list[CategoryDocument]
    gpc_blocked: list[str]
    notice: dict[str, Any] | None

    @classmethod
    def of(cls, config: BannerConfig, notice: dict[str, Any] | None) -> BannerDocument:
        """The document of ``config`` with ``notice``."""
        return cls.model_validate({**asdict(config), "notice": notice})


@cache
def _asset(name: str) -> tuple[bytes, str]:
    body = resources.files("tutela.consent").joinpath("assets", name).read_bytes()
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _serve(request: Request, name: str) -> Response:
    body, etag = _asset(name)
    headers = {
        "ETag": etag,
        "Cache-Control": "public, max-age=3600",
        "X-Content-Type-Options": "nosniff",
        "Access-Control-Allow-Origin": "*",
    }
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=ASSETS[name], headers=headers)


@router.get("/banner.js", include_in_schema=False)
def banner_script(request: Request) -> Response:
    """The banner's script (dependency-free)."""
    return _serve(request, "banner.js")


@router.get("/banner.css", include_in_schema=False)
def banner_style(request: Request) -> Response:
    """The banner's style sheet."""
    return _serve(request, "banner.css")


@router.options("/api/v1/consent/banner", include_in_schema=False)
def banner_preflight() -> Response:
    """The CORS preflight of the banner's routes: any site may call them."""
    return Response(status_code=204, headers=CORS)


@router.get("/api/v1/consent/banner")
def banner(
    request: Request,
    response: Response,
    lang: Annotated[LanguageTag | None, Query(description="en, fr-BE...")] = None,
) -> BannerDocument:
    """The banner's configuration in ``lang`` (else the statement's first language)."""
    response.headers.update({"Access-Control-Allow-Origin": "*", "Cache-Control": "no-cache"})
    notice = getattr(request.app.state, "notice", None)
    pending = notice.current() if notice is not None else None
    return BannerDocument.of(banner_config(programme_of(request), lang), pending)


@router.post("/api/v1/consent/banner", dependencies=[Depends(small_body)])
def choose(
    body: BannerChoiceBody,
    request: Request,
    response: Response,
    service: Consent,
    sec_gpc: GpcHeader = None,
) -> RecordedDocument:
    """Record a visitor's banner choice; a GPC signal records one opt-out (GPC-1)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    gpc = body.gpc or gpc_signal(request)  # sec_gpc documents the header; every one counts
    config = banner_config(programme_of(request))
    events = record_banner_choice(
        service, config, body.visitor, body.granted, body.denied, gpc=gpc, language=body.language
    )
    return RecordedDocument(recorded=[EventDocument.of(e) for e in events], gpc=gpc)


@router.post("/api/v1/consent/choices", status_code=201)
def record_choice(body: ChoiceBody, staff: Writer, service: Consent) -> list[EventDocument]:
    """Record a subject's choice: ``give`` and ``withdraw`` take the same fields (CO-3)."""
    context = Context(
        body.method,
        notice_version=body.notice_version,
        language=body.language,
        jurisdiction=body.jurisdiction,
        evidence=body.evidence,
    )
    act = {
        "give": service.give,
        "withdraw": service.withdraw,
        "object": service.object,
        "opt_out": service.opt_out,
    }[body.choice]
    return [EventDocument.of(act(body.identity, body.purpose, context, actor=staff.actor))]


@router.post("/api/v1/consent/signals")
def forward_signal(
    body: SignalBody,
    request: Request,
    staff: Writer,
    service: Consent,
    sec_gpc: GpcHeader = None,
) -> RecordedDocument:
    """Record a signed-in subject's GPC signal (``Sec-GPC: 1`` or ``gpc: true``), once."""
    gpc = body.gpc or gpc_signal(request)
    events = record_gpc_signal(service, body.identity, actor=staff.actor, signal=gpc)
    return RecordedDocument(recorded=[EventDocument.of(e) for e in events], gpc=gpc)
