"""Memory connector behaviour beyond the contract: hostile input, constraints, the factory."""

from __future__ import annotations

import json
import re
import threading
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tutela.connectors.contract import COLLECTIONS, NOTES, PEOPLE
from tutela.connectors.memory import MemoryConnector
from tutela.errors import ConfigurationError, ConnectorError
from tutela.ports import CollectionInfo, ColumnInfo
from tutela.programme.models import System


def seeded() -> MemoryConnector:
    return MemoryConnector("people", COLLECTIONS, rows={"person": PEOPLE, "note": NOTES})


@pytest.fixture
def people() -> MemoryConnector:
    return seeded()


def unchanged(connector: MemoryConnector) -> bool:
    return connector.rows("person") == list(PEOPLE) and connector.rows("note") == list(NOTES)


# --- hostile input: every refusal names what to fix and changes nothing ----------------------


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda c: c.fetch("persons", {"id": [1]}, []), r"collection 'persons' does not exist "),
        (lambda c: c.count(None, {"id": [1]}), r"collection None does not exist"),
        (lambda c: c.delete("people", {"id": [1]}), r"\(collections: note, person\)"),
        (lambda c: c.fetch("person", {"id": [1]}, ["mail"]), r"no column 'mail' \(columns: id, "),
        (lambda c: c.count("person", {"mail": ["a"]}), r"collection 'person' has no column 'mail'"),
        (lambda c: c.update("person", {"id": [1]}, {"nme": "x"}), r"has no column 'nme'"),
        (lambda c: c.update_rows("person", "key", [{"key": 1}]), r"has no column 'key'"),
        (lambda c: c.update_rows("person", "id", [{"id": 1, "x": 1}]), r"has no column 'x'"),
        (lambda c: c.explain("fetch", "person", {"id": [1]}, ["x"]), r"has no column 'x'"),
    ],
)
def test_unknown_collections_and_columns_are_named_with_what_exists(
    people: MemoryConnector, call: Any, expected: str
) -> None:
    with pytest.raises(ConnectorError, match=expected) as raised:
        call(people)
    assert raised.value.system == "people" and raised.value.retryable is False
    assert unchanged(people)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"score": "lots"}, r"person\.score holds integer values, not str"),
        ({"score": True}, r"person\.score holds integer values, not bool"),
        ({"score": 2.5}, r"person\.score holds integer values, not float"),
        ({"name": 42}, r"person\.name holds string values, not int"),
        ({"name": "x" * 201}, r"person\.name holds at most 200 characters, got 201"),
        ({"email": None}, r"person\.email is NOT NULL: give it a value"),
        ({"id": None}, r"person\.id is NOT NULL"),
        ({"id": 1}, r"two rows of 'person' would share the primary key \(id\)"),
    ],
)
def test_values_a_column_cannot_hold_are_refused_without_showing_them(
    people: MemoryConnector, values: dict[str, Any], expected: str
) -> None:
    with pytest.raises(ConnectorError, match=expected) as raised:
        people.update("person", {"id": [2, 3]}, values)
    assert "lots" not in str(raised.value) and "xxxx" not in str(raised.value)
    key = "email" if "id" in values else "id"
    with pytest.raises(ConnectorError, match=expected):
        people.update_rows("person", key, [{key: PEOPLE[2][key], **values}])
    assert unchanged(people)


def test_one_bad_row_refuses_the_whole_update_rows(people: MemoryConnector) -> None:
    rows = [{"id": 1, "name": "fine"}, {"id": 2, "score": "bad"}]
    with pytest.raises(ConnectorError, match=r"person\.score holds integer values"):
        people.update_rows("person", "id", rows)
    with pytest.raises(ConnectorError, match="lacks its key 'id'"):
        people.update_rows("person", "id", [{"id": 1, "name": "fine"}, {"name": "no key"}])
    assert unchanged(people)


def test_keys_must_be_a_list_not_a_string(people: MemoryConnector) -> None:
    with pytest.raises(ConnectorError, match=r"keys for person\.email must be a list of values"):
        people.delete("person", {"email": "ann@example.test"})
    with pytest.raises(ConnectorError, match="needs at least one field with keys"):
        people.update("person", {}, {"score": 0})
    assert unchanged(people)


def test_foreign_keys_are_enforced_like_the_servers_do(people: MemoryConnector) -> None:
    with pytest.raises(ConnectorError, match=r"note\.person_id would refer to a row of 'person'"):
        people.delete("person", {"id": [1]})
    with pytest.raises(ConnectorError, match="that does not exist"):
        people.update("note", {"id": [1]}, {"person_id": 99})
    with pytest.raises(ConnectorError, match=r"note\.person_id"):
        people.update("person", {"id": [2]}, {"id": 20})  # note 3 still refers to person 2
    assert unchanged(people)
    assert people.update("person", {"id": [3]}, {"id": 30}) == 1  # nobody refers to person 3
    assert people.delete("note", {"person_id": [1]}) == 2
    assert people.delete("person", {"id": [1]}) == 1


def test_integer_keys_as_text_match_and_junk_is_dropped(people: MemoryConnector) -> None:
    rows = people.fetch("person", {"id": ["2", " 3 ", "1abc", "1 OR 1=1", 2.5, True, None]}, ["id"])
    assert sorted(row["id"] for row in rows) == [2, 3]
    assert people.count("person", {"name": [1, b"Ann", None]}) == 0


def test_key_longer_than_column_does_not_match_its_prefix(people: MemoryConnector) -> None:
    assert people.fetch("person", {"email": ["ann@example.test" + "x" * 300]}, ["id"]) == []


def test_empty_columns_fetch_every_column_and_rows_are_copies(people: MemoryConnector) -> None:
    [row] = people.fetch("person", {"id": [1]}, [])
    assert row == PEOPLE[0]
    row["name"] = "changed by the caller"
    assert people.fetch("person", {"id": [1]}, ["name"]) == [{"name": "Ann"}]


def test_nested_transaction_joins_the_outer_one(people: MemoryConnector) -> None:
    with pytest.raises(RuntimeError), people.transaction():
        with people.transaction():
            people.update("person", {"id": [1]}, {"score": 0})
        raise RuntimeError("abort outer")
    assert people.fetch("person", {"id": [1]}, ["score"]) == [{"score": 10}]


def test_a_transaction_keeps_other_threads_out_until_it_ends(people: MemoryConnector) -> None:
    seen: list[int] = []
    with people.transaction():
        people.update("person", {"id": [1]}, {"score": 11})
        other = threading.Thread(
            target=lambda: seen.append(people.fetch("person", {"id": [1]}, ["score"])[0]["score"])
        )
        other.start()
        other.join(timeout=0.2)
        assert seen == []  # waits for the commit, never reads uncommitted data
        people.update("person", {"id": [1]}, {"score": 12})
    other.join()
    assert seen == [12]


operation = st.one_of(
    st.tuples(st.just("update"), st.lists(st.integers(0, 9)), st.integers(-5, 5)),
    st.tuples(st.just("delete_notes"), st.lists(st.integers(0, 5)), st.none()),
    st.tuples(st.just("update_rows"), st.lists(st.integers(0, 9)), st.integers(-5, 5)),
)


@given(st.lists(operation, max_size=6))
def test_rollback_restores_exactly_the_data_before_any_writes(
    operations: list[tuple[str, list[int], int | None]],
) -> None:
    connector = seeded()
    with pytest.raises(RuntimeError), connector.transaction():
        for kind, keys, value in operations:
            if kind == "update":
                connector.update("person", {"id": keys}, {"score": value})
            elif kind == "delete_notes":
                connector.delete("note", {"id": keys})
            else:
                connector.update_rows("person", "id", [{"id": k, "score": value} for k in keys])
        raise RuntimeError("abort")
    assert unchanged(connector)


@given(st.lists(st.one_of(st.integers(-2, 10), st.text(max_size=3), st.none())))
def test_fetch_selects_exactly_the_rows_holding_a_key(keys: list[Any]) -> None:
    ids = {int(k) for k in keys if isinstance(k, str) and re.fullmatch(r"[+-]?\d{1,19}", k.strip())}
    ids |= {k for k in keys if isinstance(k, int)}
    expected = sorted(row["id"] for row in PEOPLE if row["id"] in ids)
    assert sorted(row["id"] for row in seeded().fetch("person", {"id": keys}, ["id"])) == expected


def test_explain_counts_keys_and_never_shows_them(people: MemoryConnector) -> None:
    text = people.explain("delete", "person", {"email": ["ann@example.test", "b", "c"]})
    assert text.endswith("DELETE FROM person WHERE email IN (<3 keys>)")
    assert "ann@example.test" not in text
    rows = people.explain("update_rows", "person", {"id": [1, 2]}, ["name", "score"])
    assert "UPDATE person SET name, score (each row its own) BY id IN (<2 keys>)" in rows
    assert "no key could match" in people.explain("count", "person", {"id": ["x"]})
    with pytest.raises(ConnectorError, match="cannot explain 'merge'"):
        people.explain("merge", "person", {"id": [1]})
    assert unchanged(people)


# --- building one ----------------------------------------------------------------------------


def test_a_catalog_that_cannot_work_is_a_configuration_error() -> None:
    bad_type = CollectionInfo("t", (ColumnInfo("id", "geometry"),))
    with pytest.raises(ConfigurationError, match=r"t\.id has type 'geometry'; use one of binary"):
        MemoryConnector("s", [bad_type])
    with pytest.raises(ConfigurationError, match="collection 'person' given twice"):
        MemoryConnector("s", [COLLECTIONS[0], COLLECTIONS[0]])
    with pytest.raises(ConfigurationError, match=r"note\(person_id\) refers to person\(id\)"):
        MemoryConnector("s", [COLLECTIONS[1]])


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ({"people": []}, "collection 'people' does not exist"),
        ({"person": [{"id": 1, "email": "a", "nick": "x"}]}, "has no column 'nick'"),
        ({"person": [{"id": "1", "email": "a"}]}, "person.id holds integer values, not str"),
        ({"person": [{"id": 1}]}, "person.email is NOT NULL"),
        ({"person": [{"id": 1, "email": "a"}, {"id": 1, "email": "b"}]}, "share the primary key"),
        ({"person": [], "note": [{"id": 1, "person_id": 1}]}, "note.person_id would refer"),
        ({"person": [("id", 1)]}, "a row of 'person' must map columns to values, not a tuple$"),
    ],
)
def test_rows_it_would_refuse_are_refused_at_construction(
    rows: dict[str, Any], expected: str
) -> None:
    with pytest.raises(ConnectorError, match=expected):
        MemoryConnector("s", COLLECTIONS, rows=rows)


def shop_system(options: dict[str, Any], **connector: Any) -> System:
    return System.model_validate(
        {
            "key": "shop",
            "name": "Shop",
            "owner": "Engineering",
            "hosting_country": "BE",
            "connector": {"type": "memory", "options": options, **connector},
            "datasets": [
                {
                    "key": "shop",
                    "name": "Shop",
                    "collections": [
                        {
                            "name": "customer",
                            "fields": [
                                {"name": "id", "type": "integer", "primary_key": True},
                                {"name": "email", "length": 20, "nullable": False},
                                {"name": "born", "type": "date"},
                                {"name": "credit", "type": "numeric(10, 2)"},
                            ],
                        },
                        {
                            "name": "orders",
                            "fields": [
                                {"name": "id", "type": "integer", "primary_key": True},
                                {
                                    "name": "customer_id",
                                    "type": "integer",
                                    "references": [{"to": "customer.id"}],
                                },
                            ],
                        },
                    ],
                }
            ],
        }
    )


def test_from_system_builds_the_declared_collections_with_rows_from_json(tmp_path: Path) -> None:
    path = tmp_path / "rows.json"
    customer = {"id": 1, "email": "a@example.test", "born": "1990-02-03", "credit": "12.50"}
    path.write_text(json.dumps({"customer": [customer], "orders": [{"id": 7, "customer_id": 1}]}))
    connector = MemoryConnector.from_system(shop_system({"rows": str(path)}), {})
    assert connector.name == "shop"
    info = {c.name: c for c in connector.describe()}
    assert info["customer"].column("email").length == 20
    assert info["customer"].column("email").nullable is False
    assert [(fk.columns, fk.target_collection) for fk in info["orders"].foreign_keys] == [
        (("customer_id",), "customer")
    ]
    [row] = connector.fetch("customer", {"id": ["1"]}, ["born", "credit"])
    assert row == {"born": date(1990, 2, 3), "credit": Decimal("12.50")}
    with pytest.raises(ConnectorError, match=r"orders\.customer_id would refer"):
        connector.update("orders", {"id": [7]}, {"customer_id": 2})
    assert MemoryConnector.from_system(shop_system({}), {}).count("customer", {"id": [1]}) == 0


@pytest.mark.parametrize(
    ("options", "connector", "expected"),
    [
        ({}, {"url_env": "SHOP_URL"}, "takes no url, url_env or password_env"),
        ({"pool": 3}, {}, r"unknown memory connector option 'pool' \(options: rows\)"),
        ({"rows": "/nonexistent/rows.json"}, {}, "cannot read rows from /nonexistent/rows.json"),
    ],
)
def test_from_system_says_what_to_fix(
    options: dict[str, Any], connector: dict[str, Any], expected: str
) -> None:
    with pytest.raises(ConfigurationError, match=expected):
        MemoryConnector.from_system(shop_system(options, **connector), {})


def test_rows_file_values_of_undeclared_type_name_the_column(tmp_path: Path) -> None:
    path = tmp_path / "rows.json"
    path.write_text(json.dumps({"customer": [{"id": 1, "email": 5}]}))
    with pytest.raises(ConnectorError, match=r"customer\.email holds string values, not int"):
        MemoryConnector.from_system(shop_system({"rows": str(path)}), {})
    path.write_text(json.dumps([1, 2]))
    with pytest.raises(ConfigurationError, match="must map collection names to lists of rows"):
        MemoryConnector.from_system(shop_system({"rows": str(path)}), {})


def test_type_memory_resolves_through_the_connector_registry() -> None:
    from tutela.connectors.registry import connector_for

    connector = connector_for(shop_system({}), {})
    assert isinstance(connector, MemoryConnector) and connector.name == "shop"
