"""`tutela keys` and `tutela serve` through the real command line."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner, Result

from tutela.cli.main import app
from tutela.testing import shopdb


def run(env: dict[str, str], *args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(app, list(args), env=env)
    assert "Traceback" not in result.output
    assert result.exit_code == code, result.output
    return result


def test_keys_create_list_revoke(environ: dict[str, str]) -> None:
    made = run(environ, "keys", "create", "alice", "--role", "auditor")
    key = made.stdout.strip()
    assert key.startswith("tk_") and len(key) == 59
    listed = json.loads(run(environ, "keys", "list", "--format", "json").stdout)
    (row,) = listed
    assert row["name"] == "alice" and row["role"] == "auditor" and row["revoked_at"] is None
    assert key not in json.dumps(listed) and key[16:] not in run(environ, "keys", "list").output
    run(environ, "keys", "revoke", row["id"])
    again = json.loads(run(environ, "keys", "list", "--format", "json").stdout)
    assert again[0]["revoked_at"] is not None
    assert "unknown role" in run(environ, "keys", "create", "bob", "--role", "root", code=7).output
    run(environ, "keys", "revoke", "not-a-key-id", code=7)


def test_serve_answers_over_http_and_refuses_an_unmigrated_store(
    environ: dict[str, str], tmp_path: Path
) -> None:
    blank = {**environ, "TUTELA_DATABASE_URL": f"sqlite:///{tmp_path / 'blank.sqlite'}"}
    refused = run(blank, "serve", str(shopdb.shop_programme_path()), "--port", "1", code=6)
    assert "tutela db upgrade" in refused.output
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    command = [sys.executable, "-c", "from tutela.cli.main import main; main()", "serve"]
    command += [str(shopdb.shop_programme_path()), "--port", str(port)]
    key = run(environ, "keys", "create", "ops", "--role", "privacy_officer").stdout.strip()
    server = subprocess.Popen(command, env={**os.environ, **environ}, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        document = _get(f"http://127.0.0.1:{port}/openapi.json")
        assert document["info"]["title"] == "tutela"
        body = {"type": "objection_direct_marketing", "identity": {"email": "ann@example.test"}}
        made = httpx.post(f"{base}/requests", json=body, timeout=10).json()
        staff = {"Authorization": f"Bearer {key}"}
        approved = httpx.post(f"{base}/staff/requests/{made['id']}/approve", headers=staff)
        assert approved.status_code == 200, approved.text
        token = {"X-Status-Token": made["status_token"]}
        assert _completed(f"{base}/requests/{made['id']}/status", token)["download_url"]
    finally:
        server.terminate()
        server.wait(timeout=20)


def _completed(url: str, headers: dict[str, str]) -> dict[str, object]:
    """The status once the in-process worker completed the request."""
    deadline = time.monotonic() + 30
    while True:
        document: dict[str, object] = httpx.get(url, headers=headers, timeout=5).json()
        if document["state"] == "completed" or time.monotonic() > deadline:
            assert document["state"] == "completed", document
            return document
        time.sleep(0.2)


def _get(url: str) -> dict[str, object]:
    deadline = time.monotonic() + 30
    while True:
        try:
            response = httpx.get(url, timeout=2)
            document: dict[str, object] = response.json()
            return document
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
