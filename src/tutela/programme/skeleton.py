"""Programme parts tutela writes for a person to finish: placeholders, a skeleton, key-safe systems.

``tutela init`` writes :func:`skeleton_files` (every legal section, one purpose, one
retention rule); ``tutela import fides`` and ``tutela datasets reflect --as-system``
write systems with a connector whose URL comes from the environment
(:func:`url_env_for`) and a masking policy that erases what it can without breaking
the database: keys are left alone (:func:`leave_keys_alone`), and a personal column that
cannot be null gets a strategy it can hold (:func:`proposed_masking`).

What only a person can say is written as a placeholder: a value holding :data:`TODO`,
or the unknown country :data:`COUNTRY_PLACEHOLDER`. ``tutela check`` reports every one
(``transparency/todo-placeholder``). Pure: options in, text and models out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from tutela.errors import PolicyError, PolicyErrors
from tutela.programme.erasure import FieldAddress, key_columns
from tutela.programme.models import Collection, Dataset, DatasetField, Programme, System
from tutela.taxonomy.vocabulary import covers

TODO = "TODO"
"""The word that marks a placeholder value."""

COUNTRY_PLACEHOLDER = "ZZ"
"""ISO 3166 user-assigned code for "unknown": the placeholder where a country is required."""

OWNER_PLACEHOLDER = f"{TODO}: who answers for this system"
"""The owner written for a system nobody has been named for."""

COUNTRY_TODO = f"{TODO}: ISO 3166 code of the country where the system is hosted"
"""The comment written beside a placeholder hosting country."""

PURPOSES_TODO = f"{TODO}: the purposes this system serves, e.g. [service] of tutela init"
"""The comment written beside a system's empty ``purposes:`` list."""

DEFAULT_FIXED = "REDACTED"
"""What the ``fixed`` strategy writes when no ``masking_value`` is given."""

SKELETON_FILES: tuple[str, ...] = ("organisation.yml", "purposes.yml")
"""The files ``tutela init`` writes, in the programme folder."""

_COUNTRY = re.compile(r"^[A-Z]{2}$")

# --- tutela init -------------------------------------------------------------------------------


def skeleton_files(
    *, organisation: str | None = None, country: str | None = None, today: date
) -> dict[str, str]:
    """The files of a new programme (:data:`SKELETON_FILES`), by name, as YAML text.

    ``organisation`` is the controller's legal name and ``country`` the ISO 3166-1
    alpha-2 code of its establishment (also its lead authority); each is a placeholder
    when not given. ``today`` dates the first statement version. Raises PolicyErrors
    naming ``--organisation`` or ``--country`` when either is malformed.
    """
    name, code = _options(organisation, country)
    values = {
        "name": _quoted(name or f"{TODO}: the organisation's legal name"),
        "title": _quoted(f"Privacy statement of {name}" if name else f"{TODO}: statement title"),
        "country": code or COUNTRY_PLACEHOLDER,
        "today": today.isoformat(),
    }
    return {
        "organisation.yml": _ORGANISATION.format(**values),
        "purposes.yml": _PURPOSES,
    }


def _options(organisation: str | None, country: str | None) -> tuple[str | None, str | None]:
    problems = []
    name = organisation.strip() if organisation is not None else None
    if name is not None and not (0 < len(name) <= 500 and name.isprintable()):
        problems.append(("--organisation", organisation, "a name of 1 to 500 characters"))
    code = country.strip().upper() if country is not None else None
    if code is not None and not _COUNTRY.match(code):
        problems.append(("--country", country, "an ISO 3166-1 alpha-2 code such as BE"))
    if problems:
        raise PolicyErrors(
            [
                PolicyError(f"invalid {option}", path=option, expected=expected, found=repr(value))
                for option, value, expected in problems
            ]
        )
    return name, code


def _quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


_TODO_HEADER = """\
# Written by `tutela init`. Replace every TODO: `tutela check` reports each one
# (transparency/todo-placeholder) and the statement is not published until none is left.
# docs/programme.md explains every key. `tutela dsr` does not need this file.
"""

_ORGANISATION = (
    _TODO_HEADER
    + """
organisation:
  legal_name: {name}
  registration_number: "TODO: company registration number"
  registered_address:
    street: "TODO: street and number"
    city: "TODO: city"
    country: {country}
  privacy_email: "TODO: the privacy contact, e.g. privacy@example.com"
  privacy_postal_address:
    street: "TODO: street and number"
    city: "TODO: city"
    country: {country}
  lead_supervisory_authority: {country}
  establishment_country: {country}

statement:
  title: {title}
  version: "0.1"
  effective_date: {today}

rights:
  channels: ["TODO: where people send a request, e.g. privacy@example.com"]
  identity_verification: "TODO: how you check who is asking"
  fees: Answering is free of charge; further copies may cost a reasonable fee (Art. 15(3)).
  refusals: >-
    We may refuse manifestly unfounded or excessive requests and will say why (Art. 12(5)).

complaints:
  contact_email: "TODO: where people complain to you, e.g. privacy@example.com"
  authorities: [{country}]
"""
)

_PURPOSES = (
    _TODO_HEADER
    + """
purposes:
  - key: service
    name: "TODO: the processing activity, e.g. Providing our service"
    description: "TODO: what you do with the data and why"
    legal_basis: contract  # consent, contract, legal_obligation, legitimate_interests, ...
    categories: [user]  # narrow to the categories this purpose uses, e.g. user.contact.email
    retention: service

retention:
  - key: service
    name: "TODO: name of the rule, e.g. Contract term plus 1 year"
    criterion: "TODO: how long the data is kept, or set period: 1y and trigger: contract_end"
"""
)

# --- systems: connector, placeholders, key-safe masking ----------------------------------------


def url_env_for(system: str) -> str:
    """The environment variable holding ``system``'s URL: ``shop`` -> ``SHOP_URL``."""
    name = re.sub(r"[^A-Z0-9]+", "_", system.upper()).strip("_") or "SYSTEM"
    return f"{'_' if name[0].isdigit() else ''}{name}_URL"


@dataclass(frozen=True)
class ProposedMasking:
    """How a personal field that cannot be null is erased, and why (``strategy`` None: no fit)."""

    strategy: str | None
    value: str | None
    reason: str


_TEXT = ("char", "text", "string", "clob")
_NUMBER = ("int", "numeric", "decimal", "float", "double", "real", "number")


def proposed_masking(item: DatasetField) -> ProposedMasking | None:
    """The masking a personal, non-key field needs beyond the default ``null``.

    None for a nullable field (``masking.default: null`` erases it). For a field that
    cannot be null: ``hash`` for an identity (often unique, so one constant would
    collide), ``fixed`` for text (cut to its length), numbers (``0``) and dates, and
    ``random`` for timestamps and booleans. For other types (uuid, inet, json...)
    nothing fits: strategy None, and ``tutela check`` reports the field until a
    person chooses (``erasure/null-on-required-field``).
    """
    if item.nullable:
        return None
    kind = (item.type or "string").lower()
    if any(word in kind for word in _TEXT):
        if item.identity:
            return ProposedMasking("hash", None, "identity that cannot be null: keyed hash")
        short = item.length is not None and item.length < len(DEFAULT_FIXED)
        value = "X" * item.length if short and item.length else None
        return ProposedMasking("fixed", value, "cannot be null: fixed value")
    if any(word in kind for word in _NUMBER):
        return ProposedMasking("fixed", "0", "cannot be null: fixed 0")
    if kind.startswith("date") and "time" not in kind:
        return ProposedMasking("fixed", "1970-01-01", "cannot be null: fixed date")
    if any(word in kind for word in ("time", "bool", "bit")):
        return ProposedMasking("random", None, "cannot be null: random value")
    return ProposedMasking(
        None, None, f"review: null cannot erase a non-null {kind} column; set masking"
    )


def leave_keys_alone(
    datasets: Sequence[Dataset],
) -> tuple[list[Dataset], dict[FieldAddress, str]]:
    """``datasets`` with their key fields made not personal, and a note per field changed.

    Keys (primary keys, both ends of every reference: :func:`key_columns`) only tie
    rows together; an erasure must never mask them, so they keep no personal category
    that a masking rule could reach (``erasure/masks-key-column``). Categories under
    ``system`` are not personal and stay.
    """
    keys = _key_columns(datasets)
    notes: dict[FieldAddress, str] = {}

    def safe(dataset: Dataset, collection: Collection, item: DatasetField) -> DatasetField:
        address = (dataset.key, collection.name, item.name)
        personal = [c for c in item.data_categories if not covers("system", c)]
        if address not in keys or not personal:
            return item
        notes[address] = _key_note(address, keys[address], personal)
        kept = [c for c in item.data_categories if c not in personal]
        return item.model_copy(update={"data_categories": kept})

    result = [
        dataset.model_copy(
            update={
                "collections": [
                    c.model_copy(update={"fields": [safe(dataset, c, f) for f in c.fields]})
                    for c in dataset.collections
                ]
            }
        )
        for dataset in datasets
    ]
    return result, notes


def _key_columns(datasets: Sequence[Dataset]) -> Mapping[FieldAddress, str]:
    holder = System(
        key="draft",
        name="draft",
        owner=OWNER_PLACEHOLDER,
        hosting_country=COUNTRY_PLACEHOLDER,
        datasets=list(datasets),
    )
    return key_columns(Programme(systems=[holder]))


def _key_note(address: FieldAddress, why: str, categories: Sequence[str]) -> str:
    return (
        f"`{'.'.join(address)}` is a {why}; its personal categories "
        f"[{', '.join(categories)}] are left out so that erasure never masks it "
        "(a key only links rows)"
    )
