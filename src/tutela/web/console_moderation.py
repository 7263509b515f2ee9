"""The console's moderation queue (seed §9; scaffold, owner fills the pages)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
