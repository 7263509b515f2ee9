"""Forwarding a request about processor-role data to the controller (GDPR.md §8, PR-2).

When the organisation holds a subject's data only as a processor (a customer's scanned
IT-asset data, ``role: processor``), the request is forwarded promptly to the customer,
who is the controller, and is not answered on the merits (SCC Module 2 Clause 10(a);
Art. 28(3)(e)). This module is pure: it finds whom to tell and writes what they are
told; sending, recording the time and the contact, and executing the controller's
instructions (Clause 10(c)) belong to the service.

How a service uses it::

    plan = build_plan(programme, request_type)            # plan.forwarded: Forwarding, ...
    targets = forward_targets(programme, plan.forwarded, customer=known_customer_or_none)
    for target in targets:                                # one ForwardTarget per customer
        message = controller_message(
            target, request_id=..., request_type=..., received_at=...,
            sender="privacy@org.example", controller_name="Org SA",
            identity={"email": ...},                      # only if the controller needs it
        )
        smtp_sender.send(message)                         # then record time and contact
    lines = subject_notice(targets, request_type)         # what the requester is told

A :class:`ForwardTarget` comes from the DPA register (``dpa_register``), never from a
guess: a processor-role system no register entry covers is an error to fix in the
programme. When staff know which customer the subject belongs to, pass ``customer`` so
that only that customer is told and named to the subject. Texts are in English; they are
not yet in tutela's translation catalogues.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from tutela.errors import RequestError
from tutela.i18n import format_day, language
from tutela.programme.models import ControllerCustomer, Programme
from tutela.requests.types import TYPES, RequestType, request_type
from tutela.rights.outcomes import Forwarding

_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_IDENTITY_NAME = re.compile(r"[a-z0-9][a-z0-9_.\-]{0,119}")
_LONGEST_REFERENCE = 64
_LONGEST_VALUE = 500


@dataclass(frozen=True)
class ForwardTarget:
    """One controller (a customer in the DPA register) a request is forwarded to (PR-2).

    ``contact`` is the register's text as written (an address, maybe a postal one too);
    ``systems`` are the forwarded systems this customer's DPA covers and ``collections``
    (``dataset.collection``) where the subject's data may sit in them.
    """

    customer: str
    name: str
    contact: str
    country: str
    dpa_reference: str
    dpa_signed: date | None
    systems: tuple[str, ...]
    collections: tuple[str, ...]

    @property
    def address(self) -> str | None:
        """The first e-mail address in ``contact``, or None if it has none."""
        found = _ADDRESS.search(self.contact)
        return found.group(0) if found else None


def forward_targets(
    programme: Programme, forwarded: Sequence[Forwarding], customer: str | None = None
) -> tuple[ForwardTarget, ...]:
    """The register's customers holding a forwarded system, in register order (PR-2).

    With ``customer`` (a register key), only that customer. RequestError when a forwarded
    system has no register entry (a controller is never guessed), when ``customer`` is not
    in the register, or when it holds none of the forwarded systems.
    """
    register = programme.dpa_register
    covered = {system for entry in register for system in entry.systems}
    for item in forwarded:
        if item.system not in covered:
            raise RequestError(
                f"the processor-role system {item.system!r} has no controller in the DPA "
                f"register: add the customers it processes for to dpa_register, with "
                f"{item.system!r} in their systems"
            )
    entries = register if customer is None else [_entry(register, customer)]
    targets = tuple(t for t in (_target(e, forwarded) for e in entries) if t is not None)
    if customer is not None and not targets:
        systems = ", ".join(f.system for f in forwarded) or "none"
        raise RequestError(
            f"customer {customer[:120]!r} holds none of the forwarded systems ({systems}): "
            "check the customer, or add the system to its systems in dpa_register"
        )
    return targets


def _entry(register: Sequence[ControllerCustomer], customer: str) -> ControllerCustomer:
    for entry in register:
        if entry.key == customer:
            return entry
    known = ", ".join(e.key for e in register) or "none"
    raise RequestError(
        f"customer {customer[:120]!r} is not in the DPA register (dpa_register keys: {known})"
    )


def _target(entry: ControllerCustomer, forwarded: Iterable[Forwarding]) -> ForwardTarget | None:
    held = [f for f in forwarded if f.system in entry.systems]
    if not held:
        return None
    return ForwardTarget(
        customer=entry.key,
        name=entry.name,
        contact=entry.contact,
        country=entry.country,
        dpa_reference=entry.dpa_reference,
        dpa_signed=entry.signed,
        systems=tuple(dict.fromkeys(f.system for f in held)),
        collections=tuple(dict.fromkeys(c for f in held for c in f.collections)),
    )


def controller_message(
    target: ForwardTarget,
    *,
    request_id: str,
    request_type: RequestType | str,
    received_at: datetime,
    sender: str,
    controller_name: str,
    identity: Mapping[str, str] | None = None,
    sent_at: datetime | None = None,
    zone: tzinfo | None = None,
) -> EmailMessage:
    """The plain-text message telling ``target`` of a request and asking its instructions.

    ``controller_name`` is the organisation's own name (it signs as the processor);
    ``received_at`` is shown as a date in ``zone`` (its own by default). The subject's
    identity is in the message only when ``identity`` is given, in a marked section.
    RequestError for a contact without an e-mail address, a header value with a line
    break or control character, or a naive time; no error quotes a value.
    """
    kind = _request_type(request_type)
    to = target.address
    if to is None:
        raise RequestError(
            f"the contact of DPA register entry {target.customer!r} has no e-mail address: "
            "write one in its contact"
        )
    _check_address(sender, "sender")
    _check_text(request_id, "request reference", _LONGEST_REFERENCE)
    received = _local(received_at, zone, "the receipt time")
    body = _body(target, request_id, kind, received.date(), controller_name)
    if identity:
        body += _identity_section(identity)
    body += f"\n{controller_name}\n"
    message = EmailMessage()
    headers = _headers(target, to, sender, controller_name, request_id)
    if sent_at is not None:
        headers["Date"] = format_datetime(_local(sent_at, zone, "the sending time"))
    for name, value in headers.items():
        message[name] = _header(value, name)
    message.set_content(body, charset="utf-8")
    message["Content-Language"] = "en"  # after set_content, which drops Content-* headers
    return message


def _headers(
    target: ForwardTarget, to: str, sender: str, organisation: str, request_id: str
) -> dict[str, str]:
    subject = f"Data subject request {request_id} under DPA {target.dpa_reference}"
    return {
        "From": formataddr((_header(organisation, "From"), sender)),
        "To": formataddr((_header(target.name, "To"), to)),
        "Subject": _header(f"{subject}: your instructions", "Subject"),
        "Message-ID": make_msgid(domain=sender.rpartition("@")[2]),
        "Auto-Submitted": "auto-generated",
    }


def _body(
    target: ForwardTarget, request_id: str, kind: RequestType, received: date, organisation: str
) -> str:
    with language("en"):
        signed = format_day(target.dpa_signed) if target.dpa_signed else "(date not recorded)"
        day = format_day(received)
    source = TYPES[kind].source.split(";")[0]
    lines = (
        f"Dear {target.name},",
        "",
        f"{organisation} processes personal data for you as your processor under the data "
        f"processing agreement {target.dpa_reference} of {signed}.",
        f"On {day} we received a request from a data subject about that data.",
        "",
        f"Request reference: {request_id}",
        f"Type of request: {_label(kind)} ({source})",
        f"Where the data may be: {', '.join(target.collections)}",
        "",
        "You are the controller of this data, so we do not answer the request on its "
        "merits (SCC Module 2, Clause 10(a)).",
        "We will assist you in answering it and will follow your documented instructions "
        "(GDPR Art. 28(3)(e)).",
        f"Please send us your instructions, quoting the request reference {request_id}.",
    )
    return "\n".join(lines) + "\n"


def _identity_section(identity: Mapping[str, str]) -> str:
    lines = ["", "--- Identity of the data subject (confidential) ---"]
    lines.append("Use it only to find the subject's data and answer this request.")
    for name, value in identity.items():
        if not _IDENTITY_NAME.fullmatch(name):
            raise RequestError("an identity name is a programme key (a-z, 0-9, _ . -)")
        _check_text(value, f"the identity value of {name!r}", _LONGEST_VALUE)
        lines.append(f"{name}: {value}")
    lines.append("--- End of identity ---")
    return "\n".join(lines) + "\n"


def subject_notice(
    targets: Sequence[ForwardTarget], request_type: RequestType | str
) -> tuple[str, ...]:
    """The lines the requester is told: the request was forwarded, and to whom (PR-2).

    Each controller is named with its contact as in the register; nothing else about
    the customer's processing is said (only what the DPA authorises, Clause 10(a)).
    RequestError if there is no target.
    """
    kind = _request_type(request_type)
    if not targets:
        raise RequestError("no controller to name: forward the request first (forward_targets)")
    several = len(targets) > 1
    whom, them = ("other organisations", "them") if several else ("another organisation", "it")
    deciders = "which decide" if several else "which decides"
    return (
        f"Your {_label(kind)} request concerns data we process only on behalf of {whom}, "
        f"{deciders} about it as controller.",
        f"We have forwarded your request to {them}; we do not answer it ourselves.",
        f"You can also address your request to {them} directly:",
        *(f"- {target.name}: {target.contact}" for target in targets),
    )


def _request_type(value: RequestType | str) -> RequestType:
    return value if isinstance(value, RequestType) else request_type(value)


def _label(kind: RequestType) -> str:
    return kind.value.replace("_", " ")


def _local(moment: datetime, zone: tzinfo | None, what: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise RequestError(f"{what} must be an aware time (with its time zone)")
    return moment.astimezone(zone) if zone else moment


def _check_text(value: object, what: str, longest: int) -> None:
    if not isinstance(value, str) or not 0 < len(value) <= longest or not value.isprintable():
        raise RequestError(f"{what} must be 1 to {longest} printable characters on one line")


def _check_address(value: object, what: str) -> None:
    if not isinstance(value, str) or not value.isprintable() or not _ADDRESS.fullmatch(value):
        raise RequestError(f"the {what} must be one e-mail address, without a name or line break")


def _header(value: str, name: str) -> str:
    """``value`` if it can be a header value: no line break or control character (injection)."""
    if not value.isprintable():
        raise RequestError(f"the {name} header would hold a line break or control character")
    return value


__all__ = ["ForwardTarget", "controller_message", "forward_targets", "subject_notice"]
