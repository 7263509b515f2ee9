"""The subject's side of a request over the network: submit, then act with a status token.

:class:`SubjectDesk` composes the request lifecycle's services for a subject who is not
logged in. Submitting is rate-limited per identity (a keyed digest) and per client
address (:mod:`tutela.access.limits`, kept in the store and so shared by every process),
the wait named (ID-2). It returns a *status token*: a signed token naming the request
(:func:`tutela.requests.sealing.sign_link`, under a key of its own, so it is never a
download link), which the subject presents to ask a new code, verify, see the status,
withdraw or list the recipients told (Art. 19). Verifying needs the token *and* the code
mailed to the address on file (ID-1), so whoever submits for another person's address
learns nothing. Once the request is completed the status names the answer's signed
download link (AC-5: a link names one request and expires).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from tutela.access.limits import RateWindows, SlidingWindows, SubjectLimits, Throttled
from tutela.errors import RequestError, TutelaError
from tutela.requests import sealing
from tutela.requests.codes import email_code_suffices
from tutela.requests.records import identity_values
from tutela.requests.sealing import STATUS_TOKEN_LIFE, LinkError, StoreKey, Use, status_key
from tutela.requests.types import TYPES, request_type

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tutela.requests.answering import Answering
    from tutela.requests.keeping import AnswerRecord, NotificationRecord
    from tutela.requests.records import RequestRecord
    from tutela.requests.service import RequestService
    from tutela.requests.verification import CodeSent, Verification


class TokenError(RequestError):
    """A status token that is missing, altered or for another request."""


class CodeRefused(RequestError):
    """A code that is wrong, expired or used; ``attempts_left`` before the code locks."""

    def __init__(self, message: str, attempts_left: int) -> None:
        self.attempts_left = attempts_left
        super().__init__(message)


@dataclass(frozen=True)
class Submitted:
    """A request just submitted, the subject's status token, and whether a code was mailed."""

    request: RequestRecord
    token: str
    code_sent: bool


@dataclass(frozen=True)
class Status:
    """Where a request stands, with the answer's download link once there is one."""

    request: RequestRecord
    link: str | None = None
    link_expires_at: datetime | None = None


class SubjectDesk:
    """Subjects' requests through ``requests``, ``verification`` and ``answering``.

    Submissions count in ``windows``: bootstrap passes the store's, shared by every
    process; without one, this process's memory (:class:`SlidingWindows`).
    """

    def __init__(
        self,
        requests: RequestService,
        verification: Verification,
        answering: Answering,
        limits: SubjectLimits | None = None,
        windows: RateWindows | None = None,
    ) -> None:
        self.requests, self.verification, self.answering = requests, verification, answering
        self.limits = limits or SubjectLimits()
        self.windows = windows or SlidingWindows()

    def submit(
        self,
        kind: str,
        identity: Mapping[str, str],
        *,
        residence: str | None = None,
        details: Mapping[str, str] | None = None,
        changes: Mapping[str, str] | None = None,
        source: str = "unknown",
        lang: str = "en",
    ) -> Submitted:
        """Record a request from a subject at ``source``; RateLimited names the wait (ID-2).

        ``changes`` are kept sealed with the identity (a rectification's new values, a
        complaint's words) and purged with it when the request ends.
        """
        known = request_type(kind)
        values = identity_values(identity)
        self._limit(values, source)
        record = self.requests.submit(
            known.value,
            values,
            residence=residence,
            details=details,
            changes=changes,
            actor="subject:api",
        )
        until = self.requests.clock.now() + STATUS_TOKEN_LIFE
        token = sealing.sign_link(self._key(), record.id, until)
        sent = self._first_code(record, values, source, lang)
        return Submitted(sent or record, token, sent is not None)

    def send_code(self, identifier: str, token: object, *, source: str, lang: str) -> CodeSent:
        """Mail a new code for the request the token names (rate-limited per identity, source)."""
        checked = self.check_token(identifier, token)
        return self.verification.send_code(checked, source=source, lang=lang, actor="subject:api")

    def verify(self, identifier: str, token: object, code: object) -> RequestRecord:
        """Check the code typed; CodeRefused says why and how many attempts are left (ID-1)."""
        checked = self.check_token(identifier, token)
        result = self.verification.check_code(checked, code, actor="subject:api")
        if result.outcome != "verified":
            raise CodeRefused(result.outcome.message, result.attempts_left)
        return result.request

    def status(self, identifier: str, token: object) -> Status:
        """The request the token names, with its answer's link once completed."""
        record = self.requests.show(self.check_token(identifier, token))
        found = self.answering.keeping.store.answer(record.id)
        if found is None or found[1] is None or found[0].purged_at is not None:
            return Status(record)
        link, until = self.answering.link(record.id)
        return Status(record, link, until)

    def withdraw(self, identifier: str, token: object) -> RequestRecord:
        """Withdraw the request the token names, as its subject asks."""
        checked = self.check_token(identifier, token)
        withdrawn = self.requests.withdraw(checked, actor="subject:api", purge=False)
        self.answering.closing_letter(withdrawn.id, actor="subject:api")  # tells, then purges
        return withdrawn

    def recipients(self, identifier: str, token: object) -> list[NotificationRecord]:
        """The recipients told of the request the token names (Art. 19, NR-1)."""
        return self.answering.recipients(self.check_token(identifier, token))

    def download(self, identifier: str, token: object) -> tuple[AnswerRecord, bytes]:
        """The answer behind a signed download link for ``identifier`` (ledgered)."""
        return self.answering.download(token, identifier.strip().lower(), actor="subject:link")

    def check_token(self, identifier: str, token: object) -> str:
        """The request id ``token`` names, when it is ``identifier``; TokenError otherwise."""
        try:
            return sealing.check_link(
                self._key(), token, self.requests.clock.now(), identifier.strip().lower()
            )
        except LinkError:
            raise TokenError(
                "the status token is missing, altered, expired or for another request: "
                "use the one given when the request was submitted"
            ) from None

    def _key(self) -> StoreKey:
        """The status tokens' key (:func:`tutela.requests.sealing.status_key`)."""
        return status_key(self.answering.keeping.sealing_key())

    def _limit(self, identity: Mapping[str, str], source: str) -> None:
        key = self.answering.keeping.sealing_key().subkey(Use.CODE)
        text = json.dumps(dict(identity), sort_keys=True, ensure_ascii=False).encode("utf-8")
        who = hmac.new(key, b"submit/" + text, hashlib.sha256).hexdigest()
        windows = {f"identity:{who}": self.limits.per_identity}
        windows[f"address:{source[:64]}"] = self.limits.per_address
        wait = self.windows.attempt(windows, self.requests.clock.now())
        if wait:
            raise Throttled(wait)

    def _first_code(
        self, record: RequestRecord, identity: Mapping[str, str], source: str, lang: str
    ) -> RequestRecord | None:
        """Mail the first code when the type needs one and mail is set up; None otherwise.

        A failure (the mail server down, too many codes) leaves the request received: the
        subject asks a new code with the token.
        """
        spec = TYPES[request_type(record.type)]
        wanted = spec.identity_step and email_code_suffices(record.type) and "email" in identity
        if not wanted or self.answering.keeping.mail is None:
            return None
        try:
            sent = self.verification.send_code(record.id, source=source, lang=lang, actor="system")
        except TutelaError:
            return None
        return sent.request
