"""One-click unsubscribe (RFC 8058) and consent receipts over HTTP.

(Filled by the unsubscribe work of issue 17.)
"""

from __future__ import annotations

from fastapi import APIRouter

from tutela.api.problems import responses

router = APIRouter(tags=["consent"], responses=responses())
