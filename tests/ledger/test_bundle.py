"""Evidence bundles: built for one request, verified offline, and refused when altered."""

from __future__ import annotations

import ast
import copy
import json
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import tutela.ledger.verifier as verifier_module
from tutela.ledger.bundle import build_bundle, bundle_text
from tutela.ledger.checkpoint import Checkpoint, SigningKey, generate_key, sign_checkpoint
from tutela.ledger.entries import Entry
from tutela.ledger.merkle import tree_head
from tutela.ledger.verifier import BundleError, main, verify_bundle

ORIGIN = "tutela.example/ledger"
START = datetime(2025, 1, 1, tzinfo=UTC)
KEY = generate_key(ORIGIN)


def make_log(size: int) -> list[Entry]:
    actions = ("received", "verified", "erased")
    return [
        Entry(
            seq=i,
            time=START + timedelta(minutes=i),
            actor="system",
            action=actions[i % 3],
            request=f"req-{i % 3}",
            before=f"{i:064x}",
        )
        for i in range(size)
    ]


def signed(log: list[Entry], key: SigningKey = KEY) -> str:
    root = tree_head([entry.leaf_hash() for entry in log])
    return sign_checkpoint(Checkpoint(ORIGIN, len(log), root), key)


@pytest.fixture
def bundle() -> dict[str, Any]:
    log = make_log(11)
    return build_bundle(log, "req-1", signed(log), KEY.verifier)


def test_FEE_2_a_bundle_round_trip_verifies_offline(bundle: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "bundle.json"
    path.write_text(bundle_text(bundle), encoding="utf-8")
    verified = verify_bundle(json.loads(path.read_text(encoding="utf-8")), KEY.verifier)
    assert [entry["seq"] for entry in verified.entries] == [1, 4, 7, 10]
    assert verified.checkpoint.size == 11
    assert verified.lines()[-1] == "verified: 4 entries of request req-1"


def test_the_command_prints_what_it_verified(
    bundle: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bundle.json"
    path.write_text(bundle_text(bundle), encoding="utf-8")
    assert main([str(path), "--key", str(KEY.verifier)]) == 0
    out = capsys.readouterr().out
    assert f"checkpoint: signed by {ORIGIN}+" in out
    assert "entry 7: included: 2025-01-01T00:07:00Z system verified" in out


def test_the_command_runs_as_a_module(bundle: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "bundle.json"
    path.write_text(bundle_text(bundle), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "tutela.ledger.verifier", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "key: taken from the bundle" in done.stdout


def test_an_edited_entry_fails(bundle: dict[str, Any]) -> None:
    fields = json.loads(bundle["entries"][1]["entry"])
    fields["action"] = "refused"
    bundle["entries"][1]["entry"] = json.dumps(fields, sort_keys=True, separators=(",", ":"))
    with pytest.raises(BundleError, match="entry 4 is not proven in the signed log"):
        verify_bundle(bundle)


def test_a_proof_for_another_entry_fails(bundle: dict[str, Any]) -> None:
    bundle["entries"][0]["proof"] = bundle["entries"][1]["proof"]
    with pytest.raises(BundleError, match="entry 1 is not proven"):
        verify_bundle(bundle)


def test_an_entry_moved_to_another_index_fails(bundle: dict[str, Any]) -> None:
    bundle["entries"][0]["index"] = 4
    with pytest.raises(BundleError, match="sequence number is not its leaf index"):
        verify_bundle(bundle)


def test_a_truncated_proof_fails(bundle: dict[str, Any]) -> None:
    bundle["entries"][2]["proof"] = bundle["entries"][2]["proof"][:-1]
    with pytest.raises(BundleError, match=r"entry 7 .* too short"):
        verify_bundle(bundle)


def test_a_checkpoint_signed_by_another_key_fails(bundle: dict[str, Any]) -> None:
    log = make_log(11)
    bundle["checkpoint"] = signed(log, generate_key(ORIGIN))
    with pytest.raises(BundleError, match=r"checkpoint does not verify: .*not signed by key"):
        verify_bundle(bundle)


def test_a_bundle_whose_own_key_is_not_the_trusted_one_fails(bundle: dict[str, Any]) -> None:
    impostor = generate_key(ORIGIN)
    forged = build_bundle(make_log(11), "req-1", signed(make_log(11), impostor), impostor.verifier)
    assert verify_bundle(forged).key == impostor.verifier
    with pytest.raises(BundleError, match="not signed by key"):
        verify_bundle(forged, str(KEY.verifier))


def test_an_entry_of_another_request_fails(bundle: dict[str, Any]) -> None:
    bundle["request"] = "req-2"
    with pytest.raises(BundleError, match="not an entry of request req-2"):
        verify_bundle(bundle)


def test_a_non_canonical_entry_fails(bundle: dict[str, Any]) -> None:
    fields = json.loads(bundle["entries"][0]["entry"])
    bundle["entries"][0]["entry"] = json.dumps(fields)
    with pytest.raises(BundleError, match="not a canonical JSON object"):
        verify_bundle(bundle)


def test_the_command_fails_with_a_clear_message(
    bundle: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tampered = copy.deepcopy(bundle)
    tampered["entries"][0]["proof"] = []
    path = tmp_path / "bundle.json"
    path.write_text(bundle_text(tampered), encoding="utf-8")
    assert main([str(path)]) == 1
    assert capsys.readouterr().err.startswith("FAILED: entry 1 is not proven")
    path.write_text("{", encoding="utf-8")
    assert main([str(path)]) == 1
    assert "cannot read bundle" in capsys.readouterr().err


def test_building_refuses_a_log_that_does_not_match_its_checkpoint() -> None:
    log = make_log(6)
    note = signed(log)
    edited = [*log[:2], replace(log[2], actor="staff:eve"), *log[3:]]
    with pytest.raises(BundleError, match="does not lead to the checkpoint's root"):
        build_bundle(edited, "req-1", note, KEY.verifier)
    with pytest.raises(BundleError, match="no entry"):
        build_bundle(log, "req-9", note, KEY.verifier)
    with pytest.raises(BundleError, match="fewer than the checkpoint's size"):
        build_bundle(log[:5], "req-1", note, KEY.verifier)


def test_the_verifier_imports_only_stdlib_cryptography_merkle_and_checkpoint() -> None:
    tree = ast.parse(Path(verifier_module.__file__).read_text(encoding="utf-8"))
    imports = [node for node in ast.walk(tree) if isinstance(node, ast.Import)]
    imported = {alias.name for node in imports for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    tutela = {name for name in imported if name.startswith("tutela")}
    assert tutela == {"tutela.ledger.merkle", "tutela.ledger.checkpoint"}
    others = {name.split(".")[0] for name in imported - tutela} - {"__future__"}
    assert others <= set(sys.stdlib_module_names) | {"cryptography"}


def test_loading_the_verifier_loads_nothing_else_of_tutela() -> None:
    code = "import json, sys, tutela.ledger.verifier; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = {name for name in json.loads(done.stdout) if name.startswith("tutela")}
    assert loaded <= {
        "tutela",
        "tutela.errors",
        "tutela.ledger",
        "tutela.ledger.merkle",
        "tutela.ledger.checkpoint",
        "tutela.ledger.verifier",
    }
