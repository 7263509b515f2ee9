"""Signed checkpoints: C2SP tlog-checkpoint in a C2SP signed-note, Ed25519.

Reference material, reproduced byte for byte:

- golang.org/x/mod ``sumdb/note/note_test.go``: the PeterNeumann signer and verifier
  keys and the note ``TestSign`` expects (Ed25519 is deterministic, so signing the same
  text must give the same line), the EnochRoot key and signature of ``TestOpen``, its
  malformed notes, and the key manglings of ``TestNewVerifier``;
- transparency-dev/formats ``log/note_test.go`` (``TestSumDBNoteParsing``): a checkpoint
  signed by the real sum.golang.org log, with that log's published verifier key;
- C2SP ``signed-note.md`` and ``tlog-checkpoint.md``: their example notes (no verifier
  key is published for them, so only their form is checked).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable

import pytest

from tutela.ledger.checkpoint import (
    Checkpoint,
    CheckpointError,
    SigningKey,
    VerifierKey,
    generate_key,
    key_id,
    open_note,
    parse_note,
    sign_checkpoint,
    sign_note,
    verify_checkpoint,
)
from tutela.ledger.merkle import EMPTY_ROOT, MerkleTree, leaf_hash

PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNX"
    "gKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG0"
    "1oOTGwnWLox33WWd1RvMc+QQ=\n"
)
SUMDB_VKEY = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
SUMDB_NOTE = (
    "go.sum database tree\n6476701\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n\n"
    "— sum.golang.org Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nP"
    "RYfvimWEPWL+o3GeoWwOoAw=\n"
)
C2SP_CHECKPOINT = (
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n"
    "— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5"
    "/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
)
C2SP_NOTE = (
    "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n"
    "\n— quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKO"
    "NrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n"
)
ORIGIN = "tutela.example/ledger"


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return generate_key(ORIGIN)


@pytest.fixture(scope="module")
def checkpoint() -> Checkpoint:
    tree = MerkleTree([leaf_hash(i.to_bytes(4, "big")) for i in range(1000)])
    return Checkpoint(ORIGIN, tree.size, tree.root())


def _signed(key: SigningKey, text: str) -> str:
    """A note signed correctly over any text, to reach the checks after the signature."""
    return sign_note(text, key)


def test_go_sumdb_note_signature_is_reproduced_byte_for_byte() -> None:
    peter = SigningKey.parse(PETER_SKEY)
    assert sign_note(TEXT, peter) == TEXT + "\n" + PETER_SIG
    assert str(peter.verifier) == PETER_VKEY
    assert peter.private_text() == PETER_SKEY
    assert key_id("PeterNeumann", peter.verifier.public_key).hex() == "c74f20a3"
    assert "AYEKFALV" not in repr(peter)


def test_go_sumdb_note_verifies_and_signatures_by_other_keys_are_ignored() -> None:
    both = TEXT + "\n" + PETER_SIG + ENOCH_SIG
    assert open_note(TEXT + "\n" + PETER_SIG, PETER_VKEY) == TEXT
    assert open_note(both, PETER_VKEY) == TEXT
    assert open_note(both.encode(), VerifierKey.parse(ENOCH_VKEY)) == TEXT
    note = parse_note(both)
    assert [(s.name, s.key_id.hex()) for s in note.signatures] == [
        ("PeterNeumann", "c74f20a3"),
        ("EnochRoot", "af0cfe78"),
    ]


def test_real_sum_golang_org_checkpoint_verifies_for_its_origin_only() -> None:
    checkpoint = verify_checkpoint(SUMDB_NOTE, SUMDB_VKEY, origin="go.sum database tree")
    assert checkpoint.size == 6476701
    assert (
        base64.b64encode(checkpoint.root).decode() == "mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk="
    )
    with pytest.raises(CheckpointError, match=r"origin 'go\.sum database tree', not 'Go rocks'"):
        verify_checkpoint(SUMDB_NOTE, SUMDB_VKEY, origin="Go rocks")


def test_c2sp_example_notes_parse_with_their_key_ids_and_inner_blank_line(
    key: SigningKey,
) -> None:
    example = parse_note(C2SP_CHECKPOINT)
    assert Checkpoint.parse(example.text).size == 20852163
    assert example.signatures[0].name == "example.com/behind-the-sofa"
    assert example.signatures[0].key_id.hex() == "033de0ae"
    poem = parse_note(C2SP_NOTE)
    assert poem.text.endswith("raggio di sole:\n\ned è subito sera.\n")
    assert len(poem.signatures[0].signature) == 64
    with pytest.raises(CheckpointError, match=r"not signed by key tutela\.example/ledger\+"):
        verify_checkpoint(C2SP_CHECKPOINT, key.verifier, origin="example.com/behind-the-sofa")


def test_checkpoint_sign_and_verify_round_trip(key: SigningKey, checkpoint: Checkpoint) -> None:
    note = sign_checkpoint(checkpoint, key)
    assert note.startswith(f"{ORIGIN}\n1000\n{base64.b64encode(checkpoint.root).decode()}\n\n— ")
    assert verify_checkpoint(note, str(key.verifier), origin=ORIGIN) == checkpoint
    assert VerifierKey.parse(str(key.verifier)) == key.verifier
    assert SigningKey.parse(key.private_text()).verifier == key.verifier
    extended = Checkpoint(ORIGIN, 0, EMPTY_ROOT, ("an extension line",))
    assert verify_checkpoint(sign_checkpoint(extended, key), key.verifier, origin=ORIGIN) == (
        extended
    )


def test_body_edited_after_signing_is_refused(key: SigningKey, checkpoint: Checkpoint) -> None:
    note = sign_checkpoint(checkpoint, key)
    grown = note.replace("\n1000\n", "\n1001\n", 1)
    with pytest.raises(
        CheckpointError, match=r"invalid signature for key .*: the note was altered"
    ):
        verify_checkpoint(grown, key.verifier, origin=ORIGIN)
    other_root = base64.b64encode(EMPTY_ROOT).decode()
    swapped = note.replace(base64.b64encode(checkpoint.root).decode(), other_root)
    with pytest.raises(CheckpointError, match="invalid signature"):
        verify_checkpoint(swapped, key.verifier, origin=ORIGIN)


def test_wrong_key_and_signature_for_another_key_name_are_refused(
    key: SigningKey, checkpoint: Checkpoint
) -> None:
    note = sign_checkpoint(checkpoint, key)
    impostor = generate_key(ORIGIN)  # same name, other key: another key id
    with pytest.raises(CheckpointError, match=r"not signed by key tutela\.example/ledger\+"):
        verify_checkpoint(note, impostor.verifier, origin=ORIGIN)
    renamed = note.replace(f"— {ORIGIN} ", "— tutela.example/other ")
    with pytest.raises(CheckpointError, match=r"signed by: tutela\.example/other\+"):
        verify_checkpoint(renamed, key.verifier, origin=ORIGIN)
    cosigned = sign_note(checkpoint.text(), impostor, key)  # unknown keys are ignored
    assert verify_checkpoint(cosigned, key.verifier, origin=ORIGIN) == checkpoint


def test_known_key_with_a_bad_signature_refuses_the_whole_note() -> None:
    broken = TEXT + "\n" + PETER_SIG[:60] + "ABCD" + PETER_SIG[60:] + ENOCH_SIG
    with pytest.raises(CheckpointError, match=r"invalid signature for key PeterNeumann\+c74f20a3"):
        open_note(broken, PETER_VKEY)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (f"{ORIGIN}\nabc\n{base64.b64encode(EMPTY_ROOT).decode()}\n", "tree size 'abc'"),
        (f"{ORIGIN}\n042\n{base64.b64encode(EMPTY_ROOT).decode()}\n", "tree size '042'"),
        (f"{ORIGIN}\n-1\n{base64.b64encode(EMPTY_ROOT).decode()}\n", "tree size '-1'"),
        (f"{ORIGIN}\n４２\n{base64.b64encode(EMPTY_ROOT).decode()}\n", "tree size '４２'"),
        (f"{ORIGIN}\n7\n{base64.b64encode(EMPTY_ROOT[:31]).decode()}\n", "31 bytes, not 32"),
        (f"{ORIGIN}\n7\n{base64.b64encode(EMPTY_ROOT + b'x').decode()}\n", "33 bytes, not 32"),
        (f"{ORIGIN}\n7\nnot base64!\n", "root hash: not standard base64"),
        (f"{ORIGIN}\n7\n", "needs origin, size and root lines"),
        (f"{ORIGIN}\n{2**64}\n{base64.b64encode(EMPTY_ROOT).decode()}\n", r"2\^64 - 1"),
    ],
)
def test_signed_but_malformed_checkpoint_bodies_are_refused(
    key: SigningKey, body: str, message: str
) -> None:
    with pytest.raises(CheckpointError, match=message):
        verify_checkpoint(_signed(key, body), key.verifier, origin=ORIGIN)


@pytest.mark.parametrize(
    ("note", "message"),
    [
        (TEXT + PETER_SIG, "no blank line"),
        (TEXT, "no blank line"),
        (TEXT + "\n", "signatures missing"),
        (TEXT + "\n" + PETER_SIG[:-1], "signatures missing or not ended by a newline"),
        ("\x01" + TEXT + "\n" + PETER_SIG, "control character"),
        (b"\xff" + (TEXT + "\n" + PETER_SIG).encode(), "not UTF-8"),
        (TEXT + "\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pA=\n", "Bad"),
        (TEXT + "\n" + PETER_SIG + "Unexpected line.\n", "is not '— <key name> <signature>'"),
        (TEXT + "\n" + PETER_SIG.replace("— ", "- "), "is not '— <key name> <signature>'"),
        (TEXT + "\n— PeterNeumann AAAA\n", "too short"),
        (TEXT + "\n— PeterNeumann x08go/Z\n", "not standard base64"),
        (TEXT + "\n" + PETER_SIG * 101, "more than 100 signatures"),
    ],
)
def test_malformed_notes_are_refused(note: str | bytes, message: str) -> None:
    with pytest.raises(CheckpointError, match=message):
        open_note(note, PETER_VKEY)


def test_mangled_verifier_keys_are_refused() -> None:
    for start in range(len(PETER_VKEY)):
        for end in range(start + 1, len(PETER_VKEY) + 1):
            if (start, end) != (0, len(PETER_VKEY)):
                with pytest.raises(CheckpointError):
                    VerifierKey.parse(PETER_VKEY[start:end])
    for i in range(len(PETER_VKEY)):
        mangled = PETER_VKEY[:i] + chr(ord(PETER_VKEY[i]) + 1) + PETER_VKEY[i + 1 :]
        with pytest.raises(CheckpointError):
            VerifierKey.parse(mangled)
    wrong_length = "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="
    with pytest.raises(CheckpointError, match="malformed verifier key: not canonical base64"):
        VerifierKey.parse(wrong_length)
    other_algorithm = "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    with pytest.raises(CheckpointError, match="not 0x01 and a 32-byte Ed25519 key"):
        VerifierKey.parse(other_algorithm)
    with pytest.raises(CheckpointError, match="key id 00000000 does not match"):
        VerifierKey.parse(PETER_VKEY.replace("c74f20a3", "00000000"))


def test_bad_keys_and_checkpoints_are_refused_when_built() -> None:
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: generate_key("has space"), "key name 'has space'"),
        (lambda: generate_key("a+b"), "key name 'a+b'"),
        (lambda: generate_key(""), "key name ''"),
        (lambda: SigningKey.parse(PETER_VKEY), "malformed signer key: expected 5 parts"),
        (lambda: SigningKey.parse("A+B+C+D+E"), "signer key is not PRIVATE+KEY"),
        (lambda: SigningKey.parse(PETER_SKEY.replace("c74f20a3", "c74f20a4")), "does not match"),
        (lambda: Checkpoint("", 1, EMPTY_ROOT), "must be one non-empty line"),
        (lambda: Checkpoint("a\nb", 1, EMPTY_ROOT), "must be one non-empty line"),
        (lambda: Checkpoint(ORIGIN, -1, EMPTY_ROOT), "tree size -1"),
        (lambda: Checkpoint(ORIGIN, 1, EMPTY_ROOT[:31]), "31 bytes, not 32"),
        (lambda: Checkpoint(ORIGIN, 1, EMPTY_ROOT, ("",)), "must be one non-empty line"),
        (lambda: sign_note("no final newline", generate_key("k")), "must end in a newline"),
        (lambda: sign_note("tab\there\n", generate_key("k")), "control character"),
    ]
    for call, message in cases:
        with pytest.raises(ValueError, match=re.escape(message)):
            call()
