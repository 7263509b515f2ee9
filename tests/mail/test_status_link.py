"""The status link of a mailed request: the acknowledgement carries it, the API takes it.

A request that arrives by mail has no submit response, so its status token travels in
the acknowledgement, to the address on file like the code (ID-1). The token is signed
under :func:`tutela.requests.sealing.status_key`, the derivation the API used before, so
tokens already issued keep working, and a status token is never a download link.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage

import pytest
from fastapi.testclient import TestClient
from tests.mail.conftest import CORPUS, Inbox

from tutela.api.app import create_app
from tutela.bootstrap import build
from tutela.programme.loader import load_programme
from tutela.requests.acknowledgement import acknowledgement
from tutela.requests.sealing import (
    STATUS_TOKEN_LIFE,
    LinkError,
    StoreKey,
    Use,
    check_link,
    sign_link,
    status_key,
)
from tutela.testing import shopdb

REQUEST_ID = "3f2a6c1e-8d4b-4c2a-9e1f-0a1b2c3d4e5f"
LINK = f"https://privacy.shop.example.test/requests/{REQUEST_ID}/status?token=1.abc"
STATUS_LINK = re.compile(r"https?://\S+/requests/([0-9a-f-]{36})/status\?token=(\S+)")


def test_ID_1_status_key_is_the_derivation_tokens_were_issued_under() -> None:
    key = StoreKey.parse(StoreKey.generate())
    before = StoreKey.derive(key.subkey(Use.LINK) + b"/tutela/status-token/v1")
    assert status_key(key) == before  # tokens already issued stay valid
    now = datetime(2025, 3, 5, 10, tzinfo=UTC)
    token = sign_link(status_key(key), REQUEST_ID, now + STATUS_TOKEN_LIFE)
    assert check_link(status_key(key), token, now + timedelta(days=399), REQUEST_ID)
    with pytest.raises(LinkError):
        check_link(key, token, now, REQUEST_ID)  # a status token is not a download link
    with pytest.raises(LinkError, match="expired"):
        check_link(status_key(key), token, now + STATUS_TOKEN_LIFE, REQUEST_ID)


def acknowledged(lang: str, link: str | None) -> str:
    message: EmailMessage = acknowledgement(
        sender="privacy@shop.example.test",
        to="ann@example.test",
        request_id=REQUEST_ID,
        kind="access",
        received_at=datetime(2025, 3, 5, 10, tzinfo=UTC),
        due=date(2025, 4, 7),
        code_follows=True,
        lang=lang,
        status_link=link,
    )
    return str(message.get_content())


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "Follow your request, verify it and withdraw it here"),
        ("fr", "Suivez votre demande"),
        ("nl", "Volg uw verzoek"),
        ("de", "verfolgen Sie Ihren Antrag"),
    ],
)
def test_DL_10_the_acknowledgement_carries_the_status_link_in_the_subjects_language(
    lang: str, words: str
) -> None:
    body = acknowledged(lang, LINK)
    assert words in body and LINK in body
    assert "status?token" not in acknowledged(lang, None)


def altered(token: str) -> str:
    """``token`` with its signature's last character changed."""
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def test_ID_1_a_mailed_request_is_followed_and_withdrawn_with_its_status_link(
    env: dict[str, str], inbox: tuple[Inbox, int]
) -> None:
    application = build(env)
    programme = load_programme(shopdb.shop_programme_path())
    made = application.mailbox(programme).ingest((CORPUS / "en_access.eml").read_bytes())
    (ack,) = [m for m in inbox[0].messages if "We received" in str(m["Subject"])]
    found = STATUS_LINK.search(str(ack.get_content()))
    assert found is not None and found.group(1) == made.request_id
    request, token = found.groups()
    with TestClient(create_app(application, programme), raise_server_exceptions=False) as http:
        shown = http.get(f"/requests/{request}/status", params={"token": token})
        assert shown.status_code == 200 and shown.json()["state"] == "awaiting_identity"
        api = f"/api/v1/requests/{request}"
        assert http.get(f"{api}/status", params={"token": altered(token)}).status_code == 403
        wrong = {"X-Status-Token": altered(token)}
        assert http.get(f"{api}/status", params={"token": token}, headers=wrong).status_code == 403
        withdrawn = http.post(f"{api}/withdraw", params={"token": token})
        assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
