"""Advance notice of a material change of the statement (NT-1, CO-4; seed §13).

``tutela statement announce`` compares two versions of a programme (``statement diff``'s
changes, passed in as plain values: this capability does not import the statement's),
and, when a change is material and takes effect in the future, makes an
:class:`Announcement`: the new version, its effective time, the material changes and the
consent purposes whose terms changed. From the effective time consent to those purposes
given under another notice version no longer counts (:func:`renewals`, ``consent:renewal``).

The notice is a service message, not marketing: no unsubscribe header, ``Auto-Submitted``.
:func:`notice_message` writes it in the subject's language; :func:`mail_notices` sends it
to every address the systems hold, paced and resumable (:class:`NoticeStore`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as day_time
from typing import Any, Protocol

from tutela.consent.records import Renewal
from tutela.errors import RequestError
from tutela.ports import Clock
from tutela.programme.models import Programme
from tutela.programme.purposes import LegalBasis

LANGUAGE_CATEGORY = "user.demographic.language"
"""The data category of a field holding the language a subject prefers."""


class AnnouncementError(RequestError):
    """An announcement that cannot be made as asked (nothing material, a past date)."""


class ChangeLike(Protocol):
    """One change of ``statement diff`` (:class:`tutela.statement.versions.diff.Change`)."""

    @property
    def element(self) -> str:
        """Where the change sits, e.g. ``purposes[marketing].categories[user.name]``."""
        ...

    @property
    def material(self) -> bool:
        """Whether subjects must be told before it takes effect (NT-1)."""
        ...

    @property
    def reason(self) -> str:
        """Why it is material or editorial."""
        ...


@dataclass(frozen=True)
class Announcement:
    """One announced statement version; ``number`` is the store's (0 before it is stored).

    ``purposes`` maps each consent purpose whose terms changed to the notice version its
    consent must be given under again; ``summary`` lists the material changes.
    """

    version: str
    effective_at: datetime
    purposes: dict[str, str]
    summary: tuple[str, ...]
    announced_at: datetime
    number: int = 0

    def digest(self) -> str:
        """SHA-256 (hex) of what was announced: version, time, purposes and summary."""
        document = {
            "version": self.version,
            "effective_at": self.effective_at.isoformat(),
            "purposes": self.purposes,
            "summary": list(self.summary),
        }
        text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        return hashlib.sha256(text.encode()).hexdigest()


def announcement(
    old: Programme,
    new: Programme,
    changes: Sequence[ChangeLike],
    now: datetime,
    effective: date | None = None,
) -> Announcement:
    """What to announce from ``old`` to ``new``; AnnouncementError when it cannot be.

    The effective time is ``effective`` (else the new statement's ``effective_date``) at
    midnight UTC; it must be after ``now`` (advance notice, Art. 13(3)).
    """
    material = [change for change in changes if change.material]
    if not material:
        raise AnnouncementError("no material change from the previous version: nothing to announce")
    statement = new.statement
    if statement is None or not statement.version:
        raise AnnouncementError(
            "the new programme's statement has no version: set statement.version"
        )
    if old.statement is not None and old.statement.version == statement.version:
        raise AnnouncementError("the new statement keeps the previous version: give it a new one")
    day = effective or statement.effective_date
    if day is None:
        raise AnnouncementError("no effective date: set statement.effective_date or --effective")
    effective_at = datetime.combine(day, day_time(), UTC)
    if effective_at <= now:
        raise AnnouncementError(
            f"the effective date {day.isoformat()} is not in the future: material changes are "
            "announced before they take effect (NT-1); give a later --effective date"
        )
    purposes = renewed_purposes(new, material)
    summary = tuple(f"{change.element}: {change.reason}" for change in material)
    return Announcement(str(statement.version), effective_at, purposes, summary, now)


def renewed_purposes(new: Programme, material: Iterable[ChangeLike]) -> dict[str, str]:
    """The consent purposes of ``new`` a material change touches, with their notice version.

    The notice version is what consent is recorded under from now on: the purpose's own
    ``consent.notice_version``, else the statement's version (as the consent service does).
    """
    touched = {_purpose_key(change.element) for change in material}
    version = str(new.statement.version) if new.statement and new.statement.version else ""
    found: dict[str, str] = {}
    for purpose in new.purposes:
        if purpose.key in touched and purpose.legal_basis is LegalBasis.CONSENT:
            own = purpose.consent.notice_version if purpose.consent else None
            found[purpose.key] = str(own or version)
    return found


def _purpose_key(element: str) -> str | None:
    head = element.split(".", 1)[0]
    if head.startswith("purposes[") and head.endswith("]"):
        return head[len("purposes[") : -1]
    return None


def unchanged_notices(old: Programme, renewed: dict[str, str]) -> list[str]:
    """Renewed purposes whose notice version did not change: old consent would still count."""
    same = []
    for purpose in old.purposes:
        own = purpose.consent.notice_version if purpose.consent else None
        if purpose.key in renewed and own and own == renewed[purpose.key]:
            same.append(purpose.key)
    return same


def renewals(announcements: Iterable[Announcement]) -> list[Renewal]:
    """Every purpose whose consent must be given again, per announcement (CO-4)."""
    return [
        Renewal(purpose, notice, item.effective_at)
        for item in announcements
        for purpose, notice in sorted(item.purposes.items())
    ]


def notice_document(
    item: Announcement | None, now: datetime, url: str | None
) -> dict[str, Any] | None:
    """The notice the privacy centre and the banner show until the effective time (else None)."""
    if item is None or item.effective_at <= now:
        return None
    return {
        "version": item.version,
        "effective_at": item.effective_at.isoformat(),
        "summary": list(item.summary),
        "purposes": sorted(item.purposes),
        "url": url,
    }


class PendingSource(Protocol):
    """Where the pending announcement is read (:class:`tutela.store.announcements`)."""

    def pending(self, now: datetime) -> Announcement | None:
        """The next announcement taking effect after ``now``."""
        ...


@dataclass(frozen=True)
class NoticeBoard:
    """The notice the privacy centre and the banner show: ``app.state.notice``."""

    source: PendingSource
    clock: Clock
    url: str | None = None

    def current(self) -> dict[str, Any] | None:
        """The pending announcement as :func:`notice_document` writes it, or None."""
        now = self.clock.now()
        return notice_document(self.source.pending(now), now, self.url)
