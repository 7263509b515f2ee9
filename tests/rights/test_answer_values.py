"""Answers carry every type a database returns, as JSON and CSV text people and machines read.

AC-4 (a faithful, intelligible copy), AC-5 and PO-3 (machine-readable JSON and CSV).
"""

from __future__ import annotations

import csv
import enum
import io
import ipaddress
import json
import math
import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from tutela.rights.answers import answer_files, render_batch
from tutela.rights.export import batch_json, iso_duration, readable, result_csv, result_json
from tutela.rights.models import BatchResult, CollectionResult, RequestResult, SubjectRequest
from tutela.store.codec import TaggedText


class Mood(enum.Enum):
    SAD = "sad"


# (column, value as the driver returns it, the JSON answer's value)
CASES: list[tuple[str, Any, Any]] = [
    ("ipv4", ipaddress.ip_address("192.168.1.5"), "192.168.1.5"),
    ("ipv6_interface", ipaddress.ip_interface("2001:db8::1/64"), "2001:db8::1/64"),
    ("network", ipaddress.ip_network("10.0.0.0/8"), "10.0.0.0/8"),
    (
        "uuid",
        uuid.UUID("a8098c1a-f86e-11da-bd1a-00112444be1e"),
        "a8098c1a-f86e-11da-bd1a-00112444be1e",
    ),
    (
        "jsonb",
        {"a": [1, 2.5, None, True], "k": {"n": 1}},
        {"a": [1, 2.5, None, True], "k": {"n": 1}},
    ),
    ("ints", [1, 2, 3], [1, 2, 3]),
    ("texts", ["a", "b c"], ["a", "b c"]),
    ("numeric", Decimal("12.50"), "12.50"),
    ("numeric_nan", Decimal("NaN"), "NaN"),
    ("numeric_inf", Decimal("-Infinity"), "-Infinity"),
    ("float_nan", math.nan, "NaN"),
    ("float_inf", math.inf, "Infinity"),
    ("float", 1.5, 1.5),
    (
        "timestamptz",
        datetime(2024, 3, 1, 9, 0, 0, 123456, tzinfo=UTC),
        "2024-03-01T09:00:00.123456+00:00",
    ),
    ("timestamp", datetime(2024, 3, 1, 10, 0), "2024-03-01T10:00:00"),
    ("interval", timedelta(days=428, seconds=14706, microseconds=500000), "P428DT4H5M6.5S"),
    ("negative_interval", timedelta(days=-1), "-P1D"),
    ("bytea", b"\x00\xff", "00ff"),
    ("memoryview", memoryview(b"\x01"), "01"),
    ("date", date(2024, 2, 29), "2024-02-29"),
    ("time", time(23, 59, 59, 999999), "23:59:59.999999"),
    ("timetz", time(10, 0, tzinfo=timezone(timedelta(hours=2))), "10:00:00+02:00"),
    ("boolean", True, True),
    ("int", 1, 1),
    ("bigint", 2**64 - 1, 2**64 - 1),
    ("set", {"z", "x"}, ["x", "z"]),
    ("enum", Mood.SAD, "sad"),
    ("unknown", TaggedText("[1,5)", "Range"), "[1,5)"),
    ("text", "hé", "hé"),
    ("none", None, None),
]
ROW = {name: value for name, value, _ in CASES}
EXPECTED = {name: shown for name, _, shown in CASES}


def answer(row: dict[str, Any]) -> RequestResult:
    request = SubjectRequest("access", (("email", "a@example.test"),))
    collection = CollectionResult("things", "db", rows=(row,), labels={})
    return RequestResult(request, "b" * 64, True, (collection,))


def test_AC_5_json_answer_renders_every_native_type() -> None:
    document = json.loads(result_json(answer(ROW), "access"), parse_constant=pytest.fail)
    (row,) = document["collections"][0]["rows"]
    assert row == EXPECTED


def test_PO_3_batch_json_is_strict_json_with_every_native_type() -> None:
    batch = BatchResult("b" * 64, "access", (answer(ROW),))
    text = batch_json(batch)
    document = json.loads(text, parse_constant=lambda name: pytest.fail(f"bare {name}"))
    assert document["results"][0]["collections"][0]["rows"] == [EXPECTED]


def test_PO_3_csv_cell_holds_the_json_answers_text() -> None:
    (text,) = result_csv(answer(ROW)).values()
    (row,) = csv.DictReader(io.StringIO(text))
    for name, shown in EXPECTED.items():
        expected = "" if shown is None else shown if isinstance(shown, str) else json.dumps(shown)
        assert row[name] == expected, name
    assert row["jsonb"] == '{"a": [1, 2.5, null, true], "k": {"n": 1}}'
    assert row["boolean"] == "true"


def test_AC_5_answer_files_and_text_answer_with_native_types() -> None:
    batch = BatchResult("b" * 64, "access", (answer(ROW),))
    files = answer_files(batch)
    assert sorted(name.rsplit(".", 1)[1] for name in files) == ["csv", "json"]
    assert "things: 1 row(s)" in render_batch(batch)


def test_AC_4_json_keys_that_are_not_text_become_text() -> None:
    assert readable({1: "a", None: "b", (1, "x"): "c"}) == {"1": "a", "null": "b", '[1, "x"]': "c"}


def test_AC_4_set_of_mixed_types_renders_in_a_stable_order() -> None:
    assert readable({1, "a"}) == readable({"a", 1}) == ["a", 1]


def test_AC_4_unknown_type_renders_as_its_text() -> None:
    class Slot:
        def __str__(self) -> str:
            return "slot 7"

    assert readable([Slot()]) == ["slot 7"]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(0), "PT0S"),
        (timedelta(seconds=-1), "-PT1S"),
        (timedelta(microseconds=1), "PT0.000001S"),
        (timedelta(hours=5), "PT5H"),
        (timedelta(days=1, hours=2, minutes=3, seconds=4.5), "P1DT2H3M4.5S"),
        (timedelta(days=-2, hours=1), "-P1DT23H"),
        (timedelta(days=3), "P3D"),
    ],
)
def test_AC_4_interval_is_an_iso_8601_duration(value: timedelta, text: str) -> None:
    assert iso_duration(value) == text
