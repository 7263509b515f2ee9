"""Who must be told of a rectification, erasure or restriction (Art. 19, NR-1).

Pure. :func:`categories_changed` reads from a plan and a request's result the data
categories the engine changed, deleted or restricted for the subject;
:func:`recipients_of` finds the programme's recipients of any of them (a recipient's
category covering or covered by a changed one); :func:`notifications_for` makes one
pending notification for each that has a :class:`~tutela.programme.recipients.RecipientContact`,
and :func:`unreachable` names those without one, for staff to tell by hand (NR-1:
"unless impossible or disproportionate").
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from tutela.programme.models import Programme, Recipient
from tutela.requests.keeping import Channel, NotificationRecord, NotificationState
from tutela.rights.models import FieldPlan, Plan, RequestResult, Step
from tutela.taxonomy.vocabulary import covers

_WRITES = frozenset({"mask", "rectify", "flag"})


def categories_changed(plan: Plan, result: RequestResult) -> tuple[str, ...]:
    """The categories of the fields ``result`` changed or deleted, in plan order.

    A collection counts when rows of it changed or were deleted; its fields count
    when masked, rectified or flagged, and every field when its rows were deleted
    or restricted (the whole row goes, or is held back).
    """
    touched = {c.collection for c in result.collections if c.changed or c.deleted}
    found: list[str] = []
    for step in plan.steps:
        if step.address in touched:
            found += [k for f in _changed_fields(step) for k in f.categories]
    return tuple(dict.fromkeys(found))


def _changed_fields(step: Step) -> tuple[FieldPlan, ...]:
    if step.delete_rows or step.restriction_flag:
        return step.fields
    return tuple(f for f in step.fields if f.action in _WRITES)


def received(
    recipient: Recipient, categories: Iterable[str], programme: Programme
) -> tuple[str, ...]:
    """Which of ``categories`` ``recipient`` received (its own list, else its purposes')."""
    own = list(recipient.categories) or [
        k for p in programme.purposes if p.key in recipient.purposes for k in p.categories
    ]
    return tuple(
        dict.fromkeys(c for c in categories if any(covers(o, c) or covers(c, o) for o in own))
    )


def recipients_of(programme: Programme, categories: Iterable[str]) -> tuple[Recipient, ...]:
    """The recipients that received any of ``categories``, named ones first (AC-3)."""
    wanted = tuple(dict.fromkeys(categories))
    found = [r for r in programme.recipients if received(r, wanted, programme)]
    return tuple(sorted(found, key=lambda r: not r.named))


def unreachable(programme: Programme, categories: Iterable[str]) -> tuple[Recipient, ...]:
    """The recipients of ``categories`` tutela cannot tell: no ``notify`` contact."""
    return tuple(r for r in recipients_of(programme, categories) if r.notify is None)


def notifications_for(
    programme: Programme, request_id: str, categories: Iterable[str], now: datetime
) -> tuple[NotificationRecord, ...]:
    """One pending notification, due ``now``, per recipient of ``categories`` with a contact.

    A webhook is preferred over e-mail when the recipient gives both.
    """
    records = []
    for recipient in recipients_of(programme, categories):
        contact = recipient.notify
        if contact is None:
            continue
        channel, target = (
            (Channel.WEBHOOK, contact.webhook)
            if contact.webhook
            else (Channel.EMAIL, contact.email or "")
        )
        records.append(
            NotificationRecord(
                id=str(uuid.uuid4()),
                request_id=request_id,
                recipient=recipient.key,
                channel=channel,
                target=target,
                state=NotificationState.PENDING,
                attempts=0,
                next_at=now,
                created_at=now,
            )
        )
    return tuple(records)
