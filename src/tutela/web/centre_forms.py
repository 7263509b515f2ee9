"""The privacy centre's forms checked before anything is stored: each field's error by name.

:func:`checked_request` and :func:`checked_complaint` read a posted form (first value of
each field) and return what to submit, or the errors as ``{field: code}``; the templates
say each code in words and never repeat a refused value outside an escaped form field.
Proportionate (ID-2): the e-mail address is the one identity asked for; the other
identities the programme declares are optional and help find the data (ID-3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fastapi import Request

from tutela.errors import RequestError
from tutela.requests.codes import channel_address
from tutela.requests.records import identity_value
from tutela.requests.types import PortabilityDestination
from tutela.web.centre_choices import detail_field, known_residences

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tutela.programme.models import Programme

RESERVED = frozenset({"type", "email", "residence", "details", "csrf", "lang", "about", "code"})
"""Form field names an identity may not take."""
MOST_IDENTITIES = 7
"""Identities besides the e-mail address the form offers, at most."""
LONGEST_WORDS = 5000
"""Characters of a complaint's text, at most."""
_EMAIL = re.compile(
    r'[^\s@<>"(),;:\[\]\\]{1,64}@(?:[^\s@<>"(),;:\[\]\\/.]+\.)+[^\s@<>"(),;:\[\]\\/.]+'
)
"""An e-mail address as the forms take it: one address, no display name or markup."""
TOPICS = ("request", "marketing", "cookies", "security", "other")
"""What a complaint may be about (the complaint form's ``about`` choices)."""


@dataclass(frozen=True)
class IdentityField:
    """An optional identity the form offers: its key, words and the programme's description."""

    key: str
    label: str
    hint: str


@dataclass(frozen=True)
class Checked:
    """A form checked: what to submit, or the errors by field (``{field: code}``)."""

    identity: dict[str, str] = field(default_factory=dict)
    residence: str | None = None
    details: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def source(request: Request) -> str:
    """The visitor's address, as the API counts it for its rate limits."""
    return request.client.host if request.client is not None else "unknown"


def identity_fields(programme: Programme) -> tuple[IdentityField, ...]:
    """The identities besides e-mail the programme declares, offered as optional fields."""
    found = [
        IdentityField(
            item.key,
            item.key.replace("_", " ").capitalize(),
            str(item.description or ""),
        )
        for item in programme.identities
        if item.key not in RESERVED
    ]
    return tuple(found[:MOST_IDENTITIES])


def checked_request(programme: Programme, kind: str, form: Mapping[str, str]) -> Checked:
    """The request form of type ``kind`` checked: identity, residence, details or errors."""
    errors: dict[str, str] = {}
    identity = _identity(programme, form, errors)
    residence = _residence(form, errors)
    details = _details(programme, kind, form, errors)
    return Checked(identity, residence, details, errors)


def checked_complaint(form: Mapping[str, str]) -> tuple[Checked, str, str]:
    """The complaint form checked, with its topic and words (empty when refused)."""
    errors: dict[str, str] = {}
    email = _email(form.get("email", ""), errors)
    residence = _residence(form, errors)
    about = form.get("about", "")
    if about not in TOPICS:
        errors["about"] = "about"
    words = form.get("details", "").strip()
    if not words or len(words) > LONGEST_WORDS or "\x00" in words:
        errors["details"] = "words"
    identity = {"email": email} if email else {}
    return Checked(identity, residence, {}, errors), about, words


def _identity(
    programme: Programme, form: Mapping[str, str], errors: dict[str, str]
) -> dict[str, str]:
    email = _email(form.get("email", ""), errors)
    identity = {"email": email} if email else {}
    for item in identity_fields(programme):
        value = form.get(item.key, "").strip()
        if not value:
            continue
        try:
            identity[item.key] = identity_value(item.key, _decoded(value))
        except RequestError:
            errors[item.key] = "identity"
    return identity


def _email(value: str, errors: dict[str, str]) -> str:
    try:
        address = channel_address(identity_value("email", _decoded(value)))
    except RequestError:
        address = ""
    if not _EMAIL.fullmatch(address):
        errors["email"] = "email"
        return ""
    return address


def _decoded(value: str) -> str:
    """``value``, refused when it holds U+FFFD: the form was not UTF-8 (or said it was not)."""
    if "\ufffd" in value:
        raise RequestError("a value that is not UTF-8")
    return value


def _residence(form: Mapping[str, str], errors: dict[str, str]) -> str | None:
    value = form.get("residence", "")
    if value not in known_residences():
        errors["residence"] = "residence"
        return None
    return value


def _details(
    programme: Programme, kind: str, form: Mapping[str, str], errors: dict[str, str]
) -> dict[str, str]:
    wanted = detail_field(programme, kind)
    value = form.get("details", "").strip()
    if wanted is None or (not value and not wanted.required):
        return {}
    if wanted.choices and value not in {c.value for c in wanted.choices}:
        errors["details"] = "details_choice"
        return {}
    if not wanted.choices:
        try:
            PortabilityDestination(value)
        except RequestError:
            errors["details"] = "details_url"
            return {}
    return {wanted.key: value}
