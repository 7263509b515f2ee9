"""The console's sessions and CSRF tokens, kept in this process's memory.

A session is a random id (256 bits) in the cookie ``tutela_console`` (``HttpOnly``,
``SameSite=Lax``, ``Secure`` over https, path ``/console``); the server keeps only its
SHA-256, with the staff member, a CSRF token and two times. A session ends after
:data:`IDLE` without a request or :data:`ABSOLUTE` after login, whichever comes first,
and at logout. The login form, before any session, is protected by a double-submit token
(cookie ``tutela_console_csrf`` and a hidden field that must be equal). Sessions are per
process: with several processes, route a client to one (or log in again).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tutela.access.service import Staff
    from tutela.ports import Clock

IDLE = timedelta(minutes=30)
"""A session unused this long ends."""
ABSOLUTE = timedelta(hours=8)
"""A session this old ends, used or not."""
SESSION_COOKIE = "tutela_console"
CSRF_COOKIE = "tutela_console_csrf"
COOKIE_PATH = "/console"
MOST_SESSIONS = 10_000


@dataclass(frozen=True)
class Session:
    """A logged-in staff member: who, the CSRF token of their forms, when made and last seen."""

    staff: Staff
    csrf: str
    created_at: datetime
    seen_at: datetime


def new_token() -> str:
    """A random token of 256 bits, base64url."""
    return secrets.token_urlsafe(32)


def same_token(expected: str | None, presented: object) -> bool:
    """Whether ``presented`` is ``expected`` (constant time; False when either is missing)."""
    if not expected or not isinstance(presented, str) or not presented:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), presented.encode("utf-8", "replace"))


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", "replace")).hexdigest()


class Sessions:
    """The sessions of this process, timed by ``clock``; safe to share between threads."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def open(self, staff: Staff) -> str:
        """Start a session for ``staff``; the session id, for the cookie only."""
        session_id, now = new_token(), self.clock.now()
        with self._lock:
            if len(self._sessions) >= MOST_SESSIONS:
                self._forget(now)
            self._sessions[_digest(session_id)] = Session(staff, new_token(), now, now)
        return session_id

    def find(self, session_id: object) -> Session | None:
        """The live session of ``session_id`` (its idle time restarted), or None if ended."""
        if not isinstance(session_id, str) or not session_id or len(session_id) > 128:
            return None
        key, now = _digest(session_id), self.clock.now()
        with self._lock:
            found = self._sessions.get(key)
            if found is None:
                return None
            if not _alive(found, now):
                del self._sessions[key]
                return None
            self._sessions[key] = replace(found, seen_at=now)
            return self._sessions[key]

    def close(self, session_id: object) -> None:
        """End the session of ``session_id`` (nothing when there is none)."""
        if isinstance(session_id, str):
            with self._lock:
                self._sessions.pop(_digest(session_id), None)

    def _forget(self, now: datetime) -> None:
        for key in [k for k, s in self._sessions.items() if not _alive(s, now)]:
            del self._sessions[key]


def _alive(session: Session, now: datetime) -> bool:
    return now - session.seen_at < IDLE and now - session.created_at < ABSOLUTE
