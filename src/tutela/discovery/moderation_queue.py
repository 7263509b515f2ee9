"""The moderation queue: posts held for Art. 9 data about others wait for staff (seed §9).

:class:`ModerationDesk` screens a community post with
:func:`tutela.discovery.moderation.moderate`. An allowed post leaves no trace: nothing is
stored, nothing ledgered. A held post is queued (:class:`tutela.ports.ModerationStore`)
with a random queue id, the platform's post id, the classes and the spans' offsets (no
text), its text sealed under the store key (AES-256-GCM,
:func:`tutela.requests.sealing.seal`, use ``moderation``, bound to the queue id) and a
keyed digest of the text (HMAC-SHA256 under a key derived from the store key's
``moderation`` subkey): the ledger entry ``moderation_held`` carries that digest.

Staff read a held post (:meth:`ModerationDesk.show` unseals it) and allow or remove it
(:meth:`ModerationDesk.decide`, with a reason). The decision purges the sealed text and
appends ``moderation_allowed`` or ``moderation_removed``: ``before`` the post's keyed
digest, ``after`` the SHA-256 of the decision (:func:`decision_digest`: queue id,
decision, classes, post digest, who, when, why), never the text nor the spans' text
(GDPR Art. 5(1)(c) data minimisation; Art. 9(1) special categories). A decision is
final: the same decision again changes nothing, another one is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from tutela.errors import ConfigurationError, RequestError
from tutela.ports import Clock, HeldPost, ModerationEntry, ModerationStore
from tutela.requests.sealing import StoreKey, Use, seal, unseal

if TYPE_CHECKING:
    from tutela.discovery.moderation import Verdict

LANGUAGES = ("en", "fr", "nl", "de")
"""The languages a post may be declared in (None: the classifier guesses)."""
LONGEST_TEXT = 20_000
"""Characters of a post screened."""
LONGEST_POST_ID = 200
"""Characters of the platform's post id."""
LONGEST_REASON = 1000
"""Characters of a decision's reason."""
MOST_SPANS = 500
"""Spans kept per held post (the classes are kept whole)."""
DECISIONS = {"allow": "allowed", "remove": "removed"}
"""A decision and the status it gives the post."""
HELD = "held"
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

Classify = Callable[[str, str | None], "Verdict"]
"""Hold or allow a text in a language (default :func:`tutela.discovery.moderation.moderate`)."""


class ModerationError(RequestError):
    """A post, a decision or a reason the queue does not take; the message says what to fix."""


class UnknownPost(ModerationError):
    """No queued post has this id (404)."""


class DecisionConflict(ModerationError):
    """The post was already decided otherwise: a decision is final (409)."""


@dataclass(frozen=True)
class Screening:
    """What screening did: the verdict, and the queue id when the post was held."""

    verdict: Verdict
    queue_id: str | None


@dataclass(frozen=True)
class QueuePage:
    """A page of the held posts, oldest first, and how many are held in all."""

    posts: tuple[HeldPost, ...]
    total: int
    limit: int
    offset: int

    @property
    def more(self) -> bool:
        """Whether held posts follow this page."""
        return self.offset + len(self.posts) < self.total


@dataclass(frozen=True)
class ShownPost:
    """A queued post for staff: its record, and its text while held (None once purged)."""

    post: HeldPost
    text: str | None


class ModerationDesk:
    """The queue in ``store``, timed by ``clock``; texts sealed under ``key``.

    Without a store key (``TUTELA_STORE_KEY``, or the hash key it derives from) posts are
    screened, but a held post cannot be kept: ConfigurationError naming the setting.
    """

    def __init__(
        self,
        store: ModerationStore,
        clock: Clock,
        key: StoreKey | None,
        classify: Classify | None = None,
    ) -> None:
        self.store, self.clock, self.key = store, clock, key
        self._classify = classify

    def screen(
        self, post_id: str, text: str, lang: str | None = None, *, actor: str = "system"
    ) -> Screening:
        """Hold or allow ``text``; a held post is queued and ledgered (``moderation_held``).

        The same post with the same text still held is not queued twice: its queue id is
        returned again. ModerationError for an empty or oversized post, id or language.
        """
        checked = _post_id(post_id), _text(text), _lang(lang)
        classify = self._classify or _moderate
        verdict = classify(checked[1], checked[2])
        if not verdict.hold:
            return Screening(verdict, None)
        return Screening(verdict, self._queue(checked[0], checked[1], verdict, actor))

    def queue(self, limit: int = 50, offset: int = 0) -> QueuePage:
        """The held posts, oldest first: ``limit`` (1 to 1,000) from ``offset``."""
        limit, offset = max(1, min(int(limit), 1000)), max(0, int(offset))
        posts, total = self.store.held(limit, offset)
        return QueuePage(tuple(posts), total, limit, offset)

    def show(self, queue_id: str) -> ShownPost:
        """The queued post ``queue_id`` with its text unsealed while it is held."""
        found = self._get(queue_id)
        sealed = self.store.sealed(found.id) if found.status == HELD else None
        if sealed is None:
            return ShownPost(found, None)
        clear = unseal(self._key(), Use.MODERATION, found.id, sealed)
        return ShownPost(found, clear.decode("utf-8"))

    def decide(self, queue_id: str, decision: str, actor: str, reason: str) -> HeldPost:
        """Allow or remove the held post ``queue_id`` for ``reason``; its text is purged.

        Ledgered as ``moderation_allowed`` or ``moderation_removed``. The same decision
        again returns the post unchanged; another is DecisionConflict (409).
        """
        status, why = _decision(decision), _reason(reason)
        found = self._get(queue_id)
        if found.status != HELD:
            return _again(found, status)
        now = self.clock.now()
        decided = replace(found, status=status, decided_at=now, decided_by=actor, reason=why)
        entry = ModerationEntry(
            now,
            actor,
            f"moderation_{status}",
            ledger_subject(found.id),
            found.digest,
            decision_digest(decided),
        )
        if not self.store.decide(decided, entry):  # decided meanwhile by someone else
            return _again(self._get(found.id), status)
        return decided

    def digest(self, text: str) -> str:
        """The keyed digest of ``text`` (``h:`` and 64 hex digits) the ledger holds."""
        secret = StoreKey.derive(self._key().subkey(Use.MODERATION) + b"/tutela/digest/v1")
        mac = hmac.new(secret.secret, text.encode("utf-8"), hashlib.sha256)
        return f"h:{mac.hexdigest()}"

    def _queue(self, post_id: str, text: str, verdict: Verdict, actor: str) -> str:
        digest = self.digest(text)
        known = self.store.find(post_id, digest)
        if known is not None:
            return known.id
        now = self.clock.now()
        spans = tuple((s.start, s.end, s.kind) for s in verdict.spans[:MOST_SPANS])
        held = HeldPost(
            str(uuid.uuid4()), post_id, now, verdict.lang, verdict.classes, spans, digest
        )
        sealed = seal(self._key(), Use.MODERATION, held.id, text.encode("utf-8"))
        entry = ModerationEntry(
            now, actor, "moderation_held", ledger_subject(held.id), None, digest
        )
        self.store.hold(held, sealed, entry)
        return held.id

    def _get(self, queue_id: str) -> HeldPost:
        wanted = queue_id.strip().lower() if isinstance(queue_id, str) else ""
        if not _ID.fullmatch(wanted):
            raise UnknownPost("that is not a moderation queue id (a UUID from the queue)")
        found = self.store.get(wanted)
        if found is None:
            raise UnknownPost(f"no post {wanted} in the moderation queue")
        return found

    def _key(self) -> StoreKey:
        if self.key is None:
            raise ConfigurationError(
                "a held post is kept sealed: set TUTELA_STORE_KEY (make one with "
                "`tutela db keygen`) or TUTELA_HASH_KEY"
            )
        return self.key


def ledger_subject(queue_id: str) -> str:
    """The ledger's id of a queued post: ``moderation:<queue id>``."""
    return f"moderation:{queue_id}"


def decision_digest(post: HeldPost) -> str:
    """SHA-256 (hex) of a decided post: id, status, classes, text digest, who, when, why."""
    state = {
        "id": post.id,
        "status": post.status,
        "classes": list(post.classes),
        "digest": post.digest,
        "decided_by": post.decided_by,
        "decided_at": None if post.decided_at is None else post.decided_at.isoformat(),
        "reason": post.reason,
    }
    text = json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _moderate(text: str, lang: str | None) -> Verdict:
    """The classifier, imported on first use (its lexicons load only when a post comes)."""
    from tutela.discovery.moderation import moderate

    return moderate(text, lang)


def _again(found: HeldPost, status: str) -> HeldPost:
    """A post decided before: unchanged when decided the same way, else DecisionConflict."""
    if found.status == status:
        return found
    raise DecisionConflict(
        f"post {found.id} was already {found.status} by {found.decided_by}: a decision is final"
    )


def _post_id(value: object) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= LONGEST_POST_ID:
        raise ModerationError(f"a post id is 1 to {LONGEST_POST_ID} characters")
    if not value.isprintable():
        raise ModerationError("a post id holds no control characters")
    return value


def _text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ModerationError("a post's text is a non-empty string")
    if len(value) > LONGEST_TEXT:
        raise ModerationError(f"a post's text is at most {LONGEST_TEXT} characters")
    return value


def _lang(value: object) -> str | None:
    if value is None or value in LANGUAGES:
        return value if isinstance(value, str) else None
    raise ModerationError(f"a post's language is one of {', '.join(LANGUAGES)}, or none")


def _decision(value: object) -> str:
    if isinstance(value, str) and value in DECISIONS:
        return DECISIONS[value]
    raise ModerationError("a decision is allow or remove")


def _reason(value: object) -> str:
    """A reason as one line (runs of white space made one space), 1 to 1,000 characters."""
    text = " ".join(value.split()) if isinstance(value, str) else ""
    if not text or len(text) > LONGEST_REASON or not text.isprintable():
        raise ModerationError(
            f"a decision needs a reason: one line of 1 to {LONGEST_REASON} printable characters"
        )
    return text
