"""Existing consent and unsubscribe lists, imported from CSV (issue 17; CO-2, CO-3, OB-2).

Pure: takes the file's bytes, returns an :class:`ImportReport`; the caller reads the file.
Every line is checked first (:meth:`ConsentService.prepare`: the purpose, its legal basis,
the formats), then the good ones are recorded in one call (:meth:`ConsentService.record`:
one transaction, events and ledger entries). All or nothing: one bad line and nothing is
recorded, unless ``skip_bad``, which records the good lines and reports the bad ones.

The file: UTF-8 (a byte-order mark allowed), a header row, one choice per line. Columns:
one or more of the programme's identities (the first filled on a line is the subject;
the others travel with the choice), ``purpose`` and ``choice`` (required), ``at``,
``method``, ``notice_version``, ``language``, ``jurisdiction``, ``evidence``. A rejected
line is reported by number, column and reason; no cell is ever echoed (they may be
personal data), and a cell that looks like a spreadsheet formula is refused, never run.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from tutela.consent.decisions import is_direct_marketing, sells_or_shares
from tutela.consent.records import Kind, Method
from tutela.consent.service import Choice, ConsentService, Context
from tutela.errors import RequestError
from tutela.programme.models import Programme
from tutela.programme.purposes import LegalBasis, Purpose
from tutela.requests.records import identity_values

MAX_BYTES = 32 * 1024 * 1024
MAX_LINES = 100_000
MAX_LINE = 4_096
MAX_CELL = 512
"""Limits: the file's size, its lines after the header, a line's and a cell's characters."""
MAX_LISTED = 1_000
"""The most rejected lines a report lists (it counts them all)."""

CHOICES = ("given", "withdrawn", "unsubscribed", "objection", "opt_out")
REQUIRED = ("purpose", "choice")
OPTIONAL = ("at", "method", "notice_version", "language", "jurisdiction", "evidence")
_KINDS = {
    "given": Kind.CONSENT_GIVEN,
    "withdrawn": Kind.CONSENT_WITHDRAWN,
    "objection": Kind.OBJECTION,
    "opt_out": Kind.OPT_OUT,
}
_FORMULA = re.compile(r"[=@\t\r]|[+-][^\d\s(]")
"""How a cell a spreadsheet would run starts (``=cmd|...``, ``@SUM``, ``-A1``)."""
_WEIGHED = (LegalBasis.LEGITIMATE_INTERESTS, LegalBasis.PUBLIC_TASK)
_ERROR_COLUMNS = {
    "method": "method",
    "language": "language",
    "jurisdiction": "jurisdiction",
    "notice version": "notice_version",
    "evidence": "evidence",
}


@dataclass(frozen=True)
class Rejection:
    """A line not imported: its number in the file, the column at fault (None: the line)."""

    line: int
    column: str | None
    reason: str


@dataclass(frozen=True)
class ImportReport:
    """What an import read, recorded and refused.

    ``rejections`` lists at most :data:`MAX_LISTED` lines, ``rejected`` counts them all;
    ``defaulted_at`` counts lines without ``at`` (recorded at the import's time);
    ``weighing`` counts objections to legitimate-interest or public-task purposes, for
    staff to weigh (Art. 21(1)).
    """

    read: int
    accepted: int
    rejected: int
    rejections: tuple[Rejection, ...]
    committed: bool
    defaulted_at: int = 0
    weighing: int = 0


class _LineError(Exception):
    def __init__(self, column: str | None, reason: str) -> None:
        super().__init__(reason)
        self.column, self.reason = column, reason


def import_choices(
    service: ConsentService, data: bytes, actor: str, *, skip_bad: bool = False
) -> ImportReport:
    """Check every line of the CSV ``data``, then record the good ones as ``actor``.

    RequestError (nothing recorded) for a file that cannot be read as a whole: not UTF-8,
    empty, no line after the header, an unknown or missing column, over the limits.
    """
    lines = _lines(_decode(data))
    columns = _header(lines[0], service.programme)
    importer = _Importer(service, columns)
    choices: list[Choice] = []
    rejections: list[Rejection] = []
    read = 0
    for number, line in enumerate(lines[1:], 2):
        if not line.strip():
            continue
        read += 1
        try:
            choices.append(importer.choice(line))
        except _LineError as error:
            rejections.append(Rejection(number, error.column, error.reason))
    if not read:
        raise RequestError("the file holds a header but no line to import")
    committed = bool(choices) and (skip_bad or not rejections)
    if committed:
        service.record(choices, actor)
    weighing = sum(1 for c in choices if _weighed(service.programme, c.event.kind, c.event.purpose))
    return ImportReport(
        read=read,
        accepted=len(choices) if committed else 0,
        rejected=len(rejections),
        rejections=tuple(rejections[:MAX_LISTED]),
        committed=committed,
        defaulted_at=importer.defaulted_at if committed else 0,
        weighing=weighing if committed else 0,
    )


def identity_columns(programme: Programme) -> tuple[str, ...]:
    """The identities a file may name as columns: those the programme declares or uses."""
    used = {
        f.identity
        for _, dataset in programme.datasets()
        for collection in dataset.collections
        for f in collection.fields
        if f.identity
    }
    return tuple(sorted(used | {identity.key for identity in programme.identities}))


def choice_note(kind: Kind, purpose: Purpose) -> str | None:
    """What an objection or opt-out to ``purpose`` does, for the person who recorded it."""
    if kind is Kind.OPT_OUT:
        if sells_or_shares(purpose):
            return f"{purpose.key}: no sale or sharing of this subject's data (GPC-1)"
        return f"{purpose.key} neither sells nor shares data: the opt-out changes no decision"
    if kind is not Kind.OBJECTION:
        return None
    if is_direct_marketing(purpose):
        return f"{purpose.key}: direct marketing stops, absolutely, consent or not (OB-2)"
    if purpose.legal_basis in _WEIGHED:
        return (
            f"{purpose.key} rests on {purpose.legal_basis.value}: it stops for this subject and "
            "the objection goes to staff to weigh (Art. 21(1): it may go on only on compelling "
            "legitimate grounds)"
        )
    if purpose.legal_basis is LegalBasis.CONSENT:
        return f"{purpose.key}: it stops for this subject (consent purposes honour objections)"
    basis = purpose.legal_basis.value if purpose.legal_basis else "no legal basis"
    return f"{purpose.key} rests on {basis}: Art. 21(1) does not stop it; staff answer the subject"


def _weighed(programme: Programme, kind: Kind, key: str) -> bool:
    if kind is not Kind.OBJECTION:
        return False
    purpose = programme.purpose(key)
    return purpose.legal_basis in _WEIGHED and not is_direct_marketing(purpose)


def _decode(data: bytes) -> str:
    """``data`` as text: UTF-8 only, a byte-order mark allowed; RequestError names the line."""
    if len(data) > MAX_BYTES:
        raise RequestError(
            f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB: split it in parts"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise RequestError(
            f"line {line}: not UTF-8 text; save the file as UTF-8 (CSV UTF-8) and import again"
        ) from None


def _lines(text: str) -> list[str]:
    lines = text.split("\n")
    if lines and not lines[-1]:
        lines.pop()
    if not lines or not "".join(lines).strip():
        raise RequestError("the file is empty: the first line names the columns")
    if len(lines) - 1 > MAX_LINES:
        raise RequestError(f"the file has {len(lines) - 1} lines, at most {MAX_LINES}: split it")
    return [line.removesuffix("\r") for line in lines]


def _cells(line: str) -> list[str]:
    """One physical line's cells (a quoted cell may not hold a line break)."""
    if len(line) > MAX_LINE:
        raise _LineError(None, f"{len(line)} characters, at most {MAX_LINE} on a line")
    try:
        return next(csv.reader([line]))
    except (csv.Error, StopIteration):
        raise _LineError(None, "not valid CSV (a quote left open?)") from None


def _header(line: str, programme: Programme) -> tuple[str, ...]:
    """The columns named by the first line; RequestError for any unknown or missing."""
    try:
        names = tuple(name.strip().lower() for name in _cells(line))
    except _LineError as error:
        raise RequestError(f"line 1, the header: {error.reason}") from None
    identities = identity_columns(programme)
    known = (*identities, *REQUIRED, *OPTIONAL)
    unknown = [ascii(name[:40]) for name in names if name not in known]
    if unknown:
        raise RequestError(
            f"line 1: unknown column(s) {', '.join(unknown)}; columns are "
            f"{', '.join((*REQUIRED, *OPTIONAL))} and identities {', '.join(identities) or 'none'}"
        )
    twice = sorted({name for name in names if names.count(name) > 1})
    missing = [name for name in REQUIRED if name not in names]
    if twice or missing:
        problem = f"{', '.join(twice)} given twice" if twice else f"no {', '.join(missing)}"
        raise RequestError(f"line 1: column {problem} (required: {', '.join(REQUIRED)})")
    if not any(name in identities for name in names):
        raise RequestError(
            f"line 1: no identity column; name one of {', '.join(identities) or 'none'}"
        )
    return names


class _Importer:
    """Turns one line into a prepared choice, or a :class:`_LineError` naming the column."""

    def __init__(self, service: ConsentService, columns: tuple[str, ...]) -> None:
        self.service, self.columns = service, columns
        self.identities = [c for c in columns if c in identity_columns(service.programme)]
        self.purposes = {p.key: p for p in service.programme.purposes}
        self.now = service.clock.now()
        self.defaulted_at = 0

    def choice(self, line: str) -> Choice:
        cells = _cells(line)
        if len(cells) != len(self.columns):
            raise _LineError(None, f"{len(cells)} cells, the header names {len(self.columns)}")
        row = dict(zip(self.columns, (cell.strip() for cell in cells), strict=True))
        for column, value in row.items():
            _check_cell(column, value)
        identity = self._identity(row)
        purpose = self._purpose(row["purpose"])
        kind = _kind(row["choice"].lower(), purpose)
        at = self._moment(row.get("at", ""))
        context = Context(
            row.get("method") or Method.IMPORT,
            row.get("notice_version") or None,
            row.get("language") or None,
            row.get("jurisdiction") or None,
            row.get("evidence") or None,
        )
        try:
            event = self.service.prepare(kind, identity, purpose.key, context, at=at or self.now)
        except RequestError as error:
            raise _LineError(_column_of(str(error)), str(error)) from None
        self.defaulted_at += at is None
        return Choice(event, identity)

    def _identity(self, row: Mapping[str, str]) -> dict[str, str]:
        identity: dict[str, str] = {}
        for name in self.identities:
            if row[name]:
                try:
                    identity.update(identity_values({name: row[name]}))
                except RequestError as error:
                    raise _LineError(name, str(error)) from None
        if not identity:
            raise _LineError("identity", f"no identity: fill one of {', '.join(self.identities)}")
        return identity

    def _purpose(self, key: str) -> Purpose:
        if not key:
            raise _LineError("purpose", "empty")
        if key not in self.purposes:
            raise _LineError("purpose", "not a purpose of the programme")
        return self.purposes[key]

    def _moment(self, text: str) -> datetime | None:
        if not text:
            return None
        moment = _parse_moment(text)
        if moment > self.now:
            raise _LineError("at", "in the future: a choice is imported once it was made")
        return moment


def _check_cell(column: str, value: str) -> None:
    if len(value) > MAX_CELL:
        raise _LineError(column, f"{len(value)} characters, at most {MAX_CELL}")
    if _FORMULA.match(value):
        raise _LineError(column, "looks like a spreadsheet formula (starts with =, +, - or @)")


def _kind(choice: str, purpose: Purpose) -> Kind:
    """The event a ``choice`` cell records; ``unsubscribed`` depends on the purpose."""
    if choice in _KINDS:
        return _KINDS[choice]
    if choice != "unsubscribed":
        raise _LineError("choice", f"not one of {', '.join(CHOICES)}")
    if purpose.legal_basis is LegalBasis.CONSENT:
        return Kind.CONSENT_WITHDRAWN
    if is_direct_marketing(purpose):
        return Kind.OBJECTION
    raise _LineError(
        "choice", f"unsubscribed: {purpose.key} is neither a consent nor a direct-marketing purpose"
    )


def _parse_moment(text: str) -> datetime:
    """``at``: ISO 8601 with its UTC offset, or a date alone (00:00 UTC); in UTC."""
    try:
        day = date.fromisoformat(text) if len(text) <= 10 else None
        moment = datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None
        moment = moment or datetime.fromisoformat(text)
    except ValueError:
        raise _LineError("at", "not an ISO 8601 date (2025-03-05T10:00:00+01:00)") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise _LineError("at", "no UTC offset; give e.g. 2025-03-05T10:00:00+01:00")
    if not 1970 <= moment.year <= 9998:
        raise _LineError("at", "not a year a choice was made in")
    return moment.astimezone(UTC)


def _column_of(message: str) -> str:
    """The column a message of :meth:`ConsentService.prepare` is about (else ``purpose``)."""
    for prefix, column in _ERROR_COLUMNS.items():
        if message.startswith(prefix):
            return column
    return "purpose"


def listed(rejections: Sequence[Rejection]) -> list[str]:
    """The rejections as lines for people: ``line 7, column at: in the future``."""
    return [
        f"line {r.line}{'' if r.column is None else ', column ' + r.column}: {r.reason}"
        for r in rejections
    ]
