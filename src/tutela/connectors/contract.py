"""The conformance suite every connector passes, built-in or plug-in.

A connector under test must reach a system holding :data:`PEOPLE` and
:data:`NOTES` in the collections :data:`COLLECTIONS` describes (for SQL systems
:func:`seed_sql` creates them; ``tests/connectors/test_memory_contract.py``
seeds the memory connector from the same data). Each check is a
plain function taking that freshly seeded connector; it raises
:class:`ContractViolation` saying what went wrong. With pytest, subclass
:class:`ConnectorContract` and provide a ``contract_connector`` fixture that
yields a freshly seeded connector per test::

    class TestMyConnector(ConnectorContract):
        @pytest.fixture
        def contract_connector(self, my_database):
            seed(my_database)
            yield MyConnector(my_database)

Without pytest, :func:`run_contract` runs every check with a factory.

This module is the suite's one entry point and re-exports every public name of
its parts: :mod:`tutela.connectors.contract_seed` (the data and :func:`seed_sql`)
and :mod:`tutela.connectors.contract_checks` (the checks, :data:`CHECKS` and
:class:`ContractViolation`).
"""

from __future__ import annotations

from collections.abc import Callable

from tutela.connectors.contract_checks import (
    CHECKS,
    HOSTILE_KEYS,
    NOTE_IDS,
    PERSON_IDS,
    Check,
    ContractViolation,
    check_count,
    check_delete_removes_only_selected_rows,
    check_describe,
    check_empty_key_set_touches_nothing,
    check_empty_match_is_refused,
    check_explain_shows_statements_not_values,
    check_fetch_returns_exactly_the_selected_rows,
    check_fetch_with_two_fields_selects_rows_matching_both,
    check_hostile_keys_are_inert,
    check_ignore_case_matches_any_case_only,
    check_keys_match_exactly,
    check_transaction_commits_together,
    check_transaction_rolls_back_on_exception,
    check_unknown_names_are_errors,
    check_update_changes_only_selected_rows,
    check_update_rows_sets_each_rows_values,
)
from tutela.connectors.contract_seed import COLLECTIONS, NOTES, PEOPLE, seed_sql
from tutela.ports import Connector

__all__ = [
    "CHECKS",
    "COLLECTIONS",
    "HOSTILE_KEYS",
    "NOTES",
    "NOTE_IDS",
    "PEOPLE",
    "PERSON_IDS",
    "Check",
    "ConnectorContract",
    "ContractViolation",
    "check_count",
    "check_delete_removes_only_selected_rows",
    "check_describe",
    "check_empty_key_set_touches_nothing",
    "check_empty_match_is_refused",
    "check_explain_shows_statements_not_values",
    "check_fetch_returns_exactly_the_selected_rows",
    "check_fetch_with_two_fields_selects_rows_matching_both",
    "check_hostile_keys_are_inert",
    "check_ignore_case_matches_any_case_only",
    "check_keys_match_exactly",
    "check_transaction_commits_together",
    "check_transaction_rolls_back_on_exception",
    "check_unknown_names_are_errors",
    "check_update_changes_only_selected_rows",
    "check_update_rows_sets_each_rows_values",
    "run_contract",
    "seed_sql",
]


def run_contract(make_connector: Callable[[], Connector]) -> None:
    """Run every check, each on a fresh connector from ``make_connector`` (freshly seeded)."""
    for check in CHECKS:
        connector = make_connector()
        try:
            check(connector)
        finally:
            connector.close()


class ConnectorContract:
    """pytest base class: one test per check; subclasses provide ``contract_connector``."""

    def test_describe(self, contract_connector: Connector) -> None:
        """See :func:`check_describe`."""
        check_describe(contract_connector)

    def test_fetch_returns_exactly_the_selected_rows(self, contract_connector: Connector) -> None:
        """See :func:`check_fetch_returns_exactly_the_selected_rows`."""
        check_fetch_returns_exactly_the_selected_rows(contract_connector)

    def test_fetch_with_two_fields(self, contract_connector: Connector) -> None:
        """See :func:`check_fetch_with_two_fields_selects_rows_matching_both`."""
        check_fetch_with_two_fields_selects_rows_matching_both(contract_connector)

    def test_count(self, contract_connector: Connector) -> None:
        """See :func:`check_count`."""
        check_count(contract_connector)

    def test_hostile_keys_are_inert(self, contract_connector: Connector) -> None:
        """See :func:`check_hostile_keys_are_inert`."""
        check_hostile_keys_are_inert(contract_connector)

    def test_keys_match_exactly(self, contract_connector: Connector) -> None:
        """See :func:`check_keys_match_exactly`."""
        check_keys_match_exactly(contract_connector)

    def test_ignore_case_matches_any_case_only(self, contract_connector: Connector) -> None:
        """See :func:`check_ignore_case_matches_any_case_only`."""
        check_ignore_case_matches_any_case_only(contract_connector)

    def test_empty_key_set_touches_nothing(self, contract_connector: Connector) -> None:
        """See :func:`check_empty_key_set_touches_nothing`."""
        check_empty_key_set_touches_nothing(contract_connector)

    def test_empty_match_is_refused(self, contract_connector: Connector) -> None:
        """See :func:`check_empty_match_is_refused`."""
        check_empty_match_is_refused(contract_connector)

    def test_update_changes_only_selected_rows(self, contract_connector: Connector) -> None:
        """See :func:`check_update_changes_only_selected_rows`."""
        check_update_changes_only_selected_rows(contract_connector)

    def test_update_rows_sets_each_rows_values(self, contract_connector: Connector) -> None:
        """See :func:`check_update_rows_sets_each_rows_values`."""
        check_update_rows_sets_each_rows_values(contract_connector)

    def test_delete_removes_only_selected_rows(self, contract_connector: Connector) -> None:
        """See :func:`check_delete_removes_only_selected_rows`."""
        check_delete_removes_only_selected_rows(contract_connector)

    def test_transaction_rolls_back_on_exception(self, contract_connector: Connector) -> None:
        """See :func:`check_transaction_rolls_back_on_exception`."""
        check_transaction_rolls_back_on_exception(contract_connector)

    def test_transaction_commits_together(self, contract_connector: Connector) -> None:
        """See :func:`check_transaction_commits_together`."""
        check_transaction_commits_together(contract_connector)

    def test_unknown_names_are_errors(self, contract_connector: Connector) -> None:
        """See :func:`check_unknown_names_are_errors`."""
        check_unknown_names_are_errors(contract_connector)

    def test_explain_shows_statements_not_values(self, contract_connector: Connector) -> None:
        """See :func:`check_explain_shows_statements_not_values`."""
        check_explain_shows_statements_not_values(contract_connector)
