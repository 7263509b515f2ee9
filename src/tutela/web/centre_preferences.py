"""The privacy centre's consent and marketing preferences: view, give, withdraw and unsubscribe."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
