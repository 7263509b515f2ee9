"""Cross-references: every name one part of the programme uses for another must exist."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tutela.errors import Location
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.programme.references import check_references, resolve_reference

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"
Data = dict[str, Any]


def _data() -> Data:
    return load_programme(MINIMAL).model_dump(mode="json", exclude_defaults=True)


def _programme(change: Callable[[Data], None]) -> Programme:
    data = _data()
    change(data)
    return Programme.model_validate(data)


def _contact(data: Data) -> Data:
    collection: Data = data["systems"][0]["datasets"][0]["collections"][0]
    return collection


def _add_cookie(data: Data) -> None:
    data["cookies"] = [
        {
            "name": "_ga",
            "provider": "G",
            "category": "statistics",
            "duration": "1y",
            "purpose": "stats",
        }
    ]


def _add_release(data: Data) -> None:
    data["anonymisation"] = [
        {
            "key": "counts",
            "name": "Counts",
            "description": "Monthly counts.",
            "method": "aggregation",
            "source_purposes": ["newsleter"],
        }
    ]


FIELD = "systems[crm].datasets[crm_db].collections[contact]"
CASES: list[tuple[str, Callable[[Data], None], str, str]] = [
    (
        "purpose category",
        lambda d: d["purposes"][0]["categories"].append("user.contact.emial"),
        "purposes[supply_services].categories[2]",
        "unknown data category `user.contact.emial`",
    ),
    (
        "recipient category",
        lambda d: d["recipients"][0]["categories"].__setitem__(0, "user.nam"),
        "recipients[hosting].categories[0]",
        "unknown data category",
    ),
    (
        "source category",
        lambda d: d["sources"][0]["categories"].__setitem__(1, "user.full_name"),
        "sources[from_subject].categories[1]",
        "unknown data category",
    ),
    (
        "field category",
        lambda d: _contact(d)["fields"][1]["data_categories"].__setitem__(0, "user.email"),
        f"{FIELD}.fields[email].data_categories[0]",
        "unknown data category",
    ),
    (
        "masking rule category",
        lambda d: d.__setitem__(
            "masking", {"rules": [{"category": "user.contct", "strategy": "hash"}]}
        ),
        "masking.rules[0].category",
        "unknown data category",
    ),
    (
        "category parent",
        lambda d: d.__setitem__(
            "categories", [{"key": "user.pet_name", "name": "Pet name", "parent": "usr"}]
        ),
        "categories[user.pet_name].parent",
        "unknown data category `usr`",
    ),
    (
        "data use",
        lambda d: d["purposes"][1]["data_uses"].__setitem__(0, "marketing.email"),
        "purposes[newsletter].data_uses[0]",
        "unknown data use",
    ),
    (
        "purpose subject",
        lambda d: d["purposes"][0]["subjects"].__setitem__(0, "customer"),
        "purposes[supply_services].subjects[0]",
        "unknown subject `customer`",
    ),
    (
        "source subject",
        lambda d: d["sources"][0].__setitem__("subjects", ["visitors"]),
        "sources[from_subject].subjects[0]",
        "unknown subject",
    ),
    (
        "subject taxonomy",
        lambda d: d["subjects"][0]["taxonomy"].__setitem__(0, "customers"),
        "subjects[customer_contact].taxonomy[0]",
        "unknown fideslang data subject",
    ),
    (
        "purpose source",
        lambda d: d["purposes"][0]["sources"].__setitem__(0, "from_subjects"),
        "purposes[supply_services].sources[0]",
        "unknown source",
    ),
    (
        "purpose retention",
        lambda d: d["purposes"][0].__setitem__("retention", "contract_plus_7"),
        "purposes[supply_services].retention",
        "unknown retention rule",
    ),
    (
        "system retention",
        lambda d: d["systems"][0].__setitem__("retention", "forever"),
        "systems[crm].retention",
        "unknown retention rule",
    ),
    (
        "system purpose",
        lambda d: d["systems"][0]["purposes"].__setitem__(1, "newsletters"),
        "systems[crm].purposes[1]",
        "unknown purpose `newsletters`",
    ),
    (
        "collection purpose",
        lambda d: _contact(d).__setitem__("purposes", ["billing"]),
        f"{FIELD}.purposes[0]",
        "unknown purpose",
    ),
    ("cookie purpose", _add_cookie, "cookies[_ga].purpose", "unknown purpose `stats`"),
    (
        "anonymisation source purpose",
        _add_release,
        "anonymisation[counts].source_purposes[0]",
        "unknown purpose",
    ),
    (
        "restriction flag",
        lambda d: _contact(d).__setitem__("restriction_flag", "restricted"),
        f"{FIELD}.restriction_flag",
        "unknown field `restricted`",
    ),
    (
        "field reference",
        lambda d: d["systems"][0]["datasets"][0]["collections"][1]["fields"][1]["references"][
            0
        ].__setitem__("to", "contacts.id"),
        "systems[crm].datasets[crm_db].collections[note].fields[contact_id].references[0].to",
        "unknown field `contacts.id`",
    ),
]


@pytest.mark.parametrize(
    ("change", "path", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_dangling_reference_is_reported(
    change: Callable[[Data], None], path: str, message: str
) -> None:
    (error,) = check_references(_programme(change))
    assert error.path == path
    assert message in error.message
    assert error.hint


def test_minimal_programme_has_no_dangling_reference() -> None:
    assert check_references(load_programme(MINIMAL)) == []


def test_RP_1_records_only_name_defined_purposes() -> None:
    # A recipient disclosed to for a purpose the programme does not define would put an
    # unknown purpose into the Art. 30(1)(b)/(d) records.
    programme = _programme(lambda d: d["recipients"][0]["purposes"].append("hostng"))
    (error,) = check_references(programme)
    assert error.path == "recipients[hosting].purposes[1]"
    assert error.message == "unknown purpose `hostng`"


def test_did_you_mean_names_the_closest_key() -> None:
    programme = _programme(lambda d: d["purposes"][0]["categories"].append("user.contact.emial"))
    (error,) = check_references(programme)
    assert error.hint == "did you mean `user.contact.email`?"


def test_without_a_close_key_the_hint_says_where_to_declare() -> None:
    programme = _programme(lambda d: d["purposes"][0].__setitem__("retention", "zzz"))
    (error,) = check_references(programme)
    assert error.hint == "declare it under `retention:`"


def test_errors_carry_the_location_they_were_written_at() -> None:
    programme = _programme(lambda d: d["purposes"][0].__setitem__("retention", "zzz"))
    where = Location("purposes.yml", 20, 16)
    (error,) = check_references(programme, {("purposes", 0, "retention"): where})
    assert error.location == where


def test_programme_categories_extend_the_vocabulary() -> None:
    def extend(data: Data) -> None:
        data["categories"] = [
            {"key": "user.pet_name", "name": "Pet name", "parent": "user"},
            {"key": "user.pet_name.cat", "name": "Cat's name", "parent": "user.pet_name"},
        ]
        data["purposes"][0]["categories"].append("user.pet_name.cat")

    assert check_references(_programme(extend)) == []


def test_category_that_is_its_own_ancestor() -> None:
    def loop(data: Data) -> None:
        data["categories"] = [
            {"key": "user.a", "name": "A", "parent": "user.b"},
            {"key": "user.b", "name": "B", "parent": "user.a"},
        ]

    errors = check_references(_programme(loop))
    assert [e.message for e in errors] == [
        "category `user.a` is its own ancestor",
        "category `user.b` is its own ancestor",
    ]


def test_all_dangling_references_come_together() -> None:
    def many(data: Data) -> None:
        data["purposes"][0]["retention"] = "nope"
        data["systems"][0]["purposes"] = ["nope"]
        _contact(data)["restriction_flag"] = "nope"

    assert len(check_references(_programme(many))) == 3


def _two_datasets() -> Programme:
    def add(data: Data) -> None:
        data["systems"].append(
            {
                "key": "shop",
                "name": "Shop",
                "owner": "Shop team",
                "hosting_country": "BE",
                "datasets": [
                    {
                        "key": "shop_db",
                        "name": "Shop database",
                        "collections": [
                            {
                                "name": "orders",
                                "fields": [
                                    {"name": "id", "primary_key": True},
                                    {"name": "buyer", "references": [{"to": "crm_db.contact.id"}]},
                                    {
                                        "name": "delivery.address",
                                        "references": [{"to": "orders.id"}],
                                    },
                                ],
                            }
                        ],
                    }
                ],
            }
        )

    return _programme(add)


def test_resolve_reference_in_the_same_dataset() -> None:
    found = resolve_reference(_two_datasets(), "crm_db", "contact.id")
    assert found is not None
    dataset, collection, field = found
    assert (dataset.key, collection.name, field.name) == ("crm_db", "contact", "id")


def test_resolve_reference_across_datasets_and_to_nested_fields() -> None:
    programme = _two_datasets()
    across = resolve_reference(programme, "shop_db", "crm_db.contact.email")
    nested = resolve_reference(programme, "crm_db", "shop_db.orders.delivery.address")
    assert across is not None and across[2].name == "email"
    assert nested is not None and nested[2].name == "delivery.address"
    assert check_references(programme) == []


def test_resolve_reference_that_names_nothing() -> None:
    programme = _two_datasets()
    assert resolve_reference(programme, "shop_db", "crm_db.contact.nothing") is None
    assert resolve_reference(programme, "shop_db", "nothing") is None
    assert resolve_reference(programme, "missing_db", "contact.id") is None


CUSTOMER = {
    "key": "acme",
    "name": "Acme SA",
    "contact": "privacy@acme.test",
    "country": "FR",
    "dpa_reference": "DPA-1",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda data: data.setdefault("dpa_register", []).append(
                {**CUSTOMER, "systems": ["crm"]}
            ),
            "system `crm` is a controller system",
        ),
        (
            lambda data: data.setdefault("dpa_register", []).append(
                {**CUSTOMER, "systems": ["scanner"]}
            ),
            "unknown processor system `scanner`",
        ),
        (
            lambda data: data["systems"][0].update(hosting_provider="nobody"),
            "unknown recipient `nobody`",
        ),
        (
            lambda data: data.setdefault("dpias", []).append(
                {"reference": "D-1", "purposes": ["cctv"], "assessed_on": "2026-01-01"}
            ),
            "unknown purpose `cctv`",
        ),
    ],
)
def test_art30_2_register_hosts_and_dpias_name_what_exists(
    change: Callable[[Data], None], message: str
) -> None:
    errors = check_references(_programme(change))
    assert len(errors) == 1
    assert errors[0].message.startswith(message)
