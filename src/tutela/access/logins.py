"""Staff logins of the console: name, role, argon2id password hash, admins' TOTP (RFC 6238).

Pure use cases over :class:`LoginStore`. A password is 12 to 256 characters and is never
stored or logged: only its argon2id hash (:func:`tutela.access.keys.hash_key`). Checking a
login verifies one argon2 hash whether the name is unknown, disabled or the password
wrong (a disabled login's own hash, as for a wrong password), and says only yes or no.
Disabling, enabling, removing and listing logins is :mod:`tutela.access.login_roster`.
Attempts are limited per name in a sliding window (5 in 15 minutes by default), counted
in the store's :class:`~tutela.access.limits.RateWindows` and so shared by every process
(:func:`tutela.store.console.login_service`): a refusal names the wait. Roles and their
scopes are the API's (:data:`tutela.access.keys.SCOPES`).

An admin's right password is only a :class:`SecondStep`: the session opens after a
6-digit code of the admin's authenticator (:meth:`LoginService.confirm`), in the current
30-second step or the one before or after. The TOTP secret is sealed with a key of its
own derived from the store key (:func:`totp_key`), bound to the login's id; the store
keeps the last accepted step, so a code is never accepted twice. Code attempts count in
the same window as passwords.
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
from tutela.access.keys import AccessError, Role
from tutela.access.limits import RateWindows, SlidingWindows, Window
from tutela.access.service import Staff
from tutela.errors import ConfigurationError, RequestError
from tutela.requests.sealing import SealError, StoreKey, Use, seal, unseal

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tutela.ports import Clock

SHORTEST_PASSWORD = 12
LONGEST_PASSWORD = 256
LOGIN_ATTEMPTS = Window(5, timedelta(minutes=15))
"""Attempts allowed per name (right or wrong, passwords and codes) in a sliding window."""
TOTP_ISSUER = "tutela"
TOTP_SECONDS = 30
"""The length of a TOTP step (RFC 6238's default, what authenticator apps use)."""
TOTP_DRIFT = 1
"""Steps accepted before and after the current one (a clock off by up to 30 seconds)."""
_CODE = re.compile(r"[0-9]{6}")


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
    """One staff login as the store keeps it: never the password, only its argon2 hash.

    ``totp`` is the admin's TOTP secret sealed (:func:`totp_key`), None until enrolled;
    ``totp_step`` the last TOTP step accepted, so no code is used twice.
    """

    id: str
    name: str
    role: str
    hash: str
    created_at: datetime
    disabled_at: datetime | None = None
    totp: bytes | None = None
    totp_step: int | None = None


@dataclass(frozen=True)
class LoginEvent:
    """The ledger entry of a login made: when, who, what, which login, its state digest."""

    time: datetime
    actor: str
    action: str
    login_id: str
    after: str


@dataclass(frozen=True)
class SecondStep:
    """A right password of an admin: no session until a TOTP code is confirmed.

    ``enrolled`` is False when the admin has no secret yet (or it does not open with the
    store key): then no code can be confirmed; ``tutela staff totp NAME`` makes one.
    """

    login_id: str
    name: str
    enrolled: bool


class LoginStore(Protocol):
    """Where staff logins are kept (``tutela_staff_login``)."""

    def create(self, record: LoginRecord, events: Sequence[LoginEvent]) -> bool:
        """Insert ``record`` with ``events``' ledger entries; False when the name is taken."""

    def find(self, name: str) -> LoginRecord | None:
        """The login named ``name``, or None."""

    def find_id(self, login_id: str) -> LoginRecord | None:
        """The login whose id is ``login_id``, or None."""

    def set_totp(self, login_id: str, sealed: bytes, event: LoginEvent) -> None:
        """Replace the login's sealed TOTP secret, forget its last step, end its sessions."""

    def accept_step(self, login_id: str, step: int) -> bool:
        """Record ``step`` as the login's last accepted one; False when it is not newer."""


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


def totp_key(key: StoreKey) -> StoreKey:
    """The key that seals TOTP secrets, derived from the store key's code subkey.

    A key of its own, so a sealed secret never opens with another use's key. The
    derivation is fixed: changing it would void every admin's enrolment.
    """
    return StoreKey.derive(key.subkey(Use.CODE) + b"/tutela/staff-totp/v1")


def _bound(login_id: str) -> str:
    return f"staff-login:{login_id}"


def _digest(*parts: str) -> str:
    return hashlib.sha256(":".join(parts).encode("utf-8")).hexdigest()


class LoginService:
    """Staff logins in ``store``, timed by ``clock``; attempts limited per name.

    ``key`` is the store key: needed to enrol admins and to check their codes (without
    it, an admin cannot be added nor log in).
    """

    def __init__(
        self,
        store: LoginStore,
        clock: Clock,
        attempts: Window = LOGIN_ATTEMPTS,
        key: StoreKey | None = None,
        windows: RateWindows | None = None,
    ) -> None:
        self.store, self.clock, self.attempts, self.key = store, clock, attempts, key
        self._windows = windows or SlidingWindows()

    def add(self, name: str, role: str, secret: str) -> LoginRecord:
        """Add a login for ``name`` with ``role``; AccessError for a bad or taken name.

        An admin is enrolled at once: the record holds the sealed TOTP secret (show it
        with :meth:`provisioning_uri`). ConfigurationError for an admin without a store key.
        """
        checked_name, checked_role = keys.key_name(name), keys.role(role)
        checked = password(secret)
        now = self.clock.now()
        record = LoginRecord(
            str(uuid.uuid4()), checked_name, str(checked_role), keys.hash_key(checked), now
        )
        digest = _digest(record.id, record.name, record.role)
        events = [LoginEvent(now, f"staff:{record.name}", "login_created", record.id, digest)]
        if checked_role is Role.ADMIN:
            record = replace(record, totp=self._sealed_secret(record.id))
            events.append(self._enrolment(record, now))
        if not self.store.create(record, events):
            raise AccessError(f"there is a login named {checked_name} already")
        return record

    def enrol(self, name: str) -> LoginRecord:
        """Give the admin ``name`` a new TOTP secret, ending their sessions.

        The old secret stops working at once. AccessError for an unknown name or a login
        that is not an admin's; ConfigurationError without a store key.
        """
        record = self._find(keys.key_name(name))
        if record is None:
            raise AccessError(f"there is no login named {name.strip()}")
        if record.role != Role.ADMIN:
            raise AccessError(
                f"{record.name} is not an admin: only admins have a second factor (TOTP)"
            )
        now = self.clock.now()
        sealed = self._sealed_secret(record.id)
        self.store.set_totp(record.id, sealed, self._enrolment(record, now))
        return replace(record, totp=sealed, totp_step=None)

    def provisioning_uri(self, record: LoginRecord) -> str:
        """The ``otpauth://`` URI of ``record``'s TOTP secret, for an authenticator app.

        It holds the secret: show it once to the admin, never log or store it.
        """
        import pyotp

        secret = self._secret(record)
        if secret is None:
            raise AccessError(f"{record.name} has no second factor: run `tutela staff totp`")
        return pyotp.TOTP(secret).provisioning_uri(name=record.name, issuer_name=TOTP_ISSUER)

    def authenticate(self, name: object, secret: object) -> Staff | SecondStep | None:
        """The staff member ``name`` when ``secret`` is their password, else None.

        For an admin, a :class:`SecondStep`: the code is still to be confirmed. Raises
        :class:`LoginThrottled` after too many attempts for one name (counted before
        checking, so a right password does not reset the count).
        """
        wanted = name.strip() if isinstance(name, str) else ""
        record = self._find(wanted)
        self._count(wanted)
        presented = secret if isinstance(secret, str) and len(secret) <= LONGEST_PASSWORD else ""
        stored = keys.dummy_hash() if record is None else record.hash
        right = keys.verify_key(stored, presented or "not a password")  # one argon2 check, always
        if record is None or record.disabled_at is not None or not presented or not right:
            return None
        if record.role == Role.ADMIN:
            return SecondStep(record.id, record.name, self._secret(record) is not None)
        return _staff(record)

    def confirm(self, login_id: str, code: object) -> Staff | None:
        """The admin of ``login_id`` when ``code`` is their TOTP code, used for the first time.

        None for anything else: a wrong, old, reused or malformed code, a login gone,
        disabled or not enrolled. Raises :class:`LoginThrottled` like :meth:`authenticate`.
        """
        record = self.store.find_id(login_id)
        if record is None or record.disabled_at is not None or record.role != Role.ADMIN:
            return None
        self._count(record.name)
        secret = self._secret(record)
        if secret is None or not isinstance(code, str) or not _CODE.fullmatch(code):
            return None
        step = _matching_step(secret, code, self.clock.now())
        if step is None or (record.totp_step is not None and step <= record.totp_step):
            return None
        if not self.store.accept_step(record.id, step):
            return None
        return _staff(record)

    def _count(self, name: str) -> None:
        key = "login:" + hashlib.sha256(name.lower().encode("utf-8", "replace")).hexdigest()
        wait = self._windows.attempt({key: self.attempts}, self.clock.now())
        if wait:
            raise LoginThrottled(wait)

    def _sealed_secret(self, login_id: str) -> bytes:
        import pyotp

        if self.key is None:
            raise ConfigurationError(
                "an admin's second factor (TOTP) is sealed with the store key: set "
                "TUTELA_STORE_KEY (make one with `tutela db keygen`)"
            )
        clear = pyotp.random_base32().encode("ascii")
        return seal(totp_key(self.key), Use.CODE, _bound(login_id), clear)

    def _secret(self, record: LoginRecord) -> str | None:
        if record.totp is None or self.key is None:
            return None
        try:
            clear = unseal(totp_key(self.key), Use.CODE, _bound(record.id), record.totp)
        except SealError:
            return None
        return clear.decode("ascii", "replace")

    def _enrolment(self, record: LoginRecord, now: datetime) -> LoginEvent:
        digest = _digest(record.id, record.name, "totp", now.isoformat())
        return LoginEvent(now, f"staff:{record.name}", "totp_enrolled", record.id, digest)

    def _find(self, name: str) -> LoginRecord | None:
        try:
            checked = keys.key_name(name)
        except AccessError:
            return None
        return self.store.find(checked)


def _staff(record: LoginRecord) -> Staff:
    chosen = Role(record.role)
    return Staff(record.id, record.name, chosen, keys.SCOPES[chosen])


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The TOTP step within :data:`TOTP_DRIFT` of ``now`` whose code is ``code``, or None.

    Every step in the window is compared in constant time, so timing tells nothing.
    """
    import pyotp

    totp = pyotp.TOTP(secret, interval=TOTP_SECONDS)
    current = int(now.timestamp()) // TOTP_SECONDS
    found = None
    for step in range(current - TOTP_DRIFT, current + TOTP_DRIFT + 1):
        if hmac.compare_digest(totp.generate_otp(step).encode(), code.encode()):
            found = step
    return found
