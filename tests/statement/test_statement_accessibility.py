"""An accessible, linkable, translatable statement (GDPR Art. 12(1)-(2); WCAG 2.2 AA).

Every e-mail address and web address is a link (mailto:/https), in Markdown and in HTML;
the HTML page has the statement's language, one h1 and headings in order, a skip link and
a table of contents, meaning never carried by colour alone, and text colours with a
contrast of at least 4.5:1 (WCAG 2.2 SC 1.4.3). tutela's own wording goes through gettext
so it can be translated (Art. 12(1): a language the reader understands).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tutela import i18n
from tutela.programme.loader import load_programme
from tutela.statement.build import render_statement
from tutela.statement.links import segments

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "cloudockit"
RICH = Path(__file__).resolve().parent / "statement_rich"

EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.IGNORECASE)
URL = re.compile(r"https?://\S+|\bwww\.[a-z0-9-]+\.[a-z]", re.IGNORECASE)


@pytest.fixture(scope="module", params=[EXAMPLE, RICH], ids=["example", "rich"])
def html(request: pytest.FixtureRequest) -> str:
    return render_statement(load_programme(request.param), "html")


@pytest.fixture(scope="module", params=[EXAMPLE, RICH], ids=["example", "rich"])
def markdown(request: pytest.FixtureRequest) -> str:
    return render_statement(load_programme(request.param), "md")


class _Page(HTMLParser):
    """Headings, ids, links, and the text outside links of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.loose_text: list[str] = []
        self.lang: str | None = None
        self._in_link = 0
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        if tag == "html":
            self.lang = values.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "a":
            self._in_link += 1
            if values.get("href"):
                self.hrefs.append(str(values["href"]))
        self._in_style = self._in_style or tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._in_link -= 1
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if not self._in_link and not self._in_style:
            self.loose_text.append(data)


def _page(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def test_art12_2_every_email_and_url_is_a_link_in_markdown(markdown: str) -> None:
    targets = re.findall(r"\]\(([^)]*)\)", markdown)
    assert targets and all(t.startswith(("mailto:", "https://", "http://", "#")) for t in targets)
    loose = re.sub(r"\[[^\]]*\]\([^)]*\)", " ", markdown)
    assert EMAIL.findall(loose) == [] and URL.findall(loose) == []


def test_art12_2_every_email_and_url_is_a_link_in_html(html: str) -> None:
    page = _page(html)
    loose = " ".join(page.loose_text)
    assert EMAIL.findall(loose) == [] and URL.findall(loose) == []
    assert all(h.startswith(("mailto:", "https://", "http://", "#")) for h in page.hrefs)


def test_art12_2_links_keep_the_sentence_punctuation_outside() -> None:
    assert segments("Write to a@b.example. See https://x.example/p.") == [
        ("Write to ", None),
        ("a@b.example", "mailto:a@b.example"),
        (". See ", None),
        ("https://x.example/p", "https://x.example/p"),
        (".", None),
    ]
    assert segments("Visit www.example.com today")[1] == (
        "www.example.com",
        "https://www.example.com",
    )


def test_wcag_html_has_language_one_h1_ordered_headings_and_skip_link(html: str) -> None:
    page = _page(html)
    assert page.lang == "en"
    assert page.headings.count(1) == 1 and page.headings[0] == 1
    steps = zip(page.headings, page.headings[1:], strict=False)
    assert all(after - before <= 1 for before, after in steps)
    assert '<a class="skip-link" href="#contents">' in html
    assert all(href[1:] in page.ids for href in page.hrefs if href.startswith("#"))
    assert '<nav id="contents" aria-labelledby="contents-title">' in html
    assert '<th scope="col">' in html


def test_wcag_meaning_never_by_colour_alone(html: str) -> None:
    assert '<aside class="notice" aria-label="Your right to object">' in html
    assert "<strong>Your right to object.</strong>" in html
    css = _style(html)
    assert re.search(r"\ba \{[^}]*text-decoration: underline", css)


def _style(html: str) -> str:
    return html.split("<style>", 1)[1].split("</style>", 1)[0]


def _luminance(colour: str) -> float:
    hex_digits = colour.lstrip("#")
    if len(hex_digits) == 3:
        hex_digits = "".join(c * 2 for c in hex_digits)
    channels = [int(hex_digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(one: str, other: str) -> float:
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_wcag_1_4_3_text_contrast_at_least_4_5_to_1(html: str) -> None:
    rules = re.findall(r"([^{}]+)\{([^}]*)\}", _style(html))
    text_on_own: list[tuple[str, str]] = []
    text_alone: list[str] = []
    backgrounds = ["#ffffff"]
    for _selector, body in rules:
        colour = re.search(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})", body)
        ground = re.search(r"background(?:-color)?:\s*(#[0-9a-fA-F]{3,6})", body)
        if colour and ground:
            text_on_own.append((colour[1], ground[1]))
        elif colour:
            text_alone.append(colour[1])
        elif ground:
            backgrounds.append(ground[1])
    pairs = text_on_own + [(c, b) for c in text_alone for b in backgrounds]
    assert len(pairs) >= 4
    low = [(c, b, round(_contrast(c, b), 2)) for c, b in pairs if _contrast(c, b) < 4.5]
    assert low == []


def test_art12_1_tutela_wording_goes_through_gettext(monkeypatch: pytest.MonkeyPatch) -> None:
    class Marked:
        def gettext(self, message: str) -> str:
            return f"⟦{message}⟧"

        def ngettext(self, singular: str, plural: str, count: int) -> str:
            return f"⟦{singular if count == 1 else plural}⟧"

    monkeypatch.setattr(i18n, "translations", lambda code: Marked())
    programme = load_programme(RICH)
    for fmt in ("md", "html"):
        text = render_statement(programme, fmt)  # type: ignore[arg-type]
        assert "⟦Summary⟧" in text and "⟦Contents⟧" in text
        assert "⟦Your rights⟧" in text and "⟦E-mail address⟧" not in text
        assert "⟦e-mail address⟧" in text  # a category label of tutela's table
        bare = re.sub(r"⟦[^⟧]*⟧", " ", text)
        for phrase in ("Legal basis", "Your right to object", "Who we are", "Necessary"):
            assert phrase not in bare, (fmt, phrase)
