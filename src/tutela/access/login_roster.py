"""Who may log in to the console: list, disable, enable and remove staff logins.

Pure use cases over :class:`RosterStore`. Disabling a login refuses every later login at
once and ends its open sessions and pending second-factor steps in the same transaction;
its login attempts then look exactly like a wrong password
(:meth:`tutela.access.logins.LoginService.authenticate`). Enabling lets it log in again
with its old password (an admin with the old second factor too). Removing deletes the
row and ends its sessions, but never the last enabled login of a role that administers
staff access (:data:`ADMIN_ROLES`, the roles granting ``keys:admin``). Disabling is never
refused, even for the last admin: a departed employee's access ends at once, and
``tutela staff enable`` or ``add-login`` restore administration.

Each change is ledgered with the row, like ``login_created`` (actions ``login_disabled``,
``login_enabled``, ``login_removed``; actor ``staff:<name>``; the login's id as the
entry's request; a digest of id, name, role, action and time): never a hash or secret.
A listing (:class:`LoginSummary`) never holds the password's hash nor the TOTP secret.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from tutela.access import keys
from tutela.access.keys import SCOPES, AccessError, Scope
from tutela.access.logins import LoginEvent, LoginRecord

if TYPE_CHECKING:
    from tutela.ports import Clock

ADMIN_ROLES = frozenset(str(role) for role, scopes in SCOPES.items() if Scope.KEYS_ADMIN in scopes)
"""The roles that administer staff access (granting ``keys:admin``): one must stay enabled."""


@dataclass(frozen=True)
class LoginSummary:
    """What may be shown of a login: name, role, dates, whether a TOTP secret is enrolled.

    Never the password's hash nor the TOTP secret, sealed or not.
    """

    name: str
    role: str
    created_at: datetime
    disabled_at: datetime | None
    totp_enrolled: bool

    @classmethod
    def of(cls, record: LoginRecord) -> LoginSummary:
        """The summary of ``record``."""
        enrolled = record.totp is not None
        return cls(record.name, record.role, record.created_at, record.disabled_at, enrolled)


@dataclass(frozen=True)
class LoginChange:
    """A login after a change asked for; ``changed`` is False when it was so already."""

    login: LoginSummary
    changed: bool


class Removal(StrEnum):
    """What :meth:`RosterStore.remove` did."""

    REMOVED = "removed"
    GONE = "gone"  # removed meanwhile by someone else
    LAST_ADMIN = "last_admin"  # the last enabled login of an admin role: kept


class RosterStore(Protocol):
    """Where staff logins are kept; each change committed with its ledger entry."""

    def find(self, name: str) -> LoginRecord | None:
        """The login named ``name``, or None."""

    def summaries(self) -> list[LoginSummary]:
        """Every login by name, read without its hash or secret."""

    def set_disabled(self, login_id: str, at: datetime | None, event: LoginEvent) -> bool:
        """Disable the login since ``at`` (None: enable it); False when it was so already.

        Disabling also deletes the login's sessions and pending logins, in one transaction.
        """

    def remove(self, login_id: str, event: LoginEvent, keep_one_of: frozenset[str]) -> Removal:
        """Delete the login with its sessions and pending logins, with ``event``'s entry.

        Not when it is the last enabled login whose role is in ``keep_one_of`` (checked
        under lock, so two removals at once cannot leave none).
        """


class LoginRoster:
    """The staff logins of ``store``, disabled, enabled and removed by ``clock``'s time."""

    def __init__(self, store: RosterStore, clock: Clock) -> None:
        self.store, self.clock = store, clock

    def list(self) -> list[LoginSummary]:
        """Every login, by name: never a hash or secret."""
        return self.store.summaries()

    def named(self, name: object) -> LoginSummary:
        """The login named ``name``; AccessError for a malformed or unknown name."""
        return LoginSummary.of(self._record(name))

    def removable(self, name: object) -> LoginSummary:
        """The login named ``name`` if :meth:`remove` would remove it now, else AccessError.

        For asking before removing; :meth:`remove` checks again, under lock.
        """
        login = self.named(name)
        others = [
            other
            for other in self.store.summaries()
            if other.role in ADMIN_ROLES and other.disabled_at is None and other.name != login.name
        ]
        if login.role in ADMIN_ROLES and login.disabled_at is None and not others:
            raise _last_admin(login.name, login.role)
        return login

    def disable(self, name: object) -> LoginChange:
        """Refuse every later login of ``name`` and end its sessions and pending logins now."""
        record, now = self._record(name), self.clock.now()
        changed = self.store.set_disabled(record.id, now, _event(record, "login_disabled", now))
        return LoginChange(self.named(record.name), changed)

    def enable(self, name: object) -> LoginChange:
        """Let ``name`` log in again (with the password and second factor it had)."""
        record, now = self._record(name), self.clock.now()
        changed = self.store.set_disabled(record.id, None, _event(record, "login_enabled", now))
        return LoginChange(self.named(record.name), changed)

    def remove(self, name: object) -> LoginSummary:
        """Delete the login ``name``, ending its sessions; what it was.

        AccessError for a malformed or unknown name, and for the last enabled login of an
        admin role (:data:`ADMIN_ROLES`): add or enable another admin first.
        """
        record, now = self._record(name), self.clock.now()
        done = self.store.remove(record.id, _event(record, "login_removed", now), ADMIN_ROLES)
        if done is Removal.LAST_ADMIN:
            raise _last_admin(record.name, record.role)
        if done is Removal.GONE:
            raise AccessError(f"there is no login named {record.name}")
        return LoginSummary.of(record)

    def _record(self, name: object) -> LoginRecord:
        try:
            checked = keys.key_name(name)
        except AccessError:
            raise AccessError(
                "a login's name is 1 to 64 letters, digits, dots, dashes or underscores, "
                "starting with a letter or digit: list them with `tutela staff list`"
            ) from None
        record = self.store.find(checked)
        if record is None:
            raise AccessError(
                f"there is no login named {checked}: list them with `tutela staff list`"
            )
        return record


def _last_admin(name: str, role: str) -> AccessError:
    return AccessError(
        f"{name} is the last enabled {role} login: add another with "
        "`tutela staff add-login NAME --role admin` (or enable one) before removing it"
    )


def _event(record: LoginRecord, action: str, now: datetime) -> LoginEvent:
    """The ledger entry of ``action`` on ``record``: a digest, never a hash or secret."""
    parts = (record.id, record.name, record.role, action, now.isoformat())
    digest = hashlib.sha256(":".join(parts).encode("utf-8")).hexdigest()
    return LoginEvent(now, f"staff:{record.name}", action, record.id, digest)
