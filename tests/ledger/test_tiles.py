"""Tiles: a tree known by its tile roots proves every leaf exactly as the whole tree does."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutela.ledger.merkle import EMPTY_ROOT, MerkleTree, ProofError, leaf_hash, verify_inclusion
from tutela.ledger.tiles import TILE_HEIGHT, TiledTree, tile_roots


def leaves(count: int) -> list[bytes]:
    return [leaf_hash(i.to_bytes(4, "big")) for i in range(count)]


def tiled(hashes: list[bytes], height: int) -> TiledTree:
    return TiledTree(len(hashes), tile_roots(hashes, height), height)


def tile(hashes: list[bytes], tree: TiledTree, index: int) -> MerkleTree:
    start, end = tree.span(tree.tile_of(index))
    return MerkleTree(hashes[start:end])


@settings(max_examples=300)
@given(st.data())
def test_a_tiled_proof_is_the_whole_trees_proof_and_verifies(data: st.DataObject) -> None:
    height = data.draw(st.integers(0, 4), label="height")
    size = data.draw(st.integers(1, 300), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    hashes = leaves(size)
    tree, whole = tiled(hashes, height), MerkleTree(hashes)
    assert tree.root() == whole.root()
    proof = tree.inclusion(index, tile(hashes, tree, index))
    assert proof == whole.inclusion(index)
    verify_inclusion(index, size, hashes[index], proof, whole.root())


def test_default_tiles_of_a_thousand_leaves_prove_the_right_edge() -> None:
    hashes = leaves(1000)
    tree = tiled(hashes, TILE_HEIGHT)
    assert (len(tree.roots), tree.complete, tree.span(3)) == (4, 3, (768, 1000))
    assert tree.inclusion(999, MerkleTree(hashes[768:])) == MerkleTree(hashes).inclusion(999)
    assert TiledTree(0, []).root() == EMPTY_ROOT


def test_leaves_that_are_not_the_tiles_are_refused() -> None:
    hashes = leaves(40)
    tree = tiled(hashes, 3)
    changed = list(hashes[8:16])
    changed[2] = leaf_hash(b"edited")
    with pytest.raises(ProofError, match="not those of the tree"):
        tree.inclusion(10, MerkleTree(changed))
    with pytest.raises(ProofError, match="not those of the tree"):
        tree.inclusion(10, MerkleTree(hashes[8:15]))
    with pytest.raises(ProofError, match="not those of the tree"):
        tree.inclusion(10, MerkleTree(hashes[16:24]))  # another tile's leaves
    with pytest.raises(ProofError, match="outside a tree of 40"):
        tree.inclusion(40, MerkleTree(hashes[32:40]))
    with pytest.raises(ProofError, match="has 5 tile roots"):
        TiledTree(40, tree.roots[:4], 3)
