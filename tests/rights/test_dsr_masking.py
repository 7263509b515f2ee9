"""Masking strategies (pure) and the checkpoint payload round trip."""

from __future__ import annotations

import string
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tutela.errors import ConfigurationError, RequestError
from tutela.plugins import MASKING, Registry
from tutela.rights import strategies as masking
from tutela.rights.resolve import Resolved, coerce_identity
from tutela.rights.strategies import BUILTINS, ColumnSpec, masker
from tutela.rights.strategies.hash import keyed_hash
from tutela.store import codec

KEY = b"k" * 32


@given(st.text(min_size=0, max_size=200), st.integers(1, 100))
def test_ER_1_hash_output_fits_the_column_length(value: str, length: int) -> None:
    hashed = keyed_hash(value, ColumnSpec("c", "string", length), KEY)
    assert len(hashed) == min(length, 64)
    assert set(hashed) <= set(string.hexdigits.lower())


@given(st.text(max_size=50), st.text(max_size=50))
def test_ER_1_hash_is_deterministic_and_keyed(a: str, b: str) -> None:
    spec = ColumnSpec("c")
    assert keyed_hash(a, spec, KEY) == keyed_hash(a, spec, KEY)
    assert keyed_hash(a, spec, KEY) != keyed_hash(a, spec, b"other key")
    if a != b:
        assert keyed_hash(a, spec, KEY) != keyed_hash(b, spec, KEY)


def test_ER_1_hash_of_numbers_stays_a_number_and_null_stays_null() -> None:
    values = masker("hash").mask([12, None], ColumnSpec("n", "integer"), KEY)
    assert isinstance(values[0], int) and 0 <= values[0] < 2**31 and values[1] is None


def test_ER_1_hash_without_key_fails_without_revealing_anything() -> None:
    with pytest.raises(ConfigurationError) as error:
        masker("hash").mask(["a@b.c"], ColumnSpec("email"), None)
    assert "a@b.c" not in str(error.value)


@given(st.integers(1, 40), st.text(max_size=30) | st.none())
def test_ER_1_fixed_value_fits_the_column(length: int, value: str | None) -> None:
    spec = ColumnSpec("c", "string", length, value)
    (masked,) = masker("fixed").mask(["x"], spec, None)
    assert len(masked) <= length
    assert masked == (value if value is not None else "REDACTED")[:length]


def test_ER_1_fixed_value_must_fit_the_type() -> None:
    assert masker("fixed").mask([1], ColumnSpec("n", "integer", value="0"), None) == [0]
    with pytest.raises(RequestError, match="does not fit"):
        masker("fixed").mask([1], ColumnSpec("n", "integer"), None)


@given(st.text(min_size=1, max_size=60), st.integers(1, 80))
def test_ER_1_random_string_keeps_length_within_column(value: str, length: int) -> None:
    (masked,) = masker("random").mask([value], ColumnSpec("c", "string", length), None)
    assert len(masked) == min(len(value), length)


@pytest.mark.parametrize(
    ("kind", "value", "check"),
    [
        ("integer", 4711, lambda v: isinstance(v, int) and 0 <= v < 10_000),
        ("numeric", Decimal("12.50"), lambda v: isinstance(v, Decimal) and v < 1000),
        ("date", date(1990, 5, 1), lambda v: isinstance(v, date)),
        ("boolean", True, lambda v: isinstance(v, bool)),
    ],
)
def test_ER_1_random_value_has_the_column_type(kind: str, value: Any, check: Any) -> None:
    (masked,) = masker("random").mask([value], ColumnSpec("c", kind), None)
    assert check(masked)


def test_ER_1_null_and_delete_kinds() -> None:
    assert masker("null").mask([1, 2], ColumnSpec("c"), None) == [None, None]
    assert masker("null").kind == "constant" and masker("delete").kind == "delete"


def test_registry_lists_builtins_and_rejects_unknown_names() -> None:
    assert set(BUILTINS) == {"null", "fixed", "hash", "random", "delete"}
    assert set(masking.strategies()) >= set(BUILTINS)
    with pytest.raises(RequestError, match="unknown masking strategy 'shred'"):
        masker("shred")


def test_registry_rejects_a_plugin_reusing_a_builtin_name() -> None:
    from importlib.metadata import EntryPoint

    point = EntryPoint(
        "hash", "tutela.rights.strategies.hash:HashMasker", masking.ENTRY_POINT_GROUP
    )
    registry = Registry(MASKING, plugins=lambda: [point])
    with pytest.raises(ConfigurationError, match="registered twice"):
        masking.strategies(registry)


values = st.one_of(
    st.none(),
    st.integers(-(2**40), 2**40),
    st.text(max_size=20),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
    st.dates(),
    st.binary(max_size=10),
)


@given(st.lists(values, max_size=8), st.lists(st.lists(st.integers(0, 5), max_size=3), max_size=8))
def test_ER_1_masking_is_idempotent_by_checkpoint(
    row_values: list[Any], owners: list[list[int]]
) -> None:
    """A stored resolution gives back exactly the values computed once: a rerun re-applies
    them instead of hashing again."""
    found = Resolved(
        matches=[{"id": list(range(len(row_values)))}],
        owners=owners,
        updates=[{"id": n, "email": value} for n, value in enumerate(row_values)],
        constant={"name": "REDACTED", "note": None},
    )
    again = Resolved.from_payload(codec.loads(codec.dumps(found.to_payload())))
    assert again == found


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("42", "integer", 42),
        ("42 OR 1=1", "integer", None),
        ("1e5", "integer", None),
        ("2.5", "numeric", Decimal("2.5")),
        ("x", "numeric", None),
        ("a@b.c", "string", "a@b.c"),
        ("2020-01-01", "date", None),
    ],
)
def test_AC_1_identity_values_that_cannot_match_are_dropped(
    text: str, kind: str, expected: Any
) -> None:
    assert coerce_identity(text, kind) == expected
