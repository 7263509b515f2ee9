"""The answer package of an access request on the shop database (GDPR.md AC-1, AC-4, AC-5, PO-3).

A real access runs with DsrService on the SQLite shop database; the ZIP is opened with
read_package and compared with the subject's rows read by direct SQL.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from requestcases import email_of, query

from tutela.errors import RequestError
from tutela.programme.models import Programme
from tutela.requests.disclosure import disclose
from tutela.requests.letters import LetterContext, cover_letter, found_in
from tutela.requests.package import MANIFEST, answer_package, read_package, safe_names
from tutela.rights.models import RequestResult, SubjectRequest
from tutela.rights.service import DsrService

CUSTOMER = 7


def subject_rows(url: str, customer_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row of the customer, per table, by direct SQL (independent of the engine)."""
    (person,) = query(url, "SELECT * FROM customer WHERE id = :c", c=customer_id)
    rows = {
        "customer": [person],
        "address": query(url, "SELECT * FROM address WHERE id = :a", a=person["address_id"]),
    }
    for table in ("orders", "payment_card", "login_event"):
        rows[table] = query(url, f"SELECT * FROM {table} WHERE customer_id = :c", c=customer_id)
    orders = ",".join(str(o["id"]) for o in rows["orders"]) or "0"
    rows["order_item"] = query(url, f"SELECT * FROM order_item WHERE order_id IN ({orders})")
    return {table: found for table, found in rows.items() if found}


def access(service: DsrService, email: str) -> RequestResult:
    return service.run([SubjectRequest("access", (("email", email),))]).results[0]


def package_of(programme: Programme, result: RequestResult) -> bytes:
    found = found_in(result)
    context = LetterContext(
        request_id="REQ-1",
        type="access",
        regime="gdpr",
        controller="Example Shop SRL",
        contact="privacy@shop.example.test",
        received_at=datetime(2026, 3, 1, tzinfo=UTC),
        answered_at=datetime(2026, 3, 2, tzinfo=UTC),
        due=date(2026, 4, 1),
    )
    cover = cover_letter(context, disclose(programme, found, found))
    return answer_package(result, "access", cover)


@pytest.fixture
def answered(service: DsrService, programme: Programme, shop_db: str) -> tuple[bytes, str]:
    result = access(service, email_of(shop_db, CUSTOMER))
    return package_of(programme, result), shop_db


def test_AC_4_data_json_holds_exactly_the_subjects_rows(answered: tuple[bytes, str]) -> None:
    package, url = answered
    document = json.loads(read_package(package)["data.json"])
    assert document["type"] == "access" and document["processed"] is True
    got = {c["collection"].split(".")[1]: c for c in document["collections"]}
    expected = subject_rows(url, CUSTOMER)
    assert set(got) == set(expected)
    for table, rows in expected.items():
        assert sorted(r["id"] for r in got[table]["rows"]) == sorted(r["id"] for r in rows)
    (person,) = expected["customer"]
    (shown,) = got["customer"]["rows"]
    assert (shown["email"], shown["name"]) == (person["email"], person["name"])
    assert got["customer"]["schema"]["email"]["categories"] == ["user.contact.email"]
    totals = {r["id"]: Decimal(str(r["total"])) for r in expected["orders"]}
    assert {r["id"]: Decimal(r["total"]) for r in got["orders"]["rows"]} == totals


def test_PO_3_one_csv_per_collection_with_its_header_and_rows(
    answered: tuple[bytes, str],
) -> None:
    package, url = answered
    files = read_package(package)
    expected = subject_rows(url, CUSTOMER)
    tables = {name for name in files if name.startswith("data/")}
    assert tables == {f"data/shop_db.{table}.csv" for table in expected}
    engine = sa.create_engine(url)
    for table, rows in expected.items():
        text = files[f"data/shop_db.{table}.csv"].decode()
        header, *lines = list(csv.reader(io.StringIO(text)))
        columns = {c["name"] for c in sa.inspect(engine).get_columns(table)}
        assert set(header) == columns and len(header) == len(columns)
        assert len(lines) == len(rows)
        assert sorted(int(line[header.index("id")]) for line in lines) == sorted(
            r["id"] for r in rows
        )
    engine.dispose()


def test_AC_5_manifest_gives_each_files_size_and_sha256(answered: tuple[bytes, str]) -> None:
    package, _ = answered
    files = read_package(package)
    listed = json.loads(files[MANIFEST])["files"]
    assert [item["name"] for item in listed] == sorted(set(files) - {MANIFEST})
    for item in listed:
        content = files[item["name"]]
        assert item["sha256"] == hashlib.sha256(content).hexdigest()
        assert item["size"] == len(content)
    letter = files["letter.html"].decode()
    assert letter.startswith("<!DOCTYPE html>") and "(Art. 15(1)(a))" in letter


def test_AC_5_package_is_deterministic(
    service: DsrService, programme: Programme, shop_db: str
) -> None:
    result = access(service, email_of(shop_db, CUSTOMER))
    first, again = package_of(programme, result), package_of(programme, result)
    assert first == again
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.compress_type for i in infos} == {zipfile.ZIP_DEFLATED}


def test_AC_1_no_data_package_confirms_and_holds_no_csv(
    service: DsrService, programme: Programme
) -> None:
    result = access(service, "nobody-here@example.test")
    files = read_package(package_of(programme, result))
    assert set(files) == {"data.json", "letter.html", MANIFEST}
    document = json.loads(files["data.json"])
    assert document["processed"] is False and document["collections"] == []
    assert "we hold no personal data about you" in files["letter.html"].decode()


def test_file_names_from_collections_are_safe_and_never_collide() -> None:
    names = safe_names(
        ["../../etc/passwd", "a/b", "Ünïcödé", "CON", "x", "X", "", "..", "a_b", "données.clients"]
    )
    assert len(set(n.casefold() for n in names)) == len(names)
    for name in names:
        assert name.isascii() and "/" not in name and "\\" not in name and ".." not in name
        assert name and not name.startswith(".")
    assert names[0] == "etc_passwd" and names[2] == "Unicode"
    assert names[3] == "_CON" and names[5] == "X-2"
    assert names[1] == "a_b" and names[8] == "a_b-2"
    assert names[9] == "donnees.clients"


def _zip(entries: dict[str, bytes], manifest: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name), data)
        if manifest:
            listed = [
                {"name": n, "sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
                for n, d in entries.items()
            ]
            archive.writestr(MANIFEST, json.dumps({"files": listed}))
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name",
    ["../evil.txt", "/etc/cron.d/evil", "data/../../evil", "C:\\evil", "data\\..\\evil", "a//b"],
)
def test_read_package_refuses_zip_slip_names(name: str) -> None:
    with pytest.raises(RequestError, match="unsafe name"):
        read_package(_zip({"data.json": b"{}", name: b"x"}))


def test_read_package_refuses_too_many_entries_or_bytes() -> None:
    package = _zip({f"data/t{i}.csv": b"id\n1\n" for i in range(5)})
    assert len(read_package(package)) == 6
    with pytest.raises(RequestError, match="more than 3 entries"):
        read_package(package, max_entries=3)
    with pytest.raises(RequestError, match="more than 20 bytes"):
        read_package(package, max_bytes=20)


def test_read_package_refuses_a_file_changed_added_or_missing(answered: tuple[bytes, str]) -> None:
    package, _ = answered
    files = read_package(package)
    listed = json.loads(files[MANIFEST])["files"]
    tampered = dict(files, **{"data.json": files["data.json"].replace(b"true", b"fals")})
    with pytest.raises(RequestError, match=r"'data\.json' does not match"):
        read_package(_zip(tampered, manifest=False))
    with pytest.raises(RequestError, match=r"not in manifest\.json"):
        read_package(_zip({**files, "extra.txt": b"x"}, manifest=False))
    missing = {n: d for n, d in files.items() if n != "letter.html"}
    with pytest.raises(RequestError, match=r"missing: letter\.html"):
        read_package(_zip(missing, manifest=False))
    with pytest.raises(RequestError, match=r"no manifest\.json"):
        read_package(_zip({"data.json": b"{}"}, manifest=False))
    with pytest.raises(RequestError, match="not an answer package"):
        read_package(b"not a zip")
    assert {item["name"] for item in listed} == set(files) - {MANIFEST}
