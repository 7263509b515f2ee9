"""Synthetic systems for any programme (tutela.testing.synthetic): schema, links, people, DSR."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tutela import bootstrap
from tutela.errors import ConfigurationError
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.programme.references import resolve_reference
from tutela.rights.columns import column_kind
from tutela.rights.models import SubjectRequest
from tutela.store.ledger import open_ledger
from tutela.testing import shopdb
from tutela.testing.synthetic import (
    best_known_person,
    build_systems,
    buildable,
    database_path,
    plan_cast,
)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "cloudockit"
MINISHOP = ROOT / "tests" / "rights" / "fixtures" / "minishop"
PEOPLE = 200


@pytest.fixture(scope="module")
def cloudockit() -> Programme:
    return load_programme(EXAMPLE)


@pytest.fixture(scope="module")
def built(cloudockit: Programme, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return build_systems(cloudockit, tmp_path_factory.mktemp("systems"), people=PEOPLE, seed=1)


def rows(url: str, sql: str, **params: Any) -> list[dict[str, Any]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return [dict(r._mapping) for r in connection.execute(sa.text(sql), params)]
    finally:
        engine.dispose()


def reflected(url: str) -> sa.MetaData:
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    metadata.reflect(engine)
    engine.dispose()
    return metadata


def url_of(programme: Programme, urls: dict[str, str], system: str) -> str:
    connector = programme.system(system).connector
    assert connector is not None and connector.url_env
    return urls[connector.url_env]


def emails(url: str, table: str, column: str = "email") -> set[str]:
    return {r["e"] for r in rows(url, f"SELECT {column} AS e FROM {table}") if r["e"]}


def test_every_sql_system_gets_a_database_whose_tables_match_the_programme(
    cloudockit: Programme, built: dict[str, str]
) -> None:
    systems = [s for s in cloudockit.systems if buildable(s)]
    assert len(systems) == 10 and len(built) == 10
    assert sorted(built.values()) == sorted(url_of(cloudockit, built, s.key) for s in systems)
    for system in systems:
        metadata = reflected(url_of(cloudockit, built, system.key))
        collections = [c for d in system.datasets for c in d.collections]
        assert sorted(metadata.tables) == sorted(c.name for c in collections), system.key
        for collection in collections:
            table = metadata.tables[collection.name]
            assert [c.name for c in table.columns] == [f.name for f in collection.fields]
            keys = [f.name for f in collection.fields if f.primary_key]
            assert [c.name for c in table.primary_key.columns] == keys
            for item in collection.fields:
                column = table.c[item.name]
                assert column_kind(str(column.type)) == column_kind(item.type), (table, item.name)
                if item.length and column_kind(item.type) == "string" and item.type != "text":
                    assert column.type.length == item.length  # type: ignore[attr-defined]
                assert column.nullable == (item.nullable and not item.primary_key)


def test_foreign_keys_follow_references_within_a_system_and_hold(
    cloudockit: Programme, built: dict[str, str]
) -> None:
    for system in (s for s in cloudockit.systems if buildable(s)):
        url = url_of(cloudockit, built, system.key)
        metadata = reflected(url)
        own = {d.key for d in system.datasets}
        for dataset in system.datasets:
            for collection in dataset.collections:
                table = metadata.tables[collection.name]
                expected = set()
                for item in collection.fields:
                    for reference in item.references:
                        found = resolve_reference(cloudockit, dataset.key, reference.to)
                        assert found is not None
                        if found[0].key in own:
                            expected.add((item.name, f"{found[1].name}.{found[2].name}"))
                keys = {(fk.parent.name, fk.target_fullname) for fk in table.foreign_keys}
                assert keys == expected, collection.name
        assert rows(url, "PRAGMA foreign_key_check") == [], system.key
        assert all(rows(url, f"SELECT count(*) AS n FROM {t}")[0]["n"] for t in metadata.tables)


def test_references_across_systems_name_rows_that_exist(
    cloudockit: Programme, built: dict[str, str]
) -> None:
    checked = 0
    for system, dataset in cloudockit.datasets():
        for collection in dataset.collections:
            for item in collection.fields:
                for reference in item.references:
                    target = resolve_reference(cloudockit, dataset.key, reference.to)
                    assert target is not None
                    owner = next(s for s, d in cloudockit.datasets() if d.key == target[0].key)
                    if owner.key == system.key:
                        continue
                    there = rows(
                        url_of(cloudockit, built, owner.key),
                        f"SELECT {target[2].name} AS v FROM {target[1].name}",
                    )
                    here = rows(
                        url_of(cloudockit, built, system.key),
                        f"SELECT {item.name} AS v FROM {collection.name}",
                    )
                    values = {r["v"] for r in here if r["v"] is not None}
                    assert values and values <= {r["v"] for r in there}, item.name
                    checked += 1
    assert checked >= 6  # crm→webshop, marketing→crm, website→crm, support, telemetry, scan


def test_the_same_email_links_a_person_across_systems_as_references_say(
    cloudockit: Programme, built: dict[str, str]
) -> None:
    def url(key: str) -> str:
        return url_of(cloudockit, built, key)

    shop = {
        r["email"]: r
        for r in rows(
            url("webshop"), "SELECT email, first_name, last_name, customer_id FROM contact"
        )
    }
    crm = {r["email"]: r for r in rows(url("crm"), "SELECT id, email, first_name FROM contact")}
    tickets = rows(
        url("support_desk"), "SELECT requester_email, requester_name, customer_id FROM ticket"
    )
    # the CRM, support desk, marketing and telemetry hold web-shop people, and only them
    for other in (
        set(crm),
        {t["requester_email"] for t in tickets},
        emails(url("telemetry"), "account"),
    ):
        assert other and other <= set(shop) and len(other) > len(shop) / 2
    for ticket in tickets:  # same person: same name and same customer company as in the shop
        person = shop[ticket["requester_email"]]
        assert ticket["requester_name"] == f"{person['first_name']} {person['last_name']}"
        assert ticket["customer_id"] == person["customer_id"]
    for subscriber in rows(url("marketing"), "SELECT email, crm_contact_id FROM subscriber"):
        linked = subscriber["crm_contact_id"]
        assert (linked is None) == (subscriber["email"] not in crm)
        assert linked is None or crm[subscriber["email"]]["id"] == linked
    # applicants and visitors are linked to nothing: they are other people
    applicants, visitors = emails(url("recruitment"), "applicant"), emails(url("cctv"), "visit")
    assert applicants and visitors
    assert not applicants & set(shop) and not visitors & set(shop) and not applicants & visitors


def test_the_best_known_person_is_in_every_dataset_of_their_circle(
    cloudockit: Programme, built: dict[str, str]
) -> None:
    someone = best_known_person(cloudockit, people=PEOPLE, seed=1)
    assert someone is not None
    tables = {
        "webshop": "contact",
        "crm": "contact",
        "marketing": "subscriber",
        "website": "form_submission",
        "telemetry": "account",
        "scan_store": "asset_owner",
    }
    for system, table in tables.items():
        assert someone.email in emails(url_of(cloudockit, built, system), table), system
    assert someone.email in emails(
        url_of(cloudockit, built, "support_desk"), "ticket", "requester_email"
    )
    cast = plan_cast(cloudockit, people=PEOPLE, seed=1)
    assert len(cast.datasets_of(someone.index)) == 7
    assert sum(len(members) for members in cast.present.values()) > PEOPLE


def dump(folder: Path) -> dict[str, list[str]]:
    import sqlite3
    from contextlib import closing

    dumps = {}
    for path in sorted(folder.glob("*.sqlite")):
        with closing(sqlite3.connect(path)) as connection:
            dumps[path.name] = list(connection.iterdump())
    return dumps


def test_the_same_seed_gives_the_same_databases(cloudockit: Programme, tmp_path: Path) -> None:
    first = build_systems(cloudockit, tmp_path / "a", people=PEOPLE, seed=7)
    build_systems(cloudockit, tmp_path / "b", people=PEOPLE, seed=7)
    build_systems(cloudockit, tmp_path / "c", people=PEOPLE, seed=8)
    assert dump(tmp_path / "a") == dump(tmp_path / "b")
    assert dump(tmp_path / "a")["webshop.sqlite"] != dump(tmp_path / "c")["webshop.sqlite"]
    assert first["TUTELA_CRM_URL"] == f"sqlite:///{database_path(tmp_path / 'a', 'crm')}"
    build_systems(cloudockit, tmp_path / "a", people=PEOPLE, seed=7)  # replaces, not appends
    assert dump(tmp_path / "a") == dump(tmp_path / "b")


@pytest.fixture
def environ(tmp_path: Path) -> Iterator[dict[str, str]]:
    store = f"sqlite:///{tmp_path / 'store.sqlite'}"
    open_ledger(store).close()
    yield {"TUTELA_DATABASE_URL": store, "TUTELA_HASH_KEY": "synthetic", "MINISHOP_HASH_KEY": "m"}


def access(programme: Programme, environ: dict[str, str], name: str, value: str) -> set[str]:
    """The systems an access request for ``name=value`` finds data in."""
    service = bootstrap.build(environ).dsr_service(programme)
    try:
        result = service.run([SubjectRequest("access", ((name, value),))])
    finally:
        service.close()
    (answer,) = result.results
    return {c.system for c in answer.collections if c.rows}


def test_AC_1_access_over_the_built_systems_finds_the_person_in_several_systems(
    cloudockit: Programme, built: dict[str, str], environ: dict[str, str]
) -> None:
    someone = best_known_person(cloudockit, people=PEOPLE, seed=1)
    assert someone is not None
    env = {**environ, **built}
    service = bootstrap.build(env).dsr_service(cloudockit)
    try:
        plan, _ = service.plan([SubjectRequest("access", (("email", someone.email),))])
    finally:
        service.close()
    assert {step.system for step in plan.steps} >= {"webshop", "crm", "marketing", "support_desk"}
    found = access(cloudockit, env, "email", someone.email)
    assert found == {"webshop", "crm", "marketing", "support_desk", "telemetry", "website"}
    applicant = sorted(emails(url_of(cloudockit, built, "recruitment"), "applicant"))[0]
    assert access(cloudockit, env, "email", applicant) == {"recruitment"}


@pytest.mark.parametrize(
    ("folder", "variable", "identity"),
    [
        (shopdb.shop_programme_path(), "TUTELA_SHOP_URL", "email"),
        (MINISHOP, "MINISHOP_URL", "email"),
    ],
)
def test_AC_1_the_shop_programmes_work_too(
    folder: Path, variable: str, identity: str, tmp_path: Path, environ: dict[str, str]
) -> None:
    programme = load_programme(folder)
    urls = build_systems(programme, tmp_path / "shop", people=30, seed=3)
    assert list(urls) == [variable]
    metadata = reflected(urls[variable])
    collections = [c for _, d in programme.datasets() for c in d.collections]
    assert sorted(metadata.tables) == sorted(c.name for c in collections)
    assert rows(urls[variable], "PRAGMA foreign_key_check") == []
    customer = metadata.tables["customer"]
    assert column_kind(str(customer.c.id.type)) == "integer"
    assert column_kind(str(customer.c.processing_restricted.type)) == "boolean"
    assert column_kind(str(metadata.tables["orders"].c.created_at.type)) == "datetime"
    assert column_kind(str(metadata.tables["orders"].c.total.type)) == "numeric"
    (first,) = rows(urls[variable], "SELECT email FROM customer WHERE id = 1")
    found = access(programme, {**environ, **urls}, identity, first["email"])
    assert found == {"shop"}
    person = best_known_person(programme, people=30, seed=3)
    assert person is not None and person.email == first["email"]


def programme_with(systems: list[dict[str, Any]]) -> Programme:
    return Programme.model_validate({"systems": systems})


def system(key: str, collections: list[dict[str, Any]], sql: bool = True) -> dict[str, Any]:
    connector = {"type": "sql", "url_env": f"{key.upper()}_URL"} if sql else None
    dataset = {"key": f"{key}_db", "name": key, "collections": collections}
    base = {"key": key, "name": key, "owner": "IT", "hosting_country": "BE"}
    return {**base, "connector": connector, "datasets": [dataset]}


def test_an_unknown_programme_shape_is_built_generically(tmp_path: Path) -> None:
    """Untyped fields, a self reference, a string key, a system without connector."""
    people = [
        {"name": "id", "primary_key": True},
        {"name": "mail", "identity": "email", "data_categories": ["user.contact.email"]},
        {"name": "mentor_id", "references": [{"to": "member.id"}]},
        {"name": "born_on", "data_categories": ["user.date_of_birth"]},
        {"name": "ledger_ref", "references": [{"to": "paper_db.sheet.code"}], "nullable": False},
    ]
    notes = [
        {"name": "code", "type": "string", "length": 12, "primary_key": True},
        {"name": "member_id", "references": [{"to": "member.id"}], "nullable": False},
        {"name": "body", "type": "text", "data_categories": ["user.content"]},
    ]
    sheet = [{"name": "code", "primary_key": True}]
    programme = programme_with(
        [
            system(
                "club", [{"name": "member", "fields": people}, {"name": "note", "fields": notes}]
            ),
            system("paper", [{"name": "sheet", "fields": sheet}], sql=False),
        ]
    )
    urls = build_systems(programme, tmp_path, people=12, seed=2)
    assert list(urls) == ["CLUB_URL"]
    url = urls["CLUB_URL"]
    members = rows(url, "SELECT * FROM member ORDER BY id")
    assert len(members) == 12 and all("@" in m["mail"] for m in members)
    assert all(m["ledger_ref"] is not None for m in members)
    notes_made = rows(url, "SELECT * FROM note")
    assert notes_made and all(n["code"].startswith("note-") for n in notes_made)
    assert {n["member_id"] for n in notes_made} <= {m["id"] for m in members}
    assert rows(url, "PRAGMA foreign_key_check") == []
    assert column_kind(str(reflected(url).tables["member"].c.born_on.type)) == "date"


def test_two_collections_of_one_name_in_a_system_are_refused(tmp_path: Path) -> None:
    fields = [{"name": "id", "primary_key": True}]
    twice = system("club", [{"name": "member", "fields": fields}])
    twice["datasets"].append(
        {"key": "other_db", "name": "o", "collections": [{"name": "member", "fields": fields}]}
    )
    with pytest.raises(ConfigurationError, match="two collections named 'member'"):
        build_systems(programme_with([twice]), tmp_path)


def test_a_cycle_of_required_references_is_refused_with_what_to_do(tmp_path: Path) -> None:
    a = [
        {"name": "id", "primary_key": True},
        {"name": "b_id", "references": [{"to": "b.id"}], "nullable": False},
    ]
    b = [
        {"name": "id", "primary_key": True},
        {"name": "a_id", "references": [{"to": "a.id"}], "nullable": False},
    ]
    cyclic = programme_with(
        [system("loop", [{"name": "a", "fields": a}, {"name": "b", "fields": b}])]
    )
    with pytest.raises(ConfigurationError, match="make the field nullable"):
        build_systems(cyclic, tmp_path)
