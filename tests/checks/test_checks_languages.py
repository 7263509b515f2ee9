"""Language rules: a statement declared in several languages has every text in each.

GDPR Art. 12(1) (clear and plain language the subject understands); WP260 rev.01 ¶13.
"""

from __future__ import annotations

from typing import Any

from checkcases import Case, Data, Edit, both, findings_of, minimal, nothing, set_

from tutela.programme.translations import texts


def every_text_in(*languages: str) -> Edit:
    """Give every text people read of the minimal programme a value in ``languages``."""
    paths = [path for path, _ in texts(minimal().programme)]

    def edit(data: Data) -> None:
        for path in paths:
            parent: Any = data
            for part in path[:-1]:
                parent = parent[part]
            original = parent[path[-1]]
            parent[path[-1]] = {lang: f"{original} [{lang}]" for lang in languages}

    return edit


FRENCH_TOO = set_("statement.languages", ["en", "fr"])

CASES: list[Case] = [
    (
        "art12-1 WP260-13",
        "languages/missing-translation",
        FRENCH_TOO,
        both(FRENCH_TOO, every_text_in("en", "fr")),
    ),
    (
        "art12-1 catalogue",
        "languages/no-wording",
        set_("statement.languages", ["en", "xx"]),
        nothing,
    ),
]


def test_art12_1_each_untranslated_text_is_reported_where_it_is_written() -> None:
    found = findings_of("languages/missing-translation", FRENCH_TOO)
    paths = {".".join(map(str, f.path)) for f in found}
    assert "statement.title" in paths
    assert "purposes.0.name" in paths
    assert all(f.location is not None and f.location.line for f in found)
    assert all("fr" in f.message for f in found)


def test_art12_1_a_text_given_per_language_lacking_the_first_language_is_reported() -> None:
    found = findings_of(
        "languages/missing-translation",
        set_("statement.title", {"fr": "Déclaration de confidentialité"}),
    )
    assert [".".join(map(str, f.path)) for f in found] == ["statement.title"]
    assert "no en version" in found[0].message


def test_art12_1_addresses_and_internal_sections_need_no_translation() -> None:
    found = findings_of("languages/missing-translation", FRENCH_TOO)
    paths = {f.path for f in found}
    assert not any("datasets" in path for path in paths)  # not shown to data subjects
    assert ("systems", 0, "name") in paths  # a system's name is shown in the statement
    assert ("rights", "channels", 0) not in paths  # privacy@example.test


def test_art12_1_a_single_language_programme_needs_no_translation() -> None:
    assert findings_of("languages/missing-translation", nothing) == []
