"""The checks of the connector conformance suite, one plain function each.

Part of :mod:`tutela.connectors.contract` (which re-exports every public name here).
Each ``check_*`` function takes a connector freshly seeded with
:data:`~tutela.connectors.contract_seed.PEOPLE` and
:data:`~tutela.connectors.contract_seed.NOTES` and raises :class:`ContractViolation`
saying what went wrong; :data:`CHECKS` lists them all, in order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tutela.connectors.contract_seed import NOTES, PEOPLE
from tutela.errors import ConnectorError
from tutela.ports import Connector, IgnoreCase, Row

HOSTILE_KEYS: tuple[str, ...] = (
    "' OR 1=1 --",
    "' OR '1'='1",
    '" OR ""="',
    "%",
    "_",
    "*",
    "\\",
    "a%",
    "1; DROP TABLE person; --",
    "ann@example.test' --",
    "ANN@EXAMPLE.TEST",
    "ann@example.test ",
    "zoë@example.test",
    "💥",
)
"""Keys that must match nothing: injection, LIKE wildcards, case and space variants."""


class ContractViolation(AssertionError):
    """A connector broke the contract; the message says how."""


# --- helpers --------------------------------------------------------------------------------

PERSON_IDS = [row["id"] for row in PEOPLE]
NOTE_IDS = [row["id"] for row in NOTES]


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise ContractViolation(message)


def _expect_equal(actual: object, expected: object, what: str) -> None:
    _expect(actual == expected, f"{what}: expected {expected!r}, got {actual!r}")


def _snapshot(connector: Connector) -> dict[str, list[Row]]:
    people = connector.fetch("person", {"id": PERSON_IDS}, ["id", "email", "name", "score"])
    notes = connector.fetch("note", {"id": NOTE_IDS}, ["id", "person_id", "body"])
    return {
        "person": sorted(people, key=lambda row: int(row["id"])),
        "note": sorted(notes, key=lambda row: int(row["id"])),
    }


def _seeded() -> dict[str, list[Row]]:
    return {"person": [dict(row) for row in PEOPLE], "note": [dict(row) for row in NOTES]}


def _ids(rows: Sequence[Mapping[str, Any]]) -> list[int]:
    return sorted(int(row["id"]) for row in rows)


def _changed(connector: Connector, collection: str, changes: Mapping[int, Row]) -> None:
    """Every row equals the seed except ``changes`` (id -> the new values)."""
    expected = [{**row, **changes.get(int(row["id"]), {})} for row in _seeded()[collection]]
    _expect_equal(_snapshot(connector)[collection], expected, f"rows of {collection}")


def check_describe(connector: Connector) -> None:
    """``describe`` finds both collections, the primary key and the foreign key."""
    found = {info.name: info for info in connector.describe()}
    _expect({"person", "note"} <= set(found), f"describe lists {sorted(found)}")
    _expect(found["person"].column("id").primary_key, "person.id is not a primary key")
    columns = {column.name for column in found["person"].columns}
    _expect_equal(columns, {"id", "email", "name", "score"}, "columns of person")
    references = [
        (fk.columns, fk.target_collection, fk.target_columns) for fk in found["note"].foreign_keys
    ]
    _expect_equal(references, [(("person_id",), "person", ("id",))], "foreign keys of note")


def check_fetch_returns_exactly_the_selected_rows(connector: Connector) -> None:
    """``fetch`` by a key set returns those rows, with only the columns asked for."""
    rows = connector.fetch("person", {"id": [3, 1, 99]}, ["id", "email"])
    _expect_equal(
        sorted(rows, key=lambda row: int(row["id"])),
        [
            {"id": 1, "email": "ann@example.test"},
            {"id": 3, "email": "a%b@example.test"},
        ],
        "fetch of ids 3, 1, 99",
    )
    rows = connector.fetch(
        "person", {"email": ["o'brien@example.test", "dora@example.test"]}, ["id"]
    )
    _expect_equal(_ids(rows), [6, 8], "fetch by e-mail")


def check_fetch_with_two_fields_selects_rows_matching_both(connector: Connector) -> None:
    """A match on two fields selects rows matching both key sets."""
    rows = connector.fetch("note", {"person_id": [1, 2], "id": [2, 3, 4]}, ["id"])
    _expect_equal(_ids(rows), [2, 3], "notes of persons 1, 2 with ids 2, 3, 4")


def check_count(connector: Connector) -> None:
    """``count`` counts the selected rows."""
    _expect_equal(connector.count("note", {"person_id": [1, 6, 99]}), 3, "count of notes")
    _expect_equal(connector.count("person", {"id": PERSON_IDS}), len(PEOPLE), "count of people")


def check_hostile_keys_are_inert(connector: Connector) -> None:
    """Injection text, wildcards, case and space variants match nothing and change nothing."""
    keys = list(HOSTILE_KEYS)
    for field in ("email", "name", "id"):
        _expect_equal(
            connector.fetch("person", {field: keys}, ["id"]), [], f"fetch by hostile {field}"
        )
        _expect_equal(connector.count("person", {field: keys}), 0, f"count by hostile {field}")
        _expect_equal(
            connector.update("person", {field: keys}, {"score": 0}), 0, f"update by {field}"
        )
    _expect_equal(connector.delete("note", {"body": keys}), 0, "delete by hostile body")
    _expect_equal(
        connector.update_rows("person", "email", [{"email": k, "score": 0} for k in keys]),
        0,
        "update_rows by hostile e-mail",
    )
    _expect_equal(_snapshot(connector), _seeded(), "data after hostile keys")


def check_keys_match_exactly(connector: Connector) -> None:
    """A key matches only the identical value: no wildcard, case, accent or padding games."""
    cases = {
        "a_b@example.test": [4],
        "a%b@example.test": [3],
        "zoe": [4],
        "Zoë": [3],
        "ZOE": [5],
        "zoe ": [7],
    }
    for key, ids in cases.items():
        field = "email" if "@" in key else "name"
        _expect_equal(
            _ids(connector.fetch("person", {field: [key]}, ["id"])), ids, f"fetch {field}={key!r}"
        )


def check_ignore_case_matches_any_case_only(connector: Connector) -> None:
    """An :class:`IgnoreCase` field matches a key in any (ASCII) case, and nothing more.

    No accent or padding games either; hostile keys stay inert. Identities
    people write in any case (e-mail) are looked up this way.
    """
    email, name = IgnoreCase("email"), IgnoreCase("name")
    rows = connector.fetch("person", {email: ["ANN@Example.TEST", "Dora@example.test"]}, ["id"])
    _expect_equal(_ids(rows), [1, 8], "fetch by e-mail in another case")
    _expect_equal(connector.count("person", {email: ["O'BRIEN@example.test"]}), 1, "count")
    _expect_equal(_ids(connector.fetch("person", {name: ["ZoE"]}, ["id"])), [4, 5], "names")
    hostile = [key for key in HOSTILE_KEYS if key.lower() != "ann@example.test"]
    _expect_equal(connector.fetch("person", {email: hostile}, ["id"]), [], "hostile keys")
    _expect_equal(connector.update("person", {name: ["zOe"]}, {"score": 0}), 2, "update")
    _changed(connector, "person", {4: {"score": 0}, 5: {"score": 0}})


def check_empty_key_set_touches_nothing(connector: Connector) -> None:
    """An empty key set returns nothing and changes nothing."""
    _expect_equal(connector.fetch("person", {"id": []}, ["id"]), [], "fetch of no keys")
    _expect_equal(connector.count("person", {"id": []}), 0, "count of no keys")
    _expect_equal(connector.update("person", {"id": []}, {"score": 0}), 0, "update of no keys")
    _expect_equal(connector.update_rows("person", "id", []), 0, "update_rows of no rows")
    _expect_equal(connector.delete("note", {"id": []}), 0, "delete of no keys")
    _expect_equal(_snapshot(connector), _seeded(), "data after empty key sets")


def check_empty_match_is_refused(connector: Connector) -> None:
    """A match naming no field is an error, never 'every row'."""
    try:
        connector.delete("note", {})
    except ConnectorError:
        pass
    else:
        raise ContractViolation("delete with an empty match did not raise ConnectorError")
    _expect_equal(_snapshot(connector), _seeded(), "data after an empty match")


def check_update_changes_only_selected_rows(connector: Connector) -> None:
    """``update`` sets the same values on the selected rows and on no other."""
    changed = connector.update("person", {"id": [2, 4]}, {"score": 0, "name": None})
    _expect_equal(changed, 2, "rows updated")
    _changed(connector, "person", {2: {"score": 0, "name": None}, 4: {"score": 0, "name": None}})


def check_update_rows_sets_each_rows_values(connector: Connector) -> None:
    """``update_rows`` gives each row its own values and leaves the others alone."""
    rows = [{"id": 1, "name": "N1"}, {"id": 8, "name": "N8", "score": 1}, {"id": 99, "name": "x"}]
    _expect_equal(connector.update_rows("person", "id", rows), 2, "rows updated")
    _changed(connector, "person", {1: {"name": "N1"}, 8: {"name": "N8", "score": 1}})


def check_delete_removes_only_selected_rows(connector: Connector) -> None:
    """``delete`` removes the selected rows and returns how many."""
    _expect_equal(connector.delete("note", {"id": [1, 3, 99]}), 2, "rows deleted")
    _expect_equal(_ids(_snapshot(connector)["note"]), [2, 4], "notes left")


def check_transaction_rolls_back_on_exception(connector: Connector) -> None:
    """An exception inside transaction() undoes every change made inside it."""
    try:
        with connector.transaction():
            connector.delete("note", {"person_id": [1]})
            connector.update("person", {"id": [1]}, {"name": "changed"})
            raise _Abort
    except _Abort:
        pass
    _expect_equal(_snapshot(connector), _seeded(), "data after a rolled-back transaction")


def check_transaction_commits_together(connector: Connector) -> None:
    """Changes inside transaction() are all there after it ends."""
    with connector.transaction():
        connector.delete("note", {"person_id": [6]})
        connector.delete("person", {"id": [6]})
    _expect_equal(_ids(_snapshot(connector)["person"]), [1, 2, 3, 4, 5, 7, 8], "people left")
    _expect_equal(_ids(_snapshot(connector)["note"]), [1, 2, 3], "notes left")


def check_unknown_names_are_errors(connector: Connector) -> None:
    """An unknown collection or field raises ConnectorError naming it."""
    for collection, field in (("no_such_collection", "id"), ("person", "no_such_field")):
        try:
            connector.fetch(collection, {field: [1]}, [])
        except ConnectorError as error:
            name = collection if collection != "person" else field
            _expect(name in str(error), f"error {error} does not name {name!r}")
        else:
            raise ContractViolation(f"fetch from {collection}.{field} did not raise ConnectorError")


def check_explain_shows_statements_not_values(connector: Connector) -> None:
    """``explain`` describes the work without doing it and without showing the keys."""
    for operation in ("fetch", "count", "update", "delete"):
        text = connector.explain(operation, "person", {"email": ["ann@example.test"]}, ["name"])
        _expect(bool(text.strip()), f"explain({operation!r}) is empty")
        _expect("ann@example.test" not in text, f"explain({operation!r}) shows a key value")
    _expect_equal(_snapshot(connector), _seeded(), "data after explain")


class _Abort(Exception):
    """Raised inside a transaction to test the rollback."""


Check = Callable[[Connector], None]

CHECKS: tuple[Check, ...] = (
    check_describe,
    check_fetch_returns_exactly_the_selected_rows,
    check_fetch_with_two_fields_selects_rows_matching_both,
    check_count,
    check_hostile_keys_are_inert,
    check_keys_match_exactly,
    check_ignore_case_matches_any_case_only,
    check_empty_key_set_touches_nothing,
    check_empty_match_is_refused,
    check_update_changes_only_selected_rows,
    check_update_rows_sets_each_rows_values,
    check_delete_removes_only_selected_rows,
    check_transaction_rolls_back_on_exception,
    check_transaction_commits_together,
    check_unknown_names_are_errors,
    check_explain_shows_statements_not_values,
)
"""Every check of the contract, in order."""
