"""The moderation queue of community posts in tutela's store (``tutela_moderation``, seed §9).

One row per held post: a random queue id, the platform's id of the post, when it was
received, its language, the Art. 9 classes and the spans (character offsets and class,
never the text) that held it, the post's text sealed under the store key, a keyed digest
of the text, and the decision (status ``held``, ``allowed`` or ``removed``, when, by whom,
why). Deciding purges the sealed text in the same statement: the queue then keeps only
the digest, the classes and the decision. Holding and deciding append their ledger entry
on the same connection, in the same transaction. :class:`SqlModerationStore` implements
:class:`tutela.ports.ModerationStore`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict

import sqlalchemy as sa

from tutela.ports import HeldPost, ModerationEntry
from tutela.store.engine import store_error
from tutela.store.ledger import NewEntry, SqlLedger
from tutela.store.lifecycle_tables import LongBinary
from tutela.store.tables import LongText, UtcDateTime, metadata

MODERATION = "tutela_moderation"
MODERATION_QUEUE_INDEX = "ix_tutela_moderation_status_received"
MODERATION_POST_INDEX = "ix_tutela_moderation_post"
LONGEST_POST_ID = 200
"""Characters of the platform's post id kept."""
HELD = "held"


def moderation_columns() -> list[sa.Column[object]]:
    """The columns of ``tutela_moderation`` (shared with its migration)."""
    return [
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("post", sa.String(LONGEST_POST_ID), nullable=False),
        sa.Column("received_at", UtcDateTime, nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("classes", sa.String(300), nullable=False),
        sa.Column("spans", LongText, nullable=False),
        sa.Column("sealed", LongBinary, nullable=True),
        sa.Column("digest", sa.String(66), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_at", UtcDateTime, nullable=True),
        sa.Column("decided_by", sa.String(96), nullable=True),
        sa.Column("reason", sa.String(1000), nullable=True),
    ]


moderation_table = sa.Table(MODERATION, metadata, *moderation_columns())
sa.Index(MODERATION_QUEUE_INDEX, moderation_table.c.status, moderation_table.c.received_at)
sa.Index(MODERATION_POST_INDEX, moderation_table.c.post)

_PUBLIC = tuple(c for c in moderation_table.c if c.name != "sealed")
_T = moderation_table


class SqlModerationStore:
    """The moderation queue in the store behind ``engine`` (its schema upgraded by the caller).

    Raises :class:`~tutela.errors.StoreError` when the database fails, without secrets.
    """

    def __init__(self, engine: sa.Engine, ledger: SqlLedger | None = None) -> None:
        self.engine = engine
        self.ledger = ledger or SqlLedger(engine)

    def hold(self, post: HeldPost, sealed: bytes, entry: ModerationEntry) -> None:
        """Insert ``post`` with its sealed text and append ``entry``, in one transaction."""
        with self.guard(), self.engine.begin() as connection:
            connection.execute(sa.insert(_T), [{**_row(post), "sealed": sealed}])
            self.ledger.append(connection, [_entry(entry)])

    def find(self, post: str, digest: str) -> HeldPost | None:
        """The post ``post`` still held with the text of ``digest``, or None."""
        query = sa.select(*_PUBLIC).where(_T.c.post == post, _T.c.digest == digest)
        query = query.where(_T.c.status == HELD).order_by(_T.c.received_at).limit(1)
        return self._one(query)

    def get(self, queue_id: str) -> HeldPost | None:
        """The queued post ``queue_id``, held or decided, or None."""
        return self._one(sa.select(*_PUBLIC).where(_T.c.id == queue_id))

    def sealed(self, queue_id: str) -> bytes | None:
        """The sealed text of ``queue_id``: None once decided (purged) or unknown."""
        query = sa.select(_T.c.sealed).where(_T.c.id == queue_id)
        with self.guard(), self.engine.connect() as connection:
            value = connection.execute(query).scalar()
        return None if value is None else bytes(value)

    def held(self, limit: int, offset: int) -> tuple[list[HeldPost], int]:
        """A page of the held posts, oldest first, and how many are held in all."""
        page = (
            sa.select(*_PUBLIC)
            .where(_T.c.status == HELD)
            .order_by(_T.c.received_at, _T.c.id)
            .limit(max(1, min(limit, 1000)))
            .offset(max(0, offset))
        )
        total = sa.select(sa.func.count()).select_from(_T).where(_T.c.status == HELD)
        with self.guard(), self.engine.connect() as connection:
            rows = connection.execute(page).mappings().all()
            count = connection.execute(total).scalar_one()
        return [_post(row) for row in rows], int(count)

    def decide(self, decided: HeldPost, entry: ModerationEntry) -> bool:
        """Record the decision of a post still held and purge its text, with ``entry``."""
        statement = (
            sa.update(_T)
            .where(_T.c.id == decided.id, _T.c.status == HELD)
            .values(
                status=decided.status,
                decided_at=decided.decided_at,
                decided_by=decided.decided_by,
                reason=decided.reason,
                sealed=None,
            )
        )
        with self.guard(), self.engine.begin() as connection:
            if connection.execute(statement).rowcount != 1:
                return False
            self.ledger.append(connection, [_entry(entry)])
        return True

    def _one(self, query: sa.Select[tuple[object, ...]]) -> HeldPost | None:
        with self.guard(), self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        return None if row is None else _post(row)

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Turn a SQLAlchemy error into a StoreError saying what failed, without secrets."""
        try:
            yield
        except sa.exc.SQLAlchemyError as error:
            raise store_error(error, self.engine.url) from None


def _row(post: HeldPost) -> dict[str, object]:
    row = asdict(post)
    row["classes"] = json.dumps(list(post.classes))
    row["spans"] = json.dumps([list(span) for span in post.spans])
    return row


def _post(row: sa.RowMapping) -> HeldPost:
    spans = tuple((int(s), int(e), str(kind)) for s, e, kind in json.loads(row["spans"]))
    return HeldPost(
        id=row["id"],
        post=row["post"],
        received_at=row["received_at"],
        lang=row["lang"],
        classes=tuple(str(kind) for kind in json.loads(row["classes"])),
        spans=spans,
        digest=row["digest"],
        status=row["status"],
        decided_at=row["decided_at"],
        decided_by=row["decided_by"],
        reason=row["reason"],
    )


def _entry(entry: ModerationEntry) -> NewEntry:
    return NewEntry(entry.time, entry.actor, entry.action, entry.subject, entry.before, entry.after)
