"""A small shop database on each backend, for reflect and shop tests."""

from __future__ import annotations

import pytest

from tutela.testing import shopdb

SHOP_CUSTOMERS = 50


@pytest.fixture
def shop_customers() -> int:
    """How many customers ``shop_url`` holds."""
    return SHOP_CUSTOMERS


@pytest.fixture
def shop_url(database_url: str) -> str:
    """``database_url`` holding the shop schema with 50 customers."""
    shopdb.build(database_url, customers=SHOP_CUSTOMERS, seed=7)
    return database_url
