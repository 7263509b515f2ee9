"""Inclusion proofs of a large log from its tiles, without holding or reading every leaf.

A tile is a run of ``2**height`` consecutive leaves (256 by default) starting at a
multiple of its width; the last tile of a tree may be shorter. Its root is ``MTH`` of its
leaves, which is node ``t`` of level ``height`` of the whole tree (RFC 9162 §2.1.1, the
level-by-level form of :mod:`tutela.ledger.merkle`). Above that level the tree depends on
the tile roots only, and every split of the RFC 9162 recursion over more than one tile
falls on a tile boundary (the largest power of two below a length above the width is a
multiple of the width). So the audit path of leaf ``i`` (§2.1.3.1, listed from the leaf
up) is its path inside its tile followed by its tile's path in the tree of tile roots:
:class:`TiledTree` keeps the tile roots (32 bytes per 256 leaves, 125 KB per million) and
needs only the tree of one tile's leaf hashes to prove a leaf. Pure: the caller reads them.
"""

from __future__ import annotations

from collections.abc import Sequence

from tutela.ledger.merkle import EMPTY_ROOT, MerkleTree, ProofError, tree_head

TILE_HEIGHT = 8
"""Leaves per tile: ``2**8``. A proof reads one tile of recorded leaf hashes (16 KB in hex)."""


def tile_roots(leaf_hashes: Sequence[bytes], height: int = TILE_HEIGHT) -> list[bytes]:
    """The root of each tile of ``leaf_hashes``, the first tile starting at leaf 0."""
    width = 1 << height
    return [tree_head(leaf_hashes[i : i + width]) for i in range(0, len(leaf_hashes), width)]


class TiledTree:
    """The tree of ``size`` leaves known by its tile roots: root and inclusion proofs.

    Raises :class:`~tutela.ledger.merkle.ProofError` when ``roots`` is not one root per
    tile of ``size`` leaves, for an index outside the tree, and when the leaves given for
    a proof are not those of the tile (their count or their root differs).
    """

    def __init__(self, size: int, roots: Sequence[bytes], height: int = TILE_HEIGHT) -> None:
        self.size, self.height, self.width = size, height, 1 << height
        if size < 0 or len(roots) != -(-size // self.width):
            raise ProofError(f"a tree of {size} leaves has {-(-size // self.width)} tile roots")
        self.roots = tuple(roots)
        self._upper = MerkleTree(self.roots)

    @property
    def complete(self) -> int:
        """How many tiles are full (their roots stay the same in every larger tree)."""
        return self.size // self.width

    def root(self) -> bytes:
        """MTH of the ``size`` leaves (RFC 9162 §2.1.1)."""
        return self._upper.root() if self.size else EMPTY_ROOT

    def tile_of(self, index: int) -> int:
        """The tile that holds leaf ``index``."""
        if not 0 <= index < self.size:
            raise ProofError(f"leaf index {index} is outside a tree of {self.size} leaves")
        return index >> self.height

    def span(self, tile: int) -> tuple[int, int]:
        """The leaf indexes ``[start, end)`` of ``tile`` (the last one may be short)."""
        start = tile * self.width
        return start, min(start + self.width, self.size)

    def inclusion(self, index: int, tile_tree: MerkleTree) -> list[bytes]:
        """PATH(index, D[size]) (RFC 9162 §2.1.3.1) from the tree of its tile's leaf hashes.

        ``tile_tree`` is ``MerkleTree`` of the leaf hashes of the tile holding ``index``
        (built once per tile, for all its leaves' proofs); it must lead to the tile's root.
        """
        tile = self.tile_of(index)
        start, end = self.span(tile)
        if tile_tree.size != end - start or tile_tree.root() != self.roots[tile]:
            raise ProofError(f"the leaves given for tile {tile} are not those of the tree")
        inner = tile_tree.inclusion(index - start)
        return inner + (self._upper.inclusion(tile) if len(self.roots) > 1 else [])
