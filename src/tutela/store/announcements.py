"""Announced statement versions and who was sent their notice, each step ledgered (NT-1).

:class:`SqlAnnouncementStore` keeps one ``tutela_announcement`` row per version (its
``purposes`` column holds ``{purpose: notice_version}`` as JSON) and one
``tutela_announcement_mail`` row per subject mailed, by keyed reference, never the address.
A subject is claimed (``sending``) before its message goes and settled (``sent`` or
``refused``) after; a claim a crash left behind is never sent again.

:class:`SystemAddresses` reads the e-mail addresses the systems hold: per collection one
``SELECT lower(address), max(language) ... GROUP BY lower(address)``, streamed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime

import sqlalchemy as sa

from tutela.consent.announce_mail import AddressSource, Recipient
from tutela.consent.announcements import Announcement
from tutela.consent.records import Renewal
from tutela.errors import ConnectorError
from tutela.store.consent_tables import announcement_mail_table, announcement_table
from tutela.store.engine import store_error
from tutela.store.ledger import NewEntry, SqlLedger

_CHUNK = 500
"""Subjects per ``IN (...)``: below every backend's limit of bound parameters."""
SENDING, SENT, REFUSED = "sending", "sent", "refused"


class SqlAnnouncementStore:
    """The announcements in the store behind ``engine`` (its schema upgraded by the caller).

    Raises :class:`~tutela.errors.StoreError` when the database fails, without secrets.
    """

    def __init__(self, engine: sa.Engine, ledger: SqlLedger | None = None) -> None:
        self.engine = engine
        self.ledger = ledger or SqlLedger(engine)

    def save(self, item: Announcement, actor: str) -> tuple[Announcement, bool]:
        """Store ``item`` with an ``announced`` ledger entry, unless its version is stored.

        Returns the stored announcement and whether it is new (a re-run resumes the first).
        """
        found = self.find(item.version)
        if found is not None:
            return found, False
        row = {
            "version": item.version,
            "effective_at": item.effective_at,
            "announced_at": item.announced_at,
            "purposes": json.dumps(item.purposes, sort_keys=True),
            "summary": json.dumps(list(item.summary)),
        }
        with self.guard(), self.engine.begin() as connection:
            number = connection.execute(sa.insert(announcement_table), row).inserted_primary_key
            seq = int(number[0]) if number else 0
            entry = NewEntry(
                item.announced_at, actor, "announced", f"announcement-{seq}", None, item.digest()
            )
            self.ledger.append(connection, [entry])
        stored = self.find(item.version)
        assert stored is not None
        return stored, True

    def find(self, version: str) -> Announcement | None:
        """The announcement of ``version``, or None."""
        query = sa.select(announcement_table).where(announcement_table.c.version == version)
        with self.guard(), self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        return None if row is None else _announcement(row)

    def announcements(self) -> list[Announcement]:
        """Every announcement, oldest first."""
        query = sa.select(announcement_table).order_by(announcement_table.c.seq)
        with self.guard(), self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [_announcement(row) for row in rows]

    def pending(self, now: datetime) -> Announcement | None:
        """The announcement to show at ``now``: the next one taking effect after ``now``."""
        table = announcement_table
        query = (
            sa.select(table)
            .where(table.c.effective_at > now)
            .order_by(table.c.effective_at, table.c.seq)
            .limit(1)
        )
        with self.guard(), self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        return None if row is None else _announcement(row)

    def renewals(self) -> list[Renewal]:
        """Every consent purpose to renew, with its notice version and effective time (CO-4)."""
        from tutela.consent.announcements import renewals

        return renewals(self.announcements())

    def claim(self, number: int, subjects: Sequence[tuple[str, str]], now: datetime) -> set[str]:
        """Claim the ``(subject, language)`` pairs not yet recorded for ``number``."""
        table = announcement_mail_table
        wanted = dict(subjects)
        with self.guard(), self.engine.begin() as connection:
            known: set[str] = set()
            keys = list(wanted)
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start : start + _CHUNK]
                query = sa.select(table.c.subject).where(
                    table.c.announcement == number, table.c.subject.in_(chunk)
                )
                known.update(connection.execute(query).scalars())
            new = [s for s in keys if s not in known]
            rows = [
                {"announcement": number, "subject": s, "state": SENDING, "language": wanted[s]}
                for s in new
            ]
            if rows:
                connection.execute(sa.insert(table), rows)
        return set(new)

    def settle(
        self, number: int, done: dict[str, str], batch: int, now: datetime, actor: str
    ) -> None:
        """Mark the batch's subjects ``sent`` or ``refused``, delete the released, and ledger it.

        The ledger entry's request counts the batch (``announcement-N:batch-B:sent-S:refused-R``);
        its digest is the SHA-256 of the sorted references sent, never an address.
        """
        table = announcement_mail_table
        sent = sorted(s for s, state in done.items() if state == SENT)
        with self.guard(), self.engine.begin() as connection:
            for state in (SENT, REFUSED):
                chosen = [s for s, value in done.items() if value == state]
                for start in range(0, len(chosen), _CHUNK):
                    where = sa.and_(
                        table.c.announcement == number,
                        table.c.subject.in_(chosen[start : start + _CHUNK]),
                    )
                    connection.execute(
                        sa.update(table).where(where).values(state=state, sent_at=now)
                    )
            released = [s for s, value in done.items() if value not in (SENT, REFUSED)]
            for start in range(0, len(released), _CHUNK):
                where = sa.and_(
                    table.c.announcement == number,
                    table.c.subject.in_(released[start : start + _CHUNK]),
                )
                connection.execute(sa.delete(table).where(where))
            if sent or len(done) > len(released):
                digest = hashlib.sha256("\n".join(sent).encode()).hexdigest()
                refused = len(done) - len(released) - len(sent)
                request = f"announcement-{number}:batch-{batch}:sent-{len(sent)}:refused-{refused}"
                entry = NewEntry(now, actor, "announce_mailed", request, None, digest)
                self.ledger.append(connection, [entry])

    def progress(self, number: int) -> dict[str, int]:
        """How many subjects of announcement ``number`` are in each state."""
        table = announcement_mail_table
        query = (
            sa.select(table.c.state, sa.func.count())
            .where(table.c.announcement == number)
            .group_by(table.c.state)
        )
        with self.guard(), self.engine.connect() as connection:
            return {str(state): int(count) for state, count in connection.execute(query)}

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Turn a SQLAlchemy error into a StoreError saying what failed, without secrets."""
        try:
            yield
        except sa.exc.SQLAlchemyError as error:
            raise store_error(error, self.engine.url) from None


def _announcement(row: sa.RowMapping) -> Announcement:
    purposes = json.loads(row["purposes"])
    return Announcement(
        version=row["version"],
        effective_at=row["effective_at"],
        purposes={str(k): str(v) for k, v in purposes.items()},
        summary=tuple(json.loads(row["summary"])),
        announced_at=row["announced_at"],
        number=int(row["seq"]),
    )


class SystemAddresses:
    """The addresses the systems hold, read set-based from each system's database.

    ``engines`` maps a system's key to its engine and schema (bootstrap opens them from
    the programme's connectors). A failure names the system, never the URL or a value.
    """

    def __init__(self, engines: Mapping[str, tuple[sa.Engine, str | None]]) -> None:
        self.engines = engines

    def read(self, sources: Sequence[AddressSource], batch: int = 1000) -> Iterator[Recipient]:
        """Each address of each source (lower-cased, once per collection), with a language."""
        for source in sources:
            found = self.engines.get(source.system)
            if found is not None:
                yield from self._read(source, *found, batch)

    def _read(
        self, source: AddressSource, engine: sa.Engine, schema: str | None, batch: int
    ) -> Iterator[Recipient]:
        try:
            table = sa.Table(source.collection, sa.MetaData(schema=schema), autoload_with=engine)
            address = sa.func.lower(table.c[source.address])
            lang = (
                sa.func.max(table.c[source.language])
                if source.language
                else sa.literal(None, sa.String)
            )
            query = (
                sa.select(address, lang)
                .where(table.c[source.address].is_not(None))
                .group_by(address)
            )
            with engine.connect() as connection:
                result = connection.execution_options(yield_per=batch).execute(query)
                for value, preferred in result:
                    yield Recipient(str(value), None if preferred is None else str(preferred))
        except (sa.exc.SQLAlchemyError, KeyError) as error:
            what = type(error).__name__
            raise ConnectorError(
                f"cannot read the addresses of {source.collection}.{source.address} ({what})",
                system=source.system,
                retryable=isinstance(error, sa.exc.OperationalError),
            ) from None

    def close(self) -> None:
        """Release the systems' connections."""
        for engine, _ in self.engines.values():
            engine.dispose()
