"""The decision point over HTTP: may this subject's data be used for this purpose, and why.

Both routes need the ``decisions:read`` scope and answer from the application's
:class:`~tutela.consent.point.DecisionPoint`, kept current from the store (CO-3).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)
from typing_extensions import TypedDict

from tutela.access.keys import Scope
from tutela.access.service import Staff
from tutela.api.auth import needs
from tutela.api.models import Body, Name, Value
from tutela.api.problems import responses
from tutela.consent.decisions import Decision
from tutela.consent.point import DecisionPoint

MAX_DECISIONS = 1000
JSON = "application/json"
router = APIRouter(prefix="/api/v1/decisions", tags=["decisions"], responses=responses())
Reader = Annotated[Staff, Depends(needs(Scope.DECISIONS_READ))]
PurposeKey = Annotated[str, StringConstraints(min_length=1, max_length=64)]


async def decision_point(request: Request) -> DecisionPoint:
    """The decision point of the app serving ``request`` (no I/O: on the event loop)."""
    found = request.app.state.decisions
    assert isinstance(found, DecisionPoint)
    return found


Point = Annotated[DecisionPoint, Depends(decision_point)]


class DecisionBody(Body):
    """Whom (an identity; the first name counts), which purpose, and when (default now)."""

    identity: dict[Name, Value] = Field(min_length=1, max_length=8)
    purpose: PurposeKey
    at: AwareDatetime | None = None


class DecisionDocument(BaseModel):
    """The answer: allow or deny, every reason, the purpose and its legal basis."""

    decision: Literal["allow", "deny"]
    reasons: list[str]
    purpose: str
    basis: str | None

    @classmethod
    def of(cls, purpose: str, found: Decision) -> DecisionDocument:
        """The document of ``found``, the decision for ``purpose``."""
        verdict: Literal["allow", "deny"] = "allow" if found.allow else "deny"
        reasons = list(found.reasons)
        return cls(decision=verdict, reasons=reasons, purpose=purpose, basis=found.basis or None)


class _Item(TypedDict):
    """One item of a batch as plain data (:class:`DecisionBody`'s rules)."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]

    identity: Annotated[dict[Name, Value], Field(min_length=1, max_length=8)]
    purpose: PurposeKey
    at: NotRequired[AwareDatetime | None]


class _Batch(TypedDict):
    """A batch: up to 1,000 items, as plain data."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]

    items: Annotated[list[_Item], Field(min_length=1, max_length=MAX_DECISIONS)]


_BATCH = TypeAdapter(_Batch)
_ONE_SCHEMA = DecisionBody.model_json_schema()
"""The JSON Schema of one decision asked (no references: it is written inline)."""
_BATCH_SCHEMA = {
    "type": "object",
    "title": "BatchBody",
    "description": "Up to 1,000 decisions asked at once.",
    "properties": {
        "items": {
            "type": "array",
            "items": _ONE_SCHEMA,
            "minItems": 1,
            "maxItems": MAX_DECISIONS,
        }
    },
    "required": ["items"],
    "additionalProperties": False,
}


_ONE = TypeAdapter(_Item)


@router.post(
    "",
    response_model=DecisionDocument,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {JSON: {"schema": _ONE_SCHEMA}},
        }
    },
)
async def decide(request: Request, staff: Reader, point: Point) -> Response:
    """Whether the subject's data may be used for the purpose at ``at``, and why.

    The body (:class:`DecisionBody`) is validated straight from its bytes into plain data.
    """
    item = await _read(request, _ONE)
    found = point.decide(item["identity"], item["purpose"], item.get("at"))
    return Response(_document(item["purpose"], found), media_type=JSON)


async def _read(request: Request, adapter: TypeAdapter[Any]) -> Any:
    """The body of ``request`` validated by ``adapter``; 422 (as any route's) when not."""
    try:
        return adapter.validate_json(await request.body())
    except ValidationError as error:
        raise RequestValidationError(error.errors(include_url=False)) from None


@router.post(
    "/batch",
    response_model=list[DecisionDocument],
    openapi_extra={"requestBody": {"required": True, "content": {JSON: {"schema": _BATCH_SCHEMA}}}},
)
async def decide_many(request: Request, staff: Reader, point: Point) -> Response:
    """Up to 1,000 decisions, in the order asked, from one state of the store.

    The body (``{"items": [...]}``) is validated straight from its bytes into plain data:
    a thousand items cost a millisecond, not the four that model objects would.
    """
    items = (await _read(request, _BATCH))["items"]
    asked = ((i["identity"], i["purpose"], i.get("at")) for i in items)
    found = point.decide_many(asked)
    parts = [_document(i["purpose"], d) for i, d in zip(items, found, strict=True)]
    return Response(b"[" + b",".join(parts) + b"]", media_type=JSON)


_written: dict[tuple[str, int], tuple[Decision, bytes]] = {}


def _document(purpose: str, found: Decision) -> bytes:
    """The JSON of :class:`DecisionDocument` for ``found``, written once per decision.

    Decisions are shared immutable objects (a few hundred per purpose), so each is
    written once; the cache keeps the decision itself, so a reused ``id`` never matches.
    """
    key = (purpose, id(found))
    known = _written.get(key)
    if known is not None and known[0] is found:
        return known[1]
    text = DecisionDocument.of(purpose, found).model_dump_json().encode()
    if len(_written) > 100_000:
        _written.clear()
    _written[key] = (found, text)
    return text
