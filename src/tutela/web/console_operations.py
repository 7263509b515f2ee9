"""The console's operations: retention, consent statistics, mail queue, ledger."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/console", include_in_schema=False)
