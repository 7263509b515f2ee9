"""The console's moderation queue over ASGI on a real SQLite store (seed §9).

Held posts are listed oldest first with their classes in words; a post's page shows its
text escaped with the held spans marked; the decide form needs the session's CSRF token
and a reason, is ledgered as ``staff:<login>``, and purges the text. Only roles with
``moderation:decide`` see any of it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import PASSWORD, csrf_of, login

from tutela.access.limits import SubjectLimits
from tutela.api.app import create_app
from tutela.bootstrap import Application, SystemClock, build
from tutela.discovery.moderation import ModerationSpan, Verdict
from tutela.discovery.moderation_queue import ModerationDesk, ShownPost
from tutela.ports import HeldPost
from tutela.programme.loader import load_programme
from tutela.requests.sealing import StoreKey
from tutela.store.console import login_service
from tutela.store.ledger import open_ledger
from tutela.store.moderation import SqlModerationStore
from tutela.testing import shopdb
from tutela.web.console_moderation import PAGE, Part, marked

HOSTILE = 'Pray for <script>alert("x")</script> my colleague Anna, she has cancer.'


def fake_moderate(text: str, lang: str | None = None) -> Verdict:
    """Hold a text naming ``colleague``: the span from there to the end is health."""
    if "colleague" not in text:
        return Verdict(False, (), (), lang or "en")
    start = text.index("colleague")
    spans = (ModerationSpan(start, len(text) - 1, "health"),)
    if "Pray" in text:
        spans += (ModerationSpan(0, 4, "religion"),)
    return Verdict(True, tuple(dict.fromkeys(s.kind for s in spans)), spans, "en")


@pytest.fixture(scope="module")
def application(tmp_path_factory: pytest.TempPathFactory) -> Application:
    store = f"sqlite:///{tmp_path_factory.mktemp('console') / 'store.sqlite'}"
    ledger = open_ledger(store)
    for name, role in (("alice", "privacy_officer"), ("bob", "agent")):
        login_service(ledger, SystemClock()).add(name, role, PASSWORD)
    ledger.engine.dispose()
    environ = {"TUTELA_DATABASE_URL": store, "TUTELA_STORE_KEY": StoreKey.generate()}
    return build({**environ, "TUTELA_HASH_KEY": "console-moderation-hash-key"})


@pytest.fixture(scope="module")
def desk(application: Application) -> ModerationDesk:
    """A desk on the app's store that screens with the fake classifier."""
    ledger = application.ledger()
    store = SqlModerationStore(ledger.engine, ledger)
    return ModerationDesk(store, application.clock, application.store_key(), fake_moderate)


@pytest.fixture(scope="module")
def client(application: Application) -> Iterator[TestClient]:
    programme = load_programme(shopdb.shop_programme_path())
    app = create_app(application, programme, limits=SubjectLimits())
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as test_client:
        assert login(test_client).status_code == 303
        yield test_client


def _held(desk: ModerationDesk, text: str = HOSTILE) -> str:
    queue_id = desk.screen(f"post-{uuid.uuid4().hex[:8]}", text).queue_id
    assert queue_id is not None
    return queue_id


def _decide(client: TestClient, queue_id: str, **form: str) -> object:
    page = client.get(f"/console/moderation/{queue_id}")
    data = {"csrf": csrf_of(page.text), **form}
    return client.post(f"/console/moderation/{queue_id}/decide", data=data)


def test_the_queue_lists_held_posts_with_their_classes_in_words_and_no_text(
    client: TestClient, desk: ModerationDesk
) -> None:
    queue_id = _held(desk)
    page = client.get("/console/moderation")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert f'href="/console/moderation/{queue_id}?lang=en"' in page.text
    assert "Religion or belief" in page.text and "Health" in page.text
    assert "cancer" not in page.text and "Anna" not in page.text
    assert 'href="/console/moderation?lang=en" aria-current="page"' in page.text


def test_a_post_page_shows_the_text_escaped_with_the_held_spans_marked(
    client: TestClient, desk: ModerationDesk
) -> None:
    queue_id = _held(desk)
    page = client.get(f"/console/moderation/{queue_id}")
    assert page.status_code == 200
    assert "<script>" not in page.text and "&lt;script&gt;" in page.text
    assert re.search(r'<mark title="Religion or belief">Pray</mark>', page.text)
    assert re.search(r'<mark title="Health">colleague Anna, she has cancer</mark>\.', page.text)
    assert 'name="decision" type="radio" value="remove"' in page.text


def test_deciding_ledgers_the_staff_member_and_purges_the_text(
    client: TestClient, desk: ModerationDesk, application: Application
) -> None:
    queue_id = _held(desk)
    answer = _decide(client, queue_id, decision="remove", reason="a colleague's health")
    assert answer.status_code == 303  # type: ignore[attr-defined]
    assert answer.headers["location"] == "/console/moderation?done=remove"  # type: ignore[attr-defined]
    assert "was removed" in client.get("/console/moderation?done=remove").text
    page = client.get(f"/console/moderation/{queue_id}")
    assert "cancer" not in page.text and "no longer kept" in page.text
    assert "staff:alice" in page.text and "a colleague&#39;s health" in page.text
    [entry] = [e for e in application.ledger().entries()[-1:]]
    assert (entry.action, entry.actor, entry.request) == (
        "moderation_removed",
        "staff:alice",
        f"moderation:{queue_id}",
    )


@pytest.mark.parametrize(
    ("form", "status", "says"),
    [
        ({"decision": "remove", "reason": ""}, 422, "needs a reason"),
        ({"decision": "remove", "reason": "   "}, 422, "needs a reason"),
        ({"decision": "approve", "reason": "ok"}, 422, "allow or remove"),
        ({"reason": "ok"}, 422, "allow or remove"),
        ({"decision": "allow", "reason": "x" * 1001}, 422, "needs a reason"),
    ],
)
def test_a_decision_without_a_reason_or_outcome_shows_the_page_again_and_keeps_the_post(
    client: TestClient, desk: ModerationDesk, form: dict[str, str], status: int, says: str
) -> None:
    queue_id = _held(desk)
    answer = _decide(client, queue_id, **form)
    assert answer.status_code == status  # type: ignore[attr-defined]
    assert says in answer.text and 'aria-invalid="true"' in answer.text  # type: ignore[attr-defined]
    assert desk.show(queue_id).post.status == "held"


def test_a_decision_with_a_wrong_csrf_token_is_refused(
    client: TestClient, desk: ModerationDesk
) -> None:
    queue_id = _held(desk)
    data = {"csrf": "forged", "decision": "allow", "reason": "ok"}
    answer = client.post(f"/console/moderation/{queue_id}/decide", data=data)
    assert answer.status_code == 403 and desk.show(queue_id).post.status == "held"


def test_another_decision_after_one_is_a_409_and_the_same_a_no_op(
    client: TestClient, desk: ModerationDesk
) -> None:
    queue_id = _held(desk)
    assert _decide(client, queue_id, decision="allow", reason="ok").status_code == 303  # type: ignore[attr-defined]
    page = client.get("/console/moderation")
    token = csrf_of(page.text)
    path = f"/console/moderation/{queue_id}/decide"
    again = client.post(path, data={"csrf": token, "decision": "allow", "reason": "ok"})
    other = client.post(path, data={"csrf": token, "decision": "remove", "reason": "no"})
    assert again.status_code == 303 and other.status_code == 409
    assert "a decision is final" in other.text


@pytest.mark.parametrize(
    "identifier", ["00000000-0000-4000-8000-000000000000", "nope", "..%2F..%2Fetc", "a/b/c"]
)
def test_an_unknown_post_is_the_404_page(client: TestClient, identifier: str) -> None:
    page = client.get(f"/console/moderation/{identifier}")
    assert page.status_code == 404 and "no such post" in page.text


def test_the_queue_is_paged_oldest_first(client: TestClient, desk: ModerationDesk) -> None:
    while desk.queue(1).total <= PAGE:
        _held(desk, f"my colleague {desk.queue(1).total} is ill.")
    first = client.get("/console/moderation")
    second = client.get("/console/moderation?page=2")
    assert 'rel="next"' in first.text and 'rel="prev"' in second.text
    oldest = desk.queue(1).posts[0].id
    assert oldest in first.text and oldest not in second.text
    for hostile in ("abc", "0", "-1", "9" * 30):
        page = client.get(f"/console/moderation?page={hostile}")
        assert page.status_code == 200 and oldest in page.text


def test_without_moderation_decide_the_pages_are_refused(
    client: TestClient, desk: ModerationDesk
) -> None:
    queue_id = _held(desk)
    with TestClient(client.app, follow_redirects=False) as anonymous:
        assert anonymous.get("/console/moderation").status_code == 303
        assert login(anonymous, "bob").status_code == 303
        for path in ("/console/moderation", f"/console/moderation/{queue_id}"):
            refused = anonymous.get(path)
            assert refused.status_code == 403 and "cancer" not in refused.text
        form = {"csrf": "x", "decision": "allow", "reason": "ok"}
        refused = anonymous.post(f"/console/moderation/{queue_id}/decide", data=form)
        assert refused.status_code == 403 and desk.show(queue_id).post.status == "held"


@pytest.mark.parametrize(
    ("spans", "parts"),
    [
        ((), [Part("abcdef")]),
        (((1, 3, "health"),), [Part("a"), Part("bc", "health"), Part("def")]),
        (
            ((0, 3, "health"), (2, 5, "religion")),
            [Part("abcde", "health religion"), Part("f")],
        ),
        (
            ((4, 99, "health"), (-5, 1, "religion")),
            [Part("a", "religion"), Part("bcd"), Part("ef", "health")],
        ),
        (((3, 3, "health"), (5, 2, "health")), [Part("abcdef")]),
    ],
)
def test_marked_cuts_the_text_into_runs_merging_overlaps_and_clipping_to_the_text(
    spans: tuple[tuple[int, int, str], ...], parts: list[Part]
) -> None:
    post = HeldPost("i", "p", None, "en", (), spans, "h:0")  # type: ignore[arg-type]
    assert marked(ShownPost(post, "abcdef")) == parts
    assert marked(ShownPost(post, None)) == []


def test_the_paths_are_documented() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "web.md").read_text()
    assert "/console/moderation" in docs
