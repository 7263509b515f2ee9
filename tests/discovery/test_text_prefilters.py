"""The cheap tests before the expensive ones give the answers the expensive ones give."""

from __future__ import annotations

import pytest

from tutela.discovery.detectors.person_name import _TITLE, _titled
from tutela.discovery.detectors.windows import Window, digit_windows


@pytest.mark.parametrize(
    ("before", "titled"),
    [
        ("Hello Mr. ", True),
        ("Kind regards,\n", True),
        ("Bonjour M. ", True),
        ("je m'appelle ", True),
        ("SEHR GEEHRTE ", True),
        ("Sig.ra ", True),
        ("Dr.., ", False),  # two dots: not a title's end
        ("the team ", False),
        ("Hammer ", False),  # ends like "Mr" only in letters that are no title
        ("teacher ", False),  # ends like "cher" inside a word
        ("Mr x ", False),
        ("", False),
    ],
)
def test_titled_agrees_with_the_title_expression(before: str, titled: bool) -> None:
    text = before + "Jan Peeters"
    at = len(before)
    expected = _TITLE.search(text, max(0, at - 20), at) is not None
    assert _titled(text, at, 20) is expected is titled


@pytest.mark.parametrize(
    ("text", "windows"),
    [
        ("call ٠١٢٣٤٥٦٧ now é 12", [Window(0, 22, 10)]),  # Arabic-Indic digits count too
        ("abc 1234 5678 x", [Window(0, 15, 8)]),
        ("x" * 50 + "1" + "y" * 40 + " 2", [Window(34, 93, 2)]),
        ("12" + " " * 13 + "34", [Window(0, 17, 4)]),
        ("no digits here", []),
        ("a 1" + " " * 40 + "b 2", [Window(0, 15, 1), Window(29, 46, 1)]),
    ],
)
def test_digit_windows_count_every_digit_inside_each_window(
    text: str, windows: list[Window]
) -> None:
    assert digit_windows(text) == windows
