"""Column classification: sampled values and the column's name combined into one verdict."""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import date, datetime, timedelta

import pytest

from tutela.discovery.columns import classify_column
from tutela.discovery.detectors.column_name import DETECTOR as NAMES
from tutela.discovery.evidence import prepare
from tutela.discovery.models import Pattern, PatternDetector
from tutela.discovery.registry import Installed, detectors
from tutela.ports import ColumnInfo

RNG = random.Random(20)


def luhn_complete(prefix: str, length: int) -> str:
    body = prefix + "".join(str(RNG.randrange(10)) for _ in range(length - len(prefix) - 1))
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char) * (2 if index % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return body + str((10 - total % 10) % 10)


def iban(country: str, bban: str) -> str:
    moved = bban + country + "00"
    number = int("".join(str(int(c, 36)) for c in moved))
    return f"{country}{98 - number % 97:02d}{bban}"


def ean13() -> str:
    body = "".join(str(RNG.randrange(10)) for _ in range(12))
    total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body))
    return body + str((10 - total % 10) % 10)


CARDS = [int(luhn_complete(RNG.choice(["4", "51", "37"]), 16)) for _ in range(60)]
IBANS = [iban("NL", "ABNA" + f"{RNG.randrange(10**10):010d}") for _ in range(30)] + [
    iban("BE", f"{RNG.randrange(10**12):012d}") for _ in range(30)
]
PHONES = [
    *("+32 470 12 34 56", "0470 98 76 54", "+31 6 12345678", "06-87654321", "+33 6 12 34 56 78"),
    *("06 11 22 33 44", "+49 151 23456789", "030 1234567", "+44 7700 900123", "020 7946 0958"),
    *("+32 2 555 12 12", "+31 20 123 4567", "01 42 68 53 00", "0151 98765432", "+34 612 345 678"),
]
EMAILS = [
    f"{n}.{m}@example.{t}" for n in ("ann", "bob", "eva") for m in "xyzw" for t in ("org", "com")
]


def column(name: str, kind: str = "varchar(100)", *, key: bool = False) -> ColumnInfo:
    return ColumnInfo(name, kind, primary_key=key)


@pytest.fixture(scope="module")
def installed() -> Installed:
    return detectors()


def birth_dates(count: int) -> list[date]:
    return [date(1940, 1, 1) + timedelta(days=RNG.randrange(60 * 365)) for _ in range(count)]


def recent_dates(count: int) -> list[date]:
    return [date(2024, 1, 1) + timedelta(days=RNG.randrange(700)) for _ in range(count)]


@pytest.mark.parametrize(
    ("name", "kind", "values", "category"),
    [
        ("f_07", "bigint", CARDS, "user.financial.credit_card"),
        ("c1", "varchar", EMAILS * 2, "user.contact.email"),
        ("ref", "varchar", IBANS, "user.financial.bank_account"),
        ("telefoon", "varchar", PHONES * 4, "user.contact.phone_number"),
        ("x3", "varchar", PHONES * 4, "user.contact.phone_number"),
        ("d1", "date", birth_dates(80), "user.demographic.date_of_birth"),
        ("gebdat", "date", birth_dates(80), "user.demographic.date_of_birth"),
        (
            "plz",
            "integer",
            [RNG.randrange(10000, 99999) for _ in range(80)],
            "user.contact.address.postal_code",
        ),
        ("gender", "varchar", ["M", "F", "X", "F"] * 20, "user.demographic.gender"),
        (
            "password_hash",
            "varchar",
            [hashlib.sha256(bytes([i])).hexdigest() for i in range(50)],
            "user.authorization.password",
        ),
    ],
)
def test_column_is_classified_from_values_and_name(
    installed: Installed, name: str, kind: str, values: list[object], category: str
) -> None:
    finding = classify_column("people", column(name, kind), values, installed)
    assert finding.category == category, finding.evidence
    assert 0.5 <= finding.confidence <= 1.0
    assert finding.evidence


@pytest.mark.parametrize(
    ("name", "kind", "values"),
    [
        ("c4", "varchar", [str(uuid.UUID(int=RNG.getrandbits(128))) for _ in range(60)]),
        ("c5", "varchar", [hashlib.md5(bytes([i])).hexdigest() for i in range(60)]),
        ("c6", "varchar", [ean13() for _ in range(60)]),
        (
            "c7",
            "varchar",
            [
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
                " Chrome/120.0.0.0 Safari/537.36",
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15"
                " (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
            ]
            * 30,
        ),
        ("created", "date", recent_dates(80)),
        ("d2", "date", recent_dates(80)),
        (
            "created_at",
            "timestamp",
            [
                datetime(1990, 1, 1, 10, 30)
                + timedelta(days=RNG.randrange(12000), minutes=RNG.randrange(900))
                for _ in range(80)
            ],
        ),
        ("qty", "integer", [RNG.randrange(1000, 99999) for _ in range(80)]),
        ("n4", "integer", [RNG.randrange(1000, 99999) for _ in range(80)]),
        ("id", "integer", list(range(1, 200))),
        ("email_verified", "boolean", [True, False] * 40),
        ("is_active", "smallint", [0, 1] * 40),
        ("email_count", "integer", [RNG.randrange(0, 40) for _ in range(80)]),
        ("phone_model", "varchar", ["iPhone 12", "Pixel 7", "Galaxy S21", "iPhone 15 Pro"] * 20),
        ("zip_file", "varchar", [f"/var/exports/batch_{i}.zip" for i in range(60)]),
        ("ip_version", "smallint", [4, 6] * 40),
        (
            "c8",
            "varchar",
            [f"{a}.{b}.{c}" for a in range(1, 4) for b in range(8) for c in range(3)],
        ),
    ],
)
def test_look_alikes_flags_and_event_dates_are_not_personal(
    installed: Installed, name: str, kind: str, values: list[object]
) -> None:
    finding = classify_column("people", column(name, kind, key=name == "id"), values, installed)
    assert finding.category is None, finding.evidence
    assert finding.evidence


def test_nulls_and_blanks_are_skipped_and_counted_out(installed: Installed) -> None:
    values: list[object] = [None, "", "  ", *EMAILS, None]
    finding = classify_column("people", column("c2"), values, installed)
    assert finding.category == "user.contact.email"
    assert finding.sampled == len(EMAILS)
    assert finding.identity == "email"


def test_a_column_of_only_nulls_rests_on_its_name(installed: Installed) -> None:
    named = classify_column("people", column("email"), [None] * 10, installed)
    opaque = classify_column("people", column("c9"), [None] * 10, installed)
    assert named.category == "user.contact.email" and named.sampled == 0
    assert opaque.category is None


def test_strong_validated_values_win_over_a_negative_name(installed: Installed) -> None:
    finding = classify_column("orders", column("order_id", "varchar"), IBANS, installed)
    assert finding.category == "user.financial.bank_account"
    assert any("not personal" in line for line in finding.evidence)


def test_negative_name_vetoes_weak_value_evidence(installed: Installed) -> None:
    finding = classify_column("orders", column("created_date", "date"), birth_dates(60), installed)
    assert finding.category is None


def test_event_timestamps_are_never_birth_dates(installed: Installed) -> None:
    stamps = [datetime(1950, 1, 1, 14, 5) + timedelta(days=400 * i) for i in range(60)]
    finding = classify_column("people", column("t1", "timestamp"), stamps, installed)
    assert finding.category is None


def test_dates_of_birth_as_strings_in_mixed_formats(installed: Installed) -> None:
    days = birth_dates(60)
    values = [d.strftime("%d/%m/%Y") if i % 2 else d.isoformat() for i, d in enumerate(days)]
    finding = classify_column("people", column("geboortedatum"), values, installed)
    assert finding.category == "user.demographic.date_of_birth"


def test_free_text_with_personal_spans_is_private_content_with_spans(installed: Installed) -> None:
    tickets = [
        f"Hello, my parcel never arrived. Please call me back on {phone} as soon as possible."
        for phone in PHONES
    ] + ["The app crashes every time I open the settings page on my tablet, please fix it."] * 10
    finding = classify_column("tickets", column("body", "text"), tickets, installed, text=True)
    assert finding.category == "user.content.private"
    assert finding.spans
    assert any("phone_number" in line for line in finding.evidence)
    joined = "\n".join(dict.fromkeys(tickets))
    first = finding.spans[0]
    assert joined[first.start : first.end] in PHONES


def test_free_text_without_personal_data_is_not_personal(installed: Installed) -> None:
    notes = [
        f"Release {i} improves the loading time of the dashboard and fixes the export button."
        for i in ("alpha", "beta", "gamma", "delta")
    ] * 5
    finding = classify_column("releases", column("notes", "text"), notes, installed, text=True)
    assert finding.category is None
    assert finding.spans == ()


def test_name_only_category_is_kept_when_values_do_not_contradict(installed: Installed) -> None:
    finding = classify_column(
        "staff", column("beroep"), ["nurse", "teacher", "baker"] * 9, installed
    )
    assert finding.category == "user.job_title"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (4111111111111111, "4111111111111111"),
        (date(1985, 7, 30), "1985-07-30"),
        (datetime(1985, 7, 30), "1985-07-30"),
        (datetime(2024, 1, 5, 9, 30), "2024-01-05 09:30:00"),
        (b"bob@example.org", "bob@example.org"),
        (4.111111111111111e15, "4111111111111111"),
        (True, "true"),
    ],
)
def test_values_of_any_type_are_read_as_text(value: object, text: str) -> None:
    assert list(prepare([value, None]).counts) == [text]


def test_fake_detectors_look_alike_veto_and_name_agreement() -> None:
    email = PatternDetector(
        "fake_email", "user.contact.email", (Pattern("simple", r"[\w.]+@[\w.]+\.\w+", 0.9),)
    )
    hexes = PatternDetector(
        "fake_hex", None, (Pattern("hex", r"[0-9a-f]{32}", 0.9),), lookalike=True
    )
    fake = Installed(values=(email, hexes), names=(NAMES,))
    hashed = [hashlib.md5(bytes([i])).hexdigest() for i in range(40)]
    assert classify_column("t", column("c1"), hashed, fake).category is None
    agreed = classify_column("t", column("email"), EMAILS, fake)
    alone = classify_column("t", column("c1"), EMAILS, fake)
    assert agreed.category == alone.category == "user.contact.email"
    assert agreed.confidence > alone.confidence
