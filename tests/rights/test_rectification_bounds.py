"""Rectification is bounded (RE-1): which fields a subject may set, and which values fit.

Issue 13 item 4: ``--set customer.address_id=42`` re-pointed a customer at another
customer's address (a later erasure nulled it), ``--set orders.customer_id=18``
moved orders to another customer, the restriction flag could be cleared,
tax-retained fields took ``NaN`` and year 1, a primary-key change reported
success and did nothing, and a numeric overflow failed half-way through a batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from minishop import HASH_KEY, MINISHOP, FixedClock, checksums, rows_of
from typer.testing import CliRunner

from tutela.cli.main import app
from tutela.connectors.sql import SqlConnector
from tutela.errors import RequestError
from tutela.programme.models import Programme, System
from tutela.rights.columns import column_kind
from tutela.rights.models import FieldPlan, SubjectRequest
from tutela.rights.planner import plan_request
from tutela.rights.service import DsrService
from tutela.rights.values import ValueProblem, rectified_value
from tutela.store.dsr import SqlDsrStore

# --- which fields: the programme decides, keys and the law overrule ----------------------


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("customer.id", "it is the primary key"),
        ("customer.address_id", "key: used by reference customer.address_id → address.id"),
        ("orders.customer_id", "key: used by reference orders.customer_id → customer.id"),
        ("customer.email", "it holds identity 'email', which requests are matched by"),
        ("customer.processing_restricted", "restriction flag: only a restriction request"),
        ("orders.total", "retained under the legal obligation of purpose 'tax_records'"),
        ("orders.created_at", "retained under the legal obligation of purpose 'tax_records'"),
        ("customer.segment", "does not declare it rectifiable (rectifiable: true on the field)"),
    ],
)
def test_RE_1_fields_a_subject_may_not_set_are_refused_naming_field_and_reason(
    programme: Programme, target: str, reason: str
) -> None:
    with pytest.raises(RequestError) as raised:
        plan_request(programme, "rectification", ["customer_id"], changes=[target])
    assert f"cannot rectify {target}: " in str(raised.value)
    assert reason in str(raised.value)


@pytest.mark.parametrize(
    ("collection", "name"),
    [
        ("customer", "id"),
        ("customer", "address_id"),
        ("orders", "customer_id"),
        ("customer", "email"),
        ("customer", "processing_restricted"),
        ("orders", "total"),
    ],
)
def test_RE_1_a_rectifiable_flag_never_opens_a_key_identity_flag_or_retained_field(
    programme: Programme, collection: str, name: str
) -> None:
    flagged = _flag(programme, collection, name)
    with pytest.raises(RequestError, match=f"cannot rectify {collection}.{name}: it "):
        plan_request(flagged, "rectification", ["customer_id"], changes=[f"{collection}.{name}"])


def test_RE_1_every_refused_target_is_named_at_once(programme: Programme) -> None:
    changes = ["customer.name", "customer.address_id", "orders.customer_id"]
    with pytest.raises(RequestError) as raised:
        plan_request(programme, "rectification", ["customer_id"], changes=changes)
    message = str(raised.value)
    assert "customer.address_id" in message and "orders.customer_id" in message
    assert "customer.name" not in message


def test_RE_1_declared_rectifiable_fields_are_planned(programme: Programme) -> None:
    plan = plan_request(
        programme, "rectification", ["customer_id"], changes=["customer.phone", "address.city"]
    )
    planned = {(s.address, f.name): f.action for s in plan.steps for f in s.fields}
    assert planned == {("shop.customer", "phone"): "rectify", ("shop.address", "city"): "rectify"}


def test_RE_1_a_field_no_identity_reaches_is_refused(programme: Programme) -> None:
    reachable = plan_request(programme, "rectification", ["email"], changes=["customer.name"])
    assert reachable.step("shop.customer").fields[0].action == "rectify"
    lone = _with_collections(
        programme,
        [
            {"name": "person", "fields": [{"name": "id", "primary_key": True, "identity": "pid"}]},
            {"name": "other", "fields": [{"name": "note", "rectifiable": True}]},
        ],
    )
    with pytest.raises(RequestError, match=r"cannot rectify other\.note: no collection"):
        plan_request(lone, "rectification", ["pid"], changes=["other.note"])


# --- which values: checked against the column before anything is written ------------------


def column(kind: str, sql_type: str | None = None, length: int | None = None) -> FieldPlan:
    return FieldPlan("f", "rectify", column_type=kind, sql_type=sql_type, length=length)


@pytest.mark.parametrize(
    ("text", "plan", "expected"),
    [
        ("32767", column("integer", "smallint"), 32767),
        ("-2147483648", column("integer", "integer"), -(2**31)),
        ("9223372036854775807", column("integer", "bigint"), 2**63 - 1),
        ("4294967295", column("integer", "integer unsigned"), 2**32 - 1),
        ("true", column("integer", "tinyint"), 1),
        ("-9999.99", column("numeric", "numeric(6, 2)"), Decimal("-9999.99")),
        ("1.50", column("numeric", "numeric(6, 1)"), Decimal("1.50")),
        ("1E+3", column("numeric", "decimal(4, 0)"), Decimal("1E+3")),
        ("0.5", column("numeric", "real"), 0.5),
        ("1900-01-01", column("date", "date"), date(1900, 1, 1)),
        ("2024-05-31T14:30:00", column("datetime", "datetime"), datetime(2024, 5, 31, 14, 30)),
        ("2038-01-19T03:14:07", column("datetime", "timestamp"), datetime(2038, 1, 19, 3, 14, 7)),
        ("FALSE", column("boolean", "boolean"), False),
        ("Zoë", column("string", "varchar", 3), "Zoë"),
        ("", column("string", "text"), ""),
    ],
)
def test_RE_1_values_that_fit_the_column_are_converted(
    text: str, plan: FieldPlan, expected: Any
) -> None:
    assert rectified_value(text, plan) == expected


@pytest.mark.parametrize(
    ("text", "plan", "problem"),
    [
        ("32768", column("integer", "smallint"), "out of range for the column (-32768 to 32767)"),
        ("2147483648", column("integer", "int"), "out of range"),
        ("9223372036854775808", column("integer", "bigint"), "out of range"),
        ("-1", column("integer", "int unsigned"), "out of range for the column (0 to"),
        ("12a", column("integer", "integer"), "'12a' is not a valid integer"),
        ("1" * 30, column("integer", "bigint"), "is not a valid integer"),
        ("5", column("integer", "interval"), "cannot check values for a column of type"),
        ("NaN", column("numeric", "numeric(10, 2)"), "not a finite number"),
        ("-Infinity", column("numeric", "numeric(10, 2)"), "not a finite number"),
        ("sNaN", column("numeric", "numeric"), "not a finite number"),
        ("10000", column("numeric", "numeric(6, 2)"), "more than 4 digits before the decimal"),
        ("1.005", column("numeric", "numeric(6, 2)"), "more than 2 decimal places"),
        ("1e400", column("numeric", "numeric"), "more than 38 digits before"),
        ("1e39", column("numeric", "real"), "out of range for the column"),
        ("lots", column("numeric", "numeric(6, 2)"), "'lots' is not a valid numeric"),
        ("0001-01-01", column("date", "date"), "before the year 1900"),
        ("2024-02-30", column("date", "date"), "not a valid date (write YYYY-MM-DD)"),
        ("2024-01-01T10:00", column("date", "date"), "not a valid date"),
        ("1899-12-31T23:59:59", column("datetime", "datetime"), "before the year 1900"),
        ("2024-01-01T10:00+02:00", column("datetime", "datetime"), "UTC offset"),
        ("2039-01-01T00:00:00", column("datetime", "timestamp"), "outside the column's range"),
        ("yes", column("boolean", "boolean"), "'yes' is not true or false"),
        ("1", column("boolean", "boolean"), "is not true or false"),
        ("x" * 11, column("string", "varchar", 10), "value longer than 10 characters (11 given)"),
        ("a\x00b", column("string", "varchar", 10), "contains a NUL character"),
        ("\ud800", column("string", "text"), "not valid Unicode text"),
        ("é" * 40_000, column("string", "text"), "longer than the column's 65535 bytes"),
        ("x", column("string", "uuid"), "cannot check values for a column of type 'uuid'"),
        ("{}", column("string", "jsonb"), "cannot check values"),
    ],
)
def test_RE_1_values_that_do_not_fit_the_column_are_refused_with_the_problem(
    text: str, plan: FieldPlan, problem: str
) -> None:
    with pytest.raises(ValueProblem) as raised:
        rectified_value(text, plan)
    assert problem in str(raised.value)
    assert "x" * 41 not in str(raised.value)  # huge values are never echoed


@given(
    st.text(max_size=60),
    st.sampled_from(
        ["smallint", "bigint", "numeric(6, 2)", "real", "date", "datetime", "boolean", "varchar"]
    ),
)
def test_RE_1_any_text_is_a_value_or_a_stated_problem(text: str, sql_type: str) -> None:
    plan = column(column_kind(sql_type), sql_type, 20)
    try:
        value = rectified_value(text, plan)
    except ValueProblem as problem:
        assert str(problem)
    else:
        assert value is not None


# --- on the real databases: refused before any write, accepted values stored as given ------

metadata = sa.MetaData()
person = sa.Table(
    "person",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("email", sa.String(120)),
    sa.Column("nick", sa.String(10)),
    sa.Column("small", sa.SmallInteger),
    sa.Column("big", sa.BigInteger),
    sa.Column("amount", sa.Numeric(6, 2)),
    sa.Column("born", sa.Date),
    sa.Column("seen_at", sa.DateTime),
    sa.Column("active", sa.Boolean),
    sa.Column("bio", sa.Text),
)
TYPED = ("nick", "small", "big", "amount", "born", "seen_at", "active", "bio")
FITS = {
    "nick": "Zoë Ñandú!",
    "small": "-32768",
    "big": "9223372036854775807",
    "amount": "-9999.99",
    "born": "1900-01-01",
    "seen_at": "2038-01-19T03:14:07",
    "active": "false",
    "bio": "x" * 1000,
}
STORED = {
    "nick": "Zoë Ñandú!",
    "small": -32768,
    "big": 2**63 - 1,
    "amount": Decimal("-9999.99"),
    "born": date(1900, 1, 1),
    "seen_at": datetime(2038, 1, 19, 3, 14, 7),
    "active": False,
    "bio": "x" * 1000,
}


@pytest.fixture
def typed_url(database_url: str) -> str:
    engine = sa.create_engine(database_url)
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            person.insert(),
            [
                {"id": i, "email": f"p{i}@example.test", "nick": f"n{i}", "small": i}
                | {"big": i, "amount": Decimal("1.00"), "born": date(1990, 1, i)}
                | {"seen_at": datetime(2024, 1, i), "active": True, "bio": "hi"}
                for i in (1, 2)
            ],
        )
    engine.dispose()
    return database_url


@pytest.fixture
def typed_service(programme: Programme, typed_url: str, tmp_path: Path) -> Iterator[DsrService]:
    fields = [
        {"name": "id", "primary_key": True, "identity": "person_id"},
        {"name": "email", "identity": "email", "data_categories": ["user.contact.email"]},
    ] + [{"name": name, "data_categories": ["user.name"], "rectifiable": True} for name in TYPED]
    typed = _with_collections(programme, [{"name": "person", "fields": fields}])
    store = SqlDsrStore(f"sqlite:///{tmp_path / 'tutela.sqlite'}", FixedClock())
    service = DsrService(
        typed, {"app": SqlConnector("app", typed_url)}, store, FixedClock(), hash_key=HASH_KEY
    )
    yield service
    service.close()
    store.close()


def rectify(person_id: int, **changes: str) -> SubjectRequest:
    sets = tuple((f"person.{name}", value) for name, value in changes.items())
    return SubjectRequest("rectification", (("person_id", str(person_id)),), sets)


def people(url: str) -> list[dict[str, Any]]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = [dict(r._mapping) for r in connection.execute(sa.select(person).order_by("id"))]
    engine.dispose()
    return rows


def test_RE_1_values_at_the_column_limits_are_stored_as_given(
    typed_service: DsrService, typed_url: str
) -> None:
    before = people(typed_url)
    typed_service.run([rectify(1, **FITS)])
    after = people(typed_url)
    got = {name: after[0][name] for name in TYPED}
    assert {**got, "active": bool(got["active"])} == STORED
    assert after[1] == before[1]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"small": "32768"}, "person.small: '32768' is out of range"),
        ({"big": "9223372036854775808"}, "person.big: '9223372036854775808' is out of range"),
        ({"amount": "123456.78"}, "person.amount: '123456.78' has more than 4 digits"),
        ({"amount": "NaN"}, "person.amount: 'NaN' is not a finite number"),
        ({"amount": "Infinity"}, "person.amount: 'Infinity' is not a finite number"),
        ({"born": "0001-01-01"}, "person.born: '0001-01-01' is before the year 1900"),
        ({"seen_at": "soon"}, "person.seen_at: 'soon' is not a valid date and time"),
        ({"nick": "x" * 5000}, "person.nick: value longer than 10 characters (5000 given)"),
        ({"nick": "a\x00b"}, "person.nick: the value contains a NUL character"),
    ],
)
def test_RE_1_a_bad_value_refuses_the_batch_naming_request_field_and_problem(
    typed_service: DsrService, typed_url: str, change: dict[str, str], problem: str
) -> None:
    before = people(typed_url)
    good = rectify(2, nick="fine")
    bad = rectify(1, **{"bio": "fine", **change})
    with pytest.raises(RequestError) as raised:
        typed_service.run([good, bad])
    assert f"request 2: {problem}" in str(raised.value)
    assert "x" * 41 not in str(raised.value)
    assert people(typed_url) == before


def test_RE_1_a_bad_value_in_a_later_batch_refuses_every_batch_before_any_runs(
    typed_service: DsrService, typed_url: str
) -> None:
    before = people(typed_url)
    typed_service.batch_size = 1
    with pytest.raises(RequestError, match=r"request 2: person\.amount: 'NaN'"):
        typed_service.run_all([rectify(2, nick="fine"), rectify(1, amount="NaN")])
    assert people(typed_url) == before


def test_RE_1_cli_refuses_a_foreign_key_with_exit_4_and_changes_nothing(
    shop_url: str, tmp_path: Path
) -> None:
    env = {
        "MINISHOP_URL": shop_url,
        "MINISHOP_HASH_KEY": HASH_KEY.decode(),
        "TUTELA_DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite'}",
    }
    assert CliRunner().invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    before = checksums(shop_url)
    for target in ("customer.address_id=2", "orders.customer_id=2", "customer.id=42"):
        args = ["--identity", "customer_id=1", "--set", target]
        result = CliRunner().invoke(
            app, ["dsr", "run", str(MINISHOP), "--type", "rectification", *args], env=env
        )
        assert result.exit_code == 4, result.output
        assert f"cannot rectify {target.split('=')[0]}: it is" in result.output
        assert "Traceback" not in result.output
    assert checksums(shop_url) == before
    assert rows_of(shop_url, "customer", "id = 1")[0]["address_id"] == 1


# --- helpers -------------------------------------------------------------------------------


def _with_collections(programme: Programme, collections: list[dict[str, Any]]) -> Programme:
    system = System.model_validate(
        {
            "key": "app",
            "name": "App",
            "owner": "Eng",
            "hosting_country": "BE",
            "datasets": [{"key": "app", "name": "App", "collections": collections}],
        }
    )
    return programme.model_copy(update={"systems": [system]})


def _flag(programme: Programme, collection: str, name: str) -> Programme:
    data = programme.model_dump()
    for c in data["systems"][0]["datasets"][0]["collections"]:
        for f in c["fields"]:
            if c["name"] == collection and f["name"] == name:
                f["rectifiable"] = True
    return Programme.model_validate(data)
