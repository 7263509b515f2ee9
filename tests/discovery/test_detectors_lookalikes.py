"""Look-alikes: values that look personal but are not, and the cross-check against detectors.

A look-alike must be recognised by its look-alike detector, and must score 0 on every
value detector of personal data written alongside it (e-mail, phone, IBAN, card, IP).
"""

from __future__ import annotations

import pytest

from tutela.discovery.detectors import email, iban, ip_address, payment_card, phone
from tutela.discovery.detectors.lookalikes import DETECTORS, PASSWORD_HASH
from tutela.discovery.models import Detector
from tutela.plugins import DETECTORS as KIND

PERSONAL = (email.DETECTOR, phone.DETECTOR, iban.DETECTOR, payment_card.DETECTOR)
PERSONAL_AND_IP = (*PERSONAL, ip_address.DETECTOR)
BY_NAME = {detector.name: detector for detector in DETECTORS}

LOOKALIKES = [
    ("uuid", "550e8400-e29b-41d4-a716-446655440000"),
    ("uuid", "{550E8400-E29B-41D4-A716-446655440000}"),
    ("uuid", "018f3c1e-7b2a-7cde-9f00-1a2b3c4d5e6f"),  # version 7
    ("uuid", "550e8400e29b41d4a716446655440000"),
    ("hex_digest", "d41d8cd98f00b204e9800998ecf8427e"),  # MD5
    ("hex_digest", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),  # SHA-1 / git
    ("hex_digest", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("hex_digest", "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"),
    (
        "hex_digest",
        "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
        "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
    ),  # SHA-512
    ("hex_digest", "3f9c2a1"),  # abbreviated git SHA
    ("hex_digest", "a1b2c3d4e5f6"),
    ("product_code", "4006381333931"),  # EAN-13
    ("product_code", "5901234123457"),
    ("product_code", "96385074"),  # EAN-8
    ("product_code", "036000291452"),  # UPC-A
    ("product_code", "978-3-16-148410-0"),  # ISBN-13
    ("product_code", "978 0 306 40615 7"),
    ("product_code", "0-306-40615-2"),  # ISBN-10
    ("product_code", "0-8044-2957-X"),
    ("tracking_number", "1Z999AA10123456784"),  # UPS
    ("tracking_number", "RR123456785DE"),  # UPU S10
    ("tracking_number", "9400111899223397624201"),  # USPS
    ("tracking_number", "JJD000390007827364512"),  # DHL
    ("tracking_number", "123456789012"),  # FedEx-shaped (weak)
    (
        "user_agent",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    ),
    ("user_agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) Mobile/15E148"),
    ("user_agent", "curl/8.4.0"),
    ("user_agent", "python-requests/2.31.0"),
    ("user_agent", "okhttp/4.9.3"),
    ("log_line", "2024-05-01T10:00:00Z INFO [worker-3] job 42 done for 81.2.69.160"),
    ("log_line", "2024-05-01 10:00:00,123 ERROR mail to jan@bedrijf.nl bounced"),
    (
        "log_line",
        '81.2.69.160 - - [10/Oct/2023:13:55:36 +0200] "GET /index.html HTTP/1.1" '
        '200 2326 "-" "Mozilla/5.0"',
    ),
    ("log_line", "May  1 10:00:00 web01 sshd[1234]: Accepted publickey from 81.2.69.160"),
    ("log_line", "ERROR: connection refused\n  at db.connect"),
    ("semantic_version", "1.4.2"),
    ("semantic_version", "v2.0.0-rc.1"),
    ("semantic_version", "1.0.0+build.7"),
    ("semantic_version", "v10.2"),
    ("semantic_version", "v4.12.130.7"),
]

NOT_LOOKALIKES = [
    "john.doe@example.com",
    "+32 470 12 34 56",
    "06 12 34 56 78",
    "NL91ABNA0417164300",
    "4111 1111 1111 1111",
    "81.2.69.160",
    "Jan Janssens",
    "Rue de la Loi 16, 1000 Bruxelles",
    "deadbeef",  # a word in hex letters
    "1234567",  # a number, not a digest
    "4006381333932",  # EAN-13 with a wrong check digit
    "RR123456784DE",  # S10 with a wrong check digit
    "978-3-16-148410-1",  # ISBN with a wrong check digit
    "2024-05-01",
    "hello world",
]


@pytest.mark.parametrize(("name", "value"), LOOKALIKES)
def test_lookalike_is_recognised_by_its_detector(name: str, value: str) -> None:
    assert BY_NAME[name].score_value(value).score > 0


@pytest.mark.parametrize(("name", "value"), LOOKALIKES)
def test_lookalike_scores_zero_on_every_personal_data_detector(name: str, value: str) -> None:
    detectors = PERSONAL if name == "log_line" else PERSONAL_AND_IP
    for detector in detectors:
        assert detector.score_value(value).score == 0.0, detector.name


@pytest.mark.parametrize("value", [v for name, v in LOOKALIKES if name == "log_line"])
def test_log_line_containing_an_ip_is_not_an_ip_value(value: str) -> None:
    assert ip_address.DETECTOR.score_value(value).score == 0.0


@pytest.mark.parametrize("value", NOT_LOOKALIKES)
def test_personal_and_plain_values_are_no_lookalike(value: str) -> None:
    for detector in DETECTORS:
        if detector.lookalike:
            assert detector.score_value(value).score == 0.0, detector.name


def test_lookalikes_have_no_category_and_find_no_span() -> None:
    text = "uuid 550e8400-e29b-41d4-a716-446655440000 sha d41d8cd98f00b204e9800998ecf8427e 1.4.2"
    for detector in DETECTORS:
        assert isinstance(detector, Detector) and detector.source
        if detector.lookalike:
            assert detector.category is None
            assert list(detector.find_spans(text)) == []


def test_builtin_entry_points_at_the_list() -> None:
    module, _, attribute = KIND.builtins["lookalikes"].partition(":")
    loaded = getattr(__import__(module, fromlist=[attribute]), attribute)
    assert loaded is DETECTORS
    assert len({detector.name for detector in loaded}) == len(loaded)


PASSWORD_HASHES = [
    "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
    "$2y$10$abcdefghijklmnopqrstuu5Iq0a3W7XKZbQ5tW9aJqR0jQ2xJ6c9y",
    "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
    "pbkdf2_sha256$260000$abcdefgh$Zm9vYmFyYmF6cXV4cXV1eA==",
    "$6$rounds=5000$saltsalt$Tz5MaVc2Cr3s0QhIvwJfNdXjN0tvnCL0dtqVUaVnR1E2WQ4zZ.pTY4sr0mKlN8XYzqUHcV/yTeQpk5FnIzr5W/",
]
NOT_PASSWORD_HASHES = [
    "d41d8cd98f00b204e9800998ecf8427e",  # a bare digest says nothing about passwords
    "$2b$12$tooshort",
    "550e8400-e29b-41d4-a716-446655440000",
    "$100.00",
]


@pytest.mark.parametrize("value", PASSWORD_HASHES)
def test_password_hashes_are_credentials_not_lookalikes(value: str) -> None:
    assert PASSWORD_HASH.score_value(value).score >= 0.9
    assert PASSWORD_HASH.category == "user.authorization.password"
    assert not PASSWORD_HASH.lookalike


@pytest.mark.parametrize("value", NOT_PASSWORD_HASHES)
def test_password_hash_rejects_digests_and_prices(value: str) -> None:
    assert PASSWORD_HASH.score_value(value).score == 0.0


def test_password_hash_span_in_text_has_exact_offsets() -> None:
    value = PASSWORD_HASHES[0]
    text = f"user row: hash={value} (leaked)"
    found = list(PASSWORD_HASH.find_spans(text))
    assert [text[span.start : span.end] for span in found] == [value]
