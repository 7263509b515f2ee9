"""What the privacy centre's request and complaint forms offer, in plain words, as data.

The request types this programme offers (its ``rights.offered`` under GDPR, the CCPA
types when ``rights.regimes`` names ``ccpa``), each with a name and a one-line
explanation; the one detail a type asks for (a rectification's mode, RE-1; a
restriction's ground, RS-1; the purpose objected to, OB-1; a portability destination,
PO-3); the places of residence the packaged jurisdictions know, with the US states; the
supervisory authorities the programme names for complaints (Art. 77, CP-1); and each
state said in words with what happens next. Wording is marked with ``N_`` and translated
where it is shown. No I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from tutela.i18n import N_, _, country_name, language
from tutela.jurisdictions import packaged_jurisdictions
from tutela.programme.models import LegalBasis
from tutela.requests.types import Regime, RequestType, offered_regimes

if TYPE_CHECKING:
    from tutela.programme.models import Programme, Purpose

_T = RequestType
TYPE_WORDS: dict[RequestType, tuple[str, str]] = {
    _T.ACCESS: (
        N_("Get a copy of your data"),
        N_("We tell you what personal data we hold about you and send you a copy."),
    ),
    _T.RECTIFICATION: (
        N_("Correct your data"),
        N_("We correct data about you that is wrong, or complete data that is missing."),
    ),
    _T.ERASURE: (
        N_("Delete your data"),
        N_("We delete the personal data we hold about you, unless the law makes us keep it."),
    ),
    _T.RESTRICTION: (
        N_("Pause the use of your data"),
        N_("We keep your data but stop using it while a question about it is settled."),
    ),
    _T.OBJECTION: (
        N_("Object to a use of your data"),
        N_("We stop using your data for a purpose based on our interests, unless we must go on."),
    ),
    _T.PORTABILITY: (
        N_("Take your data elsewhere"),
        N_("We send the data you gave us in a machine-readable file, to you or another company."),
    ),
    _T.KNOW: (
        N_("Know what we collect (California)"),
        N_("We tell you what personal information we collected, used and disclosed."),
    ),
    _T.DELETE: (
        N_("Delete your information (California)"),
        N_("We delete the personal information we collected from you."),
    ),
    _T.CORRECT: (
        N_("Correct your information (California)"),
        N_("We correct personal information about you that is inaccurate."),
    ),
    _T.OPT_OUT_SALE_SHARING: (
        N_("Do not sell or share my information (California)"),
        N_("We stop selling or sharing your personal information."),
    ),
    _T.LIMIT_SENSITIVE: (
        N_("Limit the use of sensitive information (California)"),
        N_("We use your sensitive personal information only as the law allows."),
    ),
    _T.COMPLAINT: (
        N_("Complaint"),
        N_("You tell us what went wrong; we look into it and answer."),
    ),
}
"""Each request type's plain-language name and one-line explanation."""

_GDPR_FORM = (_T.ACCESS, _T.RECTIFICATION, _T.ERASURE, _T.RESTRICTION, _T.OBJECTION, _T.PORTABILITY)
_CCPA_FORM = (_T.KNOW, _T.DELETE, _T.CORRECT, _T.OPT_OUT_SALE_SHARING, _T.LIMIT_SENSITIVE)
_OBJECTABLE = (LegalBasis.LEGITIMATE_INTERESTS, LegalBasis.PUBLIC_TASK)

_MODES = (
    ("correct", N_("Some of my data is wrong")),
    ("complete", N_("Some of my data is incomplete")),
    ("supplementary_statement", N_("I want to add a statement of my own to my data")),
)
_GROUNDS = (
    ("18(1)(a)", N_("I say my data is wrong: pause its use while you check it")),
    ("18(1)(b)", N_("You should not use my data, but I do not want it deleted")),
    ("18(1)(c)", N_("You no longer need my data, but I need it for a legal claim")),
    ("18(1)(d)", N_("I objected to a use of my data: pause it while you decide")),
)

STATE_WORDS: dict[str, tuple[str, str]] = {
    "received": (
        N_("Received"),
        N_("We have your request. We check who you are when needed, then start work on it."),
    ),
    "awaiting_identity": (
        N_("Waiting for your code"),
        N_("Type the code we sent to your e-mail address, so we know the request is yours."),
    ),
    "verified": (
        N_("Identity confirmed"),
        N_("We know the request is yours. Our privacy team takes it from here."),
    ),
    "awaiting_approval": (
        N_("Being weighed"),
        N_("Our privacy team is weighing your request against the grounds for the processing."),
    ),
    "in_progress": (
        N_("In progress"),
        N_("We are working on your request in our systems."),
    ),
    "completed": (
        N_("Answered"),
        N_("Your request is answered. When there is a file for you, you can download it below."),
    ),
    "denied": (
        N_("Refused"),
        N_("We could not do what you asked. The reason is below. You may complain about it."),
    ),
    "forwarded_to_controller": (
        N_("Passed to the organisation responsible"),
        N_("We handle this data for a customer of ours; we passed your request to them."),
    ),
    "withdrawn": (
        N_("Withdrawn"),
        N_("You withdrew this request. We do nothing more with it."),
    ),
}
"""Each state in plain words, and what happens next."""

_US_STATES = (
    "AL Alabama|AK Alaska|AZ Arizona|AR Arkansas|CA California|CO Colorado|CT Connecticut|"
    "DE Delaware|FL Florida|GA Georgia|HI Hawaii|ID Idaho|IL Illinois|IN Indiana|IA Iowa|"
    "KS Kansas|KY Kentucky|LA Louisiana|ME Maine|MD Maryland|MA Massachusetts|MI Michigan|"
    "MN Minnesota|MS Mississippi|MO Missouri|MT Montana|NE Nebraska|NV Nevada|"
    "NH New Hampshire|NJ New Jersey|NM New Mexico|NY New York|NC North Carolina|"
    "ND North Dakota|OH Ohio|OK Oklahoma|OR Oregon|PA Pennsylvania|RI Rhode Island|"
    "SC South Carolina|SD South Dakota|TN Tennessee|TX Texas|UT Utah|VT Vermont|VA Virginia|"
    "WA Washington|WV West Virginia|WI Wisconsin|WY Wyoming|DC District of Columbia|"
    "AS American Samoa|GU Guam|MP Northern Mariana Islands|PR Puerto Rico|"
    "UM U.S. Minor Outlying Islands|VI U.S. Virgin Islands"
)
"""The US states and territories (the codes of ``tutela.requests.types``) and their names."""


@dataclass(frozen=True)
class Choice:
    """One option of a select or a radio group: the value sent and the words shown."""

    value: str
    label: str


@dataclass(frozen=True)
class TypeChoice:
    """A request type the form offers: its value, name and one-line explanation."""

    value: str
    name: str
    explanation: str


@dataclass(frozen=True)
class DetailField:
    """The one detail a type asks for: its name in the request, words, choices or free text."""

    key: str
    label: str
    hint: str
    choices: tuple[Choice, ...] = ()
    required: bool = True


@dataclass(frozen=True)
class AuthorityView:
    """A supervisory authority as the complaint pages show it (CP-1)."""

    name: str
    country: str
    websites: tuple[str, ...]
    lead: bool


def offered_types(programme: Programme) -> tuple[TypeChoice, ...]:
    """The request types of the request form, in the current language (never a complaint).

    Call it, like :func:`detail_field` and :func:`authorities`, inside
    :func:`tutela.i18n.language` for the page's language.
    """
    rights = programme.rights
    regimes = offered_regimes(["gdpr"] if rights is None else rights.regimes)
    rights_offered = set(_GDPR_FORM) if rights is None else {_T(r) for r in rights.offered}
    found = [t for t in _GDPR_FORM if Regime.GDPR in regimes and t in rights_offered]
    found += [t for t in _CCPA_FORM if Regime.CCPA in regimes]
    if not _objectable(programme):
        found = [t for t in found if t is not _T.OBJECTION]
    return tuple(TypeChoice(t.value, _(TYPE_WORDS[t][0]), _(TYPE_WORDS[t][1])) for t in found)


def type_name(kind: str) -> str:
    """The plain-language name of request type ``kind`` (``kind`` itself when unknown)."""
    words = TYPE_WORDS.get(RequestType(kind)) if kind in set(RequestType) else None
    return _(words[0]) if words else kind


def detail_field(programme: Programme, kind: str) -> DetailField | None:
    """The detail a request of ``kind`` asks for in the form, or None when it needs none."""
    if kind in (_T.RECTIFICATION, _T.CORRECT):
        modes = tuple(Choice(v, _(label)) for v, label in _MODES)
        return DetailField("mode", _("What is wrong?"), _("Choose the closest."), modes)
    if kind == _T.RESTRICTION:
        grounds = tuple(Choice(v, _(label)) for v, label in _GROUNDS)
        return DetailField("ground", _("Why should we pause it?"), _("GDPR Art. 18(1)."), grounds)
    if kind == _T.OBJECTION:
        purposes = tuple(Choice(p.key, str(p.name)) for p in _objectable(programme))
        hint = _("The uses of your data based on our interests.")
        return DetailField("purpose", _("What do you object to?"), hint, purposes)
    if kind == _T.PORTABILITY:
        hint = _("Leave empty to get the file yourself. Otherwise: its https:// address.")
        return DetailField("transmit_to", _("Send to another organisation"), hint, (), False)
    return None


def _objectable(programme: Programme) -> list[Purpose]:
    return [p for p in programme.purposes if p.legal_basis in _OBJECTABLE]


def residence_choices(lang: str) -> tuple[tuple[Choice, ...], tuple[Choice, ...]]:
    """The countries the jurisdictions know (``BE``) and the US states (``US-CA``), by name.

    Country names are in ``lang``; the US itself is offered as its states, since a state
    decides whether the CCPA applies.
    """
    return _residences(lang)


@cache
def _residences(lang: str) -> tuple[tuple[Choice, ...], tuple[Choice, ...]]:
    names = packaged_jurisdictions().names
    with language(lang):
        countries = [
            Choice(code, _display(country_name(code, english)))
            for code, english in names.items()
            if code != "US"
        ]
    states = [Choice(f"US-{p[:2]}", p[3:]) for p in _US_STATES.split("|")]
    return tuple(sorted(countries, key=lambda c: c.label.casefold())), tuple(states)


def _display(name: str) -> str:
    """``the Philippines`` as a select shows it: ``Philippines``."""
    return name[4:] if name.startswith("the ") else name


@cache
def known_residences() -> frozenset[str]:
    """Every residence value the forms accept."""
    countries, states = _residences("en")
    return frozenset(c.value for c in (*countries, *states))


def authorities(programme: Programme, residence: str | None = None) -> tuple[AuthorityView, ...]:
    """The supervisory authorities the programme names, the lead one included (CP-1).

    ``residence`` (``FR``, ``US-CA``) adds the authority where the subject lives when the
    jurisdictions list one: Art. 77 names the habitual residence first.
    """
    places = packaged_jurisdictions()
    written = programme.organisation.lead_supervisory_authority if programme.organisation else None
    lead = places.code(written) if written else None
    named = list(programme.complaints.authorities) if programme.complaints else []
    home = (residence or "").partition("-")[0]
    lives = [home] if home and places.known_authority(home) is not None else []
    codes = dict.fromkeys(places.code(c) for c in [*named, *([lead] if lead else []), *lives])
    return tuple(
        AuthorityView(
            places.authority(code).name,
            _display(country_name(code, places.country(code))),
            places.authority(code).websites,
            code == lead,
        )
        for code in codes
    )
