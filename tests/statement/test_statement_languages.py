"""The statement in the subjects' languages: en, fr, nl and de (GDPR Art. 12(1); WP260 ¶13).

The Cloudockit example declares four languages. Each rendering has every section, the
layered summary, the readability targets of the English one (no sentence over 40 words,
nothing said twice, no raw taxonomy label, a summary of at most 400 words), and is in
that language: tutela's wording from its catalogue, the programme's texts from their
translations. Every message the code marks for translation has a translation in every
catalogue, with the same placeholders.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path
from string import Formatter

import pytest
from readable import all_units, items, plain, sentences, words

from tutela import i18n
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.statement.build import SECTION_IDS, build_statement, render_statement
from tutela.statement.view import StatementView, Subsection

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "cloudockit"
SEED = Path("/work/shared/seed/000_eec64fa122c1f1f2.txt")
SEED_WORDS = 3605  # the seed's words as readable.words counts them (see the readability tests)
LANGUAGES = ("en", "fr", "nl", "de")
TRANSLATED = LANGUAGES[1:]


@cache
def example() -> Programme:
    return load_programme(EXAMPLE)


@cache
def view(language: str) -> StatementView:
    return build_statement(example(), language=language)


@cache
def markdown(language: str) -> str:
    return render_statement(example(), "md", language)


def test_art12_1_the_example_declares_the_four_languages() -> None:
    statement = example().statement
    assert statement is not None
    assert tuple(statement.languages) == LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
def test_art13_each_language_has_every_section_and_the_summary(language: str) -> None:
    built = view(language)
    assert built.language == language
    assert {section.id for section in built.sections} >= set(SECTION_IDS)
    assert len([b for b in built.summary if isinstance(b, Subsection)]) == 6
    text = markdown(language)
    summary, contents = text.index('<a id="summary"></a>'), text.index('<a id="contents"></a>')
    assert summary < contents < text.index(f'<a id="{SECTION_IDS[0]}"></a>')
    html = render_statement(example(), "html", language)
    assert f'<html lang="{language}">' in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_art12_1_summary_at_most_400_words_in_each_language(language: str) -> None:
    assert words(view(language).summary_text()) <= 400


@pytest.mark.parametrize("language", LANGUAGES)
def test_art12_1_statement_at_most_1_3_times_the_seed_in_each_language(language: str) -> None:
    seed = words(SEED.read_text(encoding="utf-8")) if SEED.is_file() else SEED_WORDS
    assert words(plain(markdown(language))) <= int(1.3 * seed)


@pytest.mark.parametrize("language", LANGUAGES)
def test_art12_1_no_sentence_over_40_words_in_each_language(language: str) -> None:
    built = view(language)
    long = [s for unit in all_units(built) for s in sentences(unit) if words(s) > 40]
    assert long == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_art12_1_nothing_said_twice_and_no_raw_key_in_each_language(language: str) -> None:
    built = view(language)
    said = [*items(built.intro), *items(built.summary)]
    said += [text for section in built.sections for text in items(section.blocks)]
    assert [text for text, count in Counter(said).items() if count > 1] == []
    assert re.findall(r"\b(?:user|system)\.[a-z_]+", plain(markdown(language))) == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_art12_1_headings_and_summary_are_in_the_language(language: str) -> None:
    english, translated = view("en"), view(language)
    same = [
        section.title
        for section, other in zip(english.sections, translated.sections, strict=True)
        if section.title == other.title and len(section.title.split()) > 1
    ]
    assert same == []
    questions = [b.title for b in translated.summary if isinstance(b, Subsection)]
    assert "Who we are" not in questions


@pytest.mark.parametrize("language", TRANSLATED)
def test_art12_1_programme_texts_are_shown_in_the_language(language: str) -> None:
    programme = example()
    english, text = _flat(markdown("en")), _flat(markdown(language))
    shown = [p.name for p in programme.purposes if _flat(str(p.name)) in english]
    assert shown, "the English statement names the purposes"
    for name in shown:
        assert name.has(language), f"{name!r} has no {language} value"
        assert _flat(name.in_language(language)) in text
    scope = programme.statement.scope if programme.statement else None
    assert scope is not None and scope.has(language)
    assert _flat(" ".join(scope.in_language(language).split()[:8])) in text


def _flat(text: str) -> str:
    return " ".join(plain(text).split())


def _placeholders(message: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(message) if name is not None}


def _code_messages() -> set[str]:
    from babel.messages.extract import extract_from_dir

    method_map = [("**/templates/**.j2", "jinja2"), ("**.py", "python")]
    keywords = {"_": None, "N_": None, "ngettext": (1, 2)}
    found: set[str] = set()
    for _, _, message, _, _ in extract_from_dir(
        str(ROOT / "src" / "tutela"), method_map, keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


@cache
def _catalogue(language: str) -> dict[str, tuple[str, ...]]:
    """The catalogue of ``language``: each message id with its translation(s), fuzzy left out."""
    from babel.messages.pofile import read_po

    with open(i18n.catalogue_path(language), "rb") as handle:
        catalog = read_po(handle, locale=language, domain=i18n.DOMAIN)
    found: dict[str, tuple[str, ...]] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        found[key] = tuple(strings)
    return found


@pytest.mark.parametrize("language", TRANSLATED)
def test_art12_1_every_message_of_the_code_is_translated(language: str) -> None:
    catalogue = _catalogue(language)
    untranslated = [
        message
        for message in sorted(_code_messages())
        if not all(text.strip() for text in catalogue.get(message, ("",)))
    ]
    assert untranslated == [], f"run `make catalogues` and translate these for {language}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_art12_1_translations_keep_every_placeholder(language: str) -> None:
    catalogue = i18n.translations(language)
    broken = [
        message
        for message in sorted(_code_messages())
        if _placeholders(catalogue.gettext(message)) != _placeholders(message)
    ]
    assert broken == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--lang", "es"], "not a language of this statement"),
        (["--lang", "FR; rm -rf /"], "not a language of this statement"),
        (["--lang", ""], "not a language of this statement"),
    ],
)
def test_art12_1_render_refuses_a_language_the_statement_does_not_declare(
    argv: list[str], message: str
) -> None:
    from typer.testing import CliRunner

    from tutela.cli.main import app

    result = CliRunner().invoke(app, ["statement", "render", str(EXAMPLE), *argv])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_art12_1_render_refuses_a_declared_language_tutela_has_no_wording_in(
    tmp_path: Path,
) -> None:
    import shutil

    from typer.testing import CliRunner

    from tutela.cli.main import app

    folder = tmp_path / "programme"
    shutil.copytree(ROOT / "tests" / "fixtures" / "minimal", folder)
    organisation = folder / "organisation.yml"
    organisation.write_text(
        organisation.read_text(encoding="utf-8").replace("languages: [en]", "languages: [es]"),
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["statement", "render", str(folder), "--allow-errors"])
    assert result.exit_code == 2
    assert "no statement wording in 'es'" in result.output
    refused = CliRunner().invoke(app, ["statement", "render", str(folder)])
    assert refused.exit_code == 1  # languages/no-wording is an error of `check`
