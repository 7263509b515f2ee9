"""Staff API keys as use cases: create (the key shown once), authenticate, revoke, list.

:class:`KeyService` reaches its store through :class:`KeyStore`. Creating and revoking a
key are ledgered with the key's row (actions ``key_created`` and ``key_revoked``, actor
``staff:<name>``, the key id as the entry's request). Authentication finds the row by the
key's public prefix and verifies the argon2 hash; an unknown prefix still verifies a
dummy hash, so a caller cannot tell unknown keys from wrong ones by the time taken. A key
verified once is remembered in this process by its SHA-256 (never the key), so later
calls skip argon2; a revoked key is refused at once because the row is read every time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from tutela.access import keys
from tutela.access.keys import KeyEvent, KeyRecord, Role, Scope

if TYPE_CHECKING:
    from tutela.ports import Clock

TOUCH_EVERY = timedelta(minutes=1)
"""How often ``last_used_at`` is written for a key in use (not on every call)."""
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class KeyStore(Protocol):
    """Where staff keys are kept (``tutela_api_key``); changes committed with their entry."""

    def create(self, record: KeyRecord, event: KeyEvent) -> None:
        """Insert ``record``, committed with ``event``'s ledger entry."""

    def find(self, prefix: str) -> KeyRecord | None:
        """The key whose prefix is ``prefix``, or None."""

    def get(self, key_id: str) -> KeyRecord | None:
        """The key ``key_id``, or None."""

    def touch(self, key_id: str, at: datetime) -> None:
        """Record that the key was used at ``at``."""

    def revoke(self, record: KeyRecord, event: KeyEvent) -> bool:
        """Mark ``record`` revoked (if not yet), committed with ``event``; True when changed."""

    def list(self) -> list[KeyRecord]:
        """Every key, newest first."""


@dataclass(frozen=True)
class Staff:
    """Who presented a valid key: the key's id and name, its role and the scopes granted."""

    key_id: str
    name: str
    role: Role
    scopes: frozenset[Scope]

    @property
    def actor(self) -> str:
        """The ledger's actor for this staff member: ``staff:<name>``."""
        return f"staff:{self.name}"


@dataclass(frozen=True)
class CreatedKey:
    """A key just made: its record and the whole key, to show once and never again."""

    record: KeyRecord
    key: str


class KeyService:
    """Staff keys in ``store``, timed by ``clock``."""

    def __init__(self, store: KeyStore, clock: Clock) -> None:
        self.store, self.clock = store, clock
        self._verified: dict[str, str] = {}  # SHA-256 of a key -> the hash it verified

    def create(self, name: str, role: str) -> CreatedKey:
        """Make a key for ``name`` with ``role``; the whole key is returned once, only here."""
        checked_name, checked_role = keys.key_name(name), keys.role(role)
        prefix, key = keys.new_key()
        now = self.clock.now()
        record = KeyRecord(
            str(uuid.uuid4()), prefix, keys.hash_key(key), checked_name, checked_role, now
        )
        self.store.create(record, self._event(record, "key_created", now))
        return CreatedKey(record, key)

    def authenticate(self, presented: object) -> Staff | None:
        """The staff member whose key ``presented`` is, or None (unknown, wrong or revoked)."""
        prefix = keys.key_prefix(presented)
        record = None if prefix is None else self.store.find(prefix)
        if record is None or not isinstance(presented, str):
            keys.verify_key(keys.dummy_hash(), "tk_not_a_key")  # the same work either way
            return None
        if not self._matches(record, presented) or record.revoked_at is not None:
            return None
        now = self.clock.now()
        if record.last_used_at is None or now - record.last_used_at >= TOUCH_EVERY:
            self.store.touch(record.id, now)
        chosen = Role(record.role)
        return Staff(record.id, record.name, chosen, keys.SCOPES[chosen])

    def remembered(self, presented: object) -> bool:
        """Whether ``presented`` was verified before here: authenticating it skips argon2."""
        if not isinstance(presented, str):
            return False
        return hashlib.sha256(presented.encode("utf-8")).hexdigest() in self._verified

    def revoke(self, key_id: str) -> KeyRecord:
        """Revoke the key ``key_id`` (again: no change); AccessError when there is none."""
        wanted = key_id.strip().lower() if isinstance(key_id, str) else ""
        record = self.store.get(wanted) if _ID.fullmatch(wanted) else None
        if record is None:
            raise keys.AccessError("no such key id: list the keys with `tutela keys list`")
        if record.revoked_at is not None:
            return record
        now = self.clock.now()
        after = replace(record, revoked_at=now)
        self.store.revoke(after, self._event(after, "key_revoked", now))
        return after

    def list(self) -> list[KeyRecord]:
        """Every key (never a key itself: prefix, name, role and dates), newest first."""
        return self.store.list()

    def _matches(self, record: KeyRecord, presented: str) -> bool:
        digest = hashlib.sha256(presented.encode("utf-8")).hexdigest()
        remembered = self._verified.get(digest)
        if remembered is not None and hmac.compare_digest(remembered, record.hash):
            return True
        if not keys.verify_key(record.hash, presented):
            return False
        if len(self._verified) > 10_000:
            self._verified.clear()
        self._verified[digest] = record.hash
        return True

    @staticmethod
    def _event(record: KeyRecord, action: str, now: datetime) -> KeyEvent:
        return KeyEvent(now, f"staff:{record.name}", action, record.id, keys.state_digest(record))
