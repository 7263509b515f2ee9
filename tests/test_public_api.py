"""The package root's public surface is small and pinned (httpx style), and loads lazily."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import tutela

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "cloudockit"


def test_public_surface_is_pinned() -> None:
    assert sorted(tutela.__all__) == [
        "Application",
        "BatchResult",
        "ConfigurationError",
        "ConnectorError",
        "DsrService",
        "Finding",
        "LoadedProgramme",
        "PolicyError",
        "PolicyErrors",
        "Programme",
        "Records",
        "RequestError",
        "StoreError",
        "SubjectRequest",
        "TutelaError",
        "__version__",
        "build_application",
        "build_records",
        "export_records",
        "load",
        "load_programme",
        "render_statement",
        "run_checks",
    ]
    for name in tutela.__all__:
        assert getattr(tutela, name) is not None


def test_every_error_derives_from_tutela_error() -> None:
    for name in tutela.__all__:
        value = getattr(tutela, name)
        if isinstance(value, type) and name.endswith("Error") and name != "TutelaError":
            assert issubclass(value, tutela.TutelaError), name


def test_public_api_loads_checks_renders_and_exports_the_example(tmp_path: Path) -> None:
    loaded = tutela.load(EXAMPLE)
    assert isinstance(loaded, tutela.LoadedProgramme)
    assert isinstance(loaded.programme, tutela.Programme)
    assert all(isinstance(f, tutela.Finding) for f in tutela.run_checks(loaded))
    assert "Cloudockit" in tutela.render_statement(loaded.programme, "md")
    records = tutela.build_records(tutela.load_programme(EXAMPLE))
    files = tutela.export_records(records, "json", tmp_path / "records.json")
    assert list(files) == [tmp_path / "records.json"]


def test_public_api_answers_a_request_through_the_dsr_service(tmp_path: Path) -> None:
    from tutela.store.ledger import open_ledger
    from tutela.testing import shopdb

    shop = f"sqlite:///{tmp_path}/shop.sqlite"
    shopdb.build(shop, customers=3, seed=1)
    open_ledger(f"sqlite:///{tmp_path}/store.db").close()  # what `tutela db upgrade` does
    app = tutela.build_application(
        {
            "TUTELA_DATABASE_URL": f"sqlite:///{tmp_path}/store.db",
            "TUTELA_SHOP_URL": shop,
            "TUTELA_HASH_KEY": "public-api-test-key",
        }
    )
    assert isinstance(app, tutela.Application)
    service = app.dsr_service(tutela.load_programme(shopdb.shop_programme_path()))
    try:
        assert isinstance(service, tutela.DsrService)
        request = tutela.SubjectRequest("access", (("email", "nobody@example.test"),))
        result = service.run([request])
    finally:
        service.close()
    assert isinstance(result, tutela.BatchResult)
    assert [answer.found for answer in result.results] == [False]


def test_unknown_attribute_is_an_attribute_error() -> None:
    try:
        _ = tutela.no_such_name  # type: ignore[attr-defined]
    except AttributeError as error:
        assert "no_such_name" in str(error)
    else:
        raise AssertionError("tutela.no_such_name should not exist")


def test_importing_tutela_loads_no_heavy_module() -> None:
    code = (
        "import sys, tutela\n"
        "heavy = {'sqlalchemy', 'pydantic', 'jinja2', 'openpyxl', 'faker', 'fideslang'}\n"
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
