"""A request as its subject sees it on the status page: the state in words, the dates, the answer.

:func:`status_view` reads the request through ``SubjectDesk.status`` with the visitor's
status token, and writes it for the page in the negotiated language: the state and what
happens next, the day it was received and the day it is due in the controller's time
zone (DL-4), whether the deadline was extended and why (DL-5), a refusal's reason and
the right to complain (DL-7), the answer's signed download link and its expiry once
answered (AC-5), and whether it can still be withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from fastapi import Request

from tutela.errors import TutelaError
from tutela.i18n import _, format_day, language
from tutela.requests.states import State, allowed_targets
from tutela.requests.types import RequestType
from tutela.web.centre_choices import STATE_WORDS, AuthorityView, authorities, type_name
from tutela.web.centre_kit import STATUS_COOKIE
from tutela.web.console_kit import programme, services
from tutela.web.pages import negotiate_language

if TYPE_CHECKING:
    from tutela.requests.records import RequestRecord


@dataclass(frozen=True)
class StatusView:
    """What the status page shows of one request (no identity, no token)."""

    id: str
    reference: str
    type_name: str
    is_complaint: bool
    state: str
    state_words: str
    next_step: str
    received: str
    due: str
    extended: bool
    reason: str | None
    link: str | None
    link_expires: str
    withdrawable: bool
    awaiting_code: bool
    authorities: tuple[AuthorityView, ...]


def status_view(request: Request, identifier: str) -> StatusView | None:
    """The status of ``identifier`` for its subject, or None when the store has no such request."""
    token = request.cookies.get(STATUS_COOKIE)
    try:
        found = services(request).subjects.status(identifier, token)
    except TutelaError:
        return None
    record = found.request
    with language(negotiate_language(request, programme(request))):
        words, next_step = (_(text) for text in STATE_WORDS[record.state])
        return StatusView(
            id=record.id,
            reference=reference(record.id),
            type_name=type_name(record.type),
            is_complaint=record.type == RequestType.COMPLAINT,
            state=record.state,
            state_words=words,
            next_step=next_step,
            received=format_day(_local_day(record.received_at, record.zone)),
            due=format_day(record.due_date),
            extended=record.extended,
            reason=record.reason,
            link=found.link,
            link_expires=_moment(found.link_expires_at, record.zone),
            withdrawable=_withdrawable(record),
            awaiting_code=record.state == State.AWAITING_IDENTITY,
            authorities=authorities(programme(request), record.residence),
        )


def reference(request_id: str) -> str:
    """The reference mails and pages give a request: ``REQ-`` and its id's first 8 characters."""
    return f"REQ-{request_id[:8]}"


def _withdrawable(record: RequestRecord) -> bool:
    return State.WITHDRAWN in allowed_targets(record.state, record.type)


def _local_day(moment: datetime, zone: str) -> date:
    try:
        return moment.astimezone(ZoneInfo(zone)).date()
    except (ValueError, KeyError):
        return moment.date()


def _moment(moment: datetime | None, zone: str) -> str:
    if moment is None:
        return ""
    try:
        local = moment.astimezone(ZoneInfo(zone))
    except (ValueError, KeyError):
        local = moment
    return f"{format_day(local.date())} {local:%H:%M} ({local.tzname()})"
