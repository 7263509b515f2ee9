"""RFC 9162 Merkle tree hashing and proofs: known-answer vectors and properties.

The vectors are the RFC 6962 / certificate-transparency test data, as kept by
transparency-dev/merkle (Google's successor of the certificate-transparency-go and
Trillian Merkle packages):

- ``testonly/constants.go``: the 8 leaf inputs (``LeafInputs``), the hashes of every
  complete subtree (``NodeHashes``) and the roots of sizes 0 to 8 (``RootHashes``);
- ``testonly/reference_test.go``: ``TestRefInclusionProof`` and
  ``TestRefConsistencyProof``, proofs from the RFC's recursive definitions;
- ``proof/verify_test.go``: ``inclusionProofs`` (1-based leaf numbers there) and
  ``consistencyProofs``, and the corruptions ``corruptInclusionProof`` and
  ``corruptConsistencyProof`` apply to them, which must all fail.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutela.ledger.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_from_inclusion_proof,
    tree_head,
    verify_consistency,
    verify_inclusion,
)

h = bytes.fromhex
ENTRIES = [
    h(x)
    for x in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
LEAVES = [leaf_hash(e) for e in ENTRIES]
ROOTS = [  # RootHashes(): index = tree size
    EMPTY_ROOT,
    h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
    h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
    h("aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"),
    h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
    h("4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4"),
    h("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"),
    h("ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c"),
    h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
]
NODES = [  # NodeHashes(): [level][index] of every complete subtree of the 8 leaves
    [
        h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
        h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
        h("0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7"),
        h("07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7"),
        h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        h("4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658"),
        h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
        h("46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"),
    ],
    [
        h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
        h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
        h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
        h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
    ],
    [
        h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
    ],
    [h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")],
]
L0, L1, L2 = NODES[0], NODES[1], NODES[2]
INCLUSION = [  # (leaf index, tree size, audit path), both Go test files, 0-based
    (0, 1, []),
    (0, 2, [L0[1]]),
    (1, 2, [L0[0]]),
    (2, 3, [L1[0]]),
    (1, 5, [L0[0], L1[1], L0[4]]),
    (2, 5, [L0[3], L1[0], L0[4]]),
    (0, 8, [L0[1], L1[1], L2[1]]),
    (5, 8, [L0[4], L1[3], L2[0]]),
]
CONSISTENCY = [  # (first size, second size, proof)
    (1, 1, []),
    (1, 8, [L0[1], L1[1], L2[1]]),
    (6, 8, [L1[2], L1[3], L2[0]]),
    (2, 5, [L1[1], L0[4]]),
    (6, 7, [L1[2], L0[6], L2[0]]),
]
SOME_HASH = h("abacaba000000000000000000000000000000000000000000060061e00123456")


def test_rfc9162_leaf_and_node_hashes_of_every_complete_subtree() -> None:
    assert NODES[0] == LEAVES
    for level in range(1, 4):
        pairs = zip(NODES[level - 1][0::2], NODES[level - 1][1::2], strict=True)
        assert [node_hash(a, b) for a, b in pairs] == NODES[level]


def test_rfc9162_tree_heads_of_sizes_0_to_8() -> None:
    tree = MerkleTree(LEAVES)
    for size, root in enumerate(ROOTS):
        assert tree_head(LEAVES[:size]) == root
        assert tree.root(size) == root
        assert MerkleTree(LEAVES[:size]).root() == root
    assert EMPTY_ROOT.hex().startswith("e3b0c442")


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_rfc9162_inclusion_proof_vectors(index: int, size: int, path: list[bytes]) -> None:
    assert MerkleTree(LEAVES).inclusion(index, size) == path
    assert inclusion_proof(LEAVES[:size], index) == path
    assert root_from_inclusion_proof(index, size, LEAVES[index], path) == ROOTS[size]
    verify_inclusion(index, size, LEAVES[index], path, ROOTS[size])


@pytest.mark.parametrize(("first", "second", "proof"), CONSISTENCY)
def test_rfc9162_consistency_proof_vectors(first: int, second: int, proof: list[bytes]) -> None:
    assert MerkleTree(LEAVES).consistency(first, second) == proof
    assert consistency_proof(LEAVES[:second], first) == proof
    verify_consistency(first, second, proof, ROOTS[first], ROOTS[second])


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION[1:])
def test_corrupted_inclusion_proof_vectors_fail(index: int, size: int, path: list[bytes]) -> None:
    root, leaf = ROOTS[size], LEAVES[index]
    probes = [
        (index - 1, size, leaf, path, root),
        (index + 1, size, leaf, path, root),
        (index ^ 2, size, leaf, path, root),
        (index, size * 2, leaf, path, root),
        (index, size // 2, leaf, path, root),
        (index, size, leaf_hash(b"WrongLeaf"), path, root),
        (index, size, leaf, path, EMPTY_ROOT),
        (index, size, leaf, path, SOME_HASH),
        (index, size, leaf, [*path, root], root),
        (index, size, leaf, [root, *path], root),
        (index, size, leaf, path[:-1], root),
        (index, size, leaf, [path[0], SOME_HASH, *path[1:]], root),
    ]
    probes += [(index, size, leaf, _flip(path, i, 0, 3), root) for i in range(len(path))]
    for probe in probes:
        with pytest.raises(ProofError):
            verify_inclusion(*probe)


@pytest.mark.parametrize(("first", "second", "proof"), CONSISTENCY[1:])
def test_corrupted_consistency_proof_vectors_fail(
    first: int, second: int, proof: list[bytes]
) -> None:
    r1, r2 = ROOTS[first], ROOTS[second]
    probes = [
        (first - 1, second, proof, r1, r2),
        (first + 1, second, proof, r1, r2),
        (first ^ 2, second, proof, r1, r2),
        (first, second * 2, proof, r1, r2),
        (first, second // 2, proof, r1, r2),
        (first, second, proof, SOME_HASH, r2),
        (first, second, proof, r1, SOME_HASH),
        (first, second, proof, r2, r1),
        (first, second, [], r1, r2),
        (first, second, [*proof, r1], r1, r2),
        (first, second, [*proof, r2], r1, r2),
        (first, second, [r1, *proof], r1, r2),
        (first, second, [r2, *proof], r1, r2),
        (first, second, [proof[0], *proof], r1, r2),
        (first, second, proof[:-1], r1, r2),
    ]
    probes += [(first, second, _flip(proof, i, 0, 4), r1, r2) for i in range(len(proof))]
    for probe in probes:
        with pytest.raises(ProofError):
            verify_consistency(*probe)


def test_trivial_consistency_needs_an_empty_proof_and_matching_roots() -> None:
    verify_consistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)
    verify_consistency(0, 5, [], EMPTY_ROOT, ROOTS[5])
    verify_consistency(5, 5, [], ROOTS[5], ROOTS[5])
    assert MerkleTree(LEAVES).consistency(0, 8) == []
    assert MerkleTree(LEAVES).consistency(8) == []
    for probe in [
        (0, 5, [], SOME_HASH, ROOTS[5]),
        (5, 5, [], ROOTS[5], ROOTS[4]),
        (5, 5, [EMPTY_ROOT], ROOTS[5], ROOTS[5]),
        (0, 1, [EMPTY_ROOT], EMPTY_ROOT, ROOTS[1]),
        (1, 0, [], ROOTS[1], EMPTY_ROOT),
    ]:
        with pytest.raises(ProofError):
            verify_consistency(*probe)


def test_bad_arguments_raise_value_errors_that_say_what_is_wrong() -> None:
    tree = MerkleTree(LEAVES)
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: tree.inclusion(8), "leaf index 8 is outside a tree of 8 leaves"),
        (lambda: tree.inclusion(-1, 4), "leaf index -1 is outside"),
        (lambda: tree.inclusion(0, 9), "tree size 9 is outside 0..8"),
        (lambda: tree.root(9), "tree size 9 is outside 0..8"),
        (lambda: tree.consistency(5, 4), "first size 5 must be between 0 and the second size 4"),
        (lambda: tree.leaf(8), "leaf index 8 is outside the tree of 8 leaves"),
        (lambda: MerkleTree([b"short"]), "leaf hash 0 is 5 bytes, not 32"),
        (lambda: tree_head([*LEAVES, b""]), "leaf hash 8 is 0 bytes, not 32"),
        (lambda: verify_inclusion(0, 2, LEAVES[0], [b"x" * 31], ROOTS[2]), "malformed hash"),
        (lambda: verify_inclusion(0, 1, LEAVES[0], [], b""), "malformed hash"),
        (lambda: verify_inclusion(0, 0, LEAVES[0], [], EMPTY_ROOT), "outside a tree of 0"),
        (lambda: verify_consistency(6, 8, [b"x" * 33], ROOTS[6], ROOTS[8]), "malformed hash"),
        (lambda: verify_consistency(2, 1, [], ROOTS[2], ROOTS[1]), "first size 2 must be"),
        (lambda: verify_inclusion(0, 8, LEAVES[0], [L0[1]], ROOTS[8]), "too short"),
    ]
    for call, message in cases:
        with pytest.raises(ValueError, match=re.escape(message)):
            call()


# --- properties ------------------------------------------------------------------------------

MANY = [leaf_hash(i.to_bytes(4, "big")) for i in range(300)]
BIG = MerkleTree(MANY)


def _flip(proof: list[bytes], item: int, byte: int, bit: int) -> list[bytes]:
    changed = bytearray(proof[item])
    changed[byte] ^= 1 << bit
    return [*proof[:item], bytes(changed), *proof[item + 1 :]]


def _reference_root(leaves: list[bytes]) -> bytes:
    """MTH as RFC 9162 §2.1.1 writes it, recursively."""
    if len(leaves) <= 1:
        return leaves[0] if leaves else EMPTY_ROOT
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return node_hash(_reference_root(leaves[:k]), _reference_root(leaves[k:]))


def _reference_path(index: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) as RFC 9162 §2.1.3.1 writes it, recursively."""
    if len(leaves) == 1:
        return []
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    if index < k:
        return [*_reference_path(index, leaves[:k]), _reference_root(leaves[k:])]
    return [*_reference_path(index - k, leaves[k:]), _reference_root(leaves[:k])]


def _reference_subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b) as RFC 9162 §2.1.4.1 writes it, recursively."""
    if m == len(leaves):
        return [] if whole else [_reference_root(leaves)]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    if m <= k:
        return [*_reference_subproof(m, leaves[:k], whole), _reference_root(leaves[k:])]
    return [*_reference_subproof(m - k, leaves[k:], False), _reference_root(leaves[:k])]


@given(st.data())
def test_every_inclusion_proof_verifies_and_matches_the_rfc_definition(data: st.DataObject) -> None:
    size = data.draw(st.integers(1, len(MANY)))
    index = data.draw(st.integers(0, size - 1))
    own = MerkleTree(MANY[:size])
    path = BIG.inclusion(index, size)
    assert path == own.inclusion(index) == _reference_path(index, MANY[:size])
    assert BIG.root(size) == own.root() == tree_head(MANY[:size])
    verify_inclusion(index, size, MANY[index], path, BIG.root(size))


@given(st.data())
def test_every_consistency_proof_verifies_and_matches_the_rfc_definition(
    data: st.DataObject,
) -> None:
    second = data.draw(st.integers(2, len(MANY)))
    first = data.draw(st.integers(1, second - 1))
    proof = BIG.consistency(first, second)
    assert proof == MerkleTree(MANY[:second]).consistency(first)
    assert proof == _reference_subproof(first, MANY[:second], True)
    verify_consistency(first, second, proof, BIG.root(first), BIG.root(second))


@settings(max_examples=200)
@given(st.data())
def test_any_change_to_an_inclusion_proof_fails(data: st.DataObject) -> None:
    size = data.draw(st.integers(2, len(MANY)))
    index = data.draw(st.integers(0, size - 1))
    path, root, leaf = BIG.inclusion(index, size), BIG.root(size), MANY[index]
    item = data.draw(st.integers(0, len(path) - 1))
    flipped = _flip(path, item, data.draw(st.integers(0, 31)), data.draw(st.integers(0, 7)))
    other = data.draw(st.integers(0, size - 1).filter(lambda i: i != index))
    # A size that changes the path's shape: the algorithm binds the size only through it
    # (a checkpoint's signature binds size and root together).
    for probe in [
        (index, size, leaf, flipped, root),
        (other, size, leaf, path, root),
        (index, size * 2, leaf, path, root),
        (index, size // 2, leaf, path, root),
        (index, size, leaf, path[:item] + path[item + 1 :], root),
        (index, size, leaf, [*path, root], root),
        (index, size, MANY[other], path, root),
        (index, size, leaf, path, BIG.root(size - 1)),
    ]:
        with pytest.raises(ProofError):
            verify_inclusion(*probe)


@settings(max_examples=200)
@given(st.data())
def test_any_change_to_a_consistency_proof_fails(data: st.DataObject) -> None:
    second = data.draw(st.integers(2, len(MANY)))
    first = data.draw(st.integers(1, second - 1))
    proof, r1, r2 = BIG.consistency(first, second), BIG.root(first), BIG.root(second)
    item = data.draw(st.integers(0, len(proof) - 1))
    flipped = _flip(proof, item, data.draw(st.integers(0, 31)), data.draw(st.integers(0, 7)))
    other = data.draw(st.integers(1, second).filter(lambda m: m != first))
    for probe in [
        (first, second, flipped, r1, r2),
        (other, second, proof, r1, r2),
        (first, second * 2, proof, r1, r2),
        (first, second // 2, proof, r1, r2),
        (first, second, proof[:item] + proof[item + 1 :], r1, r2),
        (first, second, [*proof, r2], r1, r2),
        (first, second, proof, r2, r1),
        (first, second, proof, r1, BIG.root(second - 1)),
    ]:
        with pytest.raises(ProofError):
            verify_consistency(*probe)
