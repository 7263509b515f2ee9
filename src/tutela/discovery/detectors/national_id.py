"""National identification numbers of the EU, the UK, the US and neighbours, one detector each.

Every scheme is a row of :data:`SCHEMES`: the country, the python-stdnum module
that validates it (check digits, embedded birth date), the patterns that find
candidates, and the words near which a number in free text is one. A cheap
arithmetic test (:mod:`.national_id_checks`) runs before stdnum.

Scores follow the strength of the check. A nine-digit number passes the Dutch
11-test one time in eleven and any nine digits can be a US SSN, so a bare number
of a weak scheme scores under :data:`MIN_SPAN_SCORE`: a column needs its name or
a high hit rate to be classified, and a span in text needs a context word. Strong
checks (codice fiscale, NIR with its key, Belgian national number, formatted
numbers) score high. All are GDPR Art. 87 national identification numbers, under
one category.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from tutela.discovery.detectors import national_id_checks as checks
from tutela.discovery.detectors.windows import Window, whole
from tutela.discovery.models import (
    BEFORE_MATCH,
    CONTEXT_BOOST,
    CONTEXT_WINDOW,
    NO_CHECK,
    NO_MATCH,
    Pattern,
    PatternDetector,
    Span,
    ValueScore,
)
from tutela.discovery.pattern_start import LEADING_GUARD, leading_digits, word_led

CATEGORY = "user.government_id.national_identification_number"

MIN_SPAN_SCORE = 0.5
"""In free text, a pattern scoring less than this counts only with a context word near."""

ZERO_PADDED = 0.8
"""Factor on the score of a digits-only value that lost its leading zero (stored as integer)."""

COMMON_CONTEXT = (
    "national id",
    "national identification",
    "id number",
    "id no",
    "identity number",
    "identification number",
    "personal number",
    "social security",
    "tax id",
    "TIN",
)


def _width(regex: str) -> tuple[int, int]:
    """The shortest and longest match of ``regex`` (from the standard parser; a gate only)."""
    parser = getattr(re, "_parser", None)
    if parser is None:  # pragma: no cover - the parser moved: no gate, every length allowed
        return 0, 1 << 16
    low, high = parser.parse(regex).getwidth()
    return int(low), int(high)


def _min_digits(regex: str) -> int:
    """The fewest digits a match of ``regex`` holds (from the standard parser; a gate only)."""
    parser, constants = getattr(re, "_parser", None), getattr(re, "_constants", None)
    if parser is None or constants is None:  # pragma: no cover - the parser moved: no gate
        return 0

    def is_digit(op: object, value: object) -> bool:
        if op is constants.LITERAL:
            return chr(value).isdigit()  # type: ignore[arg-type]
        if op is constants.CATEGORY:
            return value is constants.CATEGORY_DIGIT
        if op is constants.RANGE:
            return all(chr(end).isdigit() for end in value)  # type: ignore[attr-defined]
        return False

    def fewest(items: Iterable[tuple[object, Any]]) -> int:
        total = 0
        for op, value in items:
            if op is constants.LITERAL or op is constants.IN:
                members = [(op, value)] if op is constants.LITERAL else value
                total += all(is_digit(kind, item) for kind, item in members)
            elif op is constants.MAX_REPEAT or op is constants.MIN_REPEAT:
                total += value[0] * fewest(value[2])
            elif op is constants.SUBPATTERN:
                total += fewest(value[3])
            elif op is constants.BRANCH:
                total += min(fewest(branch) for branch in value[1])
        return total

    return fewest(parser.parse(regex))


MIN_DIGITS = 6
LONGEST = 32
"""No scheme's number, formatted, is longer: the digits a candidate can hold are counted there."""
"""Every scheme has at least this many digits: fewer, and no scheme is tried."""
_NO_DIGITS = str.maketrans("", "", "0123456789")


def _digit_count(value: str) -> int:
    return len(value) - len(value.translate(_NO_DIGITS))


GUARDED_DIGITS = MIN_DIGITS
"""Leading digits a start scan checks before trying its patterns (a cheap look-ahead)."""


def _scan_order(kind: tuple[tuple[str, int], list[str]]) -> tuple[int, int]:
    """Digit-led branches first (guarded ones first), word-led next, any other last."""
    (lead, guard), _ = kind
    return ({r"\d": 0, r"\w": 1}.get(lead, 2), -guard)


def _guard(digits: int) -> str:
    """A look-ahead for ``digits`` leading digits (empty for none)."""
    return f"(?={LEADING_GUARD.format(digits - 1)})" if digits else ""


_VERSION_LIKE = re.compile(r"(?:19|20)\d\d(?:\.\d+)+")
"""Dotted groups starting with a year: a release or build number more often than an id."""
_SEPARATORS = str.maketrans("", "", " .-/+")


@dataclass(frozen=True)
class Scheme:
    """One national identification scheme, declared as data.

    ``validator`` is a python-stdnum module name (its ``is_valid`` is used) or a
    function of the compact number; ``precheck`` is a cheap necessary condition run
    first. ``digits`` is the length of a digits-only number that may be stored as an
    integer and lose its leading zero (0: it cannot). ``chance`` is the share of
    random numbers of the scheme's shape its check passes (None: :data:`CHECK_CHANCE`).
    """

    code: str
    countries: tuple[str, ...]
    title: str
    validator: str | Callable[[str], bool]
    patterns: tuple[Pattern, ...]
    context: tuple[str, ...]
    precheck: Callable[[str], bool] | None = None
    digits: int = 0
    chance: float | None = None


def _words(words: str) -> tuple[str, ...]:
    return tuple(words.split("|"))


def _digits(name: str, count: int, score: float) -> Pattern:
    return Pattern(name, rf"\d{{{count}}}", score)


CHECK_CHANCE: dict[str, float] = {
    **dict.fromkeys(("be", "be_bis", "fr"), 1 / 97),  # mod 97
    **dict.fromkeys(("nl", "pt_nif", "at", "cz", "ro", "bg", "ee", "si"), 1 / 11),  # mod 11
    **dict.fromkeys(("de", "hr"), 1 / 10),  # ISO 7064 mod 11,10
    **dict.fromkeys(("pl", "pt_cc", "se", "gr", "ch"), 1 / 10),  # weighted mod 10, Luhn, EAN
    **dict.fromkeys(("es_dni", "es_nie", "ie"), 1 / 23),  # mod 23 letter
    "it": 1 / 26,  # check letter
    "fi": 1 / 31,  # mod 31 character
    "no": 1 / 121,  # two mod 11 digits
    "lu": 1 / 100,  # Luhn and Verhoeff digits
}
"""The share of random numbers of each scheme's shape that pass its check digits.

Schemes without one (the US SSN, the UK NINO, the Danish CPR's date) are absent: any
number of their shape passes (:data:`~tutela.discovery.models.NO_CHECK`).
"""

SCHEMES: tuple[Scheme, ...] = (
    Scheme(
        "be",
        ("BE",),
        "Belgian national register number",
        "stdnum.be.nn",
        (
            Pattern("be_nn_formatted", r"\d{2}\.\d{2}\.\d{2}[- ]\d{3}[. ]\d{2}", 0.95),
            Pattern("be_nn_spaced", r"\d{2} \d{2} \d{2} \d{3} \d{2}", 0.9),
            _digits("be_nn_digits", 11, 0.8),
        ),
        _words(
            "rijksregisternummer|rijksregister|numéro national|registre national|NISS|INSZ|"
            "Nationalregisternummer|national number|RRN"
        ),
        checks.be_national_number,
        11,
    ),
    Scheme(
        "be_bis",
        ("BE",),
        "Belgian BIS number",
        "stdnum.be.bis",
        (
            Pattern("be_bis_formatted", r"\d{2}\.\d{2}\.\d{2}[- ]\d{3}[. ]\d{2}", 0.9),
            _digits("be_bis_digits", 11, 0.75),
        ),
        _words("BIS|bisnummer|numéro bis|NISS|INSZ"),
        checks.be_national_number,
    ),
    Scheme(
        "nl",
        ("NL",),
        "Dutch citizen service number (BSN)",
        "stdnum.nl.bsn",
        (
            Pattern("nl_bsn_dotted", r"\d{4}\.\d{2}\.\d{3}", 0.6),
            _digits("nl_bsn_digits", 9, 0.35),
        ),
        _words("BSN|burgerservicenummer|sofinummer|sofi-nummer"),
        checks.nl_bsn,
        9,
    ),
    Scheme(
        "fr",
        ("FR",),
        "French social security number (NIR)",
        "stdnum.fr.nir",
        (
            Pattern(
                "fr_nir_spaced", r"[12] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}", 0.95
            ),
        ),
        _words(
            "NIR|numéro de sécurité sociale|sécurité sociale|sécu|INSEE|carte vitale|numéro de sécu"
        ),
        checks.fr_nir,
    ),
    Scheme(
        "de",
        ("DE",),
        "German tax identification number (IdNr)",
        "stdnum.de.idnr",
        (
            Pattern("de_idnr_spaced", r"[1-9]\d \d{3} \d{3} \d{3}", 0.6),
            Pattern("de_idnr_digits", r"[1-9]\d{10}", 0.4),
        ),
        _words(
            "Steuer-ID|Steuer-IdNr|Steueridentifikationsnummer|Identifikationsnummer|IdNr|"
            "Steuernummer|tax identification"
        ),
        checks.iso7064_mod_11_10,
    ),
    Scheme(
        "it",
        ("IT",),
        "Italian fiscal code (codice fiscale)",
        "stdnum.it.codicefiscale",
        (
            Pattern(
                "it_codice_fiscale",
                r"[A-Z]{6}[\dLMNP-V]{2}[A-EHLMPR-T][\dLMNP-V]{2}[A-Z][\dLMNP-V]{3}[A-Z]",
                0.95,
            ),
        ),
        _words("codice fiscale|cod. fiscale|CF|tessera sanitaria"),
    ),
    Scheme(
        "es_dni",
        ("ES",),
        "Spanish national identity document (DNI)",
        "stdnum.es.dni",
        (Pattern("es_dni", r"\d{8}-?[A-Z]", 0.75),),
        _words("DNI|NIF|documento nacional de identidad|número de identificación"),
    ),
    Scheme(
        "es_nie",
        ("ES",),
        "Spanish foreigner identity number (NIE)",
        "stdnum.es.nie",
        (Pattern("es_nie", r"[XYZ]-?\d{7}-?[A-Z]", 0.9),),
        _words("NIE|NIF|número de identidad de extranjero|extranjero"),
    ),
    Scheme(
        "pl",
        ("PL",),
        "Polish PESEL",
        "stdnum.pl.pesel",
        (_digits("pl_pesel_digits", 11, 0.65),),
        _words("PESEL|numer PESEL"),
        checks.pl_pesel,
        11,
    ),
    Scheme(
        "gb",
        ("GB",),
        "UK National Insurance number",
        checks.gb_nino,
        (Pattern("gb_nino", r"[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]", 0.85),),
        _words("NINO|NI number|NI no|national insurance|national insurance number"),
    ),
    Scheme(
        "us",
        ("US",),
        "US Social Security number",
        checks.us_ssn,
        (
            Pattern("us_ssn_dashed", r"\d{3}-\d{2}-\d{4}", 0.7),
            Pattern("us_ssn_spaced", r"\d{3} \d{2} \d{4}", 0.45),
            _digits("us_ssn_digits", 9, 0.2),
        ),
        _words("SSN|social security|social security number|SS#"),
        None,
        9,
    ),
    Scheme(
        "pt_nif",
        ("PT",),
        "Portuguese tax number of a person (NIF)",
        "stdnum.pt.nif",
        (Pattern("pt_nif_digits", r"[123]\d{8}", 0.3),),
        _words("NIF|contribuinte|número de contribuinte|número fiscal"),
        checks.pt_nif,
    ),
    Scheme(
        "pt_cc",
        ("PT",),
        "Portuguese citizen card number",
        "stdnum.pt.cc",
        (Pattern("pt_cc", r"\d{8} ?\d ?[A-Z]{2}\d", 0.9),),
        _words("cartão de cidadão|CC|número de documento"),
    ),
    Scheme(
        "se",
        ("SE",),
        "Swedish personal identity number",
        "stdnum.se.personnummer",
        (
            Pattern("se_personnummer", r"(?:19|20)?\d{6}[-+]\d{4}", 0.85),
            Pattern("se_personnummer_digits", r"(?:19|20)\d{10}", 0.6),
            _digits("se_personnummer_short", 10, 0.4),
        ),
        _words("personnummer|samordningsnummer|personnr"),
        checks.se_personnummer,
        10,
    ),
    Scheme(
        "dk",
        ("DK",),
        "Danish CPR number",
        "stdnum.dk.cpr",
        (
            Pattern("dk_cpr", r"\d{6}-\d{4}", 0.55),
            _digits("dk_cpr_digits", 10, 0.25),
        ),
        _words("CPR|CPR-nummer|CPR-nr|personnummer"),
        checks.ddmmyy,
        10,
    ),
    Scheme(
        "fi",
        ("FI",),
        "Finnish personal identity code (HETU)",
        "stdnum.fi.hetu",
        (Pattern("fi_hetu", r"\d{6}[-+A-FU-Y]\d{3}[0-9A-FHJ-NPR-Y]", 0.95),),
        _words("henkilötunnus|HETU|personbeteckning|sotu"),
    ),
    Scheme(
        "at",
        ("AT",),
        "Austrian social security number",
        "stdnum.at.vnr",
        (
            Pattern("at_vnr_spaced", r"[1-9]\d{3} \d{6}", 0.6),
            Pattern("at_vnr_digits", r"[1-9]\d{9}", 0.35),
        ),
        _words("Sozialversicherungsnummer|SVNR|VSNR|Versicherungsnummer|e-card"),
        checks.at_vnr,
    ),
    Scheme(
        "ie",
        ("IE",),
        "Irish Personal Public Service number",
        "stdnum.ie.pps",
        (Pattern("ie_pps", r"\d{7}[A-W][ABHW]?", 0.8),),
        _words("PPS|PPSN|PPS number|personal public service"),
    ),
    Scheme(
        "lu",
        ("LU",),
        "Luxembourg national identification number",
        checks.lu_matricule,
        (Pattern("lu_matricule_spaced", r"\d{4} ?\d{2} ?\d{2} ?\d{3} ?\d{2}", 0.85),),
        _words("matricule|numéro d'identification|Matrikelnummer|CNS|sécurité sociale"),
    ),
    Scheme(
        "cz",
        _words("CZ|SK"),
        "Czech / Slovak birth number",
        "stdnum.cz.rc",
        (
            Pattern("cz_rc_slashed", r"\d{6}/\d{4}", 0.85),
            _digits("cz_rc_digits", 10, 0.35),
        ),
        _words("rodné číslo|rodne cislo|RČ"),
        checks.cz_rodne_cislo,
        10,
    ),
    Scheme(
        "ro",
        ("RO",),
        "Romanian personal numeric code (CNP)",
        "stdnum.ro.cnp",
        (Pattern("ro_cnp", r"[1-9]\d{12}", 0.75),),
        _words("CNP|cod numeric personal"),
        checks.ro_cnp,
    ),
    Scheme(
        "bg",
        ("BG",),
        "Bulgarian uniform civil number (EGN)",
        "stdnum.bg.egn",
        (_digits("bg_egn_digits", 10, 0.4),),
        _words("EGN|ЕГН|единен граждански номер"),
        checks.bg_egn,
        10,
    ),
    Scheme(
        "ee",
        _words("EE|LT"),
        "Estonian / Lithuanian personal code",
        "stdnum.ee.ik",
        (Pattern("ee_isikukood", r"[1-6]\d{10}", 0.6),),
        _words("isikukood|asmens kodas|personal code"),
        checks.ee_isikukood,
    ),
    Scheme(
        "gr",
        ("GR",),
        "Greek social security number (AMKA)",
        "stdnum.gr.amka",
        (_digits("gr_amka_digits", 11, 0.45),),
        _words("AMKA|ΑΜΚΑ|αριθμός μητρώου κοινωνικής ασφάλισης"),
        checks.luhn_with_date,
        11,
    ),
    Scheme(
        "hr",
        ("HR",),
        "Croatian personal identification number (OIB)",
        "stdnum.hr.oib",
        (_digits("hr_oib_digits", 11, 0.3),),
        _words("OIB|osobni identifikacijski broj"),
        checks.iso7064_mod_11_10,
    ),
    Scheme(
        "si",
        ("SI",),
        "Slovenian unique master citizen number (EMŠO)",
        "stdnum.si.emso",
        (_digits("si_emso_digits", 13, 0.6),),
        _words("EMŠO|EMSO|matična številka"),
        checks.si_emso,
    ),
    Scheme(
        "no",
        ("NO",),
        "Norwegian birth number",
        "stdnum.no.fodselsnummer",
        (_digits("no_fodselsnummer_digits", 11, 0.7),),
        _words("fødselsnummer|fodselsnummer|personnummer"),
        checks.no_fodselsnummer,
        11,
    ),
    Scheme(
        "ch",
        ("CH",),
        "Swiss social security number (AHV/AVS)",
        "stdnum.ch.ssn",
        (
            Pattern("ch_ahv_dotted", r"756\.\d{4}\.\d{4}\.\d{2}", 0.95),
            Pattern("ch_ahv_digits", r"756\d{10}", 0.7),
        ),
        _words("AHV|AVS|AHV-Nummer|numéro AVS|Sozialversicherungsnummer"),
    ),
)
"""The schemes tutela knows, one detector each (``national_id_<code>``)."""


@dataclass(frozen=True)
class NationalIdDetector:
    """The detector of one :class:`Scheme`: validated candidates, scored by the check's strength.

    Values are compacted (spaces, dots, dashes, slashes removed) and upper-cased
    before validation. In text, a match scoring under :data:`MIN_SPAN_SCORE` needs
    a context word within :data:`~tutela.discovery.models.CONTEXT_WINDOW` characters.
    """

    scheme: Scheme
    name: str = field(init=False)
    category: str | None = field(init=False, default=CATEGORY)
    countries: tuple[str, ...] = field(init=False)
    lookalike: bool = field(init=False, default=False)
    chance: float = field(init=False, default=NO_CHECK)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", f"national_id_{self.scheme.code}")
        object.__setattr__(self, "countries", self.scheme.countries)
        chance = self.scheme.chance or CHECK_CHANCE.get(self.scheme.code, NO_CHECK)
        object.__setattr__(self, "chance", chance)

    @cached_property
    def _lengths(self) -> tuple[int, int]:
        """The shortest and longest whole value of this scheme (a gate cheaper than a regex)."""
        widths = [_width(pattern.regex) for pattern in self.scheme.patterns]
        return min(low for low, _ in widths) - 1, max(high for _, high in widths)

    def score_value(self, value: str) -> ValueScore:
        """The score of the first pattern matching all of ``value`` whose number is valid."""
        scheme, factor = self.scheme, 1.0
        shortest, longest = self._lengths
        if not shortest <= len(value) <= longest or _digit_count(value) < MIN_DIGITS:
            return NO_MATCH
        if scheme.digits and len(value) == scheme.digits - 1 and value.isdigit():
            value, factor = "0" + value, ZERO_PADDED
        for pattern in scheme.patterns:
            if pattern.compiled.fullmatch(value) and self.is_valid(value):
                return ValueScore(pattern.score * factor, pattern.name)
        return NO_MATCH

    def find_spans(self, text: str) -> Iterator[Span]:
        """Valid numbers in ``text``; weak ones only with a context word near."""
        return self.find_spans_within(text, whole(text))

    def find_spans_within(self, text: str, windows: Sequence[Window]) -> Iterator[Span]:
        """Valid numbers inside ``windows`` of ``text`` (context words: anywhere near)."""
        return search_together((self,)).find_spans_within(text, windows)

    def span_at(self, text: str, match: re.Match[str], pattern: Pattern) -> Span | None:
        """The span of ``match`` (of one of this scheme's patterns), or None when invalid."""
        if not self.is_valid(match.group(0)):
            return None
        start, end = match.span()
        score = pattern.score
        if self._context.search(text, max(0, start - CONTEXT_WINDOW), end + CONTEXT_WINDOW):
            score = min(1.0, score + CONTEXT_BOOST)
        elif _VERSION_LIKE.fullmatch(match.group(0)):
            return None  # 2025.11.133: a build number unless a context word says otherwise
        return (
            Span(start, end, CATEGORY, score, self.name, pattern.name)
            if score >= MIN_SPAN_SCORE
            else None
        )

    @property
    def searched_with(self) -> Callable[[Sequence[NationalIdDetector]], NationalIdFamily]:
        """How several national schemes search a text together (one candidate scan)."""
        return search_together

    @cached_property
    def _searched(self) -> tuple[tuple[Pattern, int], ...]:
        """Each pattern with the fewest digits one of its matches holds."""
        return tuple((pattern, _min_digits(pattern.regex)) for pattern in self.scheme.patterns)

    @cached_property
    def _context(self) -> re.Pattern[str]:
        words = "|".join(re.escape(word) for word in COMMON_CONTEXT + self.scheme.context)
        return re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE)

    def is_valid(self, number: str) -> bool:
        """True when ``number`` (any formatting) passes the scheme's checks."""
        compact = number.translate(_SEPARATORS).upper()
        precheck = self.scheme.precheck
        if precheck is not None and not precheck(compact):
            return False
        if isinstance(self.scheme.validator, str):  # stdnum compacts in its own way
            return self._validator(number.upper())
        return self._validator(compact)

    @cached_property
    def _validator(self) -> Callable[[str], bool]:
        validator = self.scheme.validator
        if callable(validator):
            return validator
        is_valid: Callable[[str], bool] = importlib.import_module(validator).is_valid
        return is_valid

    @cached_property
    def _spans(self) -> PatternDetector:
        return PatternDetector(
            name=self.name,
            category=CATEGORY,
            patterns=self.scheme.patterns,
            context=COMMON_CONTEXT + self.scheme.context,
            validate=self.is_valid,
            countries=self.scheme.countries,
            min_span_score=MIN_SPAN_SCORE,
            source=f"{self.scheme.title} ({self._source})",
        )

    @property
    def _source(self) -> str:
        validator = self.scheme.validator
        return validator if isinstance(validator, str) else f"{validator.__module__}"


@dataclass(frozen=True)
class NationalIdFamily:
    """Several schemes searched together: one scan finds where any pattern can start.

    Inside each window, a scan built from every pattern finds the positions where one
    may start; there, each distinct pattern holding no more digits than the window is
    tried, and every scheme using it validates the match (its check digits).
    """

    members: tuple[NationalIdDetector, ...]

    @cached_property
    def _patterns(
        self,
    ) -> tuple[tuple[re.Pattern[str], int, tuple[tuple[NationalIdDetector, Pattern], ...]], ...]:
        users: dict[tuple[str, int], list[tuple[NationalIdDetector, Pattern]]] = {}
        for member in self.members:
            for pattern in member.scheme.patterns:
                users.setdefault((pattern.regex, pattern.flags), []).append((member, pattern))
        return tuple(
            (found[0][1].bounded, _min_digits(regex), tuple(found))
            for (regex, _), found in users.items()
        )

    @cached_property
    def _fewest(self) -> int:
        return min((digits for _, digits, _ in self._patterns), default=0)

    @cached_property
    def _starts(self) -> re.Pattern[str]:
        """One scan for where a pattern may start: at digits, word characters, then any other.

        Patterns whose matches start with a digit, or a word character (all built-in
        schemes), are found by branches that start at a digit, or a word character
        (the engine's charset fast path), and look ahead only where a number or word
        starts; any other pattern keeps the plain look-behind scan. A position is found
        once, by the first branch that holds there.
        """
        kinds: dict[tuple[str, int], list[str]] = {}
        for _, _, found in self._patterns:
            regex = found[0][1].regex
            lead = r"\d" if word_led(regex, digits=True) else r"\w" if word_led(regex) else ""
            guard = (
                GUARDED_DIGITS if lead == r"\d" and leading_digits(regex) >= GUARDED_DIGITS else 0
            )
            kinds.setdefault((lead, guard), []).append(f"(?:{regex})")
        scans = [
            rf"{lead}(?<!{BEFORE_MATCH}{lead})(?<=(?={_guard(guard)}(?:{'|'.join(either)})){lead})"
            if lead
            else rf"(?<!{BEFORE_MATCH})(?=(?:{'|'.join(either)}))"
            for (lead, guard), either in sorted(kinds.items(), key=_scan_order)
        ]
        return re.compile("|".join(f"(?:{scan})" for scan in scans), re.IGNORECASE)

    def find_spans_within(self, text: str, windows: Sequence[Window]) -> Iterator[Span]:
        """Valid numbers of every member scheme inside ``windows`` of ``text``."""
        for window in windows:
            if window.digits < self._fewest:
                continue
            ends = [0] * len(self._patterns)  # a pattern's matches do not overlap
            for found in self._starts.finditer(text, window.start, window.end):
                yield from self._spans_at(text, found.start(), window, ends)

    def _spans_at(self, text: str, at: int, window: Window, ends: list[int]) -> Iterator[Span]:
        ahead = _digit_count(text[at : min(window.end, at + LONGEST)])
        for index, (bounded, digits, users) in enumerate(self._patterns):
            if digits > ahead or at < ends[index]:
                continue
            match = bounded.match(text, at, window.end)
            if match is None:
                continue
            ends[index] = match.end()
            for member, pattern in users:
                span = member.span_at(text, match, pattern)
                if span is not None:
                    yield span


def search_together(members: Sequence[NationalIdDetector]) -> NationalIdFamily:
    """The family search of ``members`` (built once per set of schemes)."""
    key = tuple(id(member) for member in members)
    family = _FAMILIES.get(key)
    if family is None:
        family = _FAMILIES[key] = NationalIdFamily(tuple(members))
    return family


_FAMILIES: dict[tuple[int, ...], NationalIdFamily] = {}
"""The families built so far, by the identity of their members (who they keep alive)."""


DETECTORS: list[NationalIdDetector] = [NationalIdDetector(scheme) for scheme in SCHEMES]
"""One detector per scheme, the list :data:`tutela.plugins.DETECTORS` registers."""
