"""tutela's own store never keeps the identity values of the subjects it erased (OB-2, ER-1)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from minishop import HASH_KEY, FixedClock, email

from tutela.connectors.sql import SqlConnector
from tutela.errors import ConfigurationError
from tutela.programme.models import Programme
from tutela.rights.models import SubjectRequest
from tutela.rights.restrictions import subject_ref
from tutela.rights.service import DsrService
from tutela.store.dsr import SqlDsrStore


def store_text(store: SqlDsrStore) -> str:
    engine: Any = store._engine  # the store's own engine: read every table it wrote
    with engine.connect() as connection:
        tables = sa.inspect(connection).get_table_names()
        rows = [
            repr(tuple(row))
            for table in tables
            for row in connection.execute(sa.text(f'SELECT * FROM "{table}"'))
        ]
    return "\n".join(rows)


def test_OB_2_erased_subject_is_kept_only_as_a_keyed_hash(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore
) -> None:
    service = DsrService(
        programme, {"shop": shop}, store, FixedClock(), HASH_KEY, restriction_store=store
    )
    service.run([SubjectRequest("erasure", (("email", email(3)),))])

    assert email(3) not in store_text(store)
    kept = service.restrictions("email", email(3))
    assert kept, "fields kept under a legal obligation are recorded as restricted (ER-2)"
    assert all(r.value == subject_ref("email", email(3), HASH_KEY) for r in kept)
    assert service.restrictions("email", email(4)) == []


def test_RS_2_restriction_is_found_by_identity_without_storing_it(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore
) -> None:
    service = DsrService(
        programme, {"shop": shop}, store, FixedClock(), HASH_KEY, restriction_store=store
    )
    service.run([SubjectRequest("restriction", (("email", email(5)),))])

    (record,) = service.restrictions("email", email(5))
    assert "storage" in record.allowed
    assert record.value == subject_ref("email", email(5), HASH_KEY)
    assert record.value.startswith("h:")


def test_subject_ref_is_keyed() -> None:
    assert subject_ref("email", "a@b.c", b"k1") != subject_ref("email", "a@b.c", b"k2")
    with pytest.raises(ConfigurationError, match="TUTELA_HASH_KEY"):
        subject_ref("email", "a@b.c", None)  # an unkeyed hash of an e-mail is reversible
