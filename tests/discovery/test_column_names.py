"""The column-name detector: multilingual terms, abbreviations, misleading and opaque names."""

from __future__ import annotations

import pytest

from tutela.discovery.detectors.column_name import DETECTOR, lexicon, words_of
from tutela.discovery.models import ColumnNameDetector
from tutela.discovery.registry import detectors

EMAIL = "user.contact.email"
PHONE = "user.contact.phone_number"
FIRST = "user.name.first"
LAST = "user.name.last"
STREET = "user.contact.address.street"
CITY = "user.contact.address.city"
POSTCODE = "user.contact.address.postal_code"
DOB = "user.demographic.date_of_birth"
NATIONAL = "user.government_id.national_identification_number"
BANK = "user.financial.bank_account"


@pytest.mark.parametrize(
    ("column", "category"),
    [
        # English, with abbreviations, prefixes, suffixes and digits
        ("email", EMAIL),
        ("EmailAddress", EMAIL),
        ("usr_email_txt", EMAIL),
        ("cust_fname", FIRST),
        ("lname", LAST),
        ("dob", DOB),
        ("tel2", PHONE),
        ("mobile-phone", PHONE),
        ("addr_line_2", STREET),
        ("zip", POSTCODE),
        ("ssn", NATIONAL),
        ("iban", BANK),
        ("ip.address", "user.device.ip_address"),
        ("password_hash", "user.authorization.password"),
        ("job_title", "user.job_title"),
        ("gender", "user.demographic.gender"),
        ("religion", "user.demographic.religious_belief"),
        ("passport_no", "user.government_id.passport_number"),
        ("drivers_license", "user.government_id.drivers_license_number"),
        # French
        ("prénom", FIRST),
        ("nom", LAST),
        ("courriel", EMAIL),
        ("rue", STREET),
        ("ville", CITY),
        ("code_postal", POSTCODE),
        ("cp", POSTCODE),
        ("date_de_naissance", DOB),
        ("nir", NATIONAL),
        ("insee", NATIONAL),
        # Dutch
        ("voornaam", FIRST),
        ("achternaam", LAST),
        ("naam", "user.name"),
        ("klantnaam", "user.name"),
        ("telefoonnummer", PHONE),
        ("straat", STREET),
        ("woonplaats", CITY),
        ("postcode", POSTCODE),
        ("rekeningnummer", BANK),
        ("bsn", NATIONAL),
        ("rijksregisternummer", NATIONAL),
        # German
        ("vorname", FIRST),
        ("Nachname", LAST),
        ("EMailAdresse", EMAIL),
        ("handynummer", PHONE),
        ("Straße", STREET),
        ("ort", CITY),
        ("plz", POSTCODE),
        ("gebdat", DOB),
        ("geb_datum", DOB),
        ("steuer_id", NATIONAL),
        ("kundenEmail", EMAIL),
        # Spanish, Italian, Portuguese, Polish
        ("nombre", FIRST),
        ("apellido", LAST),
        ("correo", EMAIL),
        ("telefono", PHONE),
        ("dni", NATIONAL),
        ("nif", NATIONAL),
        ("cognome", LAST),
        ("codice_fiscale", NATIONAL),
        ("data_de_nascimento", DOB),
        ("pesel", NATIONAL),
    ],
)
def test_name_in_five_languages_and_abbreviations_gives_the_category(
    column: str, category: str
) -> None:
    guess = DETECTOR.guess("customers", column, "varchar(100)")
    assert guess is not None, column
    assert guess.category == category, guess.reason
    assert column in guess.reason


@pytest.mark.parametrize(
    "column",
    [
        "mail_sent",
        "email_opt_in",
        "email_verified",
        "is_email_enabled",
        "mail_template",
        "email_count",
        "phone_model",
        "phone_os",
        "device_model",
        "name_of_file",
        "file_name",
        "filename",
        "archive_name",
        "zip_file",
        "zip_path",
        "table_name",
        "product_name",
        "company_name",
        "hostname",
        "street_view_enabled",
        "address_type",
        "birthday_discount",
        "date_created",
        "created_by",
        "ip_version",
        "ip_range",
        "ui_language",
        "customer_id",
        "user_agent",
        "email_confirmed_at",
    ],
)
def test_misleading_name_is_judged_not_personal_with_a_reason(column: str) -> None:
    guess = DETECTOR.guess("customers", column, "varchar(50)")
    assert guess is not None, column
    assert guess.category is None
    assert "not personal data" in guess.reason


@pytest.mark.parametrize("column", ["c1", "f_07", "attr3", "x", "col_b", "val", "kundennummer"])
def test_opaque_name_says_nothing(column: str) -> None:
    assert DETECTOR.guess("t", column, "varchar") is None


@pytest.mark.parametrize(
    ("table", "column", "category"),
    [
        ("customers", "name", "user.name"),
        ("products", "name", None),
        ("stores", "city", None),
        ("customers", "city", CITY),
        ("customers", "country", "user.contact.address.country"),
        ("product", "country", None),
    ],
)
def test_bare_word_in_a_table_of_things_is_not_personal(
    table: str, column: str, category: str | None
) -> None:
    guess = DETECTOR.guess(table, column, "varchar")
    assert guess is not None
    assert guess.category == category


@pytest.mark.parametrize(
    ("column", "column_type", "category"),
    [
        ("lat", "double precision", "user.location.precise"),
        ("lng", "numeric(9,6)", "user.location.precise"),
        ("email", "boolean", None),
        ("phone", "bit", None),
    ],
)
def test_column_type_decides_ambiguous_names(
    column: str, column_type: str, category: str | None
) -> None:
    guess = DETECTOR.guess("people", column, column_type)
    assert guess is not None
    assert guess.category == category


def test_latitude_abbreviation_in_a_text_column_is_not_a_location() -> None:
    assert DETECTOR.guess("people", "lat", "varchar(10)") is None


def test_state_is_an_address_state_only_with_address_context() -> None:
    billing = DETECTOR.guess("orders", "billing_state", "varchar")
    assert billing is not None and billing.category == "user.contact.address.state"
    assert DETECTOR.guess("orders", "state", "varchar") is None


@pytest.mark.parametrize(
    ("column", "identity"), [("email", "email"), ("telefoon", "phone_number"), ("naam", None)]
)
def test_identity_is_given_for_columns_that_identify_a_subject(
    column: str, identity: str | None
) -> None:
    guess = DETECTOR.guess("people", column, "varchar")
    assert guess is not None and guess.identity == identity


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("EMailAdresse", ["e", "mail", "adresse"]),
        ("cust_fname", ["cust", "fname"]),
        ("addr-line.2", ["addr", "line", "2"]),
        ("tel2", ["tel", "2"]),
        ("kundenemail", ["kunden", "email"]),
        ("hostname", ["host", "name"]),
        ("telefoonnummer", ["telefoonnummer"]),
        ("Prénom", ["prenom"]),
    ],
)
def test_names_are_split_into_words(name: str, words: list[str]) -> None:
    assert words_of(name) == words


def test_no_term_is_declared_for_two_categories() -> None:
    from tutela.discovery.detectors.column_name import key_of

    seen: dict[str, str] = {}
    clashes = []
    for term in lexicon().terms.values():
        for entry_terms in term.entry.terms.values():
            for text in entry_terms:
                key = key_of(text)
                if seen.setdefault(key, term.entry.category) != term.entry.category:
                    clashes.append(key)
    assert clashes == []


def test_column_name_detector_is_installed_as_a_built_in() -> None:
    installed = detectors()
    assert any(d.name == "column_name" for d in installed.names)
    assert isinstance(DETECTOR, ColumnNameDetector)
