"""First guesses of data categories from a column's name and type.

The guesses are declared as data, one :class:`NameRule` per kind of personal
data: a regular expression over the column name in ``snake_case`` (so
``firstName`` reads ``first_name``), the fideslang category it suggests, and
the identity it can serve as (e-mail, phone). The first rule that matches wins,
so specific rules come before general ones. Every guess says which rule made
it; ``tutela datasets reflect`` marks each one for a reviewer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tutela.ports import ColumnInfo


@dataclass(frozen=True)
class NameRule:
    """Columns whose name matches ``pattern`` probably hold ``category``.

    ``types``, when given, restricts the rule to columns whose type contains
    one of these words (``lat`` is a latitude only in a numeric column).
    """

    pattern: str
    category: str
    identity: str | None = None
    types: tuple[str, ...] = ()

    def matches(self, name: str, column_type: str) -> bool:
        """Whether a column called ``name`` (snake_case) of ``column_type`` fits the rule."""
        if self.types and not any(word in column_type for word in self.types):
            return False
        return re.search(self.pattern, name) is not None


@dataclass(frozen=True)
class Guess:
    """A guessed category (and identity) for a column, with the reason."""

    category: str
    identity: str | None
    reason: str


_W = r"(?:^|_)"  # start of a word in snake_case
_E = r"(?:$|_)"  # end of a word
_NUMERIC = ("numeric", "decimal", "float", "double", "real")
_TEXT = ("char", "text", "string", "clob")

NAME_RULES: tuple[NameRule, ...] = (
    NameRule(rf"{_W}(?:e_?mail|mail)(?:_?address|_addr)?{_E}", "user.contact.email", "email"),
    NameRule(rf"{_W}fax(?:_?number|_no)?{_E}", "user.contact.fax_number"),
    NameRule(
        rf"{_W}(?:phone|mobile|telephone|tel|cell|cellphone|msisdn)(?:_?number|_no|_nr)?{_E}",
        "user.contact.phone_number",
        "phone_number",
    ),
    NameRule(rf"{_W}(?:first_?name|given_?name|forename|fname){_E}", "user.name.first"),
    NameRule(rf"{_W}(?:last_?name|surname|family_?name|lname){_E}", "user.name.last"),
    NameRule(r"^(?:full_?name|name|display_?name|person_?name)$", "user.name"),
    NameRule(
        rf"{_W}(?:holder|cardholder|customer|contact|recipient|billing|shipping|client)_?name$",
        "user.name",
    ),
    NameRule(r"^(?:card_?holder|account_?holder)$", "user.name"),
    NameRule(
        rf"{_W}(?:user_?name|login|screen_?name|nickname){_E}",
        "user.account.username",
        types=_TEXT,
    ),
    NameRule(
        rf"{_W}(?:password|passwd|pwd|password_?hash|pass_?hash){_E}", "user.authorization.password"
    ),
    NameRule(rf"{_W}(?:api_?key|token|secret|credentials?){_E}", "user.authorization.credentials"),
    NameRule(
        rf"{_W}(?:street|address_?line_?\d?|addr_?line_?\d?|address_?\d|house_?number){_E}",
        "user.contact.address.street",
    ),
    NameRule(rf"{_W}(?:city|town|locality){_E}", "user.contact.address.city"),
    NameRule(
        rf"{_W}(?:zip|zip_?code|postal_?code|post_?code|postal){_E}",
        "user.contact.address.postal_code",
    ),
    NameRule(rf"{_W}country{_E}", "user.contact.address.country"),
    NameRule(r"^(?:address|postal_?address|home_?address)$", "user.contact.address"),
    NameRule(
        rf"{_W}(?:ip|ip_?address|ip_?addr|remote_?addr|client_?ip|ipv4|ipv6){_E}",
        "user.device.ip_address",
    ),
    NameRule(rf"{_W}(?:user_?agent|ua){_E}", "user.device"),
    NameRule(rf"{_W}(?:device|device_?id|idfa|gaid|imei){_E}", "user.device.device_id"),
    NameRule(rf"{_W}cookie(?:_?id)?{_E}", "user.device.cookie_id"),
    NameRule(rf"{_W}(?:birth\w*|birthday|dob|date_of_birth){_E}", "user.demographic.date_of_birth"),
    NameRule(rf"{_W}(?:gender|sex){_E}", "user.demographic.gender"),
    NameRule(rf"{_W}(?:language|locale|lang){_E}", "user.demographic.language"),
    NameRule(
        rf"{_W}(?:iban|bic|swift|account_?number|bank_?account|sort_?code|routing_?number){_E}",
        "user.financial.bank_account",
    ),
    NameRule(
        rf"{_W}(?:card|card_?number|pan|cc_?number|last_?4|last_?four|cvv|cvc|expiry){_E}",
        "user.financial.credit_card",
    ),
    NameRule(
        rf"{_W}(?:ssn|national_?id|nin|bsn|insee|tax_?id|social_?security\w*){_E}",
        "user.government_id.national_identification_number",
    ),
    NameRule(rf"{_W}passport\w*{_E}", "user.government_id.passport_number"),
    NameRule(rf"{_W}drivers?_?licen[cs]e\w*{_E}", "user.government_id.drivers_license_number"),
    NameRule(
        rf"{_W}(?:lat|latitude|lon|lng|long|longitude){_E}", "user.location.precise", types=_NUMERIC
    ),
    NameRule(rf"{_W}(?:geo|geolocation|coordinates|location){_E}", "user.location"),
)
"""Column-name rules, most specific first (fideslang default taxonomy keys)."""

TYPE_RULES: dict[str, str] = {
    "inet": "user.device.ip_address",
    "cidr": "user.device.ip_address",
    "macaddr": "user.device.device_id",
}
"""Column types that hold personal data whatever the column is called (PostgreSQL)."""


def snake_case(name: str) -> str:
    """``firstName`` -> ``first_name``, ``E-Mail Address`` -> ``e_mail_address``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return re.sub(r"[^a-z0-9]+", "_", spaced.lower()).strip("_")


def guess_column(column: ColumnInfo) -> Guess | None:
    """The category ``column`` probably holds, or None when nothing suggests one."""
    kind = column.type.lower()
    base_type = kind.split("(")[0].strip()
    if base_type in TYPE_RULES:
        return Guess(TYPE_RULES[base_type], None, f"column type {base_type}")
    name = snake_case(column.name)
    for rule in NAME_RULES:
        if rule.matches(name, kind):
            return Guess(rule.category, rule.identity, "column name")
    return None
