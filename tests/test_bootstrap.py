"""Bootstrap builds one application from settings; nothing else reads the environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tutela import bootstrap
from tutela.errors import ConfigurationError
from tutela.programme.loader import load_programme
from tutela.store.ledger import open_ledger
from tutela.testing import shopdb


def test_settings_come_from_the_given_environment_only(tmp_path: Path) -> None:
    app = bootstrap.build(
        {"TUTELA_DATABASE_URL": f"sqlite:///{tmp_path}/s.db", "TUTELA_BATCH_SIZE": "7"}
    )
    assert app.settings.batch_size == 7
    assert app.settings.database_url == f"sqlite:///{tmp_path}/s.db"
    assert app.settings.hash_key is None


def test_an_invalid_setting_names_the_variable_and_not_the_secret() -> None:
    with pytest.raises(ConfigurationError, match="TUTELA_BATCH_SIZE") as raised:
        bootstrap.build({"TUTELA_BATCH_SIZE": "0", "TUTELA_HASH_KEY": "s3cret-value"})
    assert "s3cret" not in str(raised.value)


def test_connectors_read_urls_from_the_application_environment(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/shop.sqlite"
    shopdb.build(url, customers=3, seed=1)
    programme = load_programme(shopdb.shop_programme_path())
    app = bootstrap.build({"TUTELA_SHOP_URL": url, "TUTELA_HASH_KEY": "k"})
    connectors = app.connectors(programme)
    try:
        assert set(connectors) == {"shop"}
        assert {c.name for c in connectors["shop"].describe()} >= {"customer"}
    finally:
        for connector in connectors.values():
            connector.close()
    assert "TUTELA_SHOP_URL" not in os.environ or os.environ["TUTELA_SHOP_URL"] != url


def test_missing_url_variable_is_a_configuration_error() -> None:
    programme = load_programme(shopdb.shop_programme_path())
    with pytest.raises(ConfigurationError, match="TUTELA_SHOP_URL is not set"):
        bootstrap.build({}).connectors(programme)


def test_the_store_is_opened_once_per_application(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/store.db"
    open_ledger(url).close()  # what `tutela db upgrade` does
    app = bootstrap.build({"TUTELA_DATABASE_URL": url})
    assert app.store() is app.store()
    assert app.ledger() is app.ledger()


def test_hash_key_prefers_the_variable_the_programme_names() -> None:
    shop = load_programme(shopdb.shop_programme_path())
    masking = shop.masking.model_copy(update={"hash_key_env": "SHOP_MASKING_KEY"})
    programme = shop.model_copy(update={"masking": masking})
    both = {"SHOP_MASKING_KEY": "from-programme", "TUTELA_HASH_KEY": "fallback"}
    assert bootstrap.build(both).hash_key(programme) == b"from-programme"
    assert bootstrap.build({"TUTELA_HASH_KEY": "fallback"}).hash_key(programme) == b"fallback"
    assert bootstrap.build({}).hash_key(programme) is None


@pytest.mark.parametrize(
    ("url", "url_env", "message"),
    [
        (None, None, "either as DB_URL or with --url-env"),
        ("sqlite://", "DB", "either as DB_URL or with --url-env"),
        (None, "UNSET_VARIABLE", "UNSET_VARIABLE is not set"),
        ("not a url", None, "DB_URL is not a database URL"),
    ],
)
def test_database_for_reflect_names_what_to_fix(
    url: str | None, url_env: str | None, message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        bootstrap.build({}).database(url, url_env=url_env)
