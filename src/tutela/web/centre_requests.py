"""The privacy centre's request pages and the complaint form."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
