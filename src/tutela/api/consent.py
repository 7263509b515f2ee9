"""Subjects' choices over HTTP: the cookie banner's choices and Global Privacy Control.

(Filled by the banner work of issue 17.)
"""

from __future__ import annotations

from fastapi import APIRouter

from tutela.api.problems import responses

router = APIRouter(tags=["consent"], responses=responses())
