"""Delivering answers: signed links, downloads, staff export, purge, and telling the subject.

:class:`Delivering` is the half of :class:`tutela.requests.answering.Answering` that
handles an answer once made: it keeps it sealed (:meth:`Delivering._keep`), signs the
link that names one request and expires with the answer (:meth:`link`), checks a link and
ledgers each download (:meth:`download`, :meth:`export`), purges answers after their
delivery window (:meth:`purge`), lists the recipients told (:meth:`recipients`), and
mails the subject what happened (:meth:`Delivering._tell`, :meth:`tell_extension`).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from tutela.errors import ConnectorError, RequestError
from tutela.requests import sealing
from tutela.requests.keeping import AnswerKind, AnswerRecord, Keeping, NotificationRecord
from tutela.requests.records import LedgerStep, RequestRecord

if TYPE_CHECKING:
    from tutela.requests.service import RequestService


class Delivering:
    """The answers of the requests in ``requests``, kept by ``keeping``."""

    requests: RequestService
    keeping: Keeping

    def link(self, identifier: str) -> tuple[str, datetime]:
        """A signed link to the request's answer and when it stops working."""
        record = self.requests.show(identifier)
        return self._link(record.id, self._answer(record.id)[0])

    def _link(self, request_id: str, answer: AnswerRecord) -> tuple[str, datetime]:
        token = sealing.sign_link(self.keeping.sealing_key(), request_id, answer.expires_at)
        base = self.keeping.public_url.rstrip("/")
        return f"{base}/requests/{request_id}/download?token={token}", answer.expires_at

    def download(
        self, token: object, request_id: str | None = None, *, actor: str = "subject:link"
    ) -> tuple[AnswerRecord, bytes]:
        """The answer a link names, once the link is checked; the download is ledgered."""
        now = self.requests.clock.now()
        named = sealing.check_link(self.keeping.sealing_key(), token, now, request_id)
        return self._deliver(named, actor, now)

    def export(self, identifier: str, *, actor: str = "system") -> tuple[AnswerRecord, bytes]:
        """The answer of a request for staff to deliver by hand; ledgered as a download."""
        record = self.requests.show(identifier)
        return self._deliver(record.id, actor, self.requests.clock.now())

    def recipients(self, identifier: str) -> list[NotificationRecord]:
        """The recipients told (or being told) of the request (Art. 19, NR-1)."""
        return self.keeping.store.notifications(self.requests.show(identifier).id)

    def purge(self, *, actor: str = "system") -> list[str]:
        """Purge every answer whose delivery window has ended; the request ids purged."""
        return self.keeping.store.purge_answers(self.requests.clock.now(), actor)

    def _deliver(self, request_id: str, actor: str, now: datetime) -> tuple[AnswerRecord, bytes]:
        answer, sealed = self._answer(request_id)
        if sealed is None or answer.purged_at is not None or now >= answer.expires_at:
            raise RequestError(
                f"the answer of request {request_id} was purged when its delivery window "
                "ended; the subject may make a new request"
            )
        clear = sealing.unseal(self.keeping.sealing_key(), sealing.Use.ANSWER, request_id, sealed)
        step = LedgerStep(now, actor, "answer_downloaded", None, answer.digest)
        self.keeping.store.record_download(request_id, step)
        return answer, clear

    def _answer(self, request_id: str) -> tuple[AnswerRecord, bytes | None]:
        found = self.keeping.store.answer(request_id)
        if found is None:
            raise RequestError(f"request {request_id} has no answer yet: complete it first")
        return found

    def _keep(
        self, record: RequestRecord, body: bytes, kind: AnswerKind, actor: str
    ) -> AnswerRecord:
        answer, sealed, step = self._sealed(record, body, kind, actor)
        self.keeping.store.save_answer(answer, sealed, step)
        return answer

    def _sealed(
        self, record: RequestRecord, body: bytes, kind: AnswerKind, actor: str
    ) -> tuple[AnswerRecord, bytes, LedgerStep]:
        """The answer's record, its bytes sealed, and the ``answer_kept`` step to store them."""
        now = self.requests.clock.now()
        package = kind is AnswerKind.PACKAGE
        answer = AnswerRecord(
            request_id=record.id,
            kind=kind,
            media_type="application/zip" if package else "text/html; charset=utf-8",
            filename=f"request-{record.id[:8]}.{'zip' if package else 'html'}",
            digest=hashlib.sha256(body).hexdigest(),
            size=len(body),
            created_at=now,
            expires_at=now + self.keeping.answer_window,
        )
        key = self.keeping.sealing_key()
        sealed = sealing.seal(key, sealing.Use.ANSWER, record.id, body)
        return answer, sealed, LedgerStep(now, actor, "answer_kept", None, answer.digest)

    def _tell(
        self,
        record: RequestRecord,
        identity: dict[str, str],
        kind: str,
        lang: str,
        actor: str,
        answer: AnswerRecord | None = None,
    ) -> bool:
        """Mail the subject that ``kind`` happened, with the answer's link; False if not sent.

        ``answer`` is the answer just kept (read from the store when not given). A mail
        server that refuses does not undo the work: the answer stays behind its link, and
        staff see that the subject was not told.
        """
        from tutela.requests.subject_mail import tell

        if self.keeping.mail is None or not identity.get("email"):
            return False  # nothing to send it with, or no address: staff deliver it
        link = None
        if kind != "extended":
            link = self._link(record.id, answer or self._answer(record.id)[0])
        now = self.requests.clock.now()
        try:
            sent = tell(self.keeping, record, identity, kind, link=link, lang=lang, now=now,
                        actor=actor)  # fmt: skip
        except ConnectorError:
            return False
        return sent is not None

    def tell_extension(self, identifier: str, *, lang: str = "en", actor: str = "system") -> bool:
        """Tell the subject of an extension and its reason (DL-5, DL-6); False if not sent."""
        record = self.requests.show(identifier)
        if not record.extended:
            raise RequestError(f"request {record.id} was not extended")
        if self.keeping.mail is None:
            return False  # no mail server: staff tell the subject
        identity, _changes = self.requests.identity(record)
        return self._tell(record, identity, "extended", lang, actor)
