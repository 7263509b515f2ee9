"""Intake turns options, CSV and JSON lines into requests, or names what to fix (hostile input)."""

from __future__ import annotations

import pytest

from tutela.errors import RequestError
from tutela.rights.intake import parse_requests, request_from
from tutela.rights.models import SubjectRequest


def test_request_from_options_sorts_identities_and_keeps_changes() -> None:
    request = request_from(
        "rectification", ["phone=+32 2 555 01 01", "email=a@b.c"], ["customer.name=Ann"], "r-1"
    )
    assert request == SubjectRequest(
        "rectification",
        (("email", "a@b.c"), ("phone", "+32 2 555 01 01")),
        (("customer.name", "Ann"),),
        "r-1",
    )


def test_csv_columns_are_identities_changes_and_reference() -> None:
    text = "email,set:customer.name,reference\na@b.c,Ann,r-1\nb@b.c,,r-2\n"
    first, second = parse_requests(text, "requests.csv", "rectification")
    assert first.identities == (("email", "a@b.c"),)
    assert first.changes == (("customer.name", "Ann"),)
    assert (first.reference, second.reference) == ("r-1", "r-2")
    assert second.changes == ()


def test_jsonl_nested_and_flat_records_agree() -> None:
    text = (
        '{"identities": {"email": "a@b.c"}, "changes": {"customer.name": "Ann"}}\n'
        "\n"
        '{"email": "a@b.c", "set:customer.name": "Ann"}\n'
    )
    nested, flat = parse_requests(text, "in.JSONL", "rectification")
    assert nested == flat


@pytest.mark.parametrize(
    ("text", "filename", "message"),
    [
        ("", "in.csv", "holds no requests"),
        ("email\n", "in.csv", "holds no requests"),
        ("{not json", "in.jsonl", "line 1: not valid JSON"),
        ('{"email": "a@b.c"}\n[1, 2]', "in.jsonl", "line 2: expected a JSON object"),
        ('{"identities": ["a@b.c"]}', "in.jsonl", "request 1: identities must be an object"),
        ('{"email": "a@b.c", "changes": [1]}', "in.jsonl", "request 1: changes must be an object"),
        ('{"reference": "r-1"}', "in.jsonl", "request 1: a request needs at least one identity"),
        ('{"Email Address": "a@b.c"}', "in.jsonl", "is not of the form name=value"),
        ("email\na@b.c", "requests.xlsx", "use a .csv or .jsonl file"),
        ("email\na@b.c", "requests", "use a .csv or .jsonl file"),
        ('{"email": "a@b.c", "set:customer": "x"}', "in.jsonl", "collection.field=value"),
    ],
)
def test_hostile_input_names_what_to_fix(text: str, filename: str, message: str) -> None:
    with pytest.raises(RequestError, match=message.replace(".", r"\.").replace("[", r"\[")):
        parse_requests(text, filename, "erasure")


def test_huge_and_injected_values_stay_bound_values() -> None:
    value = "x'); DROP TABLE customer; --" + "y" * 100_000
    (request,) = parse_requests(f'{{"email": "{value}"}}', "in.jsonl", "access")
    assert request.identities == (("email", value),)
