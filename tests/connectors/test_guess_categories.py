"""Guessed data categories from column names and types (a table of cases)."""

from __future__ import annotations

import pytest

from tutela.connectors.guess import NAME_RULES, TYPE_RULES, guess_column, snake_case
from tutela.ports import ColumnInfo
from tutela.taxonomy.vocabulary import Vocabulary

CASES = [
    ("email", "varchar", "user.contact.email", "email"),
    ("EmailAddress", "varchar", "user.contact.email", "email"),
    ("contact_e_mail", "text", "user.contact.email", "email"),
    ("phone", "varchar", "user.contact.phone_number", "phone_number"),
    ("mobile_number", "varchar", "user.contact.phone_number", "phone_number"),
    ("firstName", "varchar", "user.name.first", None),
    ("last_name", "varchar", "user.name.last", None),
    ("surname", "varchar", "user.name.last", None),
    ("full_name", "varchar", "user.name", None),
    ("name", "varchar", "user.name", None),
    ("holder_name", "varchar", "user.name", None),
    ("street", "varchar", "user.contact.address.street", None),
    ("address_line1", "varchar", "user.contact.address.street", None),
    ("city", "varchar", "user.contact.address.city", None),
    ("zip", "varchar", "user.contact.address.postal_code", None),
    ("postal_code", "varchar", "user.contact.address.postal_code", None),
    ("ip", "varchar", "user.device.ip_address", None),
    ("client_ip", "varchar", "user.device.ip_address", None),
    ("source", "inet", "user.device.ip_address", None),
    ("user_agent", "text", "user.device", None),
    ("device_id", "varchar", "user.device.device_id", None),
    ("birth_date", "date", "user.demographic.date_of_birth", None),
    ("dob", "date", "user.demographic.date_of_birth", None),
    ("last4", "varchar", "user.financial.credit_card", None),
    ("card_number", "varchar", "user.financial.credit_card", None),
    ("iban", "varchar", "user.financial.bank_account", None),
    ("password_hash", "varchar", "user.authorization.password", None),
    ("username", "varchar", "user.account.username", None),
    ("lat", "numeric(9, 6)", "user.location.precise", None),
    ("longitude", "double precision", "user.location.precise", None),
]

NOT_PERSONAL = [
    ("product_name", "varchar"),
    ("sku", "varchar"),
    ("total", "numeric(10, 2)"),
    ("qty", "integer"),
    ("created_at", "timestamp"),
    ("hostname", "varchar"),
    ("filename", "varchar"),
    ("last_login", "timestamp"),
    ("lat", "integer"),
]


@pytest.mark.parametrize(("name", "kind", "category", "identity"), CASES)
def test_column_name_suggests_category(
    name: str, kind: str, category: str, identity: str | None
) -> None:
    guess = guess_column(ColumnInfo(name=name, type=kind))
    assert guess is not None
    assert (guess.category, guess.identity) == (category, identity)
    assert guess.reason in ("column name", f"column type {kind}")


@pytest.mark.parametrize(("name", "kind"), NOT_PERSONAL)
def test_ordinary_columns_get_no_guess(name: str, kind: str) -> None:
    assert guess_column(ColumnInfo(name=name, type=kind)) is None


def test_every_guessed_category_is_in_the_fideslang_taxonomy() -> None:
    known = Vocabulary().categories
    guessed = {rule.category for rule in NAME_RULES} | set(TYPE_RULES.values())
    assert sorted(guessed - set(known)) == []


def test_snake_case_splits_camel_case_and_punctuation() -> None:
    assert snake_case("firstName") == "first_name"
    assert snake_case("E-Mail Address") == "e_mail_address"
