"""Sealing what tutela keeps for a while, and signing the links that deliver answers.

What the lifecycle must keep in clear for a time (a request's identity until it is
answered, the answer until it is downloaded, a recipient's Art. 19 message until it is
delivered) is sealed with AES-256-GCM (:mod:`cryptography`) under a key derived with
HKDF-SHA256 from the store key (``TUTELA_STORE_KEY``), one subkey per use. The request
id is bound as associated data, so a sealed value copied onto another request does not
open. Download links carry the request id and an expiry, signed with HMAC-SHA256 under
a subkey of their own: a link names one request and stops working when it expires.
Status tokens (what a subject presents to follow a request) are signed the same way under
:func:`status_key`, a key of their own, so a status token is never a download link.
Errors never repeat a key, a token or what was sealed.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from hashlib import sha256

from tutela.errors import ConfigurationError, RequestError

KEY_BYTES = 32
_NONCE_BYTES = 12
_VERSION = b"\x01"
_LINK_VERSION = "1"
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_LONGEST_TOKEN = 200

STATUS_TOKEN_LIFE = timedelta(days=400)
"""How long a status token works: past any deadline with its extension and the answer window."""


class Use(StrEnum):
    """What a subkey seals; each use has its own key, so one cannot open another's."""

    IDENTITY = "identity"
    ANSWER = "answer"
    NOTIFICATION = "notification"
    LINK = "link"
    CODE = "code"  # the key of one-time codes' and rate limits' keyed digests
    MAIL = "mail"  # inbound mail kept for staff, and the keyed digests that find it again
    CONSENT_LINK = "consent-link"  # unsubscribe links and consent receipts' links
    PROPAGATION = "propagation"  # a consent change waiting to be pushed to a system
    HOLD = "hold"  # a legal hold's subject identity, kept while the hold lasts (RT-3)
    MODERATION = "moderation"  # a held post's text, and its keyed digest (seed §9)


class SealError(RequestError):
    """A sealed value that does not open: another key, another request, or tampered."""


class LinkError(RequestError):
    """A download link that is malformed, tampered, expired or for another request."""


@dataclass(frozen=True)
class StoreKey:
    """The store key: 32 random bytes, written as unpadded base64url."""

    secret: bytes = field(repr=False)

    @classmethod
    def parse(cls, text: str) -> StoreKey:
        """The key written in ``text``; ConfigurationError (without the text) otherwise."""
        cleaned = text.strip() if isinstance(text, str) else ""
        try:
            secret = base64.urlsafe_b64decode(cleaned + "=" * (-len(cleaned) % 4))
        except (binascii.Error, ValueError):
            secret = b""
        if len(secret) != KEY_BYTES or len(cleaned) > 64:
            raise ConfigurationError(
                "TUTELA_STORE_KEY is not a store key (32 bytes, base64url): "
                "make one with `tutela db keygen`"
            )
        return cls(secret)

    @classmethod
    def derive(cls, secret: bytes) -> StoreKey:
        """A key derived from another secret (the hash key) when no store key is set."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        info = b"tutela/store-key-from-hash-key/v1"
        return cls(HKDF(hashes.SHA256(), KEY_BYTES, salt=None, info=info).derive(secret))

    @staticmethod
    def generate() -> str:
        """A new key, as ``TUTELA_STORE_KEY`` takes it."""
        return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).rstrip(b"=").decode("ascii")

    def subkey(self, use: Use) -> bytes:
        """The key for ``use`` (HKDF-SHA256)."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        info = b"tutela/store-key/v1/" + use.value.encode("ascii")
        return HKDF(hashes.SHA256(), KEY_BYTES, salt=None, info=info).derive(self.secret)


def status_key(key: StoreKey) -> StoreKey:
    """The key of status tokens, derived from the links' subkey so a token is never a link.

    Sign and check status tokens with :func:`sign_link` and :func:`check_link` under it.
    The derivation is fixed: changing it would void every status token already issued.
    """
    return StoreKey.derive(key.subkey(Use.LINK) + b"/tutela/status-token/v1")


def seal(key: StoreKey, use: Use, request_id: str, clear: bytes) -> bytes:
    """``clear`` sealed for ``use`` and bound to ``request_id`` (version, nonce, ciphertext)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(key.subkey(use)).encrypt(nonce, clear, _bound(use, request_id))
    return _VERSION + nonce + sealed


def unseal(key: StoreKey, use: Use, request_id: str, sealed: bytes) -> bytes:
    """What :func:`seal` sealed; :class:`SealError` when it does not open."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not isinstance(sealed, bytes) or len(sealed) < 1 + _NONCE_BYTES + 16:
        raise SealError(f"the sealed {use.value} of request {request_id} is damaged")
    if sealed[:1] != _VERSION:
        raise SealError(f"the sealed {use.value} of request {request_id} has an unknown format")
    nonce, body = sealed[1 : 1 + _NONCE_BYTES], sealed[1 + _NONCE_BYTES :]
    try:
        return AESGCM(key.subkey(use)).decrypt(nonce, body, _bound(use, request_id))
    except InvalidTag:
        raise SealError(
            f"the sealed {use.value} of request {request_id} does not open: another store "
            "key (TUTELA_STORE_KEY changed?), another request, or it was altered"
        ) from None


def _bound(use: Use, request_id: str) -> bytes:
    return f"tutela/{use.value}/{request_id}".encode()


def sign_link(key: StoreKey, request_id: str, expires_at: datetime) -> str:
    """A token naming ``request_id`` that is valid until ``expires_at`` (to the second)."""
    if not _ID.fullmatch(request_id):
        raise LinkError("a link names one request by its id")
    if expires_at.tzinfo is None:
        raise LinkError("a link's expiry must be an aware time")
    until = int(expires_at.timestamp())
    body = f"{_LINK_VERSION}.{request_id}.{until}"
    return f"{body}.{_signature(key, body)}"


def check_link(key: StoreKey, token: object, now: datetime, request_id: str | None = None) -> str:
    """The request id ``token`` names; :class:`LinkError` saying why it cannot be used.

    ``request_id``, when given, is the request the link was presented for: a link for
    another request is refused (a foreign link).
    """
    text = token.strip() if isinstance(token, str) and len(token) <= _LONGEST_TOKEN else ""
    parts = text.split(".")
    if len(parts) != 4 or parts[0] != _LINK_VERSION or not _ID.fullmatch(parts[1]):
        raise LinkError("this download link is not a tutela link; use the link you were sent")
    if not parts[2].isdigit() or len(parts[2]) > 12:
        raise LinkError("this download link is not a tutela link; use the link you were sent")
    body = ".".join(parts[:3])
    if not hmac.compare_digest(_signature(key, body), parts[3]):
        raise LinkError("this download link was altered or not made by us; it cannot be used")
    if request_id is not None and parts[1] != request_id:
        raise LinkError("this download link is for another request")
    if now >= datetime.fromtimestamp(int(parts[2]), UTC):
        raise LinkError("this download link has expired; ask us for a new one")
    return parts[1]


def _signature(key: StoreKey, body: str) -> str:
    mac = hmac.new(key.subkey(Use.LINK), body.encode("ascii"), sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")
