"""RFC 9162 (Certificate Transparency v2) Merkle tree hashing with SHA-256, and its proofs.

The hashes (RFC 9162 §2.1.1), for a list of entries ``D[n]``::

    leaf hash           HASH(0x00 || entry)
    node hash           HASH(0x01 || left || right)
    MTH({})             HASH()                                     the empty tree
    MTH(D[n]), n > 1    HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n]))   k: the largest
                                                                   power of two < n

Computed level by level, that split is the same as pairing neighbours and carrying an
unpaired last node up unchanged: so :func:`tree_head` and :class:`MerkleTree` hash
each level as one run over a contiguous buffer of 32-byte hashes. Proofs are generated
as RFC 9162 §2.1.3.1 (inclusion, the audit path) and §2.1.4.1 (consistency) define
them, and verified with the algorithms of §2.1.3.2 and §2.1.4.2, which need only the
proof, the sizes and the roots, never the tree. Every function takes leaf hashes,
not entries: the ledger hashes its own entries with :func:`leaf_hash`.
"""

from __future__ import annotations

from collections.abc import Sequence
from hashlib import sha256

from tutela.errors import TutelaError

HASH_SIZE = 32
EMPTY_ROOT = sha256(b"").digest()
_LEAF, _NODE = b"\x00", b"\x01"


class ProofError(TutelaError, ValueError):
    """A proof that does not verify, or an argument no tree or proof can have."""


def leaf_hash(entry: bytes) -> bytes:
    """``HASH(0x00 || entry)`` (RFC 9162 §2.1.1)."""
    return sha256(_LEAF + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``HASH(0x01 || left || right)`` (RFC 9162 §2.1.1)."""
    return sha256(_NODE + left + right).digest()


def tree_head(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of the tree whose leaves have these hashes (RFC 9162 §2.1.1), level by level."""
    level = _joined(leaf_hashes)
    if not level:
        return EMPTY_ROOT
    while len(level) > HASH_SIZE:
        level = _parent_level(level)
    return level


def inclusion_proof(
    leaf_hashes: Sequence[bytes], index: int, size: int | None = None
) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of the first ``size`` leaves (§2.1.3.1)."""
    return MerkleTree(leaf_hashes).inclusion(index, size)


def consistency_proof(
    leaf_hashes: Sequence[bytes], first: int, second: int | None = None
) -> list[bytes]:
    """The consistency proof from the tree of ``first`` leaves to ``second`` (§2.1.4.1)."""
    return MerkleTree(leaf_hashes).consistency(first, second)


class MerkleTree:
    """A tree built once from its leaf hashes, keeping every level for fast proofs.

    Level 0 holds the leaf hashes; level ``j + 1`` the node hashes of neighbouring
    pairs of level ``j``, and its unpaired last node carried up unchanged (RFC 9162's
    unbalanced right edge). Node ``i`` of level ``j`` is thus ``MTH(D[i*2^j : e])`` with
    ``e = min((i+1)*2^j, size)``. Each level is one ``bytes`` of 32-byte hashes, about
    64 bytes of memory per leaf. ``root``, ``inclusion`` and ``consistency`` answer for
    any tree size up to :attr:`size` by reading the levels: no work in the size of the
    tree, and only the few node hashes of a right edge smaller trees do not share.
    """

    def __init__(self, leaf_hashes: Sequence[bytes]) -> None:
        levels = [_joined(leaf_hashes)]
        while len(levels[-1]) > HASH_SIZE:
            levels.append(_parent_level(levels[-1]))
        self._levels = levels
        self.size = len(leaf_hashes)

    def root(self, size: int | None = None) -> bytes:
        """MTH of the first ``size`` leaves (all of them by default) (RFC 9162 §2.1.1)."""
        size = self._checked_size(size)
        return self._subtree(0, size) if size else EMPTY_ROOT

    def leaf(self, index: int) -> bytes:
        """The hash of leaf ``index``."""
        if not 0 <= index < self.size:
            raise ProofError(f"leaf index {index} is outside the tree of {self.size} leaves")
        return self._node(0, index)

    def inclusion(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[size]): the audit path of a leaf (RFC 9162 §2.1.3.1)."""
        size = self._checked_size(size)
        if not 0 <= index < size:
            raise ProofError(f"leaf index {index} is outside a tree of {size} leaves")
        path, start, end = [], 0, size
        while end - start > 1:
            split = start + _largest_power_of_two_below(end - start)
            if index < split:
                path.append(self._subtree(split, end))
                end = split
            else:
                path.append(self._subtree(start, split))
                start = split
        return path[::-1]

    def consistency(self, first: int, second: int | None = None) -> list[bytes]:
        """PROOF(first, D[second]) (RFC 9162 §2.1.4.1); empty if first is 0 or second."""
        second = self._checked_size(second)
        if not 0 <= first <= second:
            raise ProofError(f"first size {first} must be between 0 and the second size {second}")
        if first in (0, second):
            return []
        path, start, end, first_is_root = [], 0, second, True
        while first != end:
            split = start + _largest_power_of_two_below(end - start)
            if first <= split:
                path.append(self._subtree(split, end))
                end = split
            else:
                path.append(self._subtree(start, split))
                start, first_is_root = split, False
        if not first_is_root:
            path.append(self._subtree(start, end))
        return path[::-1]

    def _checked_size(self, size: int | None) -> int:
        if size is None:
            return self.size
        if not 0 <= size <= self.size:
            raise ProofError(f"tree size {size} is outside 0..{self.size}, the leaves known")
        return size

    def _node(self, level: int, index: int) -> bytes:
        offset = index * HASH_SIZE
        return self._levels[level][offset : offset + HASH_SIZE]

    def _subtree(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]), for ``start`` a multiple of a power of two >= ``end - start``."""
        level = (end - start - 1).bit_length()
        if end == self.size or end - start == 1 << level:
            return self._node(level, start >> level)  # whole, or the carried right edge
        split = start + (1 << (level - 1))
        return node_hash(self._node(level - 1, start >> (level - 1)), self._subtree(split, end))


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root an audit path leads to from ``leaf`` (RFC 9162 §2.1.3.2, steps 1 to 4)."""
    _check_hashes(leaf, *proof)
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of {size} leaves")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError(f"inclusion proof is too long: {len(proof)} hashes")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError(f"inclusion proof is too short: {len(proof)} hashes")
    return r


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that leaf ``index`` of a tree of ``size`` leaves with ``root`` is ``leaf``.

    RFC 9162 §2.1.3.2; raises :class:`ProofError` saying why it does not verify.
    """
    _check_hashes(root)
    if root_from_inclusion_proof(index, size, leaf, proof) != root:
        raise ProofError(f"inclusion proof of leaf {index} does not lead to the root of {size}")


def verify_consistency(
    first: int, second: int, proof: Sequence[bytes], first_root: bytes, second_root: bytes
) -> None:
    """Check that the tree of ``first`` leaves is a prefix of the tree of ``second``.

    RFC 9162 §2.1.4.2 for ``0 < first < second``; equal sizes need equal roots and an
    empty proof, and the empty tree (whose root must be :data:`EMPTY_ROOT`) is a prefix
    of every tree with an empty proof. Raises :class:`ProofError` saying why not.
    """
    _check_hashes(first_root, second_root, *proof)
    if not 0 <= first <= second:
        raise ProofError(f"first size {first} must be between 0 and the second size {second}")
    if first in (0, second):
        if proof:
            raise ProofError(f"consistency proof from {first} to {second} must be empty")
        if first == 0 and first_root != EMPTY_ROOT:
            raise ProofError("the root of the empty tree is not SHA-256 of nothing")
        if first == second and first_root != second_root:
            raise ProofError(f"two trees of {first} leaves have different roots")
        return
    if not proof:
        raise ProofError(f"consistency proof from {first} to {second} is empty")
    first_found, second_found = _roots_from_consistency_proof(first, second, proof, first_root)
    if first_found != first_root or second_found != second_root:
        raise ProofError(f"consistency proof from {first} to {second} does not lead to both roots")


def _roots_from_consistency_proof(
    first: int, second: int, proof: Sequence[bytes], first_root: bytes
) -> tuple[bytes, bytes]:
    """RFC 9162 §2.1.4.2 steps 2 to 6: the two roots the proof leads to."""
    path = [first_root, *proof] if first & (first - 1) == 0 else list(proof)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError(f"consistency proof is too long: {len(proof)} hashes")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError(f"consistency proof is too short: {len(proof)} hashes")
    return fr, sr


def _largest_power_of_two_below(n: int) -> int:
    """The k of RFC 9162 §2.1.1: the largest power of two smaller than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def _joined(leaf_hashes: Sequence[bytes]) -> bytes:
    if set(map(len, leaf_hashes)) - {HASH_SIZE}:
        bad = next(i for i, h in enumerate(leaf_hashes) if len(h) != HASH_SIZE)
        raise ProofError(f"leaf hash {bad} is {len(leaf_hashes[bad])} bytes, not {HASH_SIZE}")
    return b"".join(leaf_hashes)


def _parent_level(level: bytes) -> bytes:
    """The next level up: each pair hashed as a node, an unpaired last node carried up."""
    paired = len(level) // (2 * HASH_SIZE) * 2 * HASH_SIZE
    parents = b"".join([sha256(_NODE + level[i : i + 64]).digest() for i in range(0, paired, 64)])
    return parents + level[paired:]


def _check_hashes(*hashes: bytes) -> None:
    for value in hashes:
        if not isinstance(value, bytes | bytearray) or len(value) != HASH_SIZE:
            raise ProofError(f"malformed hash: {HASH_SIZE} bytes expected, got {value!r:.80}")
