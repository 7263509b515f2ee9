"""Identity values written as the programme declares them: one rule for every capability.

The DSR engine (:mod:`tutela.rights.identities`) and legal holds (:mod:`tutela.retention`)
both compare a value a person gives with the values the databases hold, so both write
it here: e-mail trimmed and lower-cased, ``exact`` identities trimmed (and lower-cased
when declared so), phone numbers in E.164 read in the identity's region (or the
organisation's establishment country).
"""

from __future__ import annotations

from tutela.errors import RequestError
from tutela.programme.models import Programme


def declared_identities(programme: Programme) -> list[str]:
    """Every identity a field of the programme declares, sorted."""
    return sorted(
        {
            f.identity
            for _, dataset in programme.datasets()
            for collection in dataset.collections
            for f in collection.fields
            if f.identity
        }
    )


def phone_region(programme: Programme, key: str) -> str | None:
    """The region national numbers of phone identity ``key`` are read in."""
    identity = programme.identity(key)
    organisation = programme.organisation
    return identity.region or (organisation.establishment_country if organisation else None)


def written_identity(programme: Programme, name: str, value: str) -> str:
    """``value`` as the programme writes identity ``name``; RequestError for a bad phone."""
    identity = programme.identity(name)
    text = value.strip()
    if identity.kind == "phone":
        return e164(text, phone_region(programme, name), name)
    return text.lower() if identity.lower else text


def e164(text: str, region: str | None, name: str) -> str:
    """A phone number in E.164 (``+32470123456``); RequestError naming what to fix."""
    import phonenumbers  # a large table: loaded only when a phone identity is used

    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        hint = (
            "write it with its country code, e.g. +32 470 12 34 56, or declare the "
            f"identity's region under `identities:` (key {name}, kind phone)"
            if region is None and not text.startswith("+")
            else "write it as a full phone number, e.g. +32 470 12 34 56"
        )
        raise RequestError(f"identity {name}: the value is not a phone number; {hint}")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
