"""The reference programme renders a statement covering every section of the seed.

The seed is the Cloudockit privacy statement (shared/seed/000_eec64fa122c1f1f2.txt);
each test names the seed section it covers and checks facts from it appear in the
section tutela renders from examples/cloudockit.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tutela.programme.loader import load_programme
from tutela.statement.build import build_statement, render_statement
from tutela.statement.view import StatementView

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cloudockit"


@pytest.fixture(scope="module")
def view() -> StatementView:
    return build_statement(load_programme(EXAMPLE))


def _text(view: StatementView, section_id: str) -> str:
    return view.section(section_id).text()


def test_seed_1_and_2_controller_and_processor_role(view: StatementView) -> None:
    text = _text(view, "controller")
    for fact in ("Lansweeper Canada Inc.", "1334690-1", "Saint-Denis", "Montreal", "Canada"):
        assert fact in text
    assert "https://www.cloudockit.com/" in text
    assert "we are a processor" in text and "refer to the privacy statement" in text


def test_seed_3_personal_data_and_how_it_is_collected(view: StatementView) -> None:
    assert "Professional data" in _text(view, "personal-data")
    collection = _text(view, "collection")
    assert "Stripe" in collection and "Cleverbridge" in collection
    assert "beep" in collection
    assert "Data we record automatically" in collection


def test_seed_4_and_5_purposes_and_legal_bases(view: StatementView) -> None:
    purposes = _text(view, "purposes")
    for name in ("Analytics", "Customer support", "Recruitment", "Complying with law"):
        assert name in purposes
    bases = _text(view, "legal-bases")
    assert "Legitimate interests (Art. 6(1)(f) GDPR)" in bases
    assert "Consent (Art. 6(1)(a) GDPR)" in bases
    assert "Legal obligation (Art. 6(1)(c) GDPR)" in bases


def test_seed_6_recipients_and_transfers(view: StatementView) -> None:
    recipients = _text(view, "recipients")
    assert "Stripe" in recipients and "We name these recipients by category" in recipients
    transfers = _text(view, "transfers")
    assert "United States" in transfers
    assert "standard contractual clauses" in transfers
    assert "transfer impact assessed" in transfers


def test_seed_7_rights_and_right_to_object(view: StatementView) -> None:
    rights = _text(view, "rights")
    assert "privacy@cloudockit.com" in rights
    assert "Your right to object" in rights
    assert "unsubscribe" in rights


def test_seed_8_to_13_security_retention_cookies_links_community_anonymous_changes(
    view: StatementView,
) -> None:
    assert "confidentiality" in _text(view, "security")
    assert "24 or 48 hours after the scan" in _text(view, "retention")
    assert "Necessary" in _text(view, "cookies")
    assert "link to other websites" in _text(view, "links")
    assert "moderate" in _text(view, "community")
    assert "statistic" in _text(view, "anonymous-data")
    assert "This is version" in _text(view, "modifications")


def test_seed_14_complaints_and_belgian_authority(view: StatementView) -> None:
    text = _text(view, "complaints")
    assert "Fraterstraat 212" in text
    assert "Gegevensbeschermingsautoriteit" in text
    assert "Art. 77 GDPR" in text


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_reference_statement_renders_deterministically(fmt: str) -> None:
    programme = load_programme(EXAMPLE)
    assert render_statement(programme, fmt) == render_statement(programme, fmt)  # type: ignore[arg-type]
