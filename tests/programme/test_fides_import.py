"""Fides dataset files become tutela datasets that load in a programme."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tutela.errors import PolicyErrors
from tutela.programme.importers.fides import (
    COUNTRY_PLACEHOLDER,
    OWNER_PLACEHOLDER,
    FidesImport,
    fides_systems,
    import_datasets,
    systems_yaml,
)
from tutela.programme.loader import load
from tutela.programme.models import Dataset, DatasetField
from tutela.programme.yaml_documents import read_document

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures_fides"
MINIMAL = HERE.parent / "fixtures" / "minimal"


def _import(name: str) -> FidesImport:
    document = read_document(FIXTURES / name)
    return import_datasets(document.data, source=str(document.source), locations=document.values)


def _field(dataset: Dataset, collection: str, field: str) -> DatasetField:
    found = next(c for c in dataset.collections if c.name == collection)
    return next(f for f in found.fields if f.name == field)


@pytest.fixture(scope="module")
def shop() -> FidesImport:
    return _import("postgres_example.yml")


def test_every_dataset_and_collection_is_imported(shop: FidesImport) -> None:
    assert all("its personal categories [user.unique_id] are left out" in w for w in shop.warnings)
    assert [d.key for d in shop.datasets] == ["postgres_shop", "mongo_profiles"]
    postgres = shop.datasets[0]
    assert postgres.name == "Shop PostgreSQL database"
    assert [c.name for c in postgres.collections] == [
        "customer",
        "address",
        "orders",
        "payment_card",
        "login",
    ]
    assert postgres.collections[0].description == "One row per customer account."


def test_identities_primary_keys_types_and_lengths(shop: FidesImport) -> None:
    postgres, mongo = shop.datasets
    email = _field(postgres, "customer", "email")
    assert (email.identity, email.type, email.length) == ("email", "string", 254)
    assert email.data_categories == ["user.contact.email"]
    assert _field(postgres, "customer", "id").primary_key is True
    assert _field(postgres, "customer", "name").primary_key is False
    assert _field(mongo, "customer_details", "_id").type == "object_id"
    assert _field(mongo, "customer_details", "phone").identity == "phone_number"


def test_references_keep_direction_within_and_across_datasets(shop: FidesImport) -> None:
    postgres, mongo = shop.datasets
    (to_address,) = _field(postgres, "customer", "address_id").references
    assert (to_address.to, to_address.direction) == ("address.id", "to")
    (from_customer,) = _field(postgres, "orders", "customer_id").references
    assert (from_customer.to, from_customer.direction) == ("customer.id", "from")
    (across,) = _field(mongo, "customer_details", "customer_id").references
    assert (across.to, across.direction) == ("postgres_shop.customer.id", "from")


def test_fidesops_meta_is_read_like_fides_meta(shop: FidesImport) -> None:
    card_owner = _field(shop.datasets[0], "payment_card", "customer_id")
    assert [r.to for r in card_owner.references] == ["customer.id"]


def test_nested_fields_are_flattened_as_parent_child(shop: FidesImport) -> None:
    names = [f.name for f in shop.datasets[1].collections[0].fields]
    assert "workplace_info.employer" in names and "workplace_info.position" in names
    assert "workplace_info" not in names  # an unannotated object parent is not a column


def test_round_trip_import_then_load(shop: FidesImport, tmp_path: Path) -> None:
    programme_dir = tmp_path / "programme"
    shutil.copytree(MINIMAL, programme_dir)
    text = systems_yaml(shop, owner="Shop team", hosting_country="DE")
    (programme_dir / "shop.yml").write_text(text, encoding="utf-8")
    loaded = load(programme_dir)
    imported = [s for s in loaded.programme.systems if s.key != "crm"]
    assert [s.key for s in imported] == ["postgres_shop", "mongo_profiles"]
    assert tuple(d for s in imported for d in s.datasets) == shop.datasets
    assert all((s.owner, s.hosting_country) == ("Shop team", "DE") for s in imported)
    assert loaded.locate("systems", 0, "datasets", 0, "key").source.endswith("shop.yml")  # type: ignore[union-attr]


def test_one_system_for_all_datasets(shop: FidesImport, tmp_path: Path) -> None:
    (system,) = fides_systems(shop, system="shop", owner="Shop team", hosting_country="BE")
    assert system.key == "shop" and [d.key for d in system.datasets] == [
        "postgres_shop",
        "mongo_profiles",
    ]
    programme_dir = tmp_path / "programme"
    shutil.copytree(MINIMAL, programme_dir)
    (programme_dir / "shop.yml").write_text(systems_yaml(shop, system="shop"))
    assert load(programme_dir).programme.system("shop").datasets[1].key == "mongo_profiles"


def test_placeholders_are_marked_todo(shop: FidesImport) -> None:
    text = systems_yaml(shop)
    assert f"owner: '{OWNER_PLACEHOLDER}'" in text and OWNER_PLACEHOLDER.startswith("TODO")
    assert f"hosting_country: {COUNTRY_PLACEHOLDER}  # TODO" in text
    assert "purposes: [] # TODO" in text


def test_ER_1_keys_keep_no_personal_category_and_each_system_reads_its_url_from_env(
    shop: FidesImport,
) -> None:
    postgres, mongo = shop.datasets
    for collection, name in [
        ("customer", "id"),
        ("orders", "customer_id"),
        ("payment_card", "customer_id"),
        ("login", "customer_id"),
    ]:
        assert _field(postgres, collection, name).data_categories == [], (collection, name)
    assert _field(mongo, "customer_details", "customer_id").data_categories == []
    assert _field(postgres, "customer", "address_id").data_categories == ["system.operations"]
    assert _field(postgres, "customer", "email").data_categories == ["user.contact.email"]
    warnings = "\n".join(shop.warnings)
    assert "postgres_example.yml:56:13: `postgres_shop.orders.customer_id` is a key" in warnings
    assert len(shop.warnings) == 5
    systems = fides_systems(shop)
    assert [(s.connector.type, s.connector.url_env) for s in systems if s.connector] == [
        ("sql", "POSTGRES_SHOP_URL"),
        ("sql", "MONGO_PROFILES_URL"),
    ]


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"system": "Shop DB"}, "--system"),
        ({"hosting_country": "de"}, "--hosting-country"),
        ({"owner": "  "}, "--owner"),
    ],
)
def test_bad_options_are_named(shop: FidesImport, options: dict[str, Any], named: str) -> None:
    with pytest.raises(PolicyErrors) as caught:
        systems_yaml(shop, **options)
    (error,) = caught.value.errors
    assert error.path == named and named in error.render()


def test_warnings_for_what_the_reader_should_check() -> None:
    result = _import("warnings.yml")
    text = "\n".join(result.warnings)
    assert "warnings.yml:3:16: `Legacy_DB` is written as the tutela key `legacy_db`" in text
    assert "unknown Fides key `fides_mata` ignored (did you mean `fides_meta`?)" in text
    assert "warnings.yml:11:31: data category `user.provided.identifiable.contact.email`" in text
    assert "reference to dataset `billing_db`, which this file does not define" in text
    users = result.datasets[0].collections[0]
    assert users.fields[1].identity == "email"
    assert users.fields[2].references[0].to == "billing_db.accounts.id"


def test_bad_fides_file_reports_every_problem_with_its_line() -> None:
    with pytest.raises(PolicyErrors) as caught:
        _import("bad_dataset.yml")
    rendered = [error.render() for error in caught.value.errors]
    expected = [
        ("bad_dataset.yml:3:5:", "missing required field `fides_key`"),
        ("bad_dataset.yml:8:53:", "out of range"),
        ("bad_dataset.yml:12:42:", "is not `collection.field`"),
        ("bad_dataset.yml:12:62:", "not an allowed value"),
        ("bad_dataset.yml:14:9:", "too few items"),
    ]
    assert len(rendered) == len(expected)
    for (place, message), text in zip(expected, rendered, strict=True):
        assert text.startswith(str(FIXTURES / place)) and message in text
    assert all(error.hint for error in caught.value.errors)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (None, "wrong type"),
        ([{"fides_key": "a"}], "wrong type"),
        ({"organisation": {}}, "missing required field `dataset`"),
        ({"dataset": []}, "too few items"),
        ({"dataset": [{"fides_key": "a", "collections": [{"fields": [{"name": "x"}]}]}]}, "`name`"),
    ],
)
def test_not_a_fides_dataset_file(data: Any, message: str) -> None:
    with pytest.raises(PolicyErrors) as caught:
        import_datasets(data, source="input.yml")
    assert any(message in error.render() for error in caught.value.errors)
    assert all(
        error.location and error.location.source == "input.yml" for error in caught.value.errors
    )


def test_duplicate_field_names_are_refused() -> None:
    data = {
        "dataset": [
            {
                "fides_key": "a",
                "collections": [{"name": "c", "fields": [{"name": "x"}, {"name": "x"}]}],
            }
        ]
    }
    with pytest.raises(PolicyErrors) as caught:
        import_datasets(data)
    assert "duplicate name 'x'" in str(caught.value)


def test_value_too_long_for_tutela_points_at_the_fides_field() -> None:
    data = {
        "dataset": [
            {
                "fides_key": "a",
                "collections": [{"name": "c", "fields": [{"name": "x" * 600}]}],
            }
        ]
    }
    with pytest.raises(PolicyErrors) as caught:
        import_datasets(data, source="long.yml")
    (error,) = caught.value.errors
    assert error.message == "too long" and error.path.startswith("dataset[a].collections[c]")


def test_names_that_look_like_other_yaml_types_survive_the_round_trip(tmp_path: Path) -> None:
    names = ["123", "true", "2026-01-01", "null", "no", "#hash", "1.5"]
    data = {
        "dataset": [
            {
                "fides_key": "odd",
                "collections": [
                    {"name": "null", "fields": [{"name": 2024}] + [{"name": n} for n in names]}
                ],
            }
        ]
    }
    imported = import_datasets(data)
    file = tmp_path / "odd.yml"
    file.write_text(
        systems_yaml(imported, owner="Data team", hosting_country="NO"), encoding="utf-8"
    )
    system = fides_systems(imported, owner="Data team", hosting_country="NO")[0]
    reread = read_document(file).data["systems"][0]
    assert reread["hosting_country"] == "NO"
    assert [f["name"] for f in reread["datasets"][0]["collections"][0]["fields"]] == [
        "2024",
        *names,
    ]
    assert reread["datasets"][0]["collections"][0]["name"] == "null"
    assert system.datasets[0].collections[0].fields[0].name == "2024"
