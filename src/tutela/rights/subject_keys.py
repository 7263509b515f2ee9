"""The primary keys of one subject's rows: what a sweep needs to spare a held subject.

A subject hold (:mod:`tutela.retention.holds`) names a person, not rows. The rows are
those an access request for the same identity finds, along the same references
(:mod:`tutela.rights.planner`); :func:`keys_plan` narrows that plan to reading keys and
the values that lead from one collection to the next, so nothing personal is read.
"""

from __future__ import annotations

from dataclasses import replace

from tutela.errors import RequestError
from tutela.rights.models import FieldPlan, Plan, SubjectRequest

MAX_IDENTITY = 1000
"""The longest identity value accepted, in characters."""


def key_request(identity: object, value: object) -> SubjectRequest:
    """An access request for ``identity=value``; RequestError unless both are fitting text."""
    if not isinstance(identity, str) or not isinstance(value, str):
        raise RequestError("an identity and its value must be text, e.g. email a@b.c")
    name, text = identity.strip().lower(), value.strip()
    if not name or not text:
        raise RequestError("give an identity and its value, e.g. email a@b.c")
    if len(text) > MAX_IDENTITY or len(name) > 100:
        raise RequestError(f"an identity value has at most {MAX_IDENTITY} characters")
    return SubjectRequest("access", ((name, text),))


def keys_plan(plan: Plan) -> Plan:
    """``plan`` reading only each collection's primary key (and what its references need)."""
    steps = tuple(
        replace(step, fields=(FieldPlan(step.key, "key"),) if step.key else ())
        for step in plan.steps
    )
    return replace(plan, steps=steps)
