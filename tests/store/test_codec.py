"""Checkpoints keep every type a database returns (issue 13 item 9; AC-4: a faithful copy)."""

from __future__ import annotations

import enum
import ipaddress
import json
import math
import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tutela.errors import StoreError
from tutela.store import codec
from tutela.store.codec import TaggedText


class Mood(enum.Enum):
    SAD = "sad"


class Slot:
    def __str__(self) -> str:
        return "slot 7"


def round_trip(value: Any) -> Any:
    return codec.loads(codec.dumps(value))


VALUES: list[tuple[str, Any]] = [
    ("ipv4 address", ipaddress.ip_address("192.168.1.5")),
    ("ipv6 address", ipaddress.ip_address("2001:db8::1")),
    ("ipv4 interface", ipaddress.ip_interface("192.168.1.5/24")),
    ("ipv6 interface", ipaddress.ip_interface("2001:db8::1/64")),
    ("ipv4 network", ipaddress.ip_network("10.0.0.0/8")),
    ("ipv6 network", ipaddress.ip_network("2001:db8::/32")),
    ("uuid", uuid.UUID("a8098c1a-f86e-11da-bd1a-00112444be1e")),
    ("decimal", Decimal("12.50")),
    ("decimal with exponent", Decimal("1E+30")),
    ("decimal infinity", Decimal("Infinity")),
    ("decimal minus infinity", Decimal("-Infinity")),
    ("float", 1.5),
    ("float infinity", math.inf),
    ("float minus infinity", -math.inf),
    ("timedelta", timedelta(days=428, seconds=14706, microseconds=500000)),
    ("negative timedelta", timedelta(seconds=-1)),
    ("date", date(2024, 2, 29)),
    ("time", time(23, 59, 59, 999999)),
    ("time with offset", time(10, 0, tzinfo=timezone(timedelta(hours=2)))),
    ("naive datetime", datetime(2024, 3, 1, 10, 0, 0, 123456)),
    ("utc datetime", datetime(2024, 3, 1, 9, 0, tzinfo=UTC)),
    ("offset datetime", datetime(2024, 3, 1, 9, 0, tzinfo=timezone(timedelta(hours=-5)))),
    ("bytes", b"\x00\xff"),
    ("bool", True),
    ("int", 1),
    ("int beyond 64 bits", 2**70),
    ("minimum int64", -(2**63)),
    ("none", None),
    ("text", "hé ☃"),
    ("set of text", {"x", "z"}),
    ("frozenset", frozenset({1, 2})),
    ("array of ints", [1, 2, 3]),
    ("array of text", ["a", "b c", None]),
    ("json object", {"a": [1, 2.5, None, True], "k": {"n": 1}}),
]


@pytest.mark.parametrize(("name", "value"), VALUES, ids=[name for name, _ in VALUES])
def test_AC_4_checkpoint_keeps_value_and_type(name: str, value: Any) -> None:
    back = round_trip(value)
    assert back == value
    assert type(back) is type(value), name


def test_AC_4_ip_address_from_reflected_inet_no_longer_crashes() -> None:
    # The reported crash: "cannot store a IPv4Address in a checkpoint".
    payload = {"rows": [{"id": 1, "ip": ipaddress.ip_address("10.0.0.1")}]}
    assert round_trip(payload) == payload


def test_AC_4_nan_round_trips_as_nan_of_its_type() -> None:
    decimal_nan, float_nan = round_trip([Decimal("NaN"), math.nan])
    assert isinstance(decimal_nan, Decimal) and decimal_nan.is_nan()
    assert isinstance(float_nan, float) and math.isnan(float_nan)


def test_AC_4_datetime_keeps_its_named_zone() -> None:
    value = datetime(2024, 10, 27, 2, 30, tzinfo=ZoneInfo("Europe/Brussels"), fold=1)
    back = round_trip(value)
    assert back == value and back.utcoffset() == value.utcoffset()
    assert back.tzinfo == ZoneInfo("Europe/Brussels")
    assert "[Europe/Brussels]" in codec.dumps(value)


def test_AC_4_bool_and_int_stay_distinct() -> None:
    back = round_trip([True, 1, False, 0])
    assert [type(v) for v in back] == [bool, int, bool, int]


def test_AC_4_bytearray_and_memoryview_come_back_as_bytes() -> None:
    assert round_trip([bytearray(b"ab"), memoryview(b"cd")]) == [b"ab", b"cd"]
    assert all(type(v) is bytes for v in round_trip([bytearray(b"ab"), memoryview(b"cd")]))


def test_AC_4_json_data_that_looks_like_a_tag_stays_data() -> None:
    value = {"$decimal": "1.5", "nested": [{"$bytes": "AA=="}], "$": 1}
    back = round_trip(value)
    assert back == value
    assert back["$decimal"] == "1.5" and back["nested"][0]["$bytes"] == "AA=="


def test_AC_4_dict_keys_keep_their_types() -> None:
    value = {1: "one", (1, "a"): "pair", None: "none", False: "no"}
    back = round_trip(value)
    assert back == value
    assert {type(k) for k in back} == {int, tuple, type(None), bool}


def test_AC_4_set_of_tuples_comes_back_hashable() -> None:
    assert round_trip({(1, 2), (3, 4)}) == {(1, 2), (3, 4)}


def test_AC_4_tuples_come_back_as_lists() -> None:
    assert round_trip((1, (2, 3))) == [1, [2, 3]]


def test_AC_4_unknown_type_is_kept_as_tagged_text() -> None:
    back = round_trip({"slot": Slot(), "mood": Mood.SAD})
    assert back == {"slot": "slot 7", "mood": "sad"}
    assert isinstance(back["slot"], TaggedText)
    assert back["slot"].type_name.endswith("Slot")
    assert back["mood"].type_name.endswith("Mood")
    again = round_trip(back)
    assert again["slot"].type_name == back["slot"].type_name


def test_AC_4_unknown_str_subclass_keeps_its_type_name() -> None:
    class BitString(str):
        pass

    back = round_trip(BitString("101"))
    assert back == "101" and isinstance(back, TaggedText)
    assert back.type_name.endswith("BitString")


def test_AC_4_checkpoint_text_is_strict_json() -> None:
    text = codec.dumps([math.nan, math.inf, Decimal("NaN"), {"a": ipaddress.ip_address("::1")}])
    assert "NaN" not in text.replace('"NaN"', "")
    json.loads(text, parse_constant=lambda name: pytest.fail(f"bare {name} in {text}"))


@pytest.mark.parametrize(
    "text",
    [
        '{"$decimal": "abc"}',
        '{"$ip_address": "999.1.1.1"}',
        '{"$timedelta": 3}',
        "{",
        '{"$map": 1}',
    ],
)
def test_AC_4_damaged_checkpoint_is_a_store_error_without_its_content(text: str) -> None:
    with pytest.raises(StoreError) as raised:
        codec.loads(text)
    assert "999.1.1.1" not in str(raised.value) and "abc" not in str(raised.value)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text()
    | st.decimals(allow_nan=False)
    | st.binary()
    | st.datetimes(timezones=st.none() | st.timezones())
    | st.timedeltas()
    | st.uuids()
    | st.ip_addresses(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=5) | st.integers(), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_AC_4_any_nested_payload_round_trips(value: Any) -> None:
    assert round_trip(value) == value


@pytest.mark.parametrize(
    "moment",
    [
        datetime(1971, 4, 25, 2, 0, tzinfo=ZoneInfo("America/Rainy_River")),  # skipped hour
        datetime(2025, 10, 26, 2, 30, tzinfo=ZoneInfo("Europe/Brussels")),  # first 02:30
        datetime(2025, 10, 26, 2, 30, tzinfo=ZoneInfo("Europe/Brussels"), fold=1),  # second
    ],
)
def test_AC_4_a_wall_time_the_zone_skips_or_repeats_round_trips_as_written(
    moment: datetime,
) -> None:
    back = round_trip(moment)
    assert back == moment and back.fold == moment.fold and back.utcoffset() == moment.utcoffset()
