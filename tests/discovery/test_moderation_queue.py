"""The moderation queue (seed §9): held posts queued sealed, allowed posts never stored,
staff decisions ledgered with the post's keyed digest (never its text), the text purged
after the decision, and a decision final. The store runs on SQLite, PostgreSQL, MariaDB.

The classifier is replaced by a fake in the queue's unit tests; the last tests use the
real :func:`tutela.discovery.moderation.moderate`, end to end.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tutela.discovery.moderation import ModerationSpan, Verdict
from tutela.discovery.moderation_queue import (
    LONGEST_TEXT,
    DecisionConflict,
    ModerationDesk,
    ModerationError,
    UnknownPost,
    decision_digest,
)
from tutela.errors import ConfigurationError
from tutela.ports import HeldPost, ModerationEntry
from tutela.requests.sealing import StoreKey
from tutela.store.ledger import SqlLedger, open_ledger
from tutela.store.moderation import SqlModerationStore, moderation_table

KEY = StoreKey.parse(StoreKey.generate())
HELD_TEXT = "My colleague Anna is pregnant, call her on +32 470 12 34 56."
ALLOWED_TEXT = "I am pregnant and so happy."


class Ticking:
    """A clock that moves one minute each time it is read."""

    def __init__(self) -> None:
        self.at = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        self.at += timedelta(minutes=1)
        return self.at


def fake_moderate(text: str, lang: str | None = None) -> Verdict:
    """Hold a text naming a colleague: ``Anna`` (health) and the phone number (contact)."""
    spans = []
    if "colleague" in text:
        spans.append(
            ModerationSpan(text.index("colleague"), text.index("colleague") + 23, "health")
        )
    if "+32" in text:
        spans.append(ModerationSpan(text.index("+32"), text.index("+32") + 16, "contact_data"))
    classes = tuple(dict.fromkeys(span.kind for span in spans))
    return Verdict(bool(spans), classes, tuple(spans), lang or "en")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite store at the head revision, copied for each test (migrating is slow)."""
    path = tmp_path_factory.mktemp("store") / "store.sqlite"
    open_ledger(f"sqlite:///{path}").engine.dispose()
    return path


@pytest.fixture
def ledger(template: Path, tmp_path: Path) -> Iterator[SqlLedger]:
    path = tmp_path / "store.sqlite"
    shutil.copy(template, path)
    found = open_ledger(f"sqlite:///{path}", upgrade=False)
    yield found
    found.engine.dispose()


@pytest.fixture
def desk(ledger: SqlLedger) -> ModerationDesk:
    return ModerationDesk(SqlModerationStore(ledger.engine, ledger), Ticking(), KEY, fake_moderate)


def _rows(ledger: SqlLedger) -> list[dict[str, object]]:
    with ledger.engine.connect() as connection:
        return [dict(row) for row in connection.execute(sa.select(moderation_table)).mappings()]


def _ledger_text(ledger: SqlLedger) -> str:
    return "\n".join(row.text for row in ledger.rows())


# --- screening ------------------------------------------------------------------------------


def test_a_held_post_is_queued_with_its_text_sealed_and_its_digest_ledgered(
    desk: ModerationDesk, ledger: SqlLedger
) -> None:
    screening = desk.screen("post-1", HELD_TEXT, "en", actor="staff:platform")
    assert screening.verdict.hold and screening.queue_id is not None
    [row] = _rows(ledger)
    assert row["status"] == "held" and row["post"] == "post-1"
    assert "Anna" not in str(row) and b"Anna" not in bytes(row["sealed"])  # type: ignore[arg-type]
    assert row["digest"] == desk.digest(HELD_TEXT) and str(row["digest"]).startswith("h:")
    [entry] = ledger.entries()
    assert (entry.action, entry.actor) == ("moderation_held", "staff:platform")
    assert entry.request == f"moderation:{screening.queue_id}"
    assert (entry.before, entry.after) == (None, desk.digest(HELD_TEXT))
    # digests and ids are hex: look for the number as written, not for a digit run
    assert "Anna" not in _ledger_text(ledger) and "470 12 34 56" not in _ledger_text(ledger)


def test_an_allowed_post_is_neither_stored_nor_ledgered(
    desk: ModerationDesk, ledger: SqlLedger
) -> None:
    screening = desk.screen("post-2", ALLOWED_TEXT, None)
    assert not screening.verdict.hold and screening.queue_id is None
    assert _rows(ledger) == [] and ledger.entries() == []


def test_the_same_post_screened_again_is_queued_once_but_an_edit_is_queued_anew(
    desk: ModerationDesk, ledger: SqlLedger
) -> None:
    first = desk.screen("post-3", HELD_TEXT).queue_id
    assert desk.screen("post-3", HELD_TEXT).queue_id == first
    edited = desk.screen("post-3", HELD_TEXT + " Get well soon!").queue_id
    assert edited not in (None, first)
    assert len(_rows(ledger)) == 2 and len(ledger.entries()) == 2


def test_the_keyed_digest_depends_on_the_store_key(ledger: SqlLedger) -> None:
    store = SqlModerationStore(ledger.engine, ledger)
    other = ModerationDesk(store, Ticking(), StoreKey.parse(StoreKey.generate()), fake_moderate)
    mine = ModerationDesk(store, Ticking(), KEY, fake_moderate)
    assert mine.digest(HELD_TEXT) == mine.digest(HELD_TEXT) != other.digest(HELD_TEXT)
    assert mine.digest(HELD_TEXT) != mine.digest(HELD_TEXT + " ")


@pytest.mark.parametrize(
    ("post_id", "text", "lang"),
    [
        ("", HELD_TEXT, "en"),
        ("x" * 201, HELD_TEXT, "en"),
        ("post\n1", HELD_TEXT, "en"),
        (42, HELD_TEXT, "en"),
        ("post-1", "", "en"),
        ("post-1", "   \n ", "en"),
        ("post-1", "a" * (LONGEST_TEXT + 1), "en"),
        ("post-1", b"bytes", "en"),
        ("post-1", HELD_TEXT, "es"),
        ("post-1", HELD_TEXT, "EN"),
        ("post-1", HELD_TEXT, ""),
    ],
)
def test_a_post_that_is_empty_oversized_or_of_an_unknown_language_is_refused(
    desk: ModerationDesk, ledger: SqlLedger, post_id: object, text: object, lang: object
) -> None:
    with pytest.raises(ModerationError):
        desk.screen(post_id, text, lang)  # type: ignore[arg-type]
    assert _rows(ledger) == []


@pytest.mark.parametrize(
    ("post_id", "text", "lang"),
    [("x" * 200, HELD_TEXT, "en"), ("p", "a" * (LONGEST_TEXT - 1) + "!", None), ("é", "é", "de")],
)
def test_a_post_at_the_limits_is_screened(
    desk: ModerationDesk, post_id: str, text: str, lang: str | None
) -> None:
    screening = desk.screen(post_id, text, lang)
    assert (screening.queue_id is not None) is (text == HELD_TEXT)
    if screening.queue_id is not None:
        assert desk.show(screening.queue_id).post.post == post_id


def test_without_a_store_key_a_held_post_cannot_be_kept(ledger: SqlLedger) -> None:
    desk = ModerationDesk(SqlModerationStore(ledger.engine, ledger), Ticking(), None, fake_moderate)
    assert desk.screen("p", ALLOWED_TEXT).queue_id is None
    with pytest.raises(ConfigurationError, match="TUTELA_STORE_KEY"):
        desk.screen("p", HELD_TEXT)
    assert _rows(ledger) == []


# --- the queue and the decisions ------------------------------------------------------------


def test_the_queue_lists_held_posts_oldest_first_a_page_at_a_time(desk: ModerationDesk) -> None:
    ids = [desk.screen(f"post-{n}", f"{HELD_TEXT} {n}").queue_id for n in range(5)]
    first, second = desk.queue(limit=2), desk.queue(limit=2, offset=4)
    assert [p.id for p in first.posts] == ids[:2] and first.total == 5 and first.more
    assert [p.id for p in second.posts] == ids[4:] and not second.more
    desk.decide(str(ids[0]), "allow", "staff:ann", "about a public figure's own statement")
    assert [p.id for p in desk.queue().posts] == ids[1:]


def test_show_unseals_the_text_of_a_held_post(desk: ModerationDesk) -> None:
    queue_id = str(desk.screen("post-1", HELD_TEXT).queue_id)
    shown = desk.show(queue_id.upper())
    assert shown.text == HELD_TEXT and shown.post.classes == ("health", "contact_data")
    assert [HELD_TEXT[s:e] for s, e, _ in shown.post.spans] == [
        "colleague Anna is pregn",
        "+32 470 12 34 56",
    ]


@pytest.mark.parametrize(("decision", "status"), [("allow", "allowed"), ("remove", "removed")])
def test_a_decision_is_ledgered_with_the_post_digest_and_never_the_text(
    desk: ModerationDesk, ledger: SqlLedger, decision: str, status: str
) -> None:
    queue_id = str(desk.screen("post-1", HELD_TEXT).queue_id)
    decided = desk.decide(queue_id, decision, "staff:ann", "  third party's health,\n named ")
    assert decided.status == status and decided.reason == "third party's health, named"
    held, made = ledger.entries()
    assert (made.action, made.actor) == (f"moderation_{status}", "staff:ann")
    assert made.request == held.request == f"moderation:{queue_id}"
    assert made.before == desk.digest(HELD_TEXT) and made.after == decision_digest(decided)
    ledgered = _ledger_text(ledger)
    for word in ("Anna", "pregn", "470 12 34 56", "third party", "health"):
        assert word not in ledgered


def test_the_text_is_purged_after_the_decision(desk: ModerationDesk, ledger: SqlLedger) -> None:
    queue_id = str(desk.screen("post-1", HELD_TEXT).queue_id)
    desk.decide(queue_id, "remove", "staff:ann", "health of a colleague")
    [row] = _rows(ledger)
    assert row["sealed"] is None and row["digest"] == desk.digest(HELD_TEXT)
    assert row["classes"] and row["status"] == "removed"
    shown = desk.show(queue_id)
    assert shown.text is None and shown.post.decided_by == "staff:ann"


def test_the_same_decision_again_changes_nothing_and_another_is_refused(
    desk: ModerationDesk, ledger: SqlLedger
) -> None:
    queue_id = str(desk.screen("post-1", HELD_TEXT).queue_id)
    first = desk.decide(queue_id, "remove", "staff:ann", "health of a colleague")
    again = desk.decide(queue_id, "remove", "staff:bob", "another reason")
    assert again == first and len(ledger.entries()) == 2
    with pytest.raises(DecisionConflict, match="already removed by staff:ann"):
        desk.decide(queue_id, "allow", "staff:bob", "fine after all")
    assert len(ledger.entries()) == 2


@pytest.mark.parametrize(
    ("decision", "reason"),
    [
        ("approve", "a reason"),
        ("ALLOW", "a reason"),
        ("", "a reason"),
        (None, "a reason"),
        ("allow", ""),
        ("allow", "   \n\t "),
        ("allow", "x" * 1001),
        ("allow", "bell\x07"),
        ("allow", None),
    ],
)
def test_a_decision_without_a_known_outcome_or_a_reason_is_refused(
    desk: ModerationDesk, ledger: SqlLedger, decision: object, reason: object
) -> None:
    queue_id = str(desk.screen("post-1", HELD_TEXT).queue_id)
    with pytest.raises(ModerationError):
        desk.decide(queue_id, decision, "staff:ann", reason)  # type: ignore[arg-type]
    assert desk.show(queue_id).post.status == "held" and len(ledger.entries()) == 1


@pytest.mark.parametrize(
    "queue_id",
    ["00000000-0000-4000-8000-000000000000", "not-a-uuid", "", "../../etc/passwd", 7],
)
def test_an_unknown_or_malformed_queue_id_is_unknown(
    desk: ModerationDesk, queue_id: object
) -> None:
    with pytest.raises(UnknownPost):
        desk.show(queue_id)  # type: ignore[arg-type]
    with pytest.raises(UnknownPost):
        desk.decide(queue_id, "allow", "staff:ann", "ok")  # type: ignore[arg-type]


# --- the store on every backend -------------------------------------------------------------


def _post(number: int, at: datetime) -> HeldPost:
    spans = ((0, 4, "health"), (10, 14, "religion"))
    digest = f"h:{number:064x}"
    return HeldPost(f"00000000-0000-4000-8000-{number:012d}", f"p{number}", at, "nl",
                    ("health", "religion"), spans, digest)  # fmt: skip


def test_the_store_keeps_decides_and_purges_on_each_backend(database_url: str) -> None:
    ledger = open_ledger(database_url)
    try:
        store = SqlModerationStore(ledger.engine, ledger)
        at = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
        posts = [_post(n, at + timedelta(minutes=3 - n)) for n in range(3)]
        for post in posts:
            entry = ModerationEntry(at, "system", "moderation_held", f"moderation:{post.id}",
                                    None, post.digest)  # fmt: skip
            store.hold(post, b"\x01sealed" * 20_000, entry)
        page, total = store.held(2, 0)
        assert total == 3 and [p.id for p in page] == [posts[2].id, posts[1].id]
        assert store.get(posts[0].id) == posts[0]
        assert store.find("p1", posts[1].digest) == posts[1] and store.find("p1", "h:0") is None
        assert store.sealed(posts[0].id) == b"\x01sealed" * 20_000
        decided = HeldPost(**{**posts[0].__dict__, "status": "removed", "decided_at": at,
                              "decided_by": "staff:ann", "reason": "r" * 1000})  # fmt: skip
        entry = ModerationEntry(at, "staff:ann", "moderation_removed", f"moderation:{posts[0].id}",
                                posts[0].digest, "0" * 64)  # fmt: skip
        assert store.decide(decided, entry) is True
        assert store.decide(decided, entry) is False  # no longer held: nothing written
        assert store.get(posts[0].id) == decided and store.sealed(posts[0].id) is None
        assert store.held(10, 0)[1] == 2 and len(ledger.entries()) == 4
    finally:
        ledger.engine.dispose()


# --- end to end with the real classifier ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "hold", "held_for"),
    [
        ("My colleague Anna is pregnant.", "en", True, "health"),
        ("I am pregnant.", "en", False, None),
    ],
)
def test_the_real_classifier_holds_a_third_partys_health_and_allows_the_author_own(
    ledger: SqlLedger, text: str, lang: str, hold: bool, held_for: str | None
) -> None:
    desk = ModerationDesk(SqlModerationStore(ledger.engine, ledger), Ticking(), KEY)
    screening = desk.screen("post-e2e", text, lang)
    assert screening.verdict.hold is hold and (screening.queue_id is not None) is hold
    if held_for is not None:
        assert held_for in screening.verdict.classes
        assert desk.show(str(screening.queue_id)).text == text
    else:
        assert _rows(ledger) == []


# --- the CLI ----------------------------------------------------------------------------------


def test_the_cli_lists_shows_and_decides_a_held_post(ledger: SqlLedger) -> None:
    import json

    from typer.testing import CliRunner

    from tutela.cli.main import app

    store_key = StoreKey.generate()
    desk = ModerationDesk(
        SqlModerationStore(ledger.engine, ledger), Ticking(), StoreKey.parse(store_key),
        fake_moderate,
    )  # fmt: skip
    queue_id = str(desk.screen("post-9", HELD_TEXT).queue_id)
    env = {"TUTELA_DATABASE_URL": str(ledger.engine.url), "TUTELA_STORE_KEY": store_key}
    runner = CliRunner()
    listed = runner.invoke(app, ["moderation", "queue"], env=env)
    assert listed.exit_code == 0 and queue_id in listed.output and "Anna" not in listed.output
    shown = runner.invoke(app, ["moderation", "show", queue_id, "--format", "json"], env=env)
    assert shown.exit_code == 0 and json.loads(shown.output)["text"] == HELD_TEXT
    both = runner.invoke(app, ["moderation", "decide", queue_id, "--allow", "--remove"], env=env)
    assert both.exit_code == 4 and "--allow or --remove" in both.output
    bare = runner.invoke(app, ["moderation", "decide", queue_id, "--remove"], env=env)
    assert bare.exit_code == 4 and "reason" in bare.output
    argv = ["moderation", "decide", queue_id, "--remove", "--reason", "health", "--actor"]
    decided = runner.invoke(app, [*argv, "staff:ann"], env=env)
    assert decided.exit_code == 0 and "removed by staff:ann" in decided.output
    other = runner.invoke(app, [*argv[:3], "--allow", "--reason", "ok"], env=env)
    assert other.exit_code == 4 and "a decision is final" in other.output
    gone = runner.invoke(app, ["moderation", "show", queue_id, "--format", "json"], env=env)
    assert json.loads(gone.output)["text"] is None
    unknown = runner.invoke(app, ["moderation", "show", "00000000-0000-4000-8000-0"], env=env)
    assert unknown.exit_code == 4 and "not a moderation queue id" in unknown.output
