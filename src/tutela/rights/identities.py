"""Identities as people write them: each identity's normalisation, applied to request values.

Pure. The programme declares each identity's kind (``identities:``, or inferred
from its key, see :class:`tutela.programme.models.Identity`); this module turns
that into a :class:`~tutela.rights.models.Normalisation` and writes request
values the way the databases are compared: ``ALF.PETERSON@EXAMPLE.TEST`` as
``alf.peterson@example.test``, ``0470 12 34 56`` (region BE) as ``+32470123456``.
The same request written two ways is then one request: one batch, one
restriction record, one answer (ID-3, Art. 12(2): identify the subject from
what they give).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from tutela.errors import RequestError
from tutela.programme.identity_values import declared_identities, e164, phone_region
from tutela.programme.models import Programme
from tutela.rights.models import Normalisation, SubjectRequest

__all__ = [
    "comparable",
    "declared_identities",
    "normalisation",
    "normalise",
    "normalise_requests",
]

_AS_GIVEN = Normalisation()
"""An identity no field declares: its value is only trimmed (planning refuses it)."""


def normalisation(programme: Programme, key: str) -> Normalisation:
    """How the values of identity ``key`` are written and compared in ``programme``.

    A phone identity without its own ``region`` reads national numbers in the
    organisation's ``establishment_country``.
    """
    identity = programme.identity(key)
    region = phone_region(programme, key) if identity.kind == "phone" else None
    return Normalisation(identity.kind, identity.lower, region)


def normalise(value: str, how: Normalisation, name: str = "identity") -> str:
    """``value`` as ``how`` writes it; RequestError for a phone that is no phone number."""
    text = value.strip()
    if how.kind == "phone":
        return e164(text, how.region, name)
    return text.lower() if how.lower else text


def comparable(value: str, how: Normalisation) -> str | None:
    """``value`` normalised, or None when it cannot be a value of the identity (matches nothing)."""
    try:
        return normalise(value, how)
    except RequestError:
        return None


def normalise_requests(
    programme: Programme, requests: Sequence[SubjectRequest]
) -> list[SubjectRequest]:
    """``requests`` with every identity value normalised.

    Identities no field declares are left as given: planning reports them as
    unknown. RequestError names the request (its number, from 1) and identity.
    """
    hows = {name: normalisation(programme, name) for name in declared_identities(programme)}
    result: list[SubjectRequest] = []
    for number, request in enumerate(requests, 1):
        pairs = []
        for name, value in request.identities:
            how = hows.get(name, _AS_GIVEN)
            try:
                pairs.append((name, normalise(value, how, name)))
            except RequestError as error:
                where = f"request {number}: " if len(requests) > 1 else ""
                raise RequestError(f"{where}{error}") from None
        changed = tuple(pairs) != request.identities
        result.append(replace(request, identities=tuple(pairs)) if changed else request)
    return result
