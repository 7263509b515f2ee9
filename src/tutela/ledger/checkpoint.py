r"""Signed checkpoints: a C2SP tlog-checkpoint body inside a C2SP signed-note, Ed25519.

A checkpoint (c2sp.org/tlog-checkpoint) is the note text::

    <origin>\n                  the log's identity, non-empty
    <tree size>\n               ASCII decimal, no leading zeros ("0" for the empty tree)
    <base64 root hash>\n        the RFC 9162 MTH at that size (standard base64, 32 bytes)
    [<extension line>\n ...]    optional, opaque, non-empty (not recommended)

A signed note (c2sp.org/signed-note) is that text, a blank line, and one signature
line per key: ``— <key name> <base64(4-byte key id || signature)>\n`` (em dash U+2014,
space). The note must be UTF-8 without ASCII control characters other than newline,
and the text ends at its last blank line. For an Ed25519 key (signature type 0x01),
``key id = SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[:4]`` and the
signature is RFC 8032 Ed25519 over the text. Verifier keys are written as in
golang.org/x/mod/sumdb/note: ``<name>+<8 hex digits of the key id>+<base64(0x01 ||
public key)>``; signer keys as ``PRIVATE+KEY+<name>+<key id>+<base64(0x01 || seed)>``.

A verifier ignores signatures by other keys (same name or id, but not both, included),
refuses the note if a signature by its key does not verify, and refuses it if none
does (C2SP signed-note, "Signatures").
"""

from __future__ import annotations

import base64
import hashlib
import string
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from tutela.errors import TutelaError

ED25519 = b"\x01"
MAX_SIGNATURES = 100
_DASH = "\u2014 "
_HASH_SIZE = 32


class CheckpointError(TutelaError, ValueError):
    """A key, note or checkpoint that is malformed, untrusted or signed badly."""


def key_id(name: str, public_key: bytes) -> bytes:
    """``SHA-256(name || 0x0A || 0x01 || public key)[:4]`` (C2SP signed-note, Ed25519)."""
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public_key).digest()[:4]


@dataclass(frozen=True)
class VerifierKey:
    """The public half: a key name and a 32-byte Ed25519 public key."""

    name: str
    public_key: bytes

    def __post_init__(self) -> None:
        _check_name(self.name)
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key)
        except ValueError:
            raise CheckpointError(f"key {self.name}: not a 32-byte Ed25519 public key") from None

    @property
    def key_id(self) -> bytes:
        """The 4-byte key id of C2SP signed-note."""
        return key_id(self.name, self.public_key)

    @classmethod
    def parse(cls, text: str) -> VerifierKey:
        """Read a verifier key ``<name>+<hex key id>+<base64(0x01 || public key)>``."""
        name, hex_id, encoded = _chop(text, 3, "verifier key")
        if len(hex_id) != 8 or not set(hex_id) <= set(string.hexdigits):
            raise CheckpointError(f"verifier key {text!r} is not <name>+<8 hex digits>+<key>")
        raw = _base64(encoded, "verifier key")
        if raw[:1] != ED25519 or len(raw) != 33:
            raise CheckpointError(f"verifier key {name!r} is not 0x01 and a 32-byte Ed25519 key")
        key = cls(name, raw[1:])
        if key.key_id != bytes.fromhex(hex_id):
            raise CheckpointError(f"verifier key {name!r}: key id {hex_id} does not match the key")
        return key

    def __str__(self) -> str:
        """The verifier key text, ``<name>+<hex key id>+<base64(0x01 || key)>``."""
        encoded = base64.b64encode(ED25519 + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    def verifies(self, text: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's Ed25519 signature of ``text``."""
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, text)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class SigningKey:
    """The private half: a key name and an Ed25519 private key (never in ``repr``)."""

    name: str
    private_key: Ed25519PrivateKey = field(repr=False)

    def __post_init__(self) -> None:
        _check_name(self.name)

    @property
    def verifier(self) -> VerifierKey:
        """The matching verifier key, safe to publish."""
        return VerifierKey(self.name, self.private_key.public_key().public_bytes_raw())

    @classmethod
    def parse(cls, text: str) -> SigningKey:
        """Read a signer key ``PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || seed)>``."""
        private, marker, name, hex_id, encoded = _chop(text, 5, "signer key")
        raw = _base64(encoded, "signer key") if (private, marker) == ("PRIVATE", "KEY") else b""
        if raw[:1] != ED25519 or len(raw) != 33 or len(hex_id) != 8:
            raise CheckpointError("signer key is not PRIVATE+KEY+<name>+<key id>+<Ed25519 seed>")
        key = cls(name, Ed25519PrivateKey.from_private_bytes(raw[1:]))
        if key.verifier.key_id.hex() != hex_id.lower():
            raise CheckpointError(f"signer key {name!r}: key id {hex_id} does not match the key")
        return key

    def private_text(self) -> str:
        """The signer key text. It is the secret: store it as one, never print or log it."""
        seed = base64.b64encode(ED25519 + self.private_key.private_bytes_raw()).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id.hex()}+{seed}"

    def signature_line(self, text: str) -> str:
        """``— <name> <base64(key id || Ed25519 signature of text)>`` and a newline."""
        signature = self.private_key.sign(text.encode())
        return f"{_DASH}{self.name} {base64.b64encode(self.verifier.key_id + signature).decode()}\n"


def generate_key(name: str) -> SigningKey:
    """A new Ed25519 key named ``name`` (for a log, its origin); ``.verifier`` is public."""
    return SigningKey(name, Ed25519PrivateKey.generate())


@dataclass(frozen=True)
class Signature:
    """One signature line of a note: the key's name and id, and the signature bytes."""

    name: str
    key_id: bytes
    signature: bytes


@dataclass(frozen=True)
class Note:
    """A note split into its text (with its final newline) and its signatures, unverified."""

    text: str
    signatures: tuple[Signature, ...]


def sign_note(text: str, *keys: SigningKey) -> str:
    """The signed note: ``text``, a blank line, one signature line per key."""
    if not text.endswith("\n") or not keys:
        raise CheckpointError("a note text must end in a newline and have at least one key")
    _check_characters(text)
    return text + "\n" + "".join(key.signature_line(text) for key in keys)


def parse_note(note: str | bytes) -> Note:
    """Split a signed note into text and signatures, checking its form only (C2SP)."""
    text = _decoded(note)
    _check_characters(text)
    split = text.rfind("\n\n")
    if split < 0:
        raise CheckpointError("malformed note: no blank line between text and signatures")
    block = text[split + 2 :]
    if not block.endswith("\n"):
        raise CheckpointError("malformed note: signatures missing or not ended by a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise CheckpointError(f"malformed note: more than {MAX_SIGNATURES} signatures")
    return Note(text[: split + 1], tuple(_signature(line) for line in lines))


def open_note(note: str | bytes, verifier: VerifierKey | str) -> str:
    """The note's text, once a signature by ``verifier`` verifies; others are ignored."""
    key = VerifierKey.parse(verifier) if isinstance(verifier, str) else verifier
    parsed, known = parse_note(note), f"{key.name}+{key.key_id.hex()}"
    mine = [s for s in parsed.signatures if (s.name, s.key_id) == (key.name, key.key_id)]
    if not mine:
        found = ", ".join(f"{s.name}+{s.key_id.hex()}" for s in parsed.signatures)
        raise CheckpointError(f"note is not signed by key {known} (signed by: {found})")
    for signature in mine:
        if not key.verifies(parsed.text.encode(), signature.signature):
            raise CheckpointError(f"invalid signature for key {known}: the note was altered")
    return parsed.text


@dataclass(frozen=True)
class Checkpoint:
    """A log's tree head: its origin, a tree size and the root at that size."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for line in (self.origin, *self.extensions):
            if not line or "\n" in line:
                raise CheckpointError(f"checkpoint line {line!r} must be one non-empty line")
        if not 0 <= self.size < 2**64:
            raise CheckpointError(f"tree size {self.size} is not between 0 and 2^64 - 1")
        if len(self.root) != _HASH_SIZE:
            raise CheckpointError(f"root hash is {len(self.root)} bytes, not {_HASH_SIZE}")

    def text(self) -> str:
        """The note text of c2sp.org/tlog-checkpoint."""
        root = base64.b64encode(self.root).decode()
        return "".join(
            f"{line}\n" for line in (self.origin, str(self.size), root, *self.extensions)
        )

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Read a checkpoint note text (c2sp.org/tlog-checkpoint, "Note text")."""
        lines = text[:-1].split("\n") if text.endswith("\n") else []
        if len(lines) < 3:
            raise CheckpointError("malformed checkpoint: needs origin, size and root lines")
        origin, size, root, *extensions = lines
        if not (size.isascii() and size.isdigit()) or (size.startswith("0") and size != "0"):
            raise CheckpointError(f"malformed checkpoint: tree size {size!r} is not a decimal")
        return cls(origin, int(size), _base64(root, "checkpoint root hash"), tuple(extensions))


def sign_checkpoint(checkpoint: Checkpoint, key: SigningKey) -> str:
    """The checkpoint as a note signed by ``key`` (whose name should be the origin)."""
    return sign_note(checkpoint.text(), key)


def verify_checkpoint(note: str | bytes, verifier: VerifierKey | str, *, origin: str) -> Checkpoint:
    """The checkpoint of a note signed by ``verifier`` for the log ``origin``, or an error."""
    checkpoint = Checkpoint.parse(open_note(note, verifier))
    if checkpoint.origin != origin:
        raise CheckpointError(f"checkpoint is for origin {checkpoint.origin!r}, not {origin!r}")
    return checkpoint


def _signature(line: str) -> Signature:
    name, space, encoded = line.removeprefix(_DASH).partition(" ")
    if not line.startswith(_DASH) or not space:
        raise CheckpointError(f"malformed note: {line[:40]!r} is not '— <key name> <signature>'")
    _check_name(name)
    raw = _base64(encoded, f"signature of {name}")
    if len(raw) < 5:
        raise CheckpointError(f"malformed note: signature of {name} is too short")
    return Signature(name, raw[:4], raw[4:])


def _check_name(name: str) -> None:
    """Key names are non-empty, without Unicode spaces or '+' (C2SP signed-note)."""
    if not name or "+" in name or any(c.isspace() or c < " " for c in name):
        raise CheckpointError(f"key name {name!r} is empty or has a space, '+' or control")


def _check_characters(text: str) -> None:
    if any(c < " " and c != "\n" for c in text):
        raise CheckpointError("malformed note: an ASCII control character other than newline")


def _chop(text: str, parts: int, what: str) -> list[str]:
    """Split at the first ``parts - 1`` '+' (base64 may hold more); too few is an error."""
    pieces = text.split("+", parts - 1)
    if len(pieces) != parts:
        raise CheckpointError(f"malformed {what}: expected {parts} parts separated by '+'")
    return pieces


def _base64(text: str, what: str) -> bytes:
    """Strict standard base64 (RFC 4648 §4), canonical padding and bits only."""
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        raise CheckpointError(f"malformed {what}: not standard base64") from None
    if base64.b64encode(raw).decode() != text:
        raise CheckpointError(f"malformed {what}: not canonical base64")
    return raw


def _decoded(note: str | bytes) -> str:
    if isinstance(note, str):
        return note
    try:
        return note.decode("utf-8")
    except UnicodeDecodeError:
        raise CheckpointError("malformed note: not UTF-8") from None
