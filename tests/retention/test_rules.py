"""Retention rules compiled to sweep targets (RT-1, RT-2; issue 18).

The compiler is pure; the last tests check the Cloudockit targets against the SQLite
databases the demo builds from the programme, and run their selection there.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tutela.errors import PolicyError, PolicyErrors
from tutela.programme.durations import Duration
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.retention.rules import targets
from tutela.retention.targets import Column, Masked, Target, cutoff
from tutela.testing.synthetic import build_systems, database_path

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "fixtures" / "minimal"
CLOUDOCKIT = ROOT / "examples" / "cloudockit"

CREATED = {"name": "created_at", "type": "datetime"}


@pytest.fixture(scope="module")
def cloudockit() -> Programme:
    return load_programme(CLOUDOCKIT)


def minimal(*, covers: dict[str, Any] | None = None, **rule: Any) -> Programme:
    """The minimal programme; notes and contacts count from ``created_at``; rule 1 covers notes."""
    data = load_programme(MINIMAL).model_dump()
    for collection in data["systems"][0]["datasets"][0]["collections"]:
        collection["fields"].append(dict(CREATED))
        collection["retention_from"] = "created_at"
    data["retention"][1].update(covers=covers or {"collections": ["crm_db.note"]}, **rule)
    return Programme.model_validate(data)


def by_address(found: list[Target]) -> dict[str, Target]:
    return {t.address: t for t in found}


# --- the Cloudockit example -----------------------------------------------------------------


def test_PR_3_scan_data_counts_from_the_scan_and_belongs_to_its_customer(
    cloudockit: Programme,
) -> None:
    scan = [t for t in targets(cloudockit) if t.rule == "scan_data"]
    assert [t.address for t in scan] == ["scan_db.asset", "scan_db.asset_owner"]  # children first
    for target in scan:
        assert target.per_customer and target.period is None and target.action == "delete"
        assert target.time == Column("completed_at", "datetime", "scan", "scan_id", "id")
        assert target.customer == Column("customer_id", "integer", "scan", "scan_id", "id")
        assert target.per_event and target.key == "id" and target.system == "scan_store"


def test_RT_2_job_applications_sweep_documents_and_emails_before_their_application(
    cloudockit: Programme,
) -> None:
    jobs = [t for t in targets(cloudockit) if t.rule == "job_applications"]
    assert [t.table for t in jobs] == ["document", "email_message", "application"]
    assert jobs[-1].time == Column("vacancy_closed_at", "datetime")
    assert jobs[0].time.describe() == "application.vacancy_closed_at (via application_id)"
    assert {t.period for t in jobs} == {Duration(6, "month")}


def test_RT_2_website_statistics_are_anonymised_with_set_based_strategies(
    cloudockit: Programme,
) -> None:
    (page_view,) = [t for t in targets(cloudockit) if t.rule == "web_analytics"]
    assert page_view.action == "anonymise" and page_view.period == Duration(13, "month")
    assert page_view.masked == (
        Masked("url", None),
        Masked("referrer", None),
        Masked("seconds_on_page", None),
    )  # never the key, the reference to the visitor, or the time column


def test_RT_1_rules_without_covers_are_stated_not_swept(cloudockit: Programme) -> None:
    swept = {t.rule for t in targets(cloudockit)}
    assert swept == {"scan_data", "web_analytics", "server_logs", "job_applications"}
    assert {r.key for r in cloudockit.retention if r.covers is None}.isdisjoint(swept)


def test_RT_1_targets_of_the_rules_asked_for(cloudockit: Programme) -> None:
    found = targets(cloudockit, rules=["server_logs"])
    assert [(t.rule, t.table, t.time.name) for t in found] == [
        ("server_logs", "server_log", "logged_at")
    ]
    assert found[0].columns[0] == "id" and "logged_at" in found[0].columns


# --- coverage ---------------------------------------------------------------------------------


def test_RT_2_a_covered_category_reaches_the_collections_holding_it_or_one_under_it() -> None:
    found = targets(minimal(covers={"categories": ["user.contact"]}))
    assert [t.address for t in found] == ["crm_db.contact"]


def test_RT_2_a_covered_purpose_reaches_collections_serving_it_through_their_system() -> None:
    found = targets(minimal(covers={"purposes": ["newsletter"]}))
    assert [t.address for t in found] == ["crm_db.note", "crm_db.contact"]  # note references it


def test_RT_2_a_collection_covered_twice_by_one_rule_is_swept_once() -> None:
    covers = {"collections": ["crm_db.contact"], "categories": ["user.contact.email"]}
    assert [t.address for t in targets(minimal(covers=covers))] == ["crm_db.contact"]


def test_RT_2_anonymise_uses_each_fields_strategy_and_fixed_value() -> None:
    programme = minimal(covers={"collections": ["crm_db.contact"]}, action="anonymise")
    data = programme.model_dump()
    data["masking"]["rules"] = [{"category": "user.name", "strategy": "fixed", "value": "[gone]"}]
    fields = data["systems"][0]["datasets"][0]["collections"][0]["fields"]
    fields[1]["masking"] = "null"
    (target,) = targets(Programme.model_validate(data))
    assert target.masked == (Masked("email", None), Masked("full_name", "[gone]"))


def test_RT_2_anonymise_of_covered_categories_masks_only_those() -> None:
    found = by_address(targets(minimal(covers={"categories": ["user.name"]}, action="anonymise")))
    assert found["crm_db.contact"].masked == (Masked("full_name", None),)  # not the e-mail
    assert found["crm_db.note"].masked == (Masked("body", None),)


def test_RT_2_archive_names_the_archive_table_and_the_columns_it_copies() -> None:
    data = minimal(action="archive", archive_to="crm_db.note_archive").model_dump()
    note = data["systems"][0]["datasets"][0]["collections"][1]
    archive = {"name": "note_archive", "fields": [*note["fields"], {"name": "archived_at"}]}
    data["systems"][0]["datasets"][0]["collections"].append(archive)
    (target,) = targets(Programme.model_validate(data))
    assert target.archive == "note_archive"
    assert target.columns == ("id", "contact_id", "body", "created_at")


def test_RT_2_per_customer_rules_have_no_fixed_period() -> None:
    programme = minimal(per_customer=True, choices=["24h", "48h"])
    data = programme.model_dump()
    data["systems"][0]["datasets"][0]["collections"][1]["customer_field"] = "contact.id"
    (target,) = targets(Programme.model_validate(data))
    assert target.period is None and target.per_customer
    assert target.customer == Column("id", "string", "contact", "contact_id", "id")


# --- errors: what check reports, the compiler refuses ----------------------------------------


def test_RT_1_a_rule_on_a_missing_column_does_not_compile() -> None:
    data = minimal().model_dump()
    data["systems"][0]["datasets"][0]["collections"][1]["retention_from"] = "completd_at"
    with pytest.raises(PolicyErrors) as raised:
        targets(Programme.model_validate(data))
    (error,) = raised.value.errors
    assert "crm_db.note has no field 'completd_at'" in error.message
    assert error.path == "systems[crm].datasets[crm_db].collections[note].retention_from"


def test_RT_1_a_per_row_strategy_does_not_compile_for_anonymise() -> None:
    data = minimal(covers={"collections": ["crm_db.contact"]}, action="anonymise").model_dump()
    data["masking"]["default"] = "hash"
    with pytest.raises(PolicyErrors, match="strategy 'hash'"):
        targets(Programme.model_validate(data))


def test_PR_3_a_customer_without_account_does_not_stop_the_sweep() -> None:
    data = minimal(per_customer=True, choices=["24h"]).model_dump()
    data["systems"][0]["datasets"][0]["collections"][1]["customer_field"] = "contact_id"
    data["systems"][0]["role"] = "processor"
    data["dpa_register"] = [
        {
            "key": "acme",
            "name": "Acme",
            "contact": "a@acme.test",
            "country": "FR",
            "dpa_reference": "D-1",
            "systems": ["crm"],
        }
    ]
    assert [t.address for t in targets(Programme.model_validate(data))] == ["crm_db.note"]


@pytest.mark.parametrize(
    "keys",
    [["nope"], ["two_years'; DROP TABLE note --"], ["x" * 10_000], ["two_years", "nope"]],
)
def test_RT_1_unknown_rule_keys_are_refused_by_name(keys: list[str]) -> None:
    with pytest.raises(PolicyError) as raised:
        targets(minimal(), rules=keys)
    message = str(raised.value)
    assert message.startswith("no retention rule ") and "two_years" in message  # the hint
    assert len(message) < 400


def test_RT_1_no_rules_asked_gives_no_targets() -> None:
    assert targets(minimal(), rules=[]) == []


# --- against the databases the demo builds ----------------------------------------------------


@pytest.fixture(scope="module")
def built(cloudockit: Programme, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("systems")
    build_systems(cloudockit, folder, people=20, seed=1)
    return folder


def test_RT_2_every_cloudockit_target_names_real_tables_and_columns(
    cloudockit: Programme, built: Path
) -> None:
    for target in targets(cloudockit):
        engine = sa.create_engine(f"sqlite:///{database_path(built, target.system)}")
        try:
            inspector = sa.inspect(engine)
            columns = {c["name"] for c in inspector.get_columns(target.table)}
            assert {target.key, *target.columns, *(m.name for m in target.masked)} <= columns
            for column in (target.time, target.customer):
                if column is None:
                    continue
                table = column.parent or target.table
                assert column.name in {c["name"] for c in inspector.get_columns(table)}
                if column.via:
                    assert column.via in columns
        finally:
            engine.dispose()


def test_PR_3_scan_targets_select_by_the_scans_end_in_the_scan_store(
    cloudockit: Programme, built: Path
) -> None:
    """The join a per-event target describes runs as one statement on the real schema."""
    (asset,) = [t for t in targets(cloudockit) if t.address == "scan_db.asset"]
    time = asset.time
    assert time.parent and time.via and time.parent_key
    table = sa.table(asset.table, sa.column(asset.key), sa.column(time.via))
    parent = sa.table(time.parent, sa.column(time.parent_key), sa.column(time.name))
    joined = sa.select(sa.func.count()).select_from(
        table.join(parent, table.c[time.via] == parent.c[time.parent_key])
    )

    def ended(now: datetime) -> Any:
        bound = cutoff(Duration.parse("24h"), now).replace(tzinfo=None)
        return joined.where(parent.c[time.name] < bound)

    engine = sa.create_engine(f"sqlite:///{database_path(built, asset.system)}")
    try:
        with engine.connect() as connection:
            finished = connection.execute(joined.where(parent.c[time.name].is_not(None)))
            everything = finished.scalar_one()
            later = connection.execute(ended(datetime(2200, 1, 1, tzinfo=UTC))).scalar_one()
            before = connection.execute(ended(datetime(1990, 1, 1, tzinfo=UTC))).scalar_one()
    finally:
        engine.dispose()
    assert everything > 0
    assert later == everything  # every asset of a finished scan has ended by 2200
    assert before == 0
