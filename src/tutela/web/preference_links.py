"""The privacy centre's preference links: signed, short-lived, naming no identity in clear.

A subject who asks at ``/preferences`` receives by e-mail a link to manage the consent and
marketing choices of that address (proof of control of the address, as a double opt-in).
The token is built with the helpers of the one-click unsubscribe links
(:mod:`tutela.consent.unsubscribe`): the subject's keyed reference, a link id and an expiry
signed with HMAC-SHA256 under :func:`~tutela.consent.unsubscribe.link_key` bound to
``"preferences"`` and the reference (so an unsubscribe or receipt token is never a
preference token), and the identity sealed with AES-256-GCM under the store key, bound to
the reference. It reads ``<reference hex>~<signed expiry>~<sealed identity>``. Errors never
repeat the token, the key or the address.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Literal

from tutela.consent.service import ConsentService
from tutela.consent.unsubscribe import link_key, needed
from tutela.errors import RequestError
from tutela.i18n import _, format_day, language
from tutela.requests.codes import channel_address
from tutela.requests.records import identity_values
from tutela.requests.sealing import (
    LinkError,
    SealError,
    StoreKey,
    Use,
    check_link,
    seal,
    sign_link,
    unseal,
)

LINK_LIFE = timedelta(hours=1)
"""How long a preference link works after it is mailed."""
LONGEST_TOKEN = 1200
"""Characters of a token read; a longer one is refused unread."""
_TOKEN = re.compile(r"([0-9a-f]{64})~([0-9A-Za-z._-]{1,200})~([0-9A-Za-z_-]{1,900})")
_DAWN = datetime(1970, 1, 1, tzinfo=UTC)


class LinkRefused(RequestError):
    """A preference token that cannot be used: ``tampered`` (400) or ``expired`` (410)."""

    def __init__(self, reason: Literal["tampered", "expired"]) -> None:
        self.reason = reason
        super().__init__(f"this preference link is {reason}; ask for a new one")


@dataclass(frozen=True)
class Holder:
    """Who a checked token lets act: the subject's reference and identity, the link, its end."""

    subject: str
    identity: Mapping[str, str]
    link_id: str
    expires_at: datetime


class PreferenceLinks:
    """Preference links for ``consent``'s subjects, signed under the store ``key``.

    ``key`` None refuses every link (ConfigurationError naming the setting);
    ``public_url`` is where subjects reach tutela; links work for ``lifetime``.
    """

    def __init__(
        self,
        consent: ConsentService,
        key: StoreKey | None,
        public_url: str,
        lifetime: timedelta = LINK_LIFE,
    ) -> None:
        self.consent, self.key, self.lifetime = consent, key, lifetime
        self.public_url = public_url.rstrip("/")

    def token(self, identity: Mapping[str, str]) -> tuple[str, datetime]:
        """A token for the subject of ``identity`` and the time it stops working."""
        written = identity_values(identity)
        subject = self.consent.subject(written)[2:]
        expires = self.consent.clock.now() + self.lifetime
        signed = sign_link(self._key(subject), str(uuid.uuid4()), expires)
        clear = json.dumps(written, separators=(",", ":")).encode()
        sealed = seal(needed(self.key), Use.CONSENT_LINK, subject, clear)
        carried = base64.urlsafe_b64encode(sealed).decode().rstrip("=")
        return f"{subject}~{signed}~{carried}", expires.replace(microsecond=0)

    def link(self, token: str, lang: str) -> str:
        """The page that moves ``token`` into a cookie and shows the choices, in ``lang``."""
        return f"{self.public_url}/preferences/manage?token={token}&lang={lang}"

    def read(self, token: object) -> Holder:
        """Who ``token`` lets act; :class:`LinkRefused` saying whether tampered or expired."""
        text = token if isinstance(token, str) and len(token) <= LONGEST_TOKEN else ""
        found = _TOKEN.fullmatch(text)
        if found is None:
            raise LinkRefused("tampered")
        subject, signed, sealed = found.groups()
        key = self._key(subject)
        try:
            link_id = check_link(key, signed, self.consent.clock.now())
        except LinkError:
            try:
                check_link(key, signed, _DAWN)
            except LinkError:
                raise LinkRefused("tampered") from None
            raise LinkRefused("expired") from None
        expires = datetime.fromtimestamp(int(signed.split(".")[2]), UTC)
        return Holder("h:" + subject, self._identity(subject, sealed), link_id, expires)

    def _identity(self, subject: str, sealed: str) -> Mapping[str, str]:
        """The identity sealed in the token, checked against its reference."""
        try:
            raw = base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4))
            identity = identity_values(
                json.loads(unseal(needed(self.key), Use.CONSENT_LINK, subject, raw))
            )
        except (ValueError, SealError, RequestError):
            raise LinkRefused("tampered") from None
        if self.consent.subject(identity) != "h:" + subject:
            raise LinkRefused("tampered")
        return identity

    def _key(self, subject: str) -> StoreKey:
        return link_key(needed(self.key), "preferences", subject)


def link_message(
    *, sender: str, to: str, link: str, expires_at: datetime, lang: str, organisation: str
) -> EmailMessage:
    """The plain-text message carrying a preference ``link`` to ``to``, in ``lang``.

    Addresses with a line break or more than one address are refused (no header
    injection); the message holds the link and its expiry, nothing else about the subject.
    """
    sender, to = channel_address(sender), channel_address(to)
    with language(lang):
        subject = _("Manage your privacy choices with {organisation}").format(
            organisation=organisation
        )
        body = _link_body(link, expires_at.astimezone(UTC))
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body, charset="utf-8")
    message["Content-Language"] = lang  # after set_content, which drops Content-* headers
    return message


def _link_body(link: str, expires_at: datetime) -> str:
    moment = f"{format_day(expires_at.date())} {expires_at:%H:%M} (UTC)"
    lines = (
        _("Hello,"),
        "",
        _("Someone, probably you, asked to manage the choices recorded for this address."),
        _("Open this link to see them and change them:"),
        "",
        link,
        "",
        _("The link works until {moment}.").format(moment=moment),
        _("If you did not ask, ignore this message: nothing changes."),
        _("Do not forward this message: whoever has the link can change your choices."),
    )
    return "\n".join(lines) + "\n"
