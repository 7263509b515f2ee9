"""The hostile-mail corpus through `tutela mail ingest`: each message handled, none crashes.

Every file of tests/mail/corpus/ (plain requests in four languages, HTML only, attachments,
base64 and quoted-printable, unknown charsets, invalid UTF-8, header injection, spoofed
and missing senders, nested messages, automatic replies, bounces, malformed MIME) goes
through the same code path as the IMAP reader and the SMTP listener, with a real store
and a real SMTP server, and ends as the request or queue entry the table expects.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from tests.mail.conftest import CORPUS, MAIL_FROM, STORE_KEY, Inbox, run

from tutela.requests.sealing import StoreKey, Use, unseal

EXPECTED: dict[str, tuple[str | None, str | None]] = {
    "en_access.eml": ("access", None),
    "en_erasure.eml": ("erasure", None),
    "en_rectification.eml": ("rectification", None),
    "en_portability.eml": ("portability", None),
    "en_unsubscribe.eml": ("objection_direct_marketing", None),
    "fr_erasure_qp.eml": ("erasure", None),
    "fr_consent.eml": ("consent_withdrawal", None),
    "nl_access_base64.eml": ("access", None),
    "nl_complaint.eml": ("complaint", None),
    "de_erasure_latin1.eml": ("erasure", None),
    "de_marketing.eml": ("objection_direct_marketing", None),
    "html_only.eml": ("erasure", None),
    "multipart_attachment.eml": ("access", None),
    "unknown_charset.eml": ("objection_direct_marketing", None),
    "invalid_utf8.eml": ("erasure", None),
    "malformed_mime.eml": ("access", None),
    "no_message_id.eml": ("erasure", None),
    "en_ccpa_delete.eml": (None, "cannot become a request"),
    "en_ambiguous.eml": (None, "not recognised"),
    "en_question.eml": (None, "not recognised"),
    "nested_rfc822.eml": (None, "not recognised"),
    "header_injection.eml": (None, "sender"),
    "two_from.eml": (None, "sender"),
    "display_name_spoof.eml": (None, "sender"),
    "missing_from.eml": (None, "sender"),
    "no_body.eml": (None, "no text"),
    "out_of_office.eml": (None, "automatic reply"),
    "bounce.eml": (None, "automatic reply"),
}
"""File: (the request type it becomes, or None and the queue reason it gets)."""


def ingest(env: dict[str, str], path: Path, *more: str) -> dict[str, Any]:
    result = run(env, "mail", "ingest", str(path), "--format", "json", *more)
    document: dict[str, Any] = json.loads(result.output)
    return document


def test_the_table_covers_the_whole_corpus() -> None:
    assert sorted(EXPECTED) == sorted(p.name for p in CORPUS.glob("*.eml"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_DL_1_each_corpus_message_becomes_its_request_or_a_queue_entry(
    name: str, env: dict[str, str], inbox: tuple[Inbox, int]
) -> None:
    kind, reason = EXPECTED[name]
    found = ingest(env, CORPUS / name)
    assert found["request"] is (kind is not None)
    if kind is not None:
        assert found["type"] == kind and found["request_id"] and found["queue_id"] is None
        assert found["reason"] is None, found  # acknowledged
        assert inbox[0].messages, "an acknowledgement was sent"
        shown = run(env, "requests", "show", found["request_id"], "--format", "json")
        assert json.loads(shown.output)["type"] == kind
    else:
        assert found["queue_id"] and found["request_id"] is None
        assert reason in found["reason"], found
        assert inbox[0].messages == [], "nothing is sent for a queued message"
        listed = run(env, "mail", "queue", "--format", "json")
        assert [row["id"] for row in json.loads(listed.output)] == [found["queue_id"]]


def test_a_queued_message_is_kept_sealed_for_staff_and_its_attachment_only_noted(
    env: dict[str, str], tmp_path: Path
) -> None:
    spoof = (CORPUS / "display_name_spoof.eml").read_bytes()
    found = ingest(env, CORPUS / "display_name_spoof.eml")
    engine = sa.create_engine(env["TUTELA_DATABASE_URL"])
    with engine.connect() as connection:
        row = connection.execute(
            sa.text("SELECT sealed, size FROM tutela_mail WHERE id = :id"), {"id": found["mail_id"]}
        ).one()
        ledger = connection.execute(sa.text("SELECT entry FROM tutela_ledger_entry")).scalars()
        entries = list(ledger)
    engine.dispose()
    assert spoof not in bytes(row.sealed) and row.size == len(spoof)
    assert unseal(StoreKey.parse(STORE_KEY), Use.MAIL, found["mail_id"], bytes(row.sealed)) == spoof
    assert any('"action":"mail_queued"' in e and f"mail:{found['mail_id']}" in e for e in entries)
    assert not any("@" in entry for entry in entries)


def test_DL_1_reading_a_message_twice_gives_one_request(
    env: dict[str, str], inbox: tuple[Inbox, int]
) -> None:
    first = ingest(env, CORPUS / "en_erasure.eml")
    again = ingest(env, CORPUS / "en_erasure.eml")
    assert again["request_id"] == first["request_id"] and again["repeated"] is True
    listed = json.loads(run(env, "requests", "list", "--format", "json").output)
    assert [r["id"] for r in listed] == [first["request_id"]]
    queued = ingest(env, CORPUS / "en_question.eml")
    assert ingest(env, CORPUS / "en_question.eml")["queue_id"] == queued["queue_id"]
    assert len(json.loads(run(env, "mail", "queue", "--format", "json").output)) == 1
    acknowledgements = [m for m in inbox[0].messages if "REQ-" in str(m["Subject"])]
    assert len(acknowledgements) == 1


def test_DL_1_the_acknowledgement_carries_the_due_date_reference_and_code(
    env: dict[str, str], inbox: tuple[Inbox, int]
) -> None:
    found = ingest(env, CORPUS / "en_access.eml", "--received-at", "2025-03-05T10:00:00+01:00")
    shown = json.loads(run(env, "requests", "show", found["request_id"], "--format", "json").output)
    assert shown["due"] == date(2025, 4, 7).isoformat()  # DL-3: 5 Apr 2025 is a Saturday
    assert shown["state"] == "awaiting_identity"
    ack, code = inbox[0].messages
    assert ack["To"] == "ann@example.test" and ack["From"] == MAIL_FROM
    assert ack["Message-ID"] == f"<{found['request_id']}.tutela@shop.example.test>"
    assert ack["In-Reply-To"] == "<en-access-1@mail.example.test>"
    body = ack.get_content()
    assert "7 April 2025" in body and f"REQ-{found['request_id'][:8]}" in body
    assert "verification code follows" in body
    assert "verification code" in str(code["Subject"]).lower()


def test_DL_10_a_french_message_is_acknowledged_in_french(
    env: dict[str, str], inbox: tuple[Inbox, int]
) -> None:
    found = ingest(env, CORPUS / "fr_erasure_qp.eml")
    ack = inbox[0].messages[0]
    assert ack["Content-Language"] == "fr" and "Nous avons reçu" in ack.get_content()
    assert found["type"] == "erasure"


def test_OB_2_an_objection_to_marketing_needs_no_code(
    env: dict[str, str], inbox: tuple[Inbox, int]
) -> None:
    ingest(env, CORPUS / "en_unsubscribe.eml")
    (ack,) = inbox[0].messages
    assert "verification code" not in ack.get_content()


def test_a_reply_threads_to_its_request_and_is_not_a_new_request(
    env: dict[str, str], tmp_path: Path
) -> None:
    made = ingest(env, CORPUS / "en_erasure.eml")
    thread = f"<{made['request_id']}.tutela@shop.example.test>"
    reply = tmp_path / "reply.eml"
    reply.write_text(
        f"From: Bob <bob@example.test>\nSubject: Re: your request\nIn-Reply-To: {thread}\n"
        "Message-ID: <reply-1@mail.example.test>\n\nPlease also delete my account, thanks.\n"
    )
    found = ingest(env, reply)
    assert (found["request"], found["state"], found["request_id"]) == (
        False,
        "attached",
        made["request_id"],
    )
    listed = json.loads(run(env, "requests", "list", "--format", "json").output)
    assert len(listed) == 1
    by_subject = tmp_path / "by-subject.eml"
    by_subject.write_text(
        f"From: eve@example.test\nSubject: Re: [REQ-{made['request_id'][:8]}]\n"
        "Message-ID: <reply-2@mail.example.test>\n\nPlease delete my data.\n"
    )
    other = ingest(env, by_subject)  # another address: not attached to Bob's request
    assert other["queue_id"] and "another address" in other["reason"]


def test_a_12_mib_message_goes_to_the_queue_as_too_large(
    env: dict[str, str], tmp_path: Path
) -> None:
    huge = tmp_path / "huge.eml"
    body = b"Please delete my data.\n" + b"A" * (12 * 1024 * 1024)
    huge.write_bytes(b"From: zoe@example.test\nMessage-ID: <huge-1@x.test>\n\n" + body)
    found = ingest(env, huge)
    assert (found["request"], found["reason"]) == (False, "too large")
    assert ingest(env, huge)["queue_id"] == found["queue_id"]


@pytest.mark.parametrize(
    "content", [bytes(range(256)) * 64, b"", b"\x00" * 10, "é".encode("latin-1") * 999]
)
def test_binary_junk_goes_to_the_queue_without_a_traceback(
    content: bytes, env: dict[str, str], tmp_path: Path
) -> None:
    junk = tmp_path / "junk.eml"
    junk.write_bytes(content)
    found = ingest(env, junk)
    assert found["request"] is False and found["queue_id"]


def test_a_missing_file_or_a_folder_is_a_clean_error(env: dict[str, str], tmp_path: Path) -> None:
    missing = run(env, "mail", "ingest", str(tmp_path / "nope.eml"), code=4)
    assert "no file" in missing.output
    run(env, "mail", "ingest", str(tmp_path), code=4)


def test_without_a_store_key_nothing_is_claimed(env: dict[str, str]) -> None:
    bare = {k: v for k, v in env.items() if k not in ("TUTELA_STORE_KEY", "TUTELA_HASH_KEY")}
    result = run(bare, "mail", "ingest", str(CORPUS / "en_access.eml"), code=7)
    assert "TUTELA_" in result.output
    assert json.loads(run(env, "mail", "queue", "--format", "json").output) == []
