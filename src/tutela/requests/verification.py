"""Identity verification of a stored request: a code by e-mail, or staff's decision.

Where there is reasonable doubt, the subject proves control of the address the
controller holds (Art. 12(6), Recital 64; ID-1): :meth:`Verification.send_code` draws a
code (:mod:`tutela.requests.codes`), keeps its keyed digest, moves the request to
*awaiting identity* and mails the code; :meth:`Verification.check_code` moves it to
*verified* when the code is right, counting attempts otherwise. Codes are rate-limited
per identity and per source (Art. 32), the wait named, never a refusal (ID-2). A CCPA
request needing more than a code, or one from an authorised agent (ID-4), is verified by
staff who record the evidence they accepted (:meth:`Verification.accept`), or denied.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from tutela.errors import RequestError
from tutela.requests import codes
from tutela.requests.details import details_of
from tutela.requests.keeping import Keeping
from tutela.requests.records import LedgerStep, RequestRecord, reason_text, state_digest
from tutela.requests.sealing import Use
from tutela.requests.service import RequestService
from tutela.requests.states import State, transition
from tutela.requests.types import TYPES, RequestType

LIMITS = codes.RateLimiter()
"""Codes per identity and per source in a sliding hour (5 and 20)."""


@dataclass(frozen=True)
class CodeSent:
    """A code was sent for ``request``; it is valid until ``expires_at``."""

    request: RequestRecord
    expires_at: datetime


@dataclass(frozen=True)
class CodeChecked:
    """The outcome of a code typed for ``request`` (its message is for the subject)."""

    request: RequestRecord
    outcome: codes.Outcome
    attempts_left: int


class Verification:
    """Identity steps over the requests of ``requests`` and what ``keeping`` holds."""

    def __init__(self, requests: RequestService, keeping: Keeping) -> None:
        self.requests, self.keeping = requests, keeping

    def send_code(
        self, identifier: str, *, source: str = "cli", lang: str = "en", actor: str = "system"
    ) -> CodeSent:
        """Send a new code to the request's e-mail address; RateLimited names the wait."""
        record = self.requests.show(identifier)
        kind = RequestType(record.type)
        if not TYPES[kind].identity_step:
            raise RequestError(f"a {kind} request has no identity step")
        if not codes.email_code_suffices(kind) or _by_agent(record):
            raise RequestError(
                f"a code alone does not verify this {kind} request (CCR §7062, ID-4): "
                "staff verify it with `tutela requests verify ID --accept --evidence TEXT`"
            )
        identity, _changes = self.requests.identity(record)
        address = identity.get("email")
        if address is None:
            raise RequestError("the request has no e-mail identity to send a code to")
        now = self.requests.clock.now()
        self._limit(address, source, now)
        key = self.keeping.sealing_key().subkey(Use.CODE)
        issued = codes.issue(record.id, address, key=key, now=now)
        after = self._awaiting(record, now, actor)
        self.keeping.store.save_code(
            issued.record, LedgerStep(now, actor, "code_sent", None, state_digest(after))
        )
        self._mail(address, issued, lang)
        return CodeSent(after, issued.record.expires_at)

    def check_code(self, identifier: str, code: object, *, actor: str = "system") -> CodeChecked:
        """Check a typed code; a right one moves the request to verified (ID-1)."""
        record = self.requests.show(identifier)
        if record.state != State.AWAITING_IDENTITY:
            raise RequestError(f"request {record.id} is {record.state}, not awaiting a code")
        identity, _changes = self.requests.identity(record)
        now = self.requests.clock.now()
        key = self.keeping.sealing_key().subkey(Use.CODE)
        stored = self.keeping.store.code(record.id)
        result = codes.check(
            stored,
            request_id=record.id,
            address=identity.get("email", ""),
            submitted=code,
            key=key,
            now=now,
        )
        if result.record is not None and result.record != stored:
            self.keeping.store.save_code(result.record)
        if not result.verified:
            return CodeChecked(record, result.outcome, result.attempts_left)
        return CodeChecked(self._verified(record, actor), result.outcome, 0)

    def accept(self, identifier: str, evidence: str, *, actor: str = "system") -> RequestRecord:
        """Staff verified the subject (or an agent's mandate) by other means (ID-4, §7062)."""
        why = reason_text(evidence, "a verification by staff")
        record = self.requests.show(identifier)
        if record.state == State.RECEIVED:
            record = self._awaiting(record, self.requests.clock.now(), actor)
        return self._verified(record, actor, why)

    def _awaiting(self, record: RequestRecord, now: datetime, actor: str) -> RequestRecord:
        if record.state == State.AWAITING_IDENTITY:
            return record
        goal = transition(record.state, State.AWAITING_IDENTITY, record.type)
        after = replace(record, state=goal.value, updated_at=now)
        self.requests.record_change(record, after, goal.value, actor, now)
        return after

    def _verified(
        self, record: RequestRecord, actor: str, reason: str | None = None
    ) -> RequestRecord:
        goal = transition(record.state, State.VERIFIED, record.type)
        now = self.requests.clock.now()
        after = replace(record, state=goal.value, reason=reason or record.reason, updated_at=now)
        self.requests.record_change(record, after, goal.value, actor, now)
        if TYPES[RequestType(record.type)].needs_approval:  # staff weigh the grounds (OB-1)
            return self.requests.move(after, State.AWAITING_APPROVAL, actor, None)
        return after

    def _limit(self, address: str, source: str, now: datetime) -> None:
        """Count one code for the address and the source, in the limits every process shares."""
        key = self.keeping.sealing_key().subkey(Use.CODE)
        who = codes.identity_digest(key, address)
        where = codes.identity_digest(key, "source@" + _source(source))
        limits = {
            f"code-identity:{who}": (LIMITS.per_identity.events, LIMITS.per_identity.window),
            f"code-source:{where}": (LIMITS.per_source.events, LIMITS.per_source.window),
        }
        wait = self.keeping.store.count_rate(limits, now)
        if wait:
            raise RateLimited(wait)

    def _mail(self, address: str, issued: codes.IssuedCode, lang: str) -> None:
        from tutela.requests.mail import code_message

        message = code_message(
            sender=self.keeping.mail_from,
            to=address,
            code=issued.code,
            reference=issued.record.request_id[:8],
            expires_at=issued.record.expires_at,
            lang=lang,
        )
        self.keeping.mailer().send(message)


class RateLimited(RequestError):
    """Too many codes for this identity or source just now; ``retry_after`` seconds to wait."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        minutes = max(1, round(retry_after / 60))
        super().__init__(
            f"too many codes asked for just now: a new one can be sent in about {minutes} "
            "minute(s); the request stays open"
        )


def _by_agent(record: RequestRecord) -> bool:
    return details_of(record.details).get("agent") == "yes"


def _source(value: str) -> str:
    return "".join(c for c in value.strip().lower()[:64] if c.isalnum() or c in ".:-") or "x"
