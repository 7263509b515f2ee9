"""Erasure says what it could not reach, and exits with its own code (ER-1, issue 13 item 8)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from minishop import HASH_KEY, MINISHOP, email
from typer.testing import CliRunner

from tutela.cli.main import app
from tutela.programme.loader import load_programme
from tutela.rights.coverage import coverage_of
from tutela.rights.graph import build_graph
from tutela.rights.models import Coverage


def _env(shop_url: str, tmp_path: Path) -> dict[str, str]:
    env = {
        "MINISHOP_URL": shop_url,
        "MINISHOP_HASH_KEY": HASH_KEY.decode(),
        "TUTELA_DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite'}",
    }
    assert CliRunner().invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    return env


def test_ER_1_a_complete_erasure_has_no_gaps_and_exits_0(shop_url: str, tmp_path: Path) -> None:
    args = ["dsr", "run", str(MINISHOP), "--type", "erasure", "--identity", f"email={email(2)}"]
    result = CliRunner().invoke(app, args, env=_env(shop_url, tmp_path))
    assert result.exit_code == 0, result.output
    assert "may remain" not in result.output


def test_ER_1_a_column_the_programme_does_not_declare_is_reported_with_exit_8(
    shop_url: str, tmp_path: Path
) -> None:
    engine = sa.create_engine(shop_url)
    with engine.begin() as connection:
        connection.execute(sa.text("ALTER TABLE customer ADD COLUMN nickname VARCHAR(40)"))
    engine.dispose()
    args = ["dsr", "run", str(MINISHOP), "--type", "erasure", "--identity", f"email={email(3)}"]
    result = CliRunner().invoke(app, [*args, "--dry-run"], env=_env(shop_url, tmp_path))
    assert result.exit_code == 8, result.output
    assert "may remain: columns the programme does not declare: shop.customer.nickname" in (
        result.output
    )
    result = CliRunner().invoke(app, [*args, "--format", "json"], env=_env(shop_url, tmp_path))
    assert result.exit_code == 8
    assert '"undeclared": [\n      "shop.customer.nickname"' in result.output


def test_ER_1_unreachable_and_uncategorised_personal_data_is_listed() -> None:
    programme = load_programme(MINISHOP)
    graph = build_graph(programme)
    gaps = coverage_of(graph, ["shop.orders", "shop.order_item"], {})
    assert "shop.customer" in gaps.unreachable and "shop.address" in gaps.unreachable
    assert "shop.warehouse" not in gaps.unreachable  # nothing personal there
    assert gaps.undeclared == () and gaps.uncategorised == ()
    customer = programme.systems[0].datasets[0].collections[0]
    bare = customer.model_copy(
        update={"fields": [f.model_copy(update={"data_categories": []}) for f in customer.fields]}
    )
    dataset = programme.systems[0].datasets[0]
    changed = dataset.model_copy(update={"collections": [bare, *dataset.collections[1:]]})
    system = programme.systems[0].model_copy(update={"datasets": [changed]})
    graph = build_graph(programme.model_copy(update={"systems": [system]}))
    gaps = coverage_of(graph, ["shop.customer"], {})
    assert gaps.uncategorised == (
        "shop.customer.name",
        "shop.customer.phone",
        "shop.customer.segment",
    )
    assert not gaps.complete() and Coverage().complete()
