"""The console's request page, its actions, the weighing form and the complaints list.

Over ASGI on a real SQLite store and shop, mail to a real SMTP server on loopback; staff
log in as ``alice`` (privacy officer) or ``carol`` (auditor).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.web.conftest import PASSWORD, csrf_of, login

from tutela.bootstrap import Application
from tutela.programme.models import Programme
from tutela.requests.details import details_of
from tutela.requests.records import RequestRecord
from tutela.store.console import login_service
from tutela.store.ledger import NewEntry, SqlLedger
from tutela.testing.smtp import Inbox
from tutela.web.console_request_view import masked

ANN = "ann@example.com"


def _submit(
    application: Application,
    programme: Programme,
    kind: str = "access",
    *,
    details: dict[str, str] | None = None,
    received_at: datetime | None = None,
    verify: bool = True,
) -> RequestRecord:
    """A request of ``kind`` from Ann, verified by staff when ``verify`` (ID-4)."""
    service = application.request_service(programme)
    record = service.submit(
        kind, {"email": ANN}, received_at, residence="BE", details=details, actor="system"
    )
    if verify:
        record = application.verification().accept(record.id, "passport seen", actor="staff:bob")
    return record


def _state(application: Application, identifier: str) -> RequestRecord:
    return application.request_service().show(identifier)


def _entries(application: Application, identifier: str) -> list[tuple[str, str]]:
    """(actor, action) of every ledger entry of the request, in order."""
    entries = application.ledger().entries()
    return [(e.actor, e.action) for e in entries if e.request == identifier]


def _page(client: TestClient, identifier: str) -> str:
    response = client.get(f"/console/requests/{identifier}")
    assert response.status_code == 200
    return response.text


def _post(client: TestClient, identifier: str, action: str, **fields: str) -> tuple[int, str, str]:
    """POST ``action``'s form with the session's token; (status, location, body)."""
    token = csrf_of(_page(client, identifier))
    response = client.post(
        f"/console/requests/{identifier}/{action}", data={"csrf": token, **fields}
    )
    return response.status_code, response.headers.get("location", ""), response.text


def _state_words(text: str) -> str:
    found = re.search(r'id="request-state">([^<]*)<', text)
    assert found is not None
    return found.group(1).strip()


@pytest.fixture
def alice(client: TestClient) -> TestClient:
    assert login(client).status_code == 303
    return client


@pytest.fixture
def carol(app: FastAPI, application: Application, client: TestClient) -> TestClient:
    """The client logged in as the auditor ``carol`` (reads, never decides)."""
    login_service(application.ledger(), application.clock).add("carol", "auditor", PASSWORD)
    assert login(client, "carol").status_code == 303
    return client


# --- the page -------------------------------------------------------------------------


def test_page_shows_the_request_the_masked_identity_and_the_plan(
    alice: TestClient, application: Application, programme: Programme
) -> None:
    record = _submit(application, programme, "erasure")
    text = _page(alice, record.id)
    assert text.count("<h1") == 1
    assert _state_words(text) == "Identity verified"
    assert "a***@example.com" in text and ANN not in text
    assert record.due_date.isoformat() in text and "Art. 17" in text
    assert "BE" in text and "Verified." in text
    for address in ("shop_db.customer", "shop_db.login_event", "shop_db.payment_card"):
        assert address in text
    assert "rows deleted" in text and "masked (hash)" in text
    assert 'href="/static/console-request.css"' in text
    assert "Approve</button>" in text and "Deny</button>" in text
    assert "Extend</button>" in text and "Ask a fee</button>" in text


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("email", "jane@example.com", "j***@example.com"),
        ("customer_id", "C-1042", "C***"),
        ("customer_id", "42", "***"),
        ("login", "x@corp.example", "x***@corp.example"),
    ],
)
def test_identity_values_are_masked_to_what_staff_need(name: str, value: str, shown: str) -> None:
    assert masked(name, value) == shown


def test_timeline_shows_each_entry_and_its_proof_before_and_after_a_checkpoint(
    alice: TestClient, app: FastAPI, application: Application, programme: Programme
) -> None:
    record = _submit(application, programme)
    text = _page(alice, record.id)
    timeline = text[text.index('id="timeline"') :]
    assert "Request received" in timeline and "Identity verified" in timeline
    assert "staff:bob" in timeline and ANN not in timeline
    assert timeline.count("Not yet in a signed checkpoint") == 3
    signed = app.state.services.ledger.checkpoint(application.ledger_key())
    text = _page(alice, record.id)
    assert text.count(f"Proved in checkpoint {signed.size}") == 3
    status, _location, _body = _post(alice, record.id, "approve")
    assert status == 303
    text = _page(alice, record.id)
    assert text.count(f"Proved in checkpoint {signed.size}") == 3
    assert text.count("Not yet in a signed checkpoint") == 1


def test_a_ledger_changed_after_its_checkpoint_fails_the_proofs(
    alice: TestClient, app: FastAPI, application: Application, programme: Programme
) -> None:
    record = _submit(application, programme)
    app.state.services.ledger.checkpoint(application.ledger_key())
    with application.ledger().engine.begin() as connection:
        row = connection.execute(
            sa.text("select seq, entry from tutela_ledger_entry where entry like :id"),
            {"id": f"%{record.id}%"},
        ).first()
        assert row is not None
        forged = row.entry.replace('"actor":"system"', '"actor":"staff:eve"')
        connection.execute(
            sa.text("update tutela_ledger_entry set entry = :entry where seq = :seq"),
            {"entry": forged, "seq": row.seq},
        )
    text = _page(alice, record.id)
    assert "Proof failed" in text and "Proved in checkpoint" not in text


def _timeline_rows(text: str) -> list[tuple[int, str]]:
    """(sequence number, proof status) of each row of the page's timeline."""
    table = text[text.index('id="timeline"') : text.index("</table>", text.index('id="timeline"'))]
    found = re.findall(r'<tr>\s*<td>(\d+)</td>.*?class="proof proof-(\w+)"', table, re.DOTALL)
    return [(int(seq), proof) for seq, proof in found]


def test_the_timeline_of_one_request_among_many_is_read_through_the_request_index(
    alice: TestClient,
    app: FastAPI,
    application: Application,
    programme: Programme,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ledger = application.ledger()
    others = [
        NewEntry(datetime.now(UTC), "system", "submitted", f"req-{i % 150}", None, "ab" * 32)
        for i in range(900)
    ]
    ledger.append_now(others[:600])
    record = _submit(application, programme)
    ledger.append_now(others[600:])
    app.state.services.ledger.checkpoint(application.ledger_key())
    everything = ledger.entries()
    mine = [e.seq for e in everything if e.request == record.id]
    assert len(mine) == 3 and mine[0] >= 600
    monkeypatch.setattr(SqlLedger, "rows", lambda self: pytest.fail("the whole ledger was read"))
    text = _page(alice, record.id)
    assert _timeline_rows(text) == [(seq, "proved") for seq in mine]
    assert text.count(f"Proved in checkpoint {len(everything)}") == 3


def test_queue_links_each_request_to_its_page(
    alice: TestClient, application: Application, programme: Programme
) -> None:
    record = _submit(application, programme)
    queue = alice.get("/console/").text
    assert f'href="/console/requests/{record.id}?lang=en"' in queue


# --- the actions ----------------------------------------------------------------------


def test_approve_moves_the_request_in_progress_as_the_staff_member(
    alice: TestClient, application: Application, programme: Programme
) -> None:
    record = _submit(application, programme)
    status, location, _body = _post(alice, record.id, "approve")
    assert status == 303 and location == f"/console/requests/{record.id}?done=approve"
    assert _state(application, record.id).state == "in_progress"
    assert _entries(application, record.id)[-1] == ("staff:alice", "in_progress")
    text = _page(alice, record.id + "?done=approve")
    assert "approved and now in progress" in text
    assert _state_words(text) == "In progress"
    assert "Approve</button>" not in text


def test_DL_7_deny_records_the_reason_and_keeps_the_letter(
    alice: TestClient, application: Application, programme: Programme
) -> None:
    record = _submit(application, programme)
    reason = "We hold no data about this account."
    status, location, _body = _post(alice, record.id, "deny", reason=reason)
    assert status == 303 and location.endswith("?done=deny")
    denied = _state(application, record.id)
    assert denied.state == "denied" and denied.reason == reason
    assert ("staff:alice", "denied") in _entries(application, record.id)
    text = _page(alice, record.id)
    assert _state_words(text) == "Denied" and "Nothing to decide" in text
    assert "no longer holds this subject's identity" in text and ANN not in text


def test_FEE_2_refusing_as_excessive_needs_a_ground_the_services_accept(
    alice: TestClient, application: Application, programme: Programme
) -> None:
    record = _submit(application, programme)
    status, _location, text = _post(
        alice, record.id, "deny", reason="Asked every day.", excessive="yes"
    )
    assert status == 422
    assert "no lawful ground to refuse" in text and "The request was not changed" in text
    assert _state(application, record.id).state == "verified"
    status, _location, _text = _post(
        alice, record.id, "deny", reason="Asks to delete the moon.", unfounded="yes"
    )
    assert status == 303
    assert _state(application, record.id).reason.startswith("Art. 12(5)(b)")  # type: ignore[union-attr]


def test_DL_5_extend_once_tells_the_subject_and_a_second_is_refused(
    alice: TestClient,
    application: Application,
    programme: Programme,
    inbox: tuple[Inbox, int],
) -> None:
    record = _submit(application, programme)
    status, location, _body = _post(alice, record.id, "extend", reason="Many systems to search.")
    assert status == 303 and location.endswith("?done=extend")
    extended = _state(application, record.id)
    assert extended.extended and extended.due_date > record.due_date
    assert ("staff:alice", "extended") in _entries(application, record.id)
    assert inbox[0].to(ANN), "the subject is told of the extension (DL-5)"
    assert "Extend</button>" not in _page(alice, record.id)
    before = _entries(application, record.id)
    status, _location, text = _post(alice, record.id, "extend", reason="Again.")
    assert status == 422 and "extended already" in text
    assert _entries(application, record.id) == before


def test_FEE_1_a_fee_needs_a_ground_then_waits_for_its_payment(
    alice: TestClient, application: Application, programme: Programme
) -> None:
    record = _submit(application, programme)
    fields = {"amount": "12.50", "currency": "eur", "basis": "Copying and postage."}
    status, _location, text = _post(alice, record.id, "fee", **fields)
    assert status == 422 and "no lawful ground for a fee" in text
    assert "fee" not in details_of(_state(application, record.id).details)
    status, location, _body = _post(alice, record.id, "fee", unfounded="yes", **fields)
    assert status == 303 and location.endswith("?done=fee")
    fee = details_of(_state(application, record.id).details)["fee"]
    assert fee["amount"] == "12.50" and fee["currency"] == "EUR" and not fee["paid"]
    assert ("staff:alice", "fee_asked") in _entries(application, record.id)
    text = _page(alice, record.id)
    assert "asked, not paid yet" in text and "Approve</button>" not in text
    assert "Record the payment</button>" in text
    status, location, _body = _post(alice, record.id, "fee-paid")
    assert status == 303 and location.endswith("?done=fee_paid")
    assert details_of(_state(application, record.id).details)["fee"]["paid"] is True
    assert ("staff:alice", "fee_paid") in _entries(application, record.id)
    assert "Approve</button>" in _page(alice, record.id)


def test_an_action_the_state_forbids_is_refused_with_the_reason(
    alice: TestClient, application: Application, programme: Programme
) -> None:
    record = _submit(application, programme, verify=False)
    status, _location, text = _post(alice, record.id, "approve")
    assert status == 409
    assert "cannot go from received to in_progress" in text
    assert "The request was not changed" in text and 'role="alert"' in text
    assert _state(application, record.id).state == "received"
    _post(alice, record.id, "deny", reason="Not our customer.")
    status, _location, text = _post(alice, record.id, "fee-paid")
    assert status == 422 and "nothing more to decide" in text


# --- who may act, and CSRF --------------------------------------------------------------


def test_an_auditor_reads_the_page_but_cannot_act(
    carol: TestClient, application: Application, programme: Programme
) -> None:
    record = _submit(application, programme)
    text = _page(carol, record.id)
    assert "can read this request but not decide it" in text
    assert "Approve</button>" not in text and "Deny</button>" not in text
    before = _entries(application, record.id)
    for action in ("approve", "deny", "extend", "fee", "weigh"):
        response = carol.post(
            f"/console/requests/{record.id}/{action}",
            data={"csrf": csrf_of(text), "reason": "Because."},
        )
        assert response.status_code == 403
        assert "Your role does not allow this page" in response.text
    assert _state(application, record.id).state == "verified"
    assert _entries(application, record.id) == before


def test_a_missing_or_forged_csrf_token_is_refused(
    alice: TestClient, application: Application, programme: Programme
) -> None:
    record = _submit(application, programme)
    for data in ({}, {"csrf": "forged"}, {"csrf": "x" * 43}):
        response = alice.post(f"/console/requests/{record.id}/approve", data=data)
        assert response.status_code == 403 and "This form has expired" in response.text
    assert _state(application, record.id).state == "verified"


def test_without_a_session_the_page_and_actions_go_to_the_login(
    client: TestClient, application: Application, programme: Programme
) -> None:
    record = _submit(application, programme)
    for response in (
        client.get(f"/console/requests/{record.id}"),
        client.post(f"/console/requests/{record.id}/approve", data={"csrf": "x"}),
    ):
        assert response.status_code == 303
        assert response.headers["location"] == "/console/login"
    assert _state(application, record.id).state == "verified"


# --- hostile input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("identifier", "words"),
    [
        ("not-a-uuid", "does not hold a request id"),
        ("<script>alert(1)</script>", "does not hold a request id"),
        ("1' OR '1'='1", "does not hold a request id"),
        ("9" * 5000, "does not hold a request id"),
        ("3f2a9c1e-0b4d-4c7a-9e21-5d8f6a7b1c30", "No request has this id"),
    ],
)
def test_hostile_or_unknown_ids_get_a_clear_404(
    alice: TestClient, identifier: str, words: str
) -> None:
    response = alice.get(f"/console/requests/{identifier}")
    assert response.status_code == 404
    assert words in response.text and "<script>alert" not in response.text
    assert "Traceback" not in response.text
    if "/" in identifier:
        return
    token = csrf_of(alice.get("/console/").text)
    posted = alice.post(f"/console/requests/{identifier}/approve", data={"csrf": token})
    assert posted.status_code == 404 and "<script>alert" not in posted.text


@pytest.mark.parametrize(
    ("action", "fields", "status", "field"),
    [
        ("deny", {"reason": ""}, 422, "deny-reason"),
        ("deny", {"reason": "a\x00b"}, 422, "deny-reason"),
        ("deny", {"reason": "x" * 1001}, 422, "deny-reason"),
        ("extend", {"reason": "   "}, 422, "extend-reason"),
        ("fee", {"amount": "1e999", "currency": "EUR", "basis": "b"}, 422, "fee-amount"),
        ("fee", {"amount": "NaN", "currency": "EUR", "basis": "b"}, 422, "fee-amount"),
        ("fee", {"amount": "-5", "currency": "EUR", "basis": "b"}, 422, "fee-amount"),
        ("fee", {"amount": "5", "currency": "E1<", "basis": "b"}, 422, "fee-currency"),
        ("fee", {"amount": "5", "currency": "EUR", "basis": ""}, 422, "fee-basis"),
    ],
)
def test_hostile_fields_are_refused_naming_the_field_and_change_nothing(
    alice: TestClient,
    application: Application,
    programme: Programme,
    action: str,
    fields: dict[str, str],
    status: int,
    field: str,
) -> None:
    record = _submit(application, programme)
    before = _entries(application, record.id)
    code, _location, text = _post(alice, record.id, action, **fields)
    assert code == status
    assert f'href="#{field}"' in text
    assert f'aria-describedby="{field}-hint {field}-error"' in text
    assert 'aria-invalid="true"' in text
    assert re.findall(r"<script(?![^>]*\bsrc=)", text) == []  # no inline script
    assert _entries(application, record.id) == before
    assert _state(application, record.id) == record


def test_a_100_kb_reason_is_refused_unread(
    alice: TestClient, application: Application, programme: Programme
) -> None:
    record = _submit(application, programme)
    status, _location, text = _post(alice, record.id, "deny", reason="x" * 100_000)
    assert status == 413 and "This form is too large" in text
    assert _state(application, record.id).state == "verified"


def test_markup_and_sql_in_a_reason_are_stored_as_text_and_shown_escaped(
    alice: TestClient, application: Application, programme: Programme
) -> None:
    record = _submit(application, programme)
    reason = "<script>alert(1)</script> '); DROP TABLE tutela_request;--"
    status, _location, _body = _post(alice, record.id, "deny", reason=reason)
    assert status == 303
    assert _state(application, record.id).reason == reason
    text = _page(alice, record.id)
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_what_was_typed_comes_back_escaped_after_a_refusal(
    alice: TestClient, application: Application, programme: Programme
) -> None:
    record = _submit(application, programme)
    fields = {"amount": "12", "currency": "EU", "basis": '"><script>alert(1)</script>'}
    status, _location, text = _post(alice, record.id, "fee", **fields)
    assert status == 422
    assert "<script>alert(1)</script>" not in text
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in text


# --- the weighing of an objection (OB-1) ------------------------------------------------


def _objection(application: Application, programme: Programme) -> RequestRecord:
    record = _submit(application, programme, "objection", details={"purpose": "security"})
    assert record.state == "awaiting_approval"
    return record


def test_OB_1_the_weighing_form_shows_the_purpose_and_its_assessment(
    alice: TestClient, application: Application, programme: Programme
) -> None:
    record = _objection(application, programme)
    text = _page(alice, record.id)
    assert "Weigh the objection" in text and "Protect accounts" in text
    assert "Keep customer accounts safe from takeover." in text
    assert "The subject's grounds" in text and "write no personal data" in text
    assert "Uphold the objection (stop the processing)" in text
    assert "Compelling legitimate grounds override" in text
    assert "Approve</button>" not in text and "Deny</button>" not in text
    assert "not run on the systems" in text  # an objection is recorded, not run


def test_OB_1_upholding_the_objection_approves_it(
    alice: TestClient, application: Application, programme: Programme
) -> None:
    record = _objection(application, programme)
    status, location, _body = _post(alice, record.id, "weigh", outcome="uphold")
    assert status == 303 and location.endswith("?done=uphold")
    assert _state(application, record.id).state == "in_progress"
    assert _entries(application, record.id)[-1] == ("staff:alice", "in_progress")
    assert "The objection is upheld" in _page(alice, record.id + "?done=uphold")


def test_OB_1_compelling_grounds_deny_with_the_balancing_as_reason(
    alice: TestClient, application: Application, programme: Programme
) -> None:
    record = _objection(application, programme)
    status, _location, text = _post(alice, record.id, "weigh", outcome="override", interest="x")
    assert status == 422 and 'href="#weigh-balancing"' in text
    assert _state(application, record.id).state == "awaiting_approval"
    fields = {
        "interest": "Detect account takeover\r\nacross all accounts.",
        "balancing": "Login records are kept one year and used for security only.",
    }
    status, location, _body = _post(alice, record.id, "weigh", outcome="override", **fields)
    assert status == 303 and location.endswith("?done=override")
    denied = _state(application, record.id)
    assert denied.state == "denied"
    assert denied.reason is not None and "Compelling legitimate grounds" in denied.reason
    assert "Detect account takeover across all accounts." in denied.reason
    assert "used for security only" in denied.reason
    assert ("staff:alice", "denied") in _entries(application, record.id)


def test_OB_1_the_weighing_is_refused_for_another_request_or_outcome(
    alice: TestClient, application: Application, programme: Programme
) -> None:
    access = _submit(application, programme)
    status, _location, text = _post(alice, access.id, "weigh", outcome="uphold")
    assert status == 409 and "the weighing is for an objection" in text
    assert _state(application, access.id).state == "verified"
    record = _objection(application, programme)
    status, _location, text = _post(alice, record.id, "weigh", outcome="<b>maybe</b>")
    assert status == 422 and "Choose one of the two outcomes" in text
    assert "<b>maybe</b>" not in text
    assert _state(application, record.id).state == "awaiting_approval"


# --- the complaints ---------------------------------------------------------------------


def test_CP_1_complaints_are_listed_earliest_due_first_with_their_state(
    alice: TestClient, application: Application, programme: Programme
) -> None:
    service = application.request_service(programme)
    late = service.submit(
        "complaint", {"email": ANN}, datetime.now(UTC) - timedelta(days=20), residence="BE"
    )
    fresh = service.submit("complaint", {"email": "bob@example.com"}, residence="BE")
    _submit(application, programme)  # an access request: not a complaint
    response = alice.get("/console/complaints")
    assert response.status_code == 200
    text = response.text
    assert text.count("<h1") == 1 and 'aria-current="page"' in text
    assert text.index(late.id[:8]) < text.index(fresh.id[:8])
    assert f'href="/console/requests/{late.id}?lang=en"' in text
    assert "Received" in text and late.due_date.isoformat() in text
    assert text.count("/console/requests/") == 2 and ANN not in text


def test_complaints_need_a_session(client: TestClient) -> None:
    response = client.get("/console/complaints")
    assert response.status_code == 303 and response.headers["location"] == "/console/login"


def test_CP_1_staff_read_the_complaints_words_escaped_on_its_page(
    alice: TestClient, application: Application, programme: Programme
) -> None:
    words = "You mailed me twice after I unsubscribed.\n<script>alert(1)</script>"
    service = application.request_service(programme)
    complaint = service.submit(
        "complaint",
        {"email": ANN},
        residence="BE",
        changes={"about": "marketing", "complaint": words},
    )
    text = _page(alice, complaint.id)
    shown = text[text.index('id="request-words"') :]
    assert "You mailed me twice after I unsubscribed." in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown and "<script>alert" not in text
    assert ANN not in text  # the identity stays masked
