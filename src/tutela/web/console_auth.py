"""The console's sessions, admins' pending logins and CSRF tokens, kept in tutela's store.

A session is a random id (256 bits) in the cookie ``tutela_console`` (``HttpOnly``,
``SameSite=Lax``, ``Secure`` over https, path ``/console``); the store keeps only its
SHA-256, with the login's id, its role, a CSRF token and two times
(:mod:`tutela.store.console_sessions`), so every server process on the same store shares
the sessions. A session ends after :data:`IDLE` without a request or :data:`ABSOLUTE`
after login, whichever comes first, at logout, and when its login is disabled, removed,
given another role or (an admin's) a new TOTP secret. The last use is written at most once
per :data:`TOUCH_EVERY`, not on every request; ended sessions are deleted when a session
opens.

An admin's right password opens a pending login instead (:data:`PENDING_COOKIE`, the same
kind of random token, kept as its SHA-256 with its own CSRF token): it lives
:data:`PENDING_LIFE` and is used once, when the TOTP code is right. The login form,
before any session, is protected by a double-submit token (cookie ``tutela_console_csrf``
and a hidden field that must be equal).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from tutela.access.keys import SCOPES, Role
from tutela.access.service import Staff

if TYPE_CHECKING:
    from tutela.ports import Clock
    from tutela.store.console_sessions import SqlSessionStore, StoredSession

IDLE = timedelta(minutes=30)
"""A session unused this long ends (counted from its last use written, see TOUCH_EVERY)."""
ABSOLUTE = timedelta(hours=8)
"""A session this old ends, used or not."""
TOUCH_EVERY = timedelta(minutes=1)
"""A session's last use is written at most this often."""
PENDING_LIFE = timedelta(minutes=5)
"""How long an admin has to give the TOTP code after the password."""
SESSION_COOKIE = "tutela_console"
CSRF_COOKIE = "tutela_console_csrf"
PENDING_COOKIE = "tutela_console_pending"
COOKIE_PATH = "/console"
_LONGEST_ID = 128


@dataclass(frozen=True)
class Session:
    """A logged-in staff member: who, the CSRF token of their forms, when made and last seen."""

    staff: Staff
    csrf: str
    created_at: datetime
    seen_at: datetime


@dataclass(frozen=True)
class Pending:
    """An admin's right password waiting for a code: the login, the form's token, its start."""

    login_id: str
    csrf: str
    created_at: datetime


def new_token() -> str:
    """A random token of 256 bits, base64url."""
    return secrets.token_urlsafe(32)


def same_token(expected: str | None, presented: object) -> bool:
    """Whether ``presented`` is ``expected`` (constant time; False when either is missing)."""
    if not expected or not isinstance(presented, str) or not presented:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), presented.encode("utf-8", "replace"))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _digest(token: object) -> str | None:
    """The SHA-256 of a cookie's value, None when it is not one (missing, not text, too long)."""
    if not isinstance(token, str) or not token or len(token) > _LONGEST_ID:
        return None
    return _hash(token)


class Sessions:
    """The console's sessions and pending logins in ``store``, timed by ``clock``.

    Safe to share between threads and processes: the store is the only state.
    """

    def __init__(self, store: SqlSessionStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def open(self, staff: Staff) -> str:
        """Start a session for ``staff``; the session id, for the cookie only."""
        session_id, now = new_token(), self.clock.now()
        self.store.forget(now - IDLE, now - ABSOLUTE, now - PENDING_LIFE)
        self.store.add_session(_hash(session_id), staff.key_id, str(staff.role), new_token(), now)
        return session_id

    def find(self, session_id: object) -> Session | None:
        """The live session of ``session_id``, or None if there is none or it ended."""
        digest = _digest(session_id)
        found = None if digest is None else self.store.session(digest)
        if digest is None or found is None:
            return None
        now = self.clock.now()
        if not _alive(found, now):
            self.store.end_session(digest)
            return None
        if now - found.seen_at >= TOUCH_EVERY:
            self.store.touch(digest, now)
        role = Role(found.role)
        staff = Staff(found.login_id, found.name, role, SCOPES[role])
        return Session(staff, found.csrf, found.created_at, now)

    def close(self, session_id: object) -> None:
        """End the session of ``session_id`` (nothing when there is none)."""
        digest = _digest(session_id)
        if digest is not None:
            self.store.end_session(digest)

    def begin(self, login_id: str) -> str:
        """Start a pending login for ``login_id`` (a right password); its token, for the cookie."""
        token = new_token()
        self.store.add_pending(_hash(token), login_id, new_token(), self.clock.now())
        return token

    def awaiting(self, token: object) -> Pending | None:
        """The pending login of ``token`` while younger than :data:`PENDING_LIFE`, else None."""
        digest = _digest(token)
        found = None if digest is None else self.store.pending(digest)
        if digest is None or found is None:
            return None
        if self.clock.now() - found.created_at >= PENDING_LIFE:
            self.store.end_pending(digest)
            return None
        return Pending(found.login_id, found.csrf, found.created_at)

    def finish(self, token: object) -> bool:
        """End the pending login of ``token``; False when it was ended already (used once)."""
        digest = _digest(token)
        return digest is not None and self.store.end_pending(digest)


def _alive(found: StoredSession, now: datetime) -> bool:
    """Within both time limits, and its login still enabled with the same role."""
    within = now - found.seen_at < IDLE and now - found.created_at < ABSOLUTE
    return within and found.disabled_at is None and found.role == found.login_role
