"""Ledger entries: ids and digests only, validated by format, one canonical byte form."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tutela.ledger.entries import Entry, EntryError
from tutela.ledger.merkle import leaf_hash

WHEN = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
DIGEST = hashlib.sha256(b"row").hexdigest()
KEYED = "h:" + "ab" * 32


def entry(**changes: object) -> Entry:
    fields: dict[str, object] = {
        "seq": 0,
        "time": WHEN,
        "actor": "staff:ann",
        "action": "erased",
        "request": "3f2a9c0e1b",
        "before": DIGEST,
        "after": KEYED,
    }
    fields.update(changes)
    return Entry(**fields)  # type: ignore[arg-type]


def test_canonical_encoding_is_sorted_json_without_spaces() -> None:
    assert entry().encode() == (
        b'{"action":"erased","actor":"staff:ann","after":"' + KEYED.encode() + b'",'
        b'"before":"' + DIGEST.encode() + b'","request":"3f2a9c0e1b","seq":0,'
        b'"time":"2025-03-04T05:06:07Z"}'
    )


def test_leaf_hash_is_merkle_leaf_hash_of_the_encoding() -> None:
    assert entry().leaf_hash() == leaf_hash(entry().encode())


def test_encoding_is_stable_across_time_zones_and_fractions_of_a_second() -> None:
    paris = timezone(timedelta(hours=1))
    same = entry(time=datetime(2025, 3, 4, 6, 6, 7, 999_999, tzinfo=paris))
    assert same.encode() == entry().encode()
    assert same.time == WHEN


def test_decode_round_trips_and_refuses_a_non_canonical_form() -> None:
    original = entry(before=None, after=None, actor="system")
    assert Entry.decode(original.encode()) == original
    spaced = json.dumps(original.to_json(), sort_keys=True).encode()
    with pytest.raises(EntryError, match="canonical"):
        Entry.decode(spaced)


def test_decode_refuses_extra_fields_and_bad_times() -> None:
    data = entry().to_json()
    with pytest.raises(EntryError, match="exactly the fields"):
        Entry.from_json({**data, "note": "free text"})
    with pytest.raises(EntryError, match="ISO 8601"):
        Entry.from_json({**data, "time": "2025-03-04 05:06:07"})
    with pytest.raises(EntryError, match="valid date"):
        Entry.from_json({**data, "time": "2025-02-30T05:06:07Z"})


def test_naive_time_is_refused() -> None:
    with pytest.raises(EntryError, match="timezone-aware"):
        entry(time=datetime(2025, 3, 4, 5, 6, 7))


@pytest.mark.parametrize("seq", [-1, 2**63, True, "1", 1.0])
def test_sequence_number_is_a_non_negative_integer(seq: object) -> None:
    with pytest.raises(EntryError, match="seq"):
        entry(seq=seq)


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("actor", "ann@example.com", "e-mail"),
        ("actor", "staff:ann@example.com", "e-mail"),
        ("actor", "staff:Ann Smith", "space"),
        ("actor", "Ann Smith", "space"),
        ("actor", "staff:ann\n", "control character"),
        ("actor", "staff:" + "a" * 5000, "more than"),
        ("actor", "", "empty"),
        ("action", "Erased", "lower-case word"),
        ("action", "erased the rows", "space"),
        ("action", "x" * 33, "more than"),
        ("request", "ann@example.com", "e-mail"),
        ("request", "Ann Smith", "space"),
        ("request", "req\x00", "control character"),
        ("request", "r" * 65, "more than"),
        ("before", "ann@example.com", "e-mail"),
        ("before", "ABCDEF" * 10 + "ABCD", "hex"),
        ("after", DIGEST[:-1], "hex"),
        ("after", "h:" + DIGEST + "00", "more than"),
        ("after", "sha256 " + DIGEST, "more than"),
    ],
)
def test_AN_1_personal_data_and_free_text_are_refused(field: str, value: str, reason: str) -> None:
    with pytest.raises(EntryError, match=reason) as refused:
        entry(**{field: value})
    assert str(refused.value).startswith(f"{field}:")


def test_AN_1_a_refusal_does_not_repeat_the_personal_data() -> None:
    with pytest.raises(EntryError) as refused:
        entry(actor="staff:ann.smith@example.com")
    assert "ann.smith" not in str(refused.value)


@pytest.mark.parametrize("field", ["actor", "action", "request", "before", "after"])
@given(local=st.from_regex(r"[a-z0-9._-]{1,20}", fullmatch=True))
def test_AN_1_no_field_of_an_entry_can_hold_an_email_address(field: str, local: str) -> None:
    with pytest.raises(EntryError, match="e-mail"):
        entry(**{field: f"{local}@example.com"})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("actor", "system"),
        ("actor", "staff:ann"),
        ("actor", "api-key:k_01.live"),
        ("action", "received"),
        ("action", "identity_verified"),
        ("request", "req-12"),
        ("request", "01J9Z3:erasure.2"),
        ("before", None),
        ("after", DIGEST),
        ("after", KEYED),
    ],
)
def test_ids_and_digests_of_the_expected_forms_are_accepted(field: str, value: object) -> None:
    assert getattr(entry(**{field: value}), field) == value
