"""Moderation of community posts over the API (seed §9; scaffold, owner fills the routes)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["moderation"])
