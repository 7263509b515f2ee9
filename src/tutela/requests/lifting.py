"""Lifting a restriction of processing, the subject told first (Art. 18(3), RS-3).

A completed restriction keeps its sealed identity (see ``RequestService.move``) so that
it can be lifted. :meth:`Lifting.notify` mails the subject that the restriction will be
lifted on a date and why (the ground's end, :data:`~tutela.requests.types.RESTRICTION_ENDS`),
and records ``lift = {"notified_at", "lifts_at"}`` in the request's details, ledgered as
``lift_notified``. :meth:`Lifting.lift_due` runs the engine's ``restriction_lift`` for each
restriction whose date has come (the flag false again, the restriction records gone),
records ``lift.lifted_at``, ledgered as ``restriction_lifted``, and purges the identity.
The notice is always strictly before the lift (:class:`~tutela.requests.types.RestrictionLift`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from tutela.errors import RequestError
from tutela.requests import periods
from tutela.requests.codes import channel_address
from tutela.requests.details import details_of, with_detail
from tutela.requests.keeping import Keeping
from tutela.requests.records import RequestRecord
from tutela.requests.service import CLOCK_SKEW, RequestService
from tutela.requests.states import State
from tutela.requests.types import (
    RESTRICTION_ENDS,
    RequestType,
    RestrictionGround,
    RestrictionLift,
)

if TYPE_CHECKING:
    from tutela.programme.models import Programme
    from tutela.rights.service import DsrService

NOTIFIED = "lift_notified"
LIFTED = "restriction_lifted"
"""The ledger actions of the notice and of the lift."""


class Lifting:
    """Notices and lifts of the completed restrictions in ``requests`` (RS-3)."""

    def __init__(
        self,
        requests: RequestService,
        keeping: Keeping,
        programme: Programme | None = None,
        lifted: Callable[[RequestRecord, Mapping[str, str], str], object] | None = None,
    ) -> None:
        self.requests, self.keeping, self.programme = requests, keeping, programme
        self.lifted = lifted  # tells the decision point (RequestChoices.lifted)

    def notify(
        self, identifier: str, lifts_at: datetime, *, actor: str = "system"
    ) -> RequestRecord:
        """Tell the subject the restriction lifts at ``lifts_at`` and why; ledgered.

        Only for a completed restriction whose identity is still kept, told once, and
        strictly before the lift: RequestError saying why otherwise. Nothing is recorded
        unless the mail server took the notice.
        """
        record = self.requests.show(identifier)
        lift = _lift_of(record)
        if lift:
            raise RequestError(
                f"the subject of request {record.id} was told already (at {lift['notified_at']}) "
                f"that the restriction lifts at {lift['lifts_at']}: one notice (RS-3)"
            )
        now = self.requests.clock.now()
        planned = RestrictionLift(_ground(record), notified_at=now, lifts_at=lifts_at)
        identity, _changes = self.requests.identity(record)
        self.keeping.mailer().send(self._notice(record, identity, planned))
        told = {"notified_at": now.isoformat(), "lifts_at": lifts_at.isoformat()}
        after = replace(record, details=with_detail(record.details, "lift", told), updated_at=now)
        self.requests.record_change(record, after, NOTIFIED, actor, now)
        return after

    def lift(
        self,
        identifier: str,
        dsr: DsrService,
        now: datetime | None = None,
        *,
        actor: str = "system",
    ) -> RequestRecord:
        """Lift one notified restriction whose date has come; RequestError saying why not."""
        moment = self._moment(now)
        record = self.requests.show(identifier)
        lift = _lift_of(record)
        if not lift:
            raise RequestError(
                f"the subject of request {record.id} was not told yet: notify first with "
                "`tutela requests lift ID --lifts-at DATE` (Art. 18(3), RS-3)"
            )
        if "lifted_at" in lift:
            raise RequestError(f"the restriction of request {record.id} was lifted already")
        _told_before(record, lift, moment)
        return self._lift(record, lift, dsr, moment, actor)

    def lift_due(
        self, dsr: DsrService, now: datetime | None = None, *, actor: str = "system"
    ) -> list[str]:
        """Lift every notified restriction whose date is at or before ``now``; their ids."""
        moment = self._moment(now)
        lifted = []
        completed = State.COMPLETED.value
        for record in self.requests.store.list(state=completed, type=RequestType.RESTRICTION):
            lift = _lift_of(record)
            if not lift or "lifted_at" in lift:
                continue
            if datetime.fromisoformat(str(lift["lifts_at"])) <= moment:
                _told_before(record, lift, moment)
                lifted.append(self._lift(record, lift, dsr, moment, actor).id)
        return lifted

    def _lift(
        self,
        record: RequestRecord,
        lift: dict[str, Any],
        dsr: DsrService,
        moment: datetime,
        actor: str,
    ) -> RequestRecord:
        """Run the engine's lift, record it, then purge the identity (no longer needed)."""
        from tutela.rights.models import SubjectRequest

        identity, _changes = self.requests.identity(record)
        request = SubjectRequest("restriction_lift", tuple(identity.items()), reference=record.id)
        dsr.run([request])
        details = with_detail(record.details, "lift", {**lift, "lifted_at": moment.isoformat()})
        after = replace(record, details=details, updated_at=moment)
        self.requests.record_change(record, after, LIFTED, actor, moment)
        if self.lifted is not None:
            self.lifted(record, identity, actor)
        self.keeping.store.purge_secret(record.id)
        return after

    def _moment(self, now: datetime | None) -> datetime:
        """``now`` (the clock's by default): aware and not in the future."""
        clock = self.requests.clock.now()
        moment = clock if now is None else now
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise RequestError("the lift time has no UTC offset: give e.g. 2026-05-01T09:00+02:00")
        if moment > clock + CLOCK_SKEW:
            raise RequestError("the lift time is in the future: a restriction lifts when due")
        return moment

    def _notice(
        self, record: RequestRecord, identity: dict[str, str], planned: RestrictionLift
    ) -> EmailMessage:
        address = identity.get("email")
        if not address:
            raise RequestError(
                f"request {record.id} holds no e-mail address to tell the subject: tell them "
                "by other means; a restriction is lifted only after a notice (RS-3)"
            )
        sender = channel_address(self.keeping.mail_from)
        zone = periods.zone_info(record.zone)
        try:
            body = self._body(record, planned, zone)
        except ValueError as error:  # a date out of range on the controller's clocks
            raise RequestError(str(error)) from None
        message = EmailMessage()
        message["From"] = sender
        message["To"] = channel_address(address)
        message["Subject"] = f"The restriction of your data will be lifted (request {record.id})"
        message["Date"] = format_datetime(self.requests.clock.now())
        message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(body, charset="utf-8")
        message["Content-Language"] = "en"  # after set_content, which drops Content-* headers
        return message

    def _body(self, record: RequestRecord, planned: RestrictionLift, zone: ZoneInfo) -> str:
        organisation = self.programme.organisation if self.programme is not None else None
        contact = organisation.privacy_email if organisation is not None else None
        ask = f"write to {contact}" if contact else "reply to this message"
        lines = (
            "Hello,",
            "",
            f"At your request {record.id} we restricted the processing of your personal "
            f"data (Art. {planned.ground.value} GDPR).",
            f"We will lift that restriction on {periods.fmt_moment(planned.lifts_at, zone)}.",
            f"Why: {RESTRICTION_ENDS[planned.ground]}.",
            "From then on we may again process your data for the purposes in our privacy notice.",
            "",
            f"If you disagree, {ask} before that date. You may also lodge a complaint with "
            "a supervisory authority (Art. 77).",
        )
        return "\n".join(lines) + "\n"


def _lift_of(record: RequestRecord) -> dict[str, Any]:
    """The request's ``lift`` detail (empty when none); RequestError unless it may be lifted."""
    if record.type != RequestType.RESTRICTION or record.state != State.COMPLETED:
        raise RequestError(
            f"request {record.id} is a {record.state} {record.type} request: only a completed "
            "restriction is lifted (Art. 18(3))"
        )
    lift = details_of(record.details).get("lift")
    return dict(lift) if isinstance(lift, dict) else {}


def _ground(record: RequestRecord) -> RestrictionGround:
    """The restriction's ground (Art. 18(1)), as its details name it."""
    ground = details_of(record.details).get("ground")
    if ground not in {g.value for g in RestrictionGround}:
        raise RequestError(f"request {record.id} names no restriction ground (Art. 18(1))")
    return RestrictionGround(ground)


def _told_before(record: RequestRecord, lift: dict[str, Any], moment: datetime) -> None:
    """RequestError unless the subject was told strictly before ``moment``, and it is due."""
    told = datetime.fromisoformat(str(lift["notified_at"]))
    lifts_at = datetime.fromisoformat(str(lift["lifts_at"]))
    RestrictionLift(_ground(record), notified_at=told, lifts_at=moment)
    if moment < lifts_at:
        raise RequestError(
            f"the subject was told the restriction of request {record.id} lifts at "
            f"{lifts_at.isoformat()}: it is not lifted before (Art. 18(3), RS-3)"
        )
