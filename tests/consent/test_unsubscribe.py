"""One-click unsubscribe: signed links, the RFC 8058 POST, the page and idempotence (MK-2)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tutela.api.app import create_app
from tutela.bootstrap import Application, build
from tutela.consent.point import DecisionPoint
from tutela.consent.records import Kind, Method
from tutela.consent.service import ConsentService, Context
from tutela.consent.unsubscribe import (
    ACTOR,
    LinkExpired,
    LinkTampered,
    NothingToUnsubscribe,
    Unsubscribing,
)
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.store.consent import SqlChoiceStore
from tutela.store.ledger import open_ledger

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cloudockit"
PUBLIC = "https://privacy.example.test"
HASH_KEY = "unsubscribe-test-hash-key"
ANN = {"email": "Ann.Smith@Example.test"}
CONTACT = "privacy@cloudockit.com"
ONE_CLICK = {"content-type": "application/x-www-form-urlencoded"}
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@dataclass
class MovingClock:
    """A clock the test moves."""

    now_at: datetime = T0

    def now(self) -> datetime:
        """The time the test set."""
        return self.now_at


def _application(url: str) -> Application:
    open_ledger(url).close()
    environ = {"TUTELA_DATABASE_URL": url, "TUTELA_HASH_KEY": HASH_KEY, "TUTELA_PUBLIC_URL": PUBLIC}
    application = build(environ)
    application.clock = MovingClock()
    return application


@pytest.fixture
def application(tmp_path: Path) -> Application:
    return _application(f"sqlite:///{tmp_path / 'store.sqlite'}")


@pytest.fixture
def programme() -> Programme:
    return load_programme(EXAMPLE)


@pytest.fixture
def links(application: Application, programme: Programme) -> Unsubscribing:
    return application.unsubscribing(programme)


@pytest.fixture
def client(application: Application, programme: Programme) -> Iterator[TestClient]:
    with TestClient(create_app(application, programme), raise_server_exceptions=False) as c:
        yield c


def _token(link: str) -> str:
    assert link.startswith(f"{PUBLIC}/u/")
    return link.removeprefix(f"{PUBLIC}/u/")


def _decide(application: Application, programme: Programme, purpose: str) -> tuple[str, ...]:
    store = SqlChoiceStore(application.ledger().engine)
    point = DecisionPoint(store, programme, application.clock, 0, hash_key=HASH_KEY.encode())
    return point.decide(ANN, purpose).reasons


def test_mk_2_a_link_names_the_keyed_reference_and_purpose_never_the_identity(
    links: Unsubscribing,
) -> None:
    link = links.unsubscribe_link(ANN, "direct_marketing")
    assert "ann" not in link.lower() and "example" not in link.removeprefix(PUBLIC)
    ticket = links.read(_token(link))
    assert ticket.subject == links.consent.subject(ANN)
    assert ticket.purpose == "direct_marketing"
    assert ticket.subject[2:] in link


def test_mk_2_headers_offer_the_link_a_mailto_and_the_one_click_post(
    links: Unsubscribing, programme: Programme
) -> None:
    headers = links.list_unsubscribe_headers(ANN, "direct_marketing")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https, mailto = headers["List-Unsubscribe"].split(", ")
    assert https.startswith(f"<{PUBLIC}/u/") and https.endswith(">")
    assert mailto == f"<mailto:{CONTACT}?subject=unsubscribe>"
    links.read(https[1:-1].removeprefix(f"{PUBLIC}/u/"))  # the header's link works

    message = EmailMessage()
    message["List-Unsubscribe"] = "<https://old.example.test/stale>"
    links.add_unsubscribe_headers(message, ANN, "direct_marketing_customers")
    assert len(message.get_all("List-Unsubscribe") or []) == 1
    assert message["List-Unsubscribe"].startswith(f"<{PUBLIC}/u/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    anonymous = programme.model_copy(update={"organisation": None})
    consent = ConsentService(links.consent.store, anonymous, HASH_KEY.encode(), MovingClock())
    bare = Unsubscribing(consent, links.key, PUBLIC).list_unsubscribe_headers(
        ANN, "direct_marketing"
    )
    assert bare["List-Unsubscribe"].count("<") == 1 and "mailto" not in bare["List-Unsubscribe"]


def test_mk_2_no_link_for_a_purpose_with_nothing_to_unsubscribe_from(
    links: Unsubscribing,
) -> None:
    with pytest.raises(NothingToUnsubscribe, match="customer_support rests on contract"):
        links.unsubscribe_link(ANN, "customer_support")
    with pytest.raises(Exception, match="not in the programme"):
        links.unsubscribe_link(ANN, "no_such_purpose")


def test_mk_2_an_altered_link_is_refused_naming_where_to_unsubscribe(
    links: Unsubscribing,
) -> None:
    token = _token(links.unsubscribe_link(ANN, "direct_marketing"))
    subject, purpose, signed, sealed = token.split("~")
    other = _token(links.unsubscribe_link({"email": "bob@example.test"}, "direct_marketing"))
    forged = [
        f"{subject}~{purpose}~{signed[:-2]}{'AA' if signed[-2:] != 'AA' else 'BB'}~{sealed}",
        f"{subject}~{purpose}~{signed}~{sealed[:-3]}AAA",  # the sealed identity altered
        f"{subject}~{purpose}~{signed}~{other.split('~')[3]}",  # another subject's identity
        f"{subject}~direct_marketing_customers~{signed}",  # another purpose
        f"{other.split('~')[0]}~{purpose}~{signed}",  # another subject
        f"{subject}~{purpose}~{signed.replace('.', '.9', 2)}",  # a later expiry
        token[:-10],
        "",
        "x" * 500,
        f"{subject.upper()}~{purpose}~{signed}",
        f"{subject}~{purpose}",
    ]
    for text in forged:
        with pytest.raises(LinkTampered) as refused:
            links.read(text)
        assert CONTACT in str(refused.value)
    with pytest.raises(LinkTampered):
        links.read(None)


def test_mk_2_an_expired_link_is_refused_saying_so_and_where_to_go(
    links: Unsubscribing,
) -> None:
    clock = links.consent.clock
    assert isinstance(clock, MovingClock)
    token = _token(links.unsubscribe_link(ANN, "direct_marketing"))
    clock.now_at = T0 + timedelta(days=179)
    assert links.read(token).purpose == "direct_marketing"
    clock.now_at = T0 + timedelta(days=180)
    with pytest.raises(LinkExpired) as refused:
        links.unsubscribe(token)
    assert "expired" in str(refused.value) and CONTACT in str(refused.value)
    assert links.consent.store.events() == []
    links.lifetime = timedelta(days=1)  # the lifetime is configurable
    short = _token(links.unsubscribe_link(ANN, "direct_marketing"))
    clock.now_at += timedelta(days=1)
    with pytest.raises(LinkExpired):
        links.read(short)


@pytest.mark.parametrize(
    ("purpose", "kind", "reason"),
    [
        ("direct_marketing", Kind.CONSENT_WITHDRAWN, "consent:withdrawn"),
        ("direct_marketing_customers", Kind.OBJECTION, "objection:direct_marketing"),
    ],
)
def test_co_3_ob_2_a_click_records_once_on_every_backend(
    database_url: str, purpose: str, kind: Kind, reason: str
) -> None:
    application = _application(database_url)
    programme = load_programme(EXAMPLE)
    links = application.unsubscribing(programme)
    if kind is Kind.CONSENT_WITHDRAWN:
        links.consent.give(ANN, purpose, Context(Method.CHECKBOX), actor="system")
    token = _token(links.unsubscribe_link(ANN, purpose))
    done = links.unsubscribe(token)
    assert done.event is not None and not done.already
    assert (done.event.kind, done.event.method) == (kind, Method.UNSUBSCRIBE)
    assert done.event.subject == links.consent.subject(ANN)
    assert done.event.evidence == f"unsubscribe link {links.read(token).link_id}"
    assert reason in _decide(application, programme, purpose)
    entries = application.ledger().entries()
    assert (entries[-1].actor, entries[-1].action) == (ACTOR, kind.value)

    again = links.unsubscribe(token)
    assert again.already and again.event is None
    assert "already unsubscribed" in again.message() and "nothing new" in again.message()
    assert len(application.ledger().entries()) == len(entries)
    assert [e.kind for e in links.consent.history(ANN)][-1] is kind
    application.ledger().close()


def test_co_3_consent_given_again_after_unsubscribing_makes_the_next_click_count(
    links: Unsubscribing,
) -> None:
    token = _token(links.unsubscribe_link(ANN, "direct_marketing"))
    links.consent.give(ANN, "direct_marketing", Context(Method.CHECKBOX), actor="system")
    assert not links.unsubscribe(token).already
    links.consent.give(ANN, "direct_marketing", Context(Method.CHECKBOX), actor="system")
    assert not links.unsubscribe(token).already
    kinds = [e.kind for e in links.consent.history(ANN)]
    assert kinds == [Kind.CONSENT_GIVEN, Kind.CONSENT_WITHDRAWN] * 2


def test_mk_2_get_shows_one_button_and_changes_nothing(
    client: TestClient, links: Unsubscribing
) -> None:
    token = _token(links.unsubscribe_link(ANN, "direct_marketing"))
    for _ in range(3):  # a mail scanner following the link, then the subject
        page = client.get(f"/u/{token}")
        assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="en">' in page.text
    assert page.text.count("<button") == 1 and '<form method="post"' in page.text
    assert "Direct marketing with your consent" in page.text
    assert "<script" not in page.text and "http" not in page.text.split("<body>")[1]
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert links.consent.store.events() == []


def test_mk_2_the_page_escapes_what_the_programme_says(
    application: Application, programme: Programme, links: Unsubscribing
) -> None:
    hostile = '<script>alert("x")</script> & news'
    purposes = [
        p.model_copy(update={"name": hostile}) if p.key == "direct_marketing" else p
        for p in programme.purposes
    ]
    changed = programme.model_copy(update={"purposes": purposes})
    token = _token(links.unsubscribe_link(ANN, "direct_marketing"))
    with TestClient(create_app(application, changed)) as client:
        page = client.get(f"/u/{token}")
    assert page.status_code == 200
    assert "<script>" not in page.text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; news" in page.text


def test_co_3_the_rfc_8058_post_withdraws_consent_and_a_second_says_nothing_new(
    client: TestClient, links: Unsubscribing, application: Application, programme: Programme
) -> None:
    links.consent.give(ANN, "direct_marketing", Context(Method.CHECKBOX), actor="system")
    token = _token(links.unsubscribe_link(ANN, "direct_marketing"))
    first = client.post(f"/u/{token}", content="List-Unsubscribe=One-Click", headers=ONE_CLICK)
    assert first.status_code == 200, first.text
    assert first.headers["content-type"].startswith("text/plain")
    assert "withdrew your consent" in first.text
    assert _decide(application, programme, "direct_marketing") == ("consent:withdrawn",)
    second = client.post(f"/u/{token}", content="List-Unsubscribe=One-Click", headers=ONE_CLICK)
    assert second.status_code == 200 and "nothing new was recorded" in second.text
    kinds = [e.kind for e in links.consent.history(ANN)]
    assert kinds == [Kind.CONSENT_GIVEN, Kind.CONSENT_WITHDRAWN]


def test_ob_2_the_page_button_objects_to_soft_opt_in_marketing_and_answers_html(
    client: TestClient, links: Unsubscribing, application: Application, programme: Programme
) -> None:
    token = _token(links.unsubscribe_link(ANN, "direct_marketing_customers"))
    headers = {**ONE_CLICK, "accept": "text/html,application/xhtml+xml"}
    answer = client.post(f"/u/{token}", content="List-Unsubscribe=One-Click", headers=headers)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert '<html lang="en">' in answer.text and "objection" in answer.text
    reasons = _decide(application, programme, "direct_marketing_customers")
    assert reasons == ("objection:direct_marketing",)


def test_mk_2_refusals_are_problem_documents(
    client: TestClient, links: Unsubscribing, application: Application
) -> None:
    token = _token(links.unsubscribe_link(ANN, "direct_marketing"))
    altered = token[:-3] + ("xyz" if not token.endswith("xyz") else "abc")
    clock = application.clock
    assert isinstance(clock, MovingClock)
    for method in ("get", "post"):
        answer = client.request(method, f"/u/{altered}")
        assert answer.status_code == 400
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert CONTACT in answer.json()["detail"]
    clock.now_at += timedelta(days=181)
    for method in ("get", "post"):
        answer = client.request(method, f"/u/{token}")
        assert answer.status_code == 410
        assert answer.json()["title"] == "Link expired"
        assert "expired" in answer.json()["detail"] and CONTACT in answer.json()["detail"]
    assert links.consent.store.events() == []


def test_mk_2_a_purpose_gone_from_the_programme_is_404(
    application: Application, programme: Programme, links: Unsubscribing
) -> None:
    token = _token(links.unsubscribe_link(ANN, "direct_marketing"))
    kept = [p for p in programme.purposes if p.key != "direct_marketing"]
    with TestClient(create_app(application, programme.model_copy(update={"purposes": kept}))) as c:
        answer = c.post(f"/u/{token}")
    assert answer.status_code == 404 and CONTACT in answer.json()["detail"]


def test_mk_2_a_large_body_is_refused_unread(client: TestClient, links: Unsubscribing) -> None:
    token = _token(links.unsubscribe_link(ANN, "direct_marketing"))
    answer = client.post(f"/u/{token}", content=b"x" * 5000, headers=ONE_CLICK)
    assert answer.status_code == 413
    assert links.consent.store.events() == []


def test_co_3_systems_told_of_a_click_get_the_identity_sealed_in_the_link(
    application: Application, programme: Programme
) -> None:
    from tutela.programme.systems import ConsentWebhook
    from tutela.requests.sealing import Use, unseal
    from tutela.store.propagation import SqlPropagationStore

    hook = ConsentWebhook(
        url="https://hooks.example.test/marketing",
        secret_env="HOOK_SECRET",
        purposes=["direct_marketing"],
    )
    first, *others = programme.systems
    told = programme.model_copy(
        update={"systems": [first.model_copy(update={"consent_webhook": hook}), *others]}
    )
    links = application.unsubscribing(told)
    done = links.unsubscribe(_token(links.unsubscribe_link(ANN, "direct_marketing")))
    assert done.event is not None
    store = SqlPropagationStore(application.ledger().engine)
    (delivery,) = store.deliveries()
    key = application.store_key(told)
    assert key is not None
    sealed = store.message(delivery.id)
    assert sealed is not None
    message = unseal(key, Use.PROPAGATION, delivery.id, sealed).decode()
    assert ANN["email"].lower() in message and "subject_ref" not in message
    token = _token(links.unsubscribe_link(ANN, "direct_marketing"))
    assert "ann.smith" not in token.lower()  # sealed, never in clear
