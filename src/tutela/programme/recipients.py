"""Recipients of personal data and the safeguards of their transfers.

Who receives the data (Art. 13(1)(e), AC-3) and, for a recipient outside the EEA,
the Chapter V tool the transfer relies on (Arts. 44-49, TR-2, TR-4, TR-5), and
where it is told of a rectification, erasure or restriction (Art. 19, NR-1).
Re-exported by :mod:`tutela.programme.models`; this module must not import it.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from tutela.programme.accountability import JointArrangement
from tutela.programme.systems import ProcessingAgreement
from tutela.programme.types import CountryCode, EnvName, Key, Label, Model, ShortText, Text

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
"""Hosts a webhook may reach over plain ``http://`` (tests and local relays only)."""
_ADDRESS = re.compile(r"[^@\s,;<>\"]{1,64}@[^@\s,;<>\"]{1,252}\.[a-z0-9-]{2,63}", re.IGNORECASE)

# --- recipients and transfers -------------------------------------------------------------


class TransferImpactAssessment(Model):
    """A transfer impact assessment (TR-5): reference, date and review date."""

    reference: ShortText
    assessed_on: date
    review_on: date | None = None


class Safeguard(Model):
    """The Chapter V tool for a transfer outside the EEA (TR-2, TR-4)."""

    mechanism: Literal[
        "adequacy", "scc", "bcr", "certification", "code_of_conduct", "ad_hoc", "derogation"
    ]
    scc_module: Literal["M1", "M2", "M3", "M4"] | None = None
    scc_decision: ShortText | None = None
    signed: date | None = None
    tia: TransferImpactAssessment | None = None
    derogation: ShortText | None = None
    occasional: bool = False
    reference: ShortText | None = None


def webhook_url_problem(url: str) -> str | None:
    """Why ``url`` cannot receive a webhook, or None when it can.

    An ``https://`` URL with a host and no credentials; ``http://`` only for
    :data:`LOCAL_HOSTS`. The reason never repeats the URL (it may hold a token).
    """
    if not isinstance(url, str) or not url.isprintable() or " " in url:
        return "a webhook is a URL without spaces or control characters"
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return "a webhook is an https:// URL, like https://hooks.example.com/tutela"
    if parts.username is not None or parts.password is not None:
        return "a webhook URL holds no credentials: put the secret in the variable `secret_env`"
    if not host:
        return "a webhook is an https:// URL with a host, like https://hooks.example.com/tutela"
    if parts.scheme == "https" or (parts.scheme == "http" and host in LOCAL_HOSTS):
        return None
    return "a webhook must be an https:// URL (http:// only to localhost, for tests)"


class RecipientContact(Model):
    """Where a recipient is told of a rectification, erasure or restriction (Art. 19, NR-1).

    ``webhook`` (preferred when both are given) receives a JSON document signed with
    HMAC-SHA256 under the secret held by the environment variable ``secret_env``.
    """

    email: ShortText | None = None
    webhook: ShortText | None = None
    secret_env: EnvName | None = None

    @field_validator("email")
    @classmethod
    def _one_address(cls, value: str | None) -> str | None:
        if value is not None and not _ADDRESS.fullmatch(value):
            raise ValueError("`email` is one e-mail address, like privacy@recipient.example")
        return value.lower() if value else value

    @field_validator("webhook")
    @classmethod
    def _secure_url(cls, value: str | None) -> str | None:
        problem = webhook_url_problem(value) if value is not None else None
        if problem:
            raise ValueError(f"`webhook`: {problem}")
        return value

    @model_validator(mode="after")
    def _reachable(self) -> RecipientContact:
        if self.email is None and self.webhook is None:
            raise ValueError("`notify` needs an `email`, a `webhook`, or both")
        if self.webhook is not None and self.secret_env is None:
            raise ValueError(
                "`secret_env` is required with `webhook`: name the environment variable "
                "holding the webhook's signing secret, e.g. TUTELA_WEBHOOK_SECRET_STRIPE"
            )
        if self.webhook is None and self.secret_env is not None:
            raise ValueError("`secret_env` signs webhooks: give a `webhook` or remove it")
        return self


class Recipient(Model):
    """Who receives personal data (Art. 13(1)(e), AC-3: named where possible)."""

    key: Key
    name: Label
    kind: Literal["processor", "controller", "joint_controller", "public_authority", "affiliate"]
    description: Text | None = None
    named: bool = True
    purposes: list[Key] = Field(default_factory=list)
    categories: list[Key] = Field(default_factory=list)
    countries: list[CountryCode] = Field(default_factory=list)
    dpf_certified: bool = False
    dpf_expires: date | None = None
    subject_to: list[ShortText] = Field(default_factory=list)
    safeguard: Safeguard | None = None
    supplementary_measures: list[Label] = Field(default_factory=list)
    privacy_statement_url: ShortText | None = None
    dpa: ProcessingAgreement | None = None
    arrangement: JointArrangement | None = None
    notify: RecipientContact | None = None


__all__ = [
    "LOCAL_HOSTS",
    "Recipient",
    "RecipientContact",
    "Safeguard",
    "TransferImpactAssessment",
    "webhook_url_problem",
]
