"""Reading an inbound message without trusting it, and classifying its words (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutela.requests.acknowledgement import acknowledgement, thread_id
from tutela.requests.codes import CodeError
from tutela.requests.inbound import MAX_SIZE, classify, html_text, parse, thread_of
from tutela.requests.lexicon import THRESHOLD

REQUEST_ID = "0a1b2c3d-1111-4222-8333-444455556666"


def message(headers: str, body: str = "Please delete my personal data.") -> bytes:
    return f"{headers}\nSubject: hello\n\n{body}\n".encode()


@pytest.mark.parametrize(
    ("text", "kind", "lang"),
    [
        ("I would like a copy of my personal data (Art. 15 GDPR).", "access", "en"),
        ("Please delete my account and erase my data.", "erasure", "en"),
        ("The address you hold is wrong, please correct my address.", "rectification", "en"),
        ("Please restrict the processing of my data while you check.", "restriction", "en"),
        ("I object to the processing of my data for profiling.", "objection", "en"),
        ("Unsubscribe me from your newsletter.", "objection_direct_marketing", "en"),
        ("I want to export my data to another service (data portability).", "portability", "en"),
        ("I withdraw my consent to the processing.", "consent_withdrawal", "en"),
        (
            "I want to complain about how you handled my data: a formal complaint.",
            "complaint",
            "en",
        ),
        ("Do not sell my personal information.", "opt_out_sale_sharing", "en"),
        ("I live in California: under the CCPA send me a copy of my data.", "know", "en"),
        ("Bonjour, je souhaite supprimer mes données.", "erasure", "fr"),
        ("Je demande une copie de mes données (droit d'accès).", "access", "fr"),
        ("Je m'oppose au traitement de mes données.", "objection", "fr"),
        ("Merci de me désinscrire de la newsletter.", "objection_direct_marketing", "fr"),
        ("Je retire mon consentement.", "consent_withdrawal", "fr"),
        ("Ik wil graag een kopie van mijn gegevens (inzageverzoek).", "access", "nl"),
        ("Verwijder mijn gegevens alstublieft.", "erasure", "nl"),
        ("Ik wil me afmelden voor de nieuwsbrief.", "objection_direct_marketing", "nl"),
        ("Ik wil een klacht indienen.", "complaint", "nl"),
        ("Bitte löschen Sie meine Daten.", "erasure", "de"),
        ("Ich bitte um Auskunft über meine Daten nach Art. 15 DSGVO.", "access", "de"),
        ("Ich widerrufe meine Einwilligung.", "consent_withdrawal", "de"),
        ("Bitte berichtigen Sie meine Adresse.", "rectification", "de"),
        ("Ich möchte den Newsletter abbestellen.", "objection_direct_marketing", "de"),
    ],
)
def test_DL_1_a_request_in_its_own_words_is_classified(text: str, kind: str, lang: str) -> None:
    found = classify(text)
    assert (found.type, found.language) == (kind, lang)
    assert THRESHOLD <= found.confidence <= 1.0 and found.phrases


@pytest.mark.parametrize(
    "text",
    [
        "What are your opening hours on Saturday?",
        "Please delete my data, and before that send me a copy of my data.",  # two things
        "",
        "delete",  # one weak word
        "Please do not delete my account.",  # negated
    ],
)
def test_unclassifiable_or_ambiguous_text_goes_to_staff(text: str) -> None:
    found = classify(text)
    assert found.type is None and found.confidence < THRESHOLD


def test_OB_2_an_unsubscribe_is_an_objection_to_direct_marketing_even_negating_another() -> None:
    found = classify("Please do not delete my account, just unsubscribe me.")
    assert found.type == "objection_direct_marketing"


def test_quoted_lines_of_a_reply_do_not_count() -> None:
    assert classify("> Please delete my data\nThanks for the opening hours.").type is None


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4000))
def test_parse_never_raises_on_any_bytes(raw: bytes) -> None:
    found = parse(raw)
    assert found.size == len(raw)
    classify(found.subject + found.text)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_parse_never_raises_on_any_header_text(text: str) -> None:
    raw = f"From: {text}\nSubject: {text}\nIn-Reply-To: {text}\n\n{text}".encode("utf-8", "replace")
    found = parse(raw)
    assert found.sender is None or "@" in found.sender


@pytest.mark.parametrize(
    "headers",
    [
        "From: a@example.test\nFrom: b@example.test",  # two senders
        'From: "boss@shop.example.test" <eve@evil.test>',  # an address in the display name
        "From: a@example.test, b@example.test",  # two addresses
        "From: =?utf-8?q?Eve=0D=0ABcc:_x@example.test?= <eve@example.test>",  # injected line
        "From: not an address",
        "To: privacy@shop.example.test",  # no sender at all
    ],
)
def test_ID_1_a_sender_that_is_not_one_plain_address_is_no_identity(headers: str) -> None:
    assert parse(message(headers)).sender is None


def test_ID_1_one_plain_sender_is_the_identity_in_lower_case() -> None:
    assert parse(message("From: Ann Archer <Ann@Example.TEST>")).sender == "ann@example.test"


def test_a_message_above_the_limit_is_too_large_and_its_id_is_still_read() -> None:
    raw = b"Message-ID: <big@x.test>\nFrom: a@example.test\n\n" + b"x" * 2048
    found = parse(raw, max_size=1024)
    assert (found.problem, found.message_id, found.text) == ("too large", "<big@x.test>", "")
    assert MAX_SIZE == 10 * 1024 * 1024


def test_html_text_drops_tags_scripts_and_styles() -> None:
    html = "<style>p{}</style><p>Hello&nbsp;<b>there</b></p><script>delete()</script><br>bye"
    assert html_text(html) == "Hello there\nbye"


def test_thread_of_reads_our_message_ids_then_the_subject_reference() -> None:
    ours = thread_id(REQUEST_ID, "privacy@shop.example.test")
    reply = parse(message(f"From: a@example.test\nIn-Reply-To: <other@x.test>\nReferences: {ours}"))
    assert thread_of(reply) == REQUEST_ID
    quoted = parse(b"From: a@example.test\nSubject: Re: [REQ-0A1B2C3D] thanks\n\nok\n")
    assert thread_of(quoted) == "0a1b2c3d"
    assert thread_of(parse(message("From: a@example.test"))) is None


def test_DL_10_the_acknowledgement_threads_and_refuses_injected_addresses() -> None:
    kwargs = {
        "sender": "privacy@shop.example.test",
        "request_id": REQUEST_ID,
        "kind": "access",
        "received_at": datetime(2025, 3, 5, 9, tzinfo=UTC),
        "due": date(2025, 4, 7),
        "code_follows": False,
    }
    sent = acknowledgement(to="ann@example.test", in_reply_to="<a\nBcc: x@y>", **kwargs)  # type: ignore[arg-type]
    assert sent["Message-ID"] == f"<{REQUEST_ID}.tutela@shop.example.test>"
    assert sent["In-Reply-To"] is None and "7 April 2025" in sent.get_content()
    with pytest.raises(CodeError):
        acknowledgement(to="ann@example.test\nBcc: x@example.test", **kwargs)  # type: ignore[arg-type]
