"""Where a connector's URL comes from, and that its password never shows."""

from __future__ import annotations

import pytest

from tutela.connectors.urls import parse_url, render_url, resolve_url
from tutela.errors import ConfigurationError
from tutela.programme.models import ConnectorSettings

SECRET = "pa55-w0rd-x9"


def test_url_env_supplies_the_whole_url() -> None:
    settings = ConnectorSettings(url_env="SHOP_URL")
    env = {"SHOP_URL": f"postgresql://app:{SECRET}@db.example.test:5432/shop"}
    url = resolve_url(settings, env, system="shop")
    assert url.drivername == "postgresql+psycopg"
    assert url.password == SECRET
    assert SECRET not in render_url(url)


def test_password_env_sets_the_password_at_run_time() -> None:
    settings = ConnectorSettings(url="mysql://app@db.example.test/shop", password_env="SHOP_PW")
    url = resolve_url(settings, {"SHOP_PW": SECRET}, system="shop")
    assert (url.drivername, url.password) == ("mysql+pymysql", SECRET)


def test_inline_password_in_programme_is_refused_without_echoing_it() -> None:
    settings = ConnectorSettings(url=f"postgresql://app:{SECRET}@db/shop")
    with pytest.raises(ConfigurationError, match="password_env") as raised:
        resolve_url(settings, {}, system="shop")
    assert SECRET not in str(raised.value)


@pytest.mark.parametrize(
    ("settings", "env", "expected"),
    [
        (ConnectorSettings(), {}, "exactly one of url and url_env"),
        (ConnectorSettings(url="sqlite:///x.db", url_env="X"), {"X": "sqlite://"}, "exactly one"),
        (ConnectorSettings(url_env="SHOP_URL"), {}, "SHOP_URL is not set"),
        (ConnectorSettings(url="sqlite:///x.db", password_env="PW"), {}, "PW is not set"),
    ],
)
def test_missing_or_ambiguous_settings_name_what_to_fix(
    settings: ConnectorSettings, env: dict[str, str], expected: str
) -> None:
    with pytest.raises(ConfigurationError, match=expected):
        resolve_url(settings, env, system="shop")


def test_garbage_url_error_does_not_repeat_the_text() -> None:
    garbage = f"not a url with {SECRET}"
    with pytest.raises(ConfigurationError, match="SHOP_URL is not a database URL") as raised:
        parse_url(garbage, source="SHOP_URL")
    assert SECRET not in str(raised.value)


def test_render_hides_password_and_secret_query_values() -> None:
    text = render_url(f"postgresql://app:{SECRET}@db/shop?sslpassword={SECRET}&sslmode=require")
    assert SECRET not in text
    assert "sslmode=require" in text
    assert render_url("::garbage::") == "<unparseable URL>"
