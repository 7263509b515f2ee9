"""Counts and summaries are right (issue 13 item 11): groups add up; summary and detail agree."""

from __future__ import annotations

from minishop import HASH_KEY, FixedClock, email

from tutela.connectors.sql import SqlConnector
from tutela.programme.models import Programme
from tutela.rights.answers import render_batch
from tutela.rights.models import SubjectRequest
from tutela.rights.service import DsrService
from tutela.store.dsr import SqlDsrStore


def _service(programme: Programme, shop: SqlConnector, store: SqlDsrStore) -> DsrService:
    return DsrService(programme, {"shop": shop}, store, FixedClock(), HASH_KEY)


def test_RE_1_two_rectifications_of_different_fields_count_two_rows(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore
) -> None:
    requests = [
        SubjectRequest("rectification", (("customer_id", "1"),), (("customer.name", "Ann"),)),
        SubjectRequest("rectification", (("customer_id", "2"),), (("customer.phone", "+3212"),)),
    ]
    result = _service(programme, shop, store).run(requests)
    assert result.counts == {"shop.customer": 2}  # two update groups, two rows (not max = 1)


def test_ER_1_dry_run_summary_and_detail_agree(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore
) -> None:
    result = _service(programme, shop, store).run(
        [SubjectRequest("erasure", (("email", email(3)),))], dry_run=True
    )
    text = render_batch(result)
    summary, detail = text.split("\n- ", 1)
    assert "shop.login_event: 2 row(s) would be deleted" in summary  # erase: delete
    assert "shop.login_event: 2 row(s) would be deleted" in detail
    assert "would change" not in summary.split("shop.login_event")[1].split("\n")[0]
    assert "shop.orders" in summary and "shop.orders" in detail  # kept or changed, never missing
