"""The national identification schemes tutela knows, declared as data.

Every scheme is a row of :data:`SCHEMES`: the country, the python-stdnum module
that validates it (check digits, embedded birth date), the patterns that find
candidates, and the words near which a number in free text is one. A cheap
arithmetic test (:mod:`.national_id_checks`) runs before stdnum; :data:`CHECK_CHANCE`
is how often a random number passes each check. The detectors that read this table
are in :mod:`.national_id`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tutela.discovery.detectors import national_id_checks as checks
from tutela.discovery.models import Pattern

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
