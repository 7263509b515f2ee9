"""Staff API keys: roles, the scopes each grants, and how keys are made and checked.

Pure (no store, no framework). A key reads ``tk_<prefix>_<secret>``: the prefix (12
lower-case letters and digits) is public and finds the key's row; the secret (43
characters of base64url, 256 bits from :mod:`secrets`) is never stored. The store keeps
an argon2id hash of the whole key (:func:`hash_key`), checked with :func:`verify_key`.

Roles grant scopes (see :data:`SCOPES`):

================  ===============================================================
``admin``         everything, with ``keys:admin``
``privacy_officer``  reads, verifies and decides requests; reads and signs the ledger
``agent``         reads requests and verifies subjects (``requests:write``); decides nothing
``(all four)``    ask the decision point (``decisions:read``)
``auditor``       reads requests and the ledger only
================  ===============================================================

Moderation of community posts (seed §9): admins and privacy officers read the held posts
and decide them (``moderation:decide``); they and agents screen posts (``moderation:write``).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tutela.errors import ConfigurationError

KEY_START = "tk_"
PREFIX_LENGTH = 12
_PREFIX = re.compile(r"[a-z0-9]{12}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{43}")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
LONGEST_KEY = len(KEY_START) + PREFIX_LENGTH + 1 + 43


class AccessError(ConfigurationError):
    """A key name, role or key id that is not one tutela accepts; the message says why."""


class Role(StrEnum):
    """What a staff member does, each granting the scopes of :data:`SCOPES`."""

    ADMIN = "admin"
    PRIVACY_OFFICER = "privacy_officer"
    AGENT = "agent"
    AUDITOR = "auditor"


class Scope(StrEnum):
    """One permission of the API; each staff route needs one."""

    REQUESTS_READ = "requests:read"  # list, show, due, complaints
    REQUESTS_WRITE = "requests:write"  # submit on a subject's behalf, verify with evidence
    REQUESTS_DECIDE = "requests:decide"  # approve, deny, extend, fee, forward
    LEDGER_READ = "ledger:read"  # checkpoint, proofs, evidence
    DECISIONS_READ = "decisions:read"  # may this subject's data be used for this purpose
    CONSENT_WRITE = "consent:write"  # record choices and signals (GPC) on a subject's behalf
    LEDGER_WRITE = "ledger:write"  # sign a checkpoint
    MODERATION_WRITE = "moderation:write"  # screen community posts (seed §9)
    MODERATION_DECIDE = "moderation:decide"  # read the held posts, allow or remove them
    KEYS_ADMIN = "keys:admin"  # create and revoke keys


_READS = frozenset({Scope.REQUESTS_READ, Scope.LEDGER_READ, Scope.DECISIONS_READ})
SCOPES: dict[Role, frozenset[Scope]] = {
    Role.ADMIN: frozenset(Scope),
    Role.PRIVACY_OFFICER: _READS
    | {Scope.REQUESTS_WRITE, Scope.REQUESTS_DECIDE, Scope.LEDGER_WRITE, Scope.CONSENT_WRITE}
    | {Scope.MODERATION_WRITE, Scope.MODERATION_DECIDE},
    Role.AGENT: frozenset(
        {Scope.REQUESTS_READ, Scope.REQUESTS_WRITE, Scope.DECISIONS_READ, Scope.CONSENT_WRITE}
        | {Scope.MODERATION_WRITE}
    ),
    Role.AUDITOR: _READS,
}
"""The scopes each role grants."""


@dataclass(frozen=True)
class KeyRecord:
    """One staff key as the store keeps it: never the key, only its argon2 hash."""

    id: str
    prefix: str
    hash: str
    name: str
    role: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class KeyEvent:
    """The ledger entry of a key made or revoked: who, what, which key, its state digest."""

    time: datetime
    actor: str
    action: str
    key_id: str
    after: str


def role(value: object) -> Role:
    """``value`` as a role; AccessError naming the roles otherwise."""
    try:
        return Role(value.strip().lower() if isinstance(value, str) else "")
    except ValueError:
        raise AccessError(f"unknown role; use one of {', '.join(Role)}") from None


def key_name(value: object) -> str:
    """A key's name (``alice``, ``ci-bot``), as the ledger's actor ``staff:<name>`` takes it."""
    text = value.strip() if isinstance(value, str) else ""
    if not _NAME.fullmatch(text):
        raise AccessError(
            "a key's name is 1 to 64 letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit (it is the ledger's actor staff:<name>)"
        )
    return text


def new_key() -> tuple[str, str]:
    """A new key: its public prefix and the whole key ``tk_<prefix>_<secret>`` (shown once)."""
    prefix = "".join(secrets.choice(_ALPHABET) for _ in range(PREFIX_LENGTH))
    return prefix, f"{KEY_START}{prefix}_{secrets.token_urlsafe(32)}"


def key_prefix(presented: object) -> str | None:
    """The prefix of a presented key, or None when it is not of a key's form."""
    if not isinstance(presented, str) or len(presented) != LONGEST_KEY:
        return None
    prefix, secret = presented[3:15], presented[16:]
    well_formed = presented.startswith(KEY_START) and presented[15] == "_"
    if well_formed and _PREFIX.fullmatch(prefix) and _SECRET.fullmatch(secret):
        return prefix
    return None


_HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)  # OWASP's minimum


def hash_key(key: str) -> str:
    """The argon2id hash of ``key`` (salted: two hashes of one key differ)."""
    return _HASHER.hash(key)


def verify_key(stored: str, presented: str) -> bool:
    """Whether ``presented`` is the key ``stored`` hashes (argon2, constant time)."""
    try:
        return _HASHER.verify(stored, presented)
    except (VerificationError, InvalidHashError):
        return False


@cache
def dummy_hash() -> str:
    """A hash of no real key: verified when a prefix is unknown, so timing tells nothing."""
    return hash_key(new_key()[1])


def state_digest(record: KeyRecord) -> str:
    """SHA-256 (hex) of a key's public state: id, prefix, name, role, revoked."""
    state = {
        "id": record.id,
        "prefix": record.prefix,
        "name": record.name,
        "role": record.role,
        "revoked": record.revoked_at is not None,
    }
    text = json.dumps(state, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
