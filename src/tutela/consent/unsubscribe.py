"""One-click unsubscribe: signed, expiring links and what a click records (MK-2, OB-2, CO-3).

A link names the subject's keyed reference (never the identity), one purpose and an
expiry, signed with HMAC-SHA256 under a subkey of the store key
(:attr:`~tutela.requests.sealing.Use.CONSENT_LINK`, bound to the reference and the
purpose; :func:`~tutela.requests.sealing.sign_link` signs the expiry). The token reads
``<reference hex>~<purpose>~<signed expiry>~<sealed identity>`` and the link is
``{public_url}/u/{token}``. The identity the link was made for travels sealed
(AES-256-GCM under the store key, bound to the reference): only tutela opens it, to tell
the systems that ask for changes (docs/propagation.md) whom the click concerns.

Marketing mail carries it in ``List-Unsubscribe`` with ``List-Unsubscribe-Post:
List-Unsubscribe=One-Click`` (RFC 8058), so the mail client unsubscribes with one POST.
What a click records: consent withdrawn for a purpose based on consent (CO-3); an
objection, absolute, for a direct-marketing purpose on another basis, such as the soft
opt-in of customers (OB-2). A second click records nothing new.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from tutela.consent.decisions import is_direct_marketing
from tutela.consent.records import ChoiceEvent, Kind, Method
from tutela.consent.service import Choice, ConsentService, Context
from tutela.errors import ConfigurationError, RequestError
from tutela.programme.purposes import LegalBasis, Purpose
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

LINK_LIFE = timedelta(days=180)
"""How long an unsubscribe link works by default (``lifetime`` changes it)."""

ACTOR = "subject:unsubscribe-link"
"""Who the ledger says acted: the subject, through the link."""

REFERENCE = "subject_ref"
"""The identity name under which the keyed reference goes to the systems told of a click
made on a link without a sealed identity (none is made so now)."""

LONGEST_TOKEN = 1200
_TOKEN = re.compile(
    r"([0-9a-f]{64})~([a-z0-9][a-z0-9_.\-]{0,119})~([0-9A-Za-z._-]{1,200})(?:~([0-9A-Za-z_-]{1,700}))?"
)
_DAWN = datetime(1970, 1, 1, tzinfo=UTC)
_EFFECT = {
    Kind.CONSENT_WITHDRAWN: (Kind.CONSENT_GIVEN, Kind.CONSENT_WITHDRAWN),
    Kind.OBJECTION: (Kind.OBJECTION_LIFTED, Kind.OBJECTION),
}


class UnsubscribeError(RequestError):
    """An unsubscribe link that cannot be used; the message says where to go instead."""


class LinkTampered(UnsubscribeError):
    """The link is not one of ours, was cut short or altered (HTTP 400)."""


class LinkExpired(UnsubscribeError):
    """The link is genuine but past its expiry (HTTP 410)."""


class NothingToUnsubscribe(UnsubscribeError):
    """The purpose is unknown, or is neither based on consent nor direct marketing (404)."""


@dataclass(frozen=True)
class Ticket:
    """What a checked token names: the subject's reference, the purpose, the link's id."""

    subject: str
    purpose: str
    link_id: str
    identity: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Unsubscribed:
    """What a click did: the event recorded, or None when it was already done."""

    purpose: Purpose
    kind: Kind
    event: ChoiceEvent | None

    @property
    def already(self) -> bool:
        """True when the subject had already unsubscribed: nothing new was recorded."""
        return self.event is None

    def message(self) -> str:
        """A sentence for the subject saying what happened."""
        name = self.purpose.name
        if self.already:
            return f"You were already unsubscribed from {name}: nothing new was recorded."
        if self.kind is Kind.OBJECTION:
            return f"You are unsubscribed from {name}: we recorded your objection to it."
        return f"You are unsubscribed from {name}: we recorded that you withdrew your consent."


def link_key(key: StoreKey, *bound: str) -> StoreKey:
    """The signing key of consent links, bound to ``bound`` (a use, a reference, a purpose).

    The derivation is fixed: changing it would void every link already sent.
    """
    tail = "/".join(("tutela/consent-link/v1", *bound)).encode("ascii")
    return StoreKey.derive(key.subkey(Use.CONSENT_LINK) + tail)


def needed(key: StoreKey | None) -> StoreKey:
    """``key``; ConfigurationError naming the settings when there is none."""
    if key is None:
        raise ConfigurationError(
            "TUTELA_STORE_KEY is not set (nor a hash key to derive it from): it signs "
            "unsubscribe and receipt links; make one with `tutela db keygen`"
        )
    return key


class Unsubscribing:
    """Unsubscribe links for ``consent``'s programme, and what their clicks record.

    ``key`` is the store key (links are refused without one, ConfigurationError);
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

    @property
    def contact(self) -> str | None:
        """The programme's privacy contact address, where to unsubscribe without a link."""
        organisation = self.consent.programme.organisation
        return None if organisation is None else str(organisation.privacy_email)

    def token(self, identity: Mapping[str, str], purpose: str) -> str:
        """The token naming the subject's reference and ``purpose``, valid for ``lifetime``."""
        try:
            chosen = self.consent.programme.purpose(purpose)
        except KeyError:
            raise RequestError(f"purpose {purpose[:64]!r} is not in the programme") from None
        action(chosen)
        subject = self.consent.subject(identity)[2:]
        expires = self.consent.clock.now() + self.lifetime
        signed = sign_link(self._key(subject, chosen.key), str(uuid.uuid4()), expires)
        written = json.dumps(identity_values(identity), separators=(",", ":")).encode()
        sealed = seal(needed(self.key), Use.CONSENT_LINK, subject, written)
        carried = base64.urlsafe_b64encode(sealed).decode().rstrip("=")
        return f"{subject}~{chosen.key}~{signed}~{carried}"

    def unsubscribe_link(self, identity: Mapping[str, str], purpose: str) -> str:
        """``{public_url}/u/{token}``: the page that unsubscribes with one button (or POST)."""
        return f"{self.public_url}/u/{self.token(identity, purpose)}"

    def list_unsubscribe_headers(self, identity: Mapping[str, str], purpose: str) -> dict[str, str]:
        """The headers of a marketing message that offer the one-click unsubscribe.

        ``List-Unsubscribe``: the link, then a mailto to the privacy contact, if any
        (RFC 2369); ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058).
        """
        return self.headers_for(self.unsubscribe_link(identity, purpose))

    def headers_for(self, link: str) -> dict[str, str]:
        """The two headers of :meth:`list_unsubscribe_headers` for a link already made."""
        targets = [f"<{link}>"]
        if self.contact:
            targets.append(f"<mailto:{self.contact}?subject=unsubscribe>")
        return {
            "List-Unsubscribe": ", ".join(targets),
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }

    def add_unsubscribe_headers(
        self, message: EmailMessage, identity: Mapping[str, str], purpose: str
    ) -> EmailMessage:
        """``message`` (outbound marketing mail) with the two headers, replacing any present."""
        for name, value in self.list_unsubscribe_headers(identity, purpose).items():
            del message[name]
            message[name] = value
        return message

    def read(self, token: object) -> Ticket:
        """What ``token`` names; :class:`LinkTampered` or :class:`LinkExpired` saying why not."""
        text = token.strip() if isinstance(token, str) and len(token) <= LONGEST_TOKEN else ""
        found = _TOKEN.fullmatch(text)
        if found is None:
            raise LinkTampered(self._refusal("is not one of our unsubscribe links or is cut short"))
        subject, purpose, signed, sealed = found.groups()
        key = self._key(subject, purpose)
        try:
            link_id = check_link(key, signed, self.consent.clock.now())
        except LinkError:
            try:
                check_link(key, signed, _DAWN)
            except LinkError:
                raise LinkTampered(self._refusal("was altered or not made by us")) from None
            raise LinkExpired(self._refusal("has expired")) from None
        return Ticket("h:" + subject, purpose, link_id, self._identity(subject, sealed))

    def _identity(self, subject: str, sealed: str | None) -> Mapping[str, str] | None:
        """The identity sealed in a link (None in a link without one); LinkTampered if bad."""
        if sealed is None:
            return None
        try:
            raw = base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4))
            found = json.loads(unseal(needed(self.key), Use.CONSENT_LINK, subject, raw))
            identity = identity_values(found)
        except (ValueError, SealError, RequestError):
            raise LinkTampered(self._refusal("was altered or not made by us")) from None
        if self.consent.subject(identity) != "h:" + subject:
            raise LinkTampered(self._refusal("was altered or not made by us"))
        return identity

    def purpose(self, key: str) -> Purpose:
        """The programme's purpose ``key``; :class:`NothingToUnsubscribe` when there is none."""
        try:
            return self.consent.programme.purpose(key)
        except KeyError:
            raise NothingToUnsubscribe(
                self._refusal(f"names a purpose ({key[:64]}) we no longer have")
            ) from None

    def unsubscribe(self, token: object) -> Unsubscribed:
        """Record what one click on ``token``'s link does, once (a second click: nothing).

        Consent withdrawn for a consent purpose (CO-3), else an objection to the direct
        marketing (OB-2), with method ``unsubscribe`` and the link's id as evidence.
        """
        ticket = self.read(token)
        purpose = self.purpose(ticket.purpose)
        kind = action(purpose)
        history = self.consent.store.events(subject=ticket.subject)
        if _already(history, purpose.key, kind):
            return Unsubscribed(purpose, kind, None)
        context = Context(Method.UNSUBSCRIBE, evidence=f"unsubscribe link {ticket.link_id}")
        # prepare() checks the purpose and fills the notice; the link gives the reference
        who = ticket.identity or {REFERENCE: ticket.subject}
        event = replace(
            self.consent.prepare(kind, who, purpose.key, context), subject=ticket.subject
        )
        self.consent.record([Choice(event, who)], ACTOR)
        return Unsubscribed(purpose, kind, event)

    def _key(self, subject: str, purpose: str) -> StoreKey:
        return link_key(needed(self.key), "unsubscribe", subject, purpose)

    def _refusal(self, why: str) -> str:
        where = f"write to {self.contact}" if self.contact else "write to our privacy contact"
        return f"this unsubscribe link {why}; to unsubscribe, {where}"


def action(purpose: Purpose) -> Kind:
    """What unsubscribing from ``purpose`` records; NothingToUnsubscribe when nothing applies.

    Consent withdrawn for a consent purpose (CO-3); an objection for a direct-marketing
    purpose on another basis (OB-2, MK-2).
    """
    if purpose.legal_basis is LegalBasis.CONSENT:
        return Kind.CONSENT_WITHDRAWN
    if is_direct_marketing(purpose):
        return Kind.OBJECTION
    basis = purpose.legal_basis.value if purpose.legal_basis else "no legal basis"
    raise NothingToUnsubscribe(
        f"purpose {purpose.key} rests on {basis} and is not direct marketing: there is "
        "nothing to unsubscribe from"
    )


def _already(history: Sequence[ChoiceEvent], purpose: str, kind: Kind) -> bool:
    """Whether the latest event undoing or doing ``kind`` for ``purpose`` is ``kind``."""
    relevant = _EFFECT[kind]
    latest = [e.kind for e in history if e.purpose == purpose and e.kind in relevant]
    return bool(latest) and latest[-1] is kind
