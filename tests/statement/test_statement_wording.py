"""The statement's fixed wording, its jurisdictions data and its view helpers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tutela.jurisdictions import Jurisdictions, packaged_jurisdictions
from tutela.programme.loader import load_programme
from tutela.statement.build import build_statement, markdown_cell, markdown_text
from tutela.statement.view import BulletList, Paragraph, Section, StatementView, Subsection
from tutela.statement.wording import (
    duration,
    event,
    format_date,
    inline,
    join_words,
    paragraphs,
    sentence,
)

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("24h", "24 hours"),
        ("1h", "1 hour"),
        ("7y", "7 years"),
        ("1 year", "1 year"),
        ("13m", "13 months"),
        ("90d", "90 days"),
        ("2 weeks", "2 weeks"),
        ("session", "session"),
        ("12 parsecs", "12 parsecs"),
    ],
)
def test_RT_1_durations_in_words(text: str, words: str) -> None:
    assert duration(text) == words


def test_dates_do_not_depend_on_the_locale() -> None:
    assert format_date(date(2026, 1, 5)) == "5 January 2026"
    assert format_date(date(2025, 12, 31)) == "31 December 2025"


@pytest.mark.parametrize(
    ("items", "joined"),
    [([], ""), (["a"], "a"), (["a", "b"], "a and b"), (["a", "b", "c"], "a, b and c")],
)
def test_join_words(items: list[str], joined: str) -> None:
    assert join_words(items) == joined


def test_small_phrasing_helpers() -> None:
    assert event("contract_end") == "the end of the contract"
    assert event("contract_ended") == "the contract is ended"
    assert event("renewal_date") == "renewal date"
    assert sentence("  keep it\n short ") == "keep it short."
    assert sentence("Done?") == "Done?"
    assert paragraphs("one\nline\n\n  two  \n\n\n") == ("one line", "two")
    assert inline("The unsubscribe link") == "the unsubscribe link"
    assert inline("Theory") == "Theory"


def test_markdown_filters_make_text_inert() -> None:
    assert markdown_text("<b>x</b>") == "&lt;b>x&lt;/b>"
    assert markdown_text("- not a list") == "\\- not a list"
    assert markdown_text("12) not a list") == "12\\) not a list"
    assert markdown_text("2026 is a year") == "2026 is a year"
    assert markdown_cell("a | b\nc") == "a \\| b c"


def test_CP_1_packaged_authorities_and_country_names() -> None:
    places = packaged_jurisdictions()
    assert places.country("BE") == "Belgium"
    assert places.country("US") == "United States"
    assert places.in_eea("NO") and not places.in_eea("CH")
    assert places.authority("FR").name.endswith("(CNIL)")
    assert places.authority("FR").websites == ("cnil.fr",)


def test_CP_1_authority_falls_back_to_the_country() -> None:
    places = packaged_jurisdictions()
    assert places.authority("GB").name == "the data protection authority of United Kingdom (GB)"
    assert Jurisdictions().authority("BE").name == "the data protection authority of BE"


def test_statement_renders_without_any_jurisdiction_data() -> None:
    programme = load_programme(MINIMAL)
    view = build_statement(programme, jurisdictions=Jurisdictions())
    complaints = view.section("complaints").text()
    assert "the data protection authority of BE" in complaints
    assert "Rue de la Loi 1, 1000 Brussels, BE" in view.section("controller").text()


def test_view_lookup_and_plain_text() -> None:
    section = Section(
        "rights",
        8,
        "Your rights",
        (Paragraph("One."), Subsection("More", (BulletList(("a", "b")),))),
    )
    view = StatementView("T", "en", "", (), (section,))
    assert view.section("rights").heading == "8. Your rights"
    assert section.text() == "One.\nMore\na\nb"
    with pytest.raises(KeyError):
        view.section("cookies")
