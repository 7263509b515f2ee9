"""Staff logins of the console: a name, a role and a password kept as an argon2id hash.

Pure use cases over :class:`LoginStore`. A password is 12 to 256 characters and is never
stored or logged: only its argon2id hash (:func:`tutela.access.keys.hash_key`). Checking a
login costs the same argon2 work whether the name is unknown, disabled or the password
wrong, and says only yes or no. Attempts are limited per name in a sliding window (5 in
15 minutes by default, :class:`~tutela.access.limits.SlidingWindows`): a refusal names
the wait. Roles and their scopes are the API's (:data:`tutela.access.keys.SCOPES`).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from tutela.access import keys
from tutela.access.keys import AccessError, Role
from tutela.access.limits import SlidingWindows, Window
from tutela.access.service import Staff
from tutela.errors import RequestError

if TYPE_CHECKING:
    from tutela.ports import Clock

SHORTEST_PASSWORD = 12
LONGEST_PASSWORD = 256
LOGIN_ATTEMPTS = Window(5, timedelta(minutes=15))
"""Attempts allowed per name (right or wrong) in a sliding window."""


class LoginThrottled(RequestError):
    """Too many login attempts for one name just now; ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        minutes = max(1, round(retry_after / 60))
        super().__init__(
            f"too many login attempts just now: try again in about {minutes} minute(s)"
        )


@dataclass(frozen=True)
class LoginRecord:
    """One staff login as the store keeps it: never the password, only its argon2 hash."""

    id: str
    name: str
    role: str
    hash: str
    created_at: datetime
    disabled_at: datetime | None = None


@dataclass(frozen=True)
class LoginEvent:
    """The ledger entry of a login made: when, who, what, which login, its state digest."""

    time: datetime
    actor: str
    action: str
    login_id: str
    after: str


class LoginStore(Protocol):
    """Where staff logins are kept (``tutela_staff_login``)."""

    def create(self, record: LoginRecord, event: LoginEvent) -> bool:
        """Insert ``record`` with ``event``'s ledger entry; False when the name is taken."""

    def find(self, name: str) -> LoginRecord | None:
        """The login named ``name``, or None."""


def password(value: object) -> str:
    """``value`` as a password (12 to 256 characters); AccessError saying what is wrong."""
    if not isinstance(value, str) or not SHORTEST_PASSWORD <= len(value) <= LONGEST_PASSWORD:
        raise AccessError(
            f"a password is {SHORTEST_PASSWORD} to {LONGEST_PASSWORD} characters "
            "(a passphrase of a few words is good)"
        )
    if value != value.strip() or "\x00" in value:
        raise AccessError("a password neither starts nor ends with spaces and holds no NUL")
    return value


class LoginService:
    """Staff logins in ``store``, timed by ``clock``; attempts limited per name."""

    def __init__(self, store: LoginStore, clock: Clock, attempts: Window = LOGIN_ATTEMPTS) -> None:
        self.store, self.clock, self.attempts = store, clock, attempts
        self._windows = SlidingWindows()

    def add(self, name: str, role: str, secret: str) -> LoginRecord:
        """Add a login for ``name`` with ``role``; AccessError for a bad or taken name."""
        checked_name, checked_role = keys.key_name(name), keys.role(role)
        checked = password(secret)
        now = self.clock.now()
        record = LoginRecord(
            str(uuid.uuid4()), checked_name, str(checked_role), keys.hash_key(checked), now
        )
        digest = hashlib.sha256(f"{record.id}:{record.name}:{record.role}".encode()).hexdigest()
        event = LoginEvent(now, f"staff:{record.name}", "login_created", record.id, digest)
        if not self.store.create(record, event):
            raise AccessError(f"there is a login named {checked_name} already")
        return record

    def authenticate(self, name: object, secret: object) -> Staff | None:
        """The staff member ``name`` when ``secret`` is their password, else None.

        Raises :class:`LoginThrottled` after too many attempts for one name (counted
        before checking, so a right password does not reset the count).
        """
        wanted = name.strip() if isinstance(name, str) else ""
        record = self._find(wanted)
        key = "login:" + hashlib.sha256(wanted.lower().encode("utf-8", "replace")).hexdigest()
        wait = self._windows.attempt({key: self.attempts}, self.clock.now())
        if wait:
            raise LoginThrottled(wait)
        presented = secret if isinstance(secret, str) and len(secret) <= LONGEST_PASSWORD else ""
        if record is None or record.disabled_at is not None:
            keys.verify_key(keys.dummy_hash(), presented or "not a password")  # the same work
            return None
        if not presented or not keys.verify_key(record.hash, presented):
            return None
        chosen = Role(record.role)
        return Staff(record.id, record.name, chosen, keys.SCOPES[chosen])

    def _find(self, name: str) -> LoginRecord | None:
        try:
            checked = keys.key_name(name)
        except AccessError:
            return None
        return self.store.find(checked)
