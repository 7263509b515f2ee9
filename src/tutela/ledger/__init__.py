"""The transparency log's cryptographic core: RFC 9162 Merkle trees and signed checkpoints.

``merkle`` hashes leaves and trees, and generates and verifies inclusion and consistency
proofs (RFC 9162 §2.1); ``checkpoint`` signs and verifies tree heads as C2SP
tlog-checkpoint notes with Ed25519 (C2SP signed-note). The ledger holds ids and keyed
digests only: what it hashes is never personal data in the clear.
"""

from tutela.ledger.checkpoint import (
    Checkpoint,
    CheckpointError,
    Note,
    Signature,
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
from tutela.ledger.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
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

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "Checkpoint",
    "CheckpointError",
    "MerkleTree",
    "Note",
    "ProofError",
    "Signature",
    "SigningKey",
    "VerifierKey",
    "consistency_proof",
    "generate_key",
    "inclusion_proof",
    "key_id",
    "leaf_hash",
    "node_hash",
    "open_note",
    "parse_note",
    "root_from_inclusion_proof",
    "sign_checkpoint",
    "sign_note",
    "tree_head",
    "verify_checkpoint",
    "verify_consistency",
    "verify_inclusion",
]
