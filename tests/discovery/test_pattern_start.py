"""``word_tree``: a word list written as a tree of letters matches exactly those words."""

from __future__ import annotations

import re

from tutela.discovery.pattern_start import word_tree


def test_word_tree_matches_exactly_its_words_longest_first() -> None:
    words = ["tel", "telefon", "telefonnummer", "te", "phone", "p", "bel", "bellen"]
    tree = re.compile(word_tree(words))
    for text in [*words, "t", "telef", "telefonnummerx", "phones", "", "be", "bellenx"]:
        assert (tree.fullmatch(text) is not None) is (text in words), text
    for text in ["telefonnummer!", "telefonx", "bellen.", "pphone"]:
        longest = max((w for w in words if text.startswith(w)), key=len)
        found = tree.match(text)
        assert found is not None and found.group(0) == longest


def test_word_tree_escapes_what_the_words_hold() -> None:
    words = ["n°", "nr.", "a+b", "(x)"]
    tree = re.compile(word_tree(words))
    for text in words:
        assert tree.fullmatch(text) is not None, text
    for text in ["nrx", "aab", "x"]:
        assert tree.fullmatch(text) is None, text


def test_an_empty_word_list_is_an_empty_expression() -> None:
    assert word_tree([]) == ""
